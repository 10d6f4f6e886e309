"""Every write to the forum goes through these functions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from stepdown.core.text import render_markdown

from .models import ArticleCard, Category, Post, PostRevision, Reaction, ReactionKind, Topic


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


def set_reaction(post: Post, *, user, kind: ReactionKind | None) -> Reaction | None:
    """Make ``kind`` the member's one reaction to ``post`` (None removes it); repeatable."""
    with transaction.atomic():
        existing = Reaction.objects.select_for_update().filter(post=post, user=user).first()
        if kind is None:
            if existing is not None:
                existing.delete()
            return None
        if existing is None:
            return Reaction.objects.create(post=post, user=user, kind=kind)
        if existing.kind_id != kind.pk:
            existing.kind = kind
            existing.save(update_fields=["kind"])
        return existing


def _record_revision(post: Post, *, body: str, editor, reason: str, now) -> PostRevision:
    """Keep ``body`` as the post's next revision, first keeping the original if never edited."""
    last = post.revisions.order_by("-number").first()
    if last is None:
        last = PostRevision.objects.create(
            post=post,
            number=1,
            body_markdown=post.body_markdown,
            editor=post.author,
            created=post.created_at,
        )
    return PostRevision.objects.create(
        post=post,
        number=last.number + 1,
        body_markdown=body,
        editor=editor,
        created=now,
        reason=reason.strip(),
    )


def _rewrite(post: Post, *, body: str, editor, reason: str) -> Post:
    now = timezone.now()
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        if body == post.body_markdown:
            return post  # nothing changed: no empty revision (and a repeated submit is harmless)
        _record_revision(post, body=body, editor=editor, reason=reason, now=now)
        post.body_markdown = body
        post.body_html = render_markdown(body)
        post.edited_at = now
        post.save(update_fields=["body_markdown", "body_html", "edited_at"])
    return post


def edit_post(post: Post, *, editor, body: str, reason: str = "") -> Post:
    """Replace the text of ``post``, keeping every earlier version as a revision."""
    return _rewrite(post, body=body, editor=editor, reason=reason)


def revert_post(post: Post, *, revision: PostRevision, by) -> Post:
    """Bring back the text of ``revision`` as a new revision (nothing is ever discarded)."""
    reason = gettext("Reverted to revision %(number)d") % {"number": revision.number}
    return _rewrite(post, body=revision.body_markdown, editor=by, reason=reason)
