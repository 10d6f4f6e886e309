"""Reads behind the forum pages, each a fixed number of queries whatever the forum's size."""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet

from stepdown.core.pagination import PositionPage

from .models import Category, Post, PostRevision, Reaction, ReactionKind, Topic
from .permissions import category_topics_q, public_post_q, topic_posts_q


def category_topics(category: Category, user) -> QuerySet[Topic]:
    """Topics of ``category`` that ``user`` may see listed, pinned first, then by last
    activity (its moderators also see removed and waiting ones)."""
    return (
        Topic.objects.filter(category_topics_q(user, category), category=category)
        .select_related("author", "last_post", "last_post__author")
        .order_by("-is_pinned", "-last_activity_at", "-pk")
    )


def page_count(topic: Topic) -> int:
    return max(1, math.ceil(topic.last_position / settings.STEPDOWN_POSTS_PER_PAGE))


def page_of_position(position: int) -> int:
    return (position - 1) // settings.STEPDOWN_POSTS_PER_PAGE + 1


class TopicPage(PositionPage):
    """One page of a topic."""

    @property
    def posts(self) -> list[Post]:
        return self.items


def topic_page(topic: Topic, number: int, user) -> TopicPage:
    """One page of ``topic`` by position range: as fast on page 500 as on page 1.

    Only the posts ``user`` may see (``permissions.topic_posts_q``): a page may hold fewer
    posts than the page size, and positions never move. Each post's ``topic`` is ``topic``.
    """
    per_page = settings.STEPDOWN_POSTS_PER_PAGE
    posts = list(
        Post.objects.filter(
            topic_posts_q(user, topic.category),
            topic=topic,
            position__gt=(number - 1) * per_page,
            position__lte=number * per_page,
        )
        .select_related("author")
        .order_by("position")[:per_page]  # never more: positions are unique in a topic
    )
    # The LIMIT changes no answer but tells PostgreSQL how few rows come: without it, on a long
    # topic's first page (low positions, common in every topic) it expected thousands and
    # joined the authors by hashing the whole member table (20 ms instead of 0.1).
    for post in posts:
        post.topic = topic  # already loaded: permission checks per post need no query
    return TopicPage(number=number, count=page_count(topic), items=posts)


def page_end(topic: Topic, number: int) -> int:
    """The last position page ``number`` of ``topic`` covers (hidden posts included)."""
    return min(number * settings.STEPDOWN_POSTS_PER_PAGE, topic.last_position)


def recommended_posts(topic: Topic) -> list[Post]:
    """The topic's recommended replies that everyone sees, oldest first."""
    return list(
        Post.objects.filter(public_post_q(), topic=topic, is_recommended=True)
        .select_related("author")
        .order_by("position")
    )


@dataclass
class ReactionCount:
    """One kind of reaction on one post: how many, and who (in the order they reacted)."""

    kind: ReactionKind
    names: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.names)


def active_reaction_kinds() -> list[ReactionKind]:
    """The reactions members may give, in the order admins set."""
    return list(ReactionKind.objects.filter(active=True))


def attach_my_reactions(posts: list[Post], user) -> None:
    """Give each post ``my_reaction``: the kind of ``user``'s reaction to it, or None. At most
    one small query (none for guests); :func:`attach_reactions` gives the counts too."""
    mine: dict[int, int] = {}
    if user.is_authenticated and posts:
        mine = dict(
            Reaction.objects.filter(
                post__in=[p.pk for p in posts], user=user, kind__active=True
            ).values_list("post_id", "kind_id")
        )
    for post in posts:
        post.my_reaction = mine.get(post.pk)


def attach_reactions(posts: list[Post], user) -> None:
    """Give each post ``reaction_counts`` and ``my_reaction`` (a kind id or None): one query."""
    by_post: dict[int, dict[int, ReactionCount]] = {p.pk: {} for p in posts}
    mine: dict[int, int] = {}
    rows = (
        Reaction.objects.filter(post__in=list(by_post), kind__active=True)
        .select_related("kind", "user")
        .order_by("kind__position", "kind_id", "created_at", "pk")
    )
    for reaction in rows:
        counts = by_post[reaction.post_id]
        entry = counts.setdefault(reaction.kind_id, ReactionCount(kind=reaction.kind))
        entry.names.append(reaction.user.username)
        if user.is_authenticated and reaction.user_id == user.pk:
            mine[reaction.post_id] = reaction.kind_id
    for post in posts:
        post.reaction_counts = list(by_post[post.pk].values())
        post.my_reaction = mine.get(post.pk)


def post_revisions(post: Post) -> list[PostRevision]:
    """Every kept version of ``post``, oldest first, with its editor."""
    return list(post.revisions.select_related("editor").order_by("number"))


@dataclass(frozen=True)
class DiffLine:
    change: str  # "same", "added" or "removed"
    text: str


@dataclass(frozen=True)
class RevisionChange:
    revision: PostRevision
    lines: list[DiffLine]


def revision_changes(revisions: list[PostRevision]) -> list[RevisionChange]:
    """Each revision with the lines it changed from the one before, newest first."""
    changes = []
    previous: list[str] = []
    for revision in revisions:
        current = revision.body_markdown.splitlines()
        lines = []
        matcher = difflib.SequenceMatcher(a=previous, b=current, autojunk=False)
        for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
            if tag == "equal":
                lines += [DiffLine("same", text) for text in current[b_start:b_end]]
                continue
            lines += [DiffLine("removed", text) for text in previous[a_start:a_end]]
            lines += [DiffLine("added", text) for text in current[b_start:b_end]]
        changes.append(RevisionChange(revision=revision, lines=lines))
        previous = current
    return list(reversed(changes))
