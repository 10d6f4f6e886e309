"""Reads behind the forum pages, each a fixed number of queries whatever the forum's size."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from stepdown.core.pagination import page_numbers

from .models import Category, Post, Topic
from .permissions import readable_categories


def home_categories(user) -> list[Category]:
    """Categories ``user`` may read, with their latest post, topic and author: one query."""
    return list(
        readable_categories(user).select_related(
            "last_post", "last_post__topic", "last_post__author"
        )
    )


def category_topics(category: Category) -> QuerySet[Topic]:
    """Topics of ``category``, pinned first, then by last activity."""
    return (
        Topic.objects.filter(category=category)
        .select_related("author", "last_post", "last_post__author")
        .order_by("-is_pinned", "-last_activity_at", "-pk")
    )


def page_count(topic: Topic) -> int:
    return max(1, math.ceil(topic.last_position / settings.STEPDOWN_POSTS_PER_PAGE))


def page_of_position(position: int) -> int:
    return (position - 1) // settings.STEPDOWN_POSTS_PER_PAGE + 1


@dataclass(frozen=True)
class TopicPage:
    """One page of a topic, with the same paging interface as Django's ``Page``."""

    number: int
    count: int
    posts: list[Post]

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.count

    def has_other_pages(self) -> bool:
        return self.count > 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

    def numbers(self) -> list[int | None]:
        return page_numbers(self.number, self.count)


def topic_page(topic: Topic, number: int) -> TopicPage:
    """One page of ``topic`` by position range: as fast on page 500 as on page 1."""
    per_page = settings.STEPDOWN_POSTS_PER_PAGE
    posts = list(
        Post.objects.filter(
            topic=topic,
            position__gt=(number - 1) * per_page,
            position__lte=number * per_page,
        )
        .select_related("author")
        .order_by("position")
    )
    return TopicPage(number=number, count=page_count(topic), posts=posts)


def recommended_posts(topic: Topic) -> list[Post]:
    """The topic's recommended replies, oldest first."""
    return list(
        Post.objects.filter(topic=topic, is_recommended=True, is_deleted=False)
        .select_related("author")
        .order_by("position")
    )
