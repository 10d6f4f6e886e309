"""The forum's writes for moderators: hide and restore posts, remove and bring back posts and
topics, lock, pin, move, merge and split topics.

Each function changes the forum only; the moderation app calls them inside its own transaction
and writes the audit entry there (the forum may not import moderation). The row locks are the
ones ``actions.create_reply`` takes (the topic row), so no reply lands in a topic while its posts
are being moved. Counters are recounted from the rows (``counters``), never adjusted by guesses.

Changes go through ``.save(update_fields=...)`` so the search index, which follows the forum's
saves through signals, keeps up in the same transaction: a moved post gets its new topic and
position, a topic moved to another category takes its posts' entries with it.

Toggles return whether anything changed, so repeating a request (a double click, a second
moderator at the same moment) changes nothing and records nothing twice.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .actions import _slug_for
from .counters import recount_category, recount_topic
from .models import Category, Post, Topic

HIDDEN_REASON_MAX_LENGTH = Post._meta.get_field("hidden_reason").max_length


class ModerationError(ValueError):
    """A moderator's request that cannot be carried out as asked (the view explains it)."""


def _lock_topics(*pks: int) -> dict[int, Topic]:
    """Lock the rows of the topics ``pks``, lowest id first (two moderators merging the same
    pair in opposite directions wait for each other instead of deadlocking)."""
    rows = Topic.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    return {topic.pk: topic for topic in rows}


def _recount(topics, categories) -> None:
    for topic in {t.pk: t for t in topics}.values():
        recount_topic(topic)
    for category in {c.pk: c for c in categories}.values():
        recount_category(category)


# --- Posts ----------------------------------------------------------------------------------


def hide_post(post: Post, *, reason: str) -> bool:
    """Hide ``post`` from everyone but its author and moderators, with the reason they see."""
    with transaction.atomic():
        _lock_topics(post.topic_id)
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.is_hidden:
            return False
        locked.is_hidden = True
        locked.hidden_reason = reason.strip()[:HIDDEN_REASON_MAX_LENGTH]
        locked.hidden_at = timezone.now()
        locked.save(update_fields=["is_hidden", "hidden_reason", "hidden_at"])
        topic = Topic.objects.select_related("category").get(pk=locked.topic_id)
        _recount([topic], [topic.category])
    post.is_hidden, post.hidden_reason, post.hidden_at = (
        True,
        locked.hidden_reason,
        locked.hidden_at,
    )
    return True


def unhide_post(post: Post) -> bool:
    """Show a hidden post to everyone again."""
    with transaction.atomic():
        _lock_topics(post.topic_id)
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if not locked.is_hidden:
            return False
        locked.is_hidden = False
        locked.hidden_reason = ""
        locked.hidden_at = None
        locked.save(update_fields=["is_hidden", "hidden_reason", "hidden_at"])
        topic = Topic.objects.select_related("category").get(pk=locked.topic_id)
        _recount([topic], [topic.category])
    post.is_hidden, post.hidden_reason, post.hidden_at = False, "", None
    return True


def delete_post(post: Post) -> bool:
    """Remove a reply (softly: it can be restored). A first post goes with its topic only."""
    if post.position == 1:
        raise ModerationError("the first post is removed with its topic")
    with transaction.atomic():
        _lock_topics(post.topic_id)
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.is_deleted:
            return False
        locked.is_deleted = True
        locked.deleted_at = timezone.now()
        locked.save(update_fields=["is_deleted", "deleted_at"])
        topic = Topic.objects.select_related("category").get(pk=locked.topic_id)
        _recount([topic], [topic.category])
    post.is_deleted, post.deleted_at = True, locked.deleted_at
    return True


def is_restorable(post: Post) -> bool:
    """A post a moderator removed and whose text still exists (a member who deleted their
    account took the text of their removed posts with them)."""
    return post.is_deleted and post.deleted_at is not None and bool(post.body_markdown)


def restore_post(post: Post) -> bool:
    """Bring back a post a moderator removed."""
    if not is_restorable(post) and post.is_deleted:
        raise ModerationError("this post's text is gone")
    with transaction.atomic():
        _lock_topics(post.topic_id)
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if not locked.is_deleted:
            return False
        locked.is_deleted = False
        locked.deleted_at = None
        locked.save(update_fields=["is_deleted", "deleted_at"])
        topic = Topic.objects.select_related("category").get(pk=locked.topic_id)
        _recount([topic], [topic.category])
    post.is_deleted, post.deleted_at = False, None
    return True


# --- Topics ---------------------------------------------------------------------------------


def _set_topic_flag(topic: Topic, field: str, value: bool, *, recount: bool = False) -> bool:
    with transaction.atomic():
        locked = _lock_topics(topic.pk)[topic.pk]
        if getattr(locked, field) == value:
            return False
        setattr(locked, field, value)
        locked.save(update_fields=[field])
        if recount:
            recount_category(Category.objects.get(pk=locked.category_id))
    setattr(topic, field, value)
    return True


