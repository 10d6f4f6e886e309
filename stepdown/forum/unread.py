"""Unread tracking: what a member has not read yet, worked out inside each page's own query.

Read state belongs to signed-in members. Guests have none: they see no markers, and reading
writes nothing for them.

- ``TopicRead``: the highest post position a topic page has shown the member.
- ``CategoryRead`` ("Mark this category read") and ``ReadMarker`` ("Mark all read"): everything
  last active before that time is read. Each is one row, written in one statement.
- The floor: activity from before the member joined, or older than ``STEPDOWN_UNREAD_DAYS``
  (30) days, counts as read. Nobody comes back to a wall of old "new", and every unread lookup
  looks at a bounded range of recent topics, whatever the member's history.

A topic is unread when it was last active after its *read-before time* (the latest of the floor,
the member's marker and the category's marker) and its last post position is past the member's
``TopicRead`` position. Its first unread post follows the higher of that position and the last
post written before the read-before time.

All of it is SQL inside the listing's own query (correlated subqueries, each one lookup on a
unique index), so unread state adds no query to the home, category, Latest and Unread pages; the
topic page adds one read and, when it shows posts the member had not seen, one write. Every
query here is bounded by a page of topics or by the floor's range of the last-activity index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from . import queries
from .models import Category, CategoryRead, Post, ReadMarker, Topic, TopicRead
from .permissions import listed_topics_q, readable_categories, topic_posts_q


def unread_days() -> int:
    """Activity older than this many days counts as read (``STEPDOWN_UNREAD_DAYS``)."""
    return getattr(settings, "STEPDOWN_UNREAD_DAYS", 30)


def read_floor(user, now: datetime | None = None) -> datetime:
    """Everything last active before this time counts as read for ``user``."""
    now = now or timezone.now()
    return max(user.date_joined, now - timedelta(days=unread_days()))


def _read_before(user, category_ref, floor: datetime):
    """SQL for the read-before time of the category ``category_ref`` (an ``OuterRef``)."""
    when = Value(floor, output_field=DateTimeField())
    everywhere = ReadMarker.objects.filter(pk=user.pk).values("all_read_before")[:1]
    here = CategoryRead.objects.filter(user=user, category=category_ref).values("read_before")[:1]
    return Greatest(
        Coalesce(Subquery(everywhere), when),
        Coalesce(Subquery(here), when),
        output_field=DateTimeField(),
    )


def _unread_condition() -> Q:
    """On a queryset from ``with_read_state``: the topic has posts the member has not read."""
    return Q(last_activity_at__gt=F("unread_before"), last_position__gt=F("read_upto"))


def _read_upto(user, topic_ref):
    """SQL for the member's ``TopicRead`` position in the topic ``topic_ref``, 0 without one."""
    row = TopicRead.objects.filter(user=user, topic=topic_ref).values("last_read_position")[:1]
    return Coalesce(Subquery(row), 0)


def with_read_state(topics: QuerySet[Topic], user, *, now: datetime | None = None):
    """``topics`` with ``new_posts`` for ``user`` on each topic, in the same one query.

    ``new_posts``: how many posts follow the last one the member has read (or that counts as
    read); 0 when they have read it all, ``last_position`` for a topic new to them. Guests get
    ``topics`` unchanged, and templates show them no markers.
    """
    if not user.is_authenticated:
        return topics
    written_before = (
        Post.objects.filter(topic=OuterRef("pk"), created_at__lte=OuterRef("unread_before"))
        .order_by("-position")
        .values("position")[:1]
    )
    seen = Greatest(F("read_upto"), Coalesce(Subquery(written_before), 0))
    return topics.alias(
        unread_before=_read_before(user, OuterRef("category_id"), read_floor(user, now)),
        read_upto=_read_upto(user, OuterRef("pk")),
    ).annotate(
        # Only unread topics need the search for the last post before the read-before time.
        new_posts=Case(When(_unread_condition(), then=F("last_position") - seen), default=0),
    )


def _readable(topics: QuerySet[Topic], user) -> QuerySet[Topic]:
    """Topics listed to ``user`` (approved, or their own waiting ones; never removed or merged)
    in categories they may read."""
    # EXISTS rather than IN: the database can walk the last-activity index and stop at a page.
    return topics.filter(
        listed_topics_q(user),
        Exists(readable_categories(user).filter(pk=OuterRef("category_id"))),
    )


def latest_topics(user) -> QuerySet[Topic]:
    """Every topic ``user`` may read, most recently active first, with their read state."""
    topics = (
        _readable(Topic.objects.all(), user)
        .select_related("category", "author", "last_post", "last_post__author")
        .order_by("-last_activity_at", "-pk")
    )
    return with_read_state(topics, user)


def unread_topics(user) -> QuerySet[Topic]:
    """Topics in categories ``user`` may read with posts they have not read, latest first.

    The floor bounds the range on the ``last_activity_at`` index; the rest is indexed lookups
    per topic in that range.
    """
    now = timezone.now()
    topics = (
        _readable(Topic.objects.filter(last_activity_at__gt=read_floor(user, now)), user)
        .select_related("category", "author", "last_post", "last_post__author")
        .order_by("-last_activity_at", "-pk")
    )
    return with_read_state(topics, user, now=now).filter(_unread_condition())


def with_new_activity(categories: QuerySet[Category], user) -> QuerySet[Category]:
    """``categories`` each with ``has_new``: whether a topic in it is unread for ``user``.

    Part of the categories' own query (an EXISTS per category that stops at the first unread
    topic); guests get ``categories`` unchanged.
    """
    if not user.is_authenticated:
        return categories
    unread_here = Topic.objects.filter(
        listed_topics_q(user),
        category=OuterRef("pk"),
        last_activity_at__gt=OuterRef("unread_before"),
    ).filter(last_position__gt=_read_upto(user, OuterRef("pk")))
    return categories.alias(
        unread_before=_read_before(user, OuterRef("pk"), read_floor(user))
    ).annotate(has_new=Exists(unread_here))


def home_categories(user) -> list[Category]:
    """The categories ``user`` may read, with their latest post, topic and author (one query),
    and ``has_new`` for members.

    Still one query.
    """
    categories = readable_categories(user).select_related(
        "last_post", "last_post__topic", "last_post__author"
    )
    return list(with_new_activity(categories, user))


def seen_position(user, topic: Topic) -> int | None:
    """The last post of ``topic`` that ``user`` has read (or that counts as read): one query.

    None for guests, who have no read state.
    """
    if not user.is_authenticated:
        return None
    row = (
        with_read_state(Topic.objects.filter(pk=topic.pk), user)
        .values_list("last_position", "new_posts")
        .first()
    )
    return topic.last_position if row is None else row[0] - row[1]


@dataclass(frozen=True)
class JumpTarget:
    page: int
    post_id: int | None


def first_unread(user, topic: Topic) -> JumpTarget:
    """Where "jump to first unread post" lands: the first post ``user`` has not read, or the
    last post when they have read them all. Guests start at the beginning. Two queries."""
    seen = seen_position(user, topic)
    position = 1 if seen is None else min(seen + 1, max(topic.last_position, 1))
    post = (
        Post.objects.filter(
            topic_posts_q(user, topic.category), topic=topic, position__gte=position
        )
        .order_by("position")
        .values_list("pk", "position")
        .first()
    )
    if post is None:  # the posts after it are hidden from ``user``: the last page
        return JumpTarget(page=queries.page_of_position(max(topic.last_position, 1)), post_id=None)
    return JumpTarget(page=queries.page_of_position(post[1]), post_id=post[0])
