"""Keeping the search index in step with the forum, for code that writes around the signals.

The forum's saves reach the index through ``signals.py``. A queryset ``.update()`` sends no
signal, so code that changes what the index holds that way (a post's text, ``is_deleted``,
``is_hidden`` or ``approval``; a topic's title, tag, category, ``is_deleted`` or
``merged_into``) calls one of these afterwards, in the same transaction:

    refresh_posts(post_ids)    posts edited, hidden, approved, restored or removed in bulk
    refresh_topic(topic_id)    a topic moved to another category or retitled
    refresh_topic_posts(topic) a topic removed, restored or merged away: all its posts
    rebuild()                  everything (``stepdown search_reindex``)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction

from stepdown.forum.models import Post, Topic

from .backends import get_backend
from .documents import is_searchable
from .models import SearchEntry

BATCH_SIZE = 2000


def index_post(post, topic=None) -> None:
    """Add or refresh ``post``'s entry (a post not for everyone's eyes: take it out)."""
    get_backend().index_post(post, topic)


def remove_post(post_id: int) -> None:
    """Take one post out of the index."""
    get_backend().remove_post(post_id)


def _with_topics(posts):
    return posts.select_related("topic", "topic__article")


def refresh_posts(post_ids: Iterable[int]) -> None:
    """Bring the entries of ``post_ids`` in line with the posts as stored now: one read, one
    delete and one upsert, whatever the number of posts."""
    post_ids = set(post_ids)
    if not post_ids:
        return
    posts = list(_with_topics(Post.objects.filter(pk__in=post_ids)))
    searchable = [post for post in posts if is_searchable(post, post.topic)]
    SearchEntry.objects.filter(post_id__in=post_ids - {post.pk for post in searchable}).delete()
    get_backend().index_posts(searchable)


def refresh_topic(topic: Topic | int) -> None:
    """Follow a topic's move to another category or its new title or tag (two UPDATEs)."""
    if not isinstance(topic, Topic):
        topic = Topic.objects.filter(pk=topic).first()
        if topic is None:
            return  # deleted: its posts' entries went with them
    get_backend().reindex_topic(topic)


def refresh_topic_posts(topic: Topic) -> None:
    """Every post of ``topic`` again: after it was removed, restored or merged away. A topic
    no longer shown loses its entries in one DELETE; otherwise its posts are refreshed in
    batches."""
    if topic.is_deleted or topic.merged_into_id is not None:
        SearchEntry.objects.filter(topic_id=topic.pk).delete()
        return
    post_ids = list(Post.objects.filter(topic_id=topic.pk).values_list("pk", flat=True))
    for start in range(0, len(post_ids), BATCH_SIZE):
        refresh_posts(post_ids[start : start + BATCH_SIZE])


def rebuild(*, batch_size: int = BATCH_SIZE, progress: Callable[[int, int], None] | None = None):
    """Make the index match every post, in batches of ``batch_size`` posts, each batch its own
    transaction (the forum stays usable meanwhile; on SQLite, what changes during the rebuild
    is searchable once it ends). ``progress(done, total)`` after each batch. Returns the number
    of posts indexed."""
    backend = get_backend()
    backend.start_rebuild()
    try:
        indexed = _rewrite_entries(backend, batch_size=batch_size, progress=progress)
    finally:
        backend.finish_rebuild()
    return indexed


def _rewrite_entries(backend, *, batch_size: int, progress) -> int:
    total = Post.objects.count()
    done = indexed = 0
    last_pk = 0
    while True:
        batch = list(_with_topics(Post.objects.filter(pk__gt=last_pk)).order_by("pk")[:batch_size])
        if not batch:
            break
        first_pk, last_pk = batch[0].pk, batch[-1].pk
        searchable = [post for post in batch if is_searchable(post, post.topic)]
        with transaction.atomic():
            SearchEntry.objects.filter(post_id__gte=first_pk, post_id__lte=last_pk).exclude(
                post_id__in=[post.pk for post in searchable]
            ).delete()
            backend.index_posts(searchable)
        done += len(batch)
        indexed += len(searchable)
        if progress is not None:
            progress(done, total)
    # No entry outlives its post (its foreign key forbids it), so gaps need no sweep.
    return indexed