def set_locked(topic: Topic, *, locked: bool) -> bool:
    """Lock a topic (no new replies, except from moderators) or open it again."""
    return _set_topic_flag(topic, "is_locked", locked)


def set_pinned(topic: Topic, *, pinned: bool) -> bool:
    """Pin a topic to the top of its category, or let it take its place by activity again."""
    return _set_topic_flag(topic, "is_pinned", pinned)


def delete_topic(topic: Topic) -> bool:
    """Remove a topic (softly: gone from lists and pages, restorable by moderators)."""
    if topic.merged_into_id is not None:
        raise ModerationError("a merged topic has no posts of its own")
    return _set_topic_flag(topic, "is_deleted", True, recount=True)


def restore_topic(topic: Topic) -> bool:
    """Bring back a removed topic (a merged one lives on in the topic it was merged into)."""
    if topic.merged_into_id is not None:
        raise ModerationError("a merged topic has no posts of its own")
    return _set_topic_flag(topic, "is_deleted", False, recount=True)


def move_topic(topic: Topic, *, to: Category) -> bool:
    """Move ``topic`` with all its posts to the category ``to``; both categories' counters
    follow, and so does the search index (through the topic's save)."""
    with transaction.atomic():
        locked = _lock_topics(topic.pk)[topic.pk]
        if locked.category_id == to.pk:
            return False
        source = Category.objects.get(pk=locked.category_id)
        locked.category = to
        locked.save(update_fields=["category"])
        _recount([], [source, to])
    topic.category = to
    return True


def _append_posts(posts: list[Post], *, to: Topic, first_position: int) -> None:
    """Give ``posts`` (in order) to the topic ``to`` from ``first_position`` on, one save each
    so the search index follows each post."""
    for offset, post in enumerate(posts):
        post.topic = to
        post.position = first_position + offset
        post.save(update_fields=["topic", "position"])


def merge_topics(source: Topic, *, into: Topic) -> Topic:
    """Append every post of ``source`` to ``into``, in their order, after its last post.

    ``source`` keeps its row, empty: removed from lists, with ``merged_into`` leading its
    address to ``into``. Returns ``into`` as stored now.
    """
    if source.pk == into.pk:
        raise ModerationError("a topic cannot be merged into itself")
    with transaction.atomic():
        locked = _lock_topics(source.pk, into.pk)
        source, into = locked[source.pk], locked[into.pk]
        if source.merged_into_id is not None or into.merged_into_id is not None:
            raise ModerationError("one of the topics was merged already")
        posts = list(Post.objects.filter(topic=source).order_by("position"))
        start = into.last_position + 1
        _append_posts(posts, to=into, first_position=start)
        into.last_position = start + len(posts) - 1
        if posts:
            into.last_activity_at = max(into.last_activity_at, posts[-1].created_at)
        into.save(update_fields=["last_position", "last_activity_at"])
        source.merged_into = into
        source.is_deleted = True
        source.first_post = None
        source.last_post = None
        source.reply_count = 0
        source.save(
            update_fields=["merged_into", "is_deleted", "first_post", "last_post", "reply_count"]
        )
        categories = Category.objects.filter(pk__in={source.category_id, into.category_id})
        _recount([into], list(categories))
    into.refresh_from_db()
    return into


def split_topic(
    topic: Topic,
    *,
    post_ids: list[int],
    title: str,
    category: Category | None = None,
) -> Topic:
    """Move the chosen replies of ``topic`` into a new topic titled ``title`` (in ``category``,
    else the same one). They keep their order; the first of them becomes the new topic's first
    post, and its author the new topic's author. The first post of ``topic`` always stays."""
    title = title.strip()
    if not title:
        raise ModerationError("the new topic needs a title")
    with transaction.atomic():
        topic = _lock_topics(topic.pk)[topic.pk]
        posts = list(
            Post.objects.filter(topic=topic, pk__in=post_ids, position__gt=1).order_by("position")
        )
        if not posts or len(posts) != len(set(post_ids)):
            raise ModerationError("choose replies of this topic to move")
        destination = category or Category.objects.get(pk=topic.category_id)
        new = Topic.objects.create(
            category=destination,
            author=posts[0].author,
            title=title,
            slug=_slug_for(title),
            last_activity_at=posts[-1].created_at,
        )
        _append_posts(posts, to=new, first_position=1)
        new.last_position = len(posts)
        new.first_post = posts[0]
        new.save(update_fields=["last_position", "first_post"])
        categories = Category.objects.filter(pk__in={topic.category_id, destination.pk})
        _recount([topic, new], list(categories))
    new.refresh_from_db()
    return new
