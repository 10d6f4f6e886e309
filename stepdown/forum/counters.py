"""The forum's denormalised counters, recomputed from the rows.

The rule: counters count what every reader of the category sees.
- ``Topic.reply_count``: approved, not hidden, not removed posts after the first;
  ``Topic.last_post``: the last such post.
- ``Category.topic_count``: approved, not removed, not merged topics;
  ``Category.post_count``: the visible posts of those topics; ``Category.last_post``: the newest.

Posting keeps them up to date as it goes (``actions._append_post``). A change of what everyone
sees (hiding, restoring, approving, removing, merging, moving a topic) calls ``recount_topic``
and ``recount_category`` afterwards, inside the same transaction: one statement each, whatever
the size of the topic or category.
"""

from __future__ import annotations

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from .models import Category, Post, Topic
from .permissions import public_post_q, public_topic_q


def _count(queryset, group_by: str):
    """SQL for how many rows of ``queryset`` (already filtered by an ``OuterRef``) there are."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def recount_topic(topic: Topic) -> Topic:
    """Recompute ``topic``'s reply count and last post from its posts: one statement (and
    ``topic``'s fields refreshed: one read)."""
    public = Post.objects.filter(public_post_q(), topic=OuterRef("pk"))
    Topic.objects.filter(pk=topic.pk).update(
        reply_count=_count(public.filter(position__gt=1), "topic"),
        last_post=Subquery(public.order_by("-position").values("pk")[:1]),
    )
    topic.refresh_from_db(fields=["reply_count", "last_post"])
    return topic


def recount_category(category: Category) -> Category:
    """Recompute ``category``'s topic and post counts and last post from its rows: one
    statement (and ``category``'s fields refreshed: one read)."""
    topics = Topic.objects.filter(public_topic_q(), category=OuterRef("pk"))
    posts = Post.objects.filter(
        public_post_q(), public_topic_q("topic__"), topic__category=OuterRef("pk")
    )
    Category.objects.filter(pk=category.pk).update(
        topic_count=_count(topics, "category"),
        post_count=_count(posts, "topic__category"),
        last_post=Subquery(posts.order_by("-created_at", "-pk").values("pk")[:1]),
    )
    category.refresh_from_db(fields=["topic_count", "post_count", "last_post"])
    return category
