"""Every write to the forum goes through these functions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from stepdown.core.text import render_markdown

from .models import ArticleCard, Category, Post, Topic


@dataclass(frozen=True)
class ArticleDetails:
    title: str
    authors: str = ""
    source: str = ""
    published: str = ""
    doi: str = ""
    url: str = ""
    abstract: str = ""


def _slug_for(title: str) -> str:
    return slugify(title)[:80].strip("-") or "topic"


def _append_post(topic: Topic, *, author, body: str, now) -> Post:
    """Add a post at the end of ``topic`` (locked by the caller) and update every counter."""
    position = topic.last_position + 1
    post = Post.objects.create(
        topic=topic,
        position=position,
        author=author,
        body_markdown=body,
        body_html=render_markdown(body),
    )
    Topic.objects.filter(pk=topic.pk).update(
        last_position=position,
        last_activity_at=now,
        last_post=post,
        reply_count=F("reply_count") + (1 if position > 1 else 0),
        **({"first_post": post} if position == 1 else {}),
    )
    Category.objects.filter(pk=topic.category_id).update(
        post_count=F("post_count") + 1, last_post=post
    )
    return post


def create_topic(
    category: Category,
    *,
    author,
    title: str,
    body: str,
    tag: str = "",
    article: ArticleDetails | None = None,
) -> Topic:
    """Start a topic with its first post (and article card), all or nothing."""
    now = timezone.now()
    with transaction.atomic():
        topic = Topic.objects.create(
            category=category,
            author=author,
            tag=tag.strip(),
            title=title.strip(),
            slug=_slug_for(title),
            last_activity_at=now,
        )
        if article is not None:
            ArticleCard.objects.create(topic=topic, **article.__dict__)
        Category.objects.filter(pk=category.pk).update(topic_count=F("topic_count") + 1)
        _append_post(topic, author=author, body=body, now=now)
    topic.refresh_from_db()
    return topic


def create_reply(topic: Topic, *, author, body: str) -> Post:
    """Add a reply at the end of ``topic``."""
    with transaction.atomic():
        # The row lock (PostgreSQL) or the IMMEDIATE transaction (SQLite) serialises positions.
        locked = Topic.objects.select_for_update().get(pk=topic.pk)
        post = _append_post(locked, author=author, body=body, now=timezone.now())
    return post


def set_recommended(post: Post, *, by, recommended: bool) -> Post:
    """Mark or unmark ``post`` as a recommended reply; repeating a call changes nothing."""
    if post.is_recommended == recommended:
        return post
    post.is_recommended = recommended
    post.recommended_by = by if recommended else None
    post.recommended_at = timezone.now() if recommended else None
    post.save(update_fields=["is_recommended", "recommended_by", "recommended_at"])
    return post
