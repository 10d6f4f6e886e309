"""The index follows the forum's saves through signals, and why that is allowed here.

DESIGN.md keeps signals out of business effects: an action calls its consequences itself. The
search index is not a consequence but derived data, like a cache: a copy of post text arranged
for lookup, rebuilt from the posts at any time (``stepdown search_reindex``). Signals are the one
way it can follow the forum without the forum importing search (search sits above the forum in
the layer rule). So these receivers only copy, never decide anything, and run inside the
action's transaction: a post is searchable exactly when it is committed, and a post moved out
of a public category leaves guests' results in the same commit.

Deletions need no receiver: an entry's foreign key to its post cascades (a deleted topic takes
its posts, and they their entries). A queryset ``.update()`` sends no signal; code that changes
indexed fields that way calls ``index.refresh_posts`` or ``index.refresh_topic``.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from stepdown.forum.models import ArticleCard, Post, Topic

from . import index

# Fields whose change alters a post's entry, or whether it has one.
POST_FIELDS = frozenset(
    {
        "body_html",
        "is_deleted",
        "is_hidden",
        "approval",
        "author",
        "topic",
        "position",
        "created_at",
    }
)
# A topic's fields copied into its posts' entries (two UPDATEs follow them) ...
TOPIC_FIELDS = frozenset({"title", "tag", "category"})
# ... and those that decide whether its posts are searchable at all (every post again).
TOPIC_VISIBILITY_FIELDS = frozenset({"is_deleted", "merged_into"})


def _post_saved(sender, instance: Post, created: bool, raw: bool, update_fields, **kwargs):
    if raw:
        return  # fixtures: related rows may not exist yet; `search_reindex` indexes them
    if update_fields is not None and not POST_FIELDS.intersection(update_fields):
        return  # recommended, reactions' bookkeeping, article cards under the post, ...
    if created:
        # A new post's topic is the instance the action holds (no query for it).
        index.index_post(instance, instance.topic)
    else:
        index.index_post(instance)


def _topic_saved(sender, instance: Topic, created: bool, raw: bool, update_fields, **kwargs):
    if created or raw:
        return  # no posts yet
    changed = TOPIC_FIELDS | TOPIC_VISIBILITY_FIELDS
    if update_fields is not None:
        changed = changed.intersection(update_fields)
    if changed & TOPIC_VISIBILITY_FIELDS:
        index.refresh_topic_posts(instance)  # removed, restored or merged away
    elif changed:
        index.refresh_topic(instance)


def _article_changed(sender, instance: ArticleCard, raw: bool = False, **kwargs):
    # The shared article's details are searched with the topic's first post.
    if raw:
        return
    first_post_id = (
        Post.objects.filter(topic_id=instance.topic_id, position=1)
        .values_list("pk", flat=True)
        .first()
    )
    if first_post_id is not None:
        index.refresh_posts([first_post_id])


def connect() -> None:
    post_save.connect(_post_saved, sender=Post, dispatch_uid="search.post_saved")
    post_save.connect(_topic_saved, sender=Topic, dispatch_uid="search.topic_saved")
    post_save.connect(_article_changed, sender=ArticleCard, dispatch_uid="search.article_saved")
    post_delete.connect(_article_changed, sender=ArticleCard, dispatch_uid="search.article_deleted")
