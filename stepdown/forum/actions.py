"""Every write to the forum goes through these functions."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from stepdown.core import audit_hook

from . import approval as approvals
from . import attachments, mentions, notifying, post_articles
from .models import (
    Approval,
    ArticleCard,
    Category,
    CategoryRead,
    Draft,
    Post,
    PostRevision,
    Reaction,
    ReactionKind,
    ReadMarker,
    Topic,
)
from .permissions import can_moderate_category


@dataclass(frozen=True)
class ArticleDetails:
    title: str
    authors: str = ""
    source: str = ""
    published: str = ""
    doi: str = ""
    url: str = ""
    abstract: str = ""


# Addresses below /t/<id>/ that a topic's slug must never take (/t/<id>/<slug>/ is its page).
RESERVED_SLUGS = frozenset({"reply", "follow", "feed", "unread", "draft", "edit", "history"})


def _slug_for(title: str) -> str:
    slug = slugify(title)[:80].strip("-") or "topic"
    return f"{slug}-topic" if slug in RESERVED_SLUGS else slug


def _append_post(
    topic: Topic,
    *,
    author,
    body: str,
    rendered: mentions.RenderedBody,
    now,
    submission_key: str = "",
    approval: str = Approval.APPROVED,
) -> tuple[Post, list]:
    """Add a post at the end of ``topic`` (locked by the caller) and update every counter.

    ``rendered`` is ``body`` through ``mentions.render_body``, done by the caller before its
    transaction (on SQLite the write lock is held for the writes only). A post waiting for
    approval takes its position but counts nowhere until it is approved
    (``approval.approve_post`` recounts). Returns the post and the members it newly mentions
    (for the notifications after commit).
    """
    position = topic.last_position + 1
    post = Post.objects.create(
        topic=topic,
        position=position,
        author=author,
        body_markdown=body,
        body_html=rendered.html,
        submission_key=submission_key,
        approval=approval,
    )
    topic.last_position = position
    mentioned = mentions.store_mentions(post, rendered.mentioned, new_post=True)
    attachments.record_uploads(post)
    post_articles.schedule_article_cards(post)
    if approval != Approval.APPROVED:
        Topic.objects.filter(pk=topic.pk).update(
            last_position=position, **({"first_post": post} if position == 1 else {})
        )
        mark_topic_read(author, topic, position=position)
        return post, mentioned
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
    mark_topic_read(author, topic, position=position)  # the author has read their own post
    return post, mentioned


def _submitted(author, submission_key: str):
    """The posts (one at most) ``author`` made with ``submission_key``."""
    if not submission_key or author is None or not author.is_authenticated:
        return Post.objects.none()
    # Said as the unique index's condition says it, so the lookup uses that index (SQLite uses
    # a partial index only for queries that repeat its WHERE).
    return Post.objects.filter(author=author, submission_key=submission_key).exclude(
        submission_key=""
    )


def _already_submitted(author, submission_key: str) -> Post | None:
    """The post an earlier request with the same submission key created, if any."""
    return _submitted(author, submission_key).select_related("topic").first()


def already_posted(author, submission_key: str) -> bool:
    """Whether the form that carried ``submission_key`` was posted already (by ``author``)."""
    return _submitted(author, submission_key).exists()


def create_topic(
    category: Category,
    *,
    author,
    title: str,
    body: str,
    tag: str = "",
    article: ArticleDetails | None = None,
    submission_key: str = "",
    draft_key: str = "",
) -> Topic:
    """Start a topic with its first post (and article card), all or nothing.

    With a ``submission_key``, a repeated submission (double click, retry) returns the topic
    the first one started instead of starting another. With a ``draft_key``, the author's draft
    for that composer goes in the same transaction.
    """
    earlier = _already_submitted(author, submission_key)
    if earlier is None:
        try:
            return _create_topic(
                category,
                author=author,
                title=title,
                body=body,
                tag=tag,
                article=article,
                submission_key=submission_key,
                draft_key=draft_key,
            )
        except IntegrityError:
            # A concurrent request with the same key won the race: its topic is the one.
            earlier = _already_submitted(author, submission_key)
            if earlier is None:
                raise
    discard_draft(author, key=draft_key)
    return earlier.topic


def _create_topic(
    category, *, author, title, body, tag, article, submission_key, draft_key
) -> Topic:
    now = timezone.now()
    # New members' first posts, and posts the safety net holds, wait for a moderator.
    screening = approvals.screen(author, title, body)
    rendered = mentions.render_body(body)
    with transaction.atomic():
        topic = Topic.objects.create(
            category=category,
            author=author,
            tag=tag.strip(),
            title=title.strip(),
            slug=_slug_for(title),
            last_activity_at=now,
            approval=screening.approval,
        )
        if article is not None:
            ArticleCard.objects.create(topic=topic, **article.__dict__)
        if not screening.pending:
            Category.objects.filter(pk=category.pk).update(topic_count=F("topic_count") + 1)
        post, mentioned = _append_post(
            topic,
            author=author,
            body=body,
            rendered=rendered,
            now=now,
            submission_key=submission_key,
            approval=screening.approval,
        )
        approvals.record_screening(post, screening)
        discard_draft(author, key=draft_key)
    topic.refresh_from_db()
    post.topic = topic
    notifying.after_new_topic(topic, post, mentioned=mentioned)
    return topic


# What a reply reads from its topic's row under the lock: where the next post goes, and what
# the counters, the search entry and the notifications go by (a moderator may have moved, removed
# or merged the topic since the request read it).
_LOCKED_TOPIC_FIELDS = ("last_position", "category_id", "approval", "is_deleted", "merged_into_id")


def _lock_topic(topic: Topic) -> None:
    """Lock ``topic``'s row for the current transaction and bring ``topic`` up to date with
    it (the columns only: a related object already loaded, such as the category, stays unless
    its id changed)."""
    row = Topic.objects.select_for_update().filter(pk=topic.pk).values(*_LOCKED_TOPIC_FIELDS)
    for name, value in row.get().items():
        setattr(topic, name, value)


def create_reply(
    topic: Topic, *, author, body: str, submission_key: str = "", draft_key: str = ""
) -> Post:
    """Add a reply at the end of ``topic``. The post's ``topic`` is a copy brought up to date
    with the row as locked; the caller's ``topic`` is left as it was.

    With a ``submission_key``, a repeated submission (double click, retry) returns the post the
    first one created instead of adding a second. With a ``draft_key``, the author's draft for
    that composer goes in the same transaction (one write lock on SQLite, not two).
    """
    # New members' first posts, and posts the safety net holds, wait for a moderator.
    screening = approvals.screen(author, body)
    rendered = mentions.render_body(body)
    try:
        with transaction.atomic():
            # The row lock (PostgreSQL) or the IMMEDIATE transaction (SQLite) serialises
            # positions. A submission key used before is refused by its unique constraint
            # (post_submission_once) at the post's INSERT, the transaction's first write, so
            # the ordinary reply asks nothing beforehand.
            locked = copy.copy(topic)
            _lock_topic(locked)
            post, mentioned = _append_post(
                locked,
                author=author,
                body=body,
                rendered=rendered,
                now=timezone.now(),
                submission_key=submission_key,
                approval=screening.approval,
            )
            approvals.record_screening(post, screening)
            discard_draft(author, key=draft_key)
    except IntegrityError:
        # Sent before (or by a concurrent request that won the race): nothing of this attempt
        # was kept, and the first post is the one.
        earlier = _already_submitted(author, submission_key)
        if earlier is None:
            raise
        discard_draft(author, key=draft_key)
        return earlier
    notifying.after_reply(post, mentioned=mentioned)
    return post


def save_draft(user, *, key: str, fields: dict[str, str]) -> Draft | None:
    """Keep ``fields`` as the member's draft for the composer ``key``; empty fields delete it."""
    if not fields:
        discard_draft(user, key=key)
        return None
    draft, _created = Draft.objects.update_or_create(
        user=user, key=key, defaults={"fields": fields}
    )
    return draft


def discard_draft(user, *, key: str) -> None:
    """Forget the member's draft for the composer ``key`` (after posting, or on request); no
    key, nothing to do."""
    if not key:
        return
    Draft.objects.filter(user=user, key=key).delete()


def set_recommended(post: Post, *, by, recommended: bool) -> Post:
    """Mark or unmark ``post`` as a recommended reply; repeating a call changes nothing."""
    if post.is_recommended == recommended:
        return post
    post.is_recommended = recommended
    post.recommended_by = by if recommended else None
    post.recommended_at = timezone.now() if recommended else None
    with transaction.atomic():
        post.save(update_fields=["is_recommended", "recommended_by", "recommended_at"])
        if by is not None and can_moderate_category(by, post.topic.category):
            _audit(post, action="post.recommend" if recommended else "post.unrecommend", actor=by)
    return post


def _audit(post: Post, *, action: str, actor, reason: str = "") -> None:
    """A moderator's change to a post goes to the audit log (the moderation app registers the
    recorder: ``core.audit_hook``), inside the change's transaction."""
    audit_hook.record(
        actor=actor,
        action=action,
        target_type="post",
        target_id=post.pk,
        target_label=gettext("Post #%(n)d in “%(title)s”")
        % {"n": post.position, "title": post.topic.full_title},
        member=post.author,
        reason=reason,
    )


def set_reaction(post: Post, *, user, kind: ReactionKind | None) -> Reaction | None:
    """Make ``kind`` the member's one reaction to ``post`` (None removes it); repeatable."""
    with transaction.atomic():
        existing = Reaction.objects.select_for_update().filter(post=post, user=user).first()
        if kind is None:
            if existing is not None:
                existing.delete()
            return None
        if existing is not None and existing.kind_id == kind.pk:
            return existing  # the same reaction again: nothing changes, nobody is told again
        if existing is None:
            existing = Reaction.objects.create(post=post, user=user, kind=kind)
        else:
            existing.kind = kind
            existing.save(update_fields=["kind"])
    notifying.after_reaction(existing)
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


def _rewrite(post: Post, *, body: str, editor, reason: str, audit_action: str = "") -> Post:
    now = timezone.now()
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        if body == post.body_markdown:
            return post  # nothing changed: no empty revision (and a repeated submit is harmless)
        _record_revision(post, body=body, editor=editor, reason=reason, now=now)
        approvals.record_edit(post, before=post.body_markdown, after=body)
        rendered = mentions.render_body(body)
        post.body_markdown = body
        post.body_html = rendered.html
        post.edited_at = now
        post.save(update_fields=["body_markdown", "body_html", "edited_at"])
        mentioned = mentions.store_mentions(post, rendered.mentioned)
        attachments.record_uploads(post)
        post_articles.schedule_article_cards(post)
        if audit_action:
            _audit(post, action=audit_action, actor=editor, reason=reason)
    notifying.after_edit(post, mentioned=mentioned)
    return post


def edit_post(post: Post, *, editor, body: str, reason: str = "") -> Post:
    """Replace the text of ``post``, keeping every earlier version as a revision. An edit of
    someone else's post (a moderator's) is recorded in the audit log."""
    by_other = editor is not None and editor.pk != post.author_id
    audit_action = "post.edit" if by_other else ""
    return _rewrite(post, body=body, editor=editor, reason=reason, audit_action=audit_action)


def revert_post(post: Post, *, revision: PostRevision, by) -> Post:
    """Bring back the text of ``revision`` as a new revision (nothing is ever discarded)."""
    reason = gettext("Reverted to revision %(number)d") % {"number": revision.number}
    return _rewrite(
        post, body=revision.body_markdown, editor=by, reason=reason, audit_action="post.revert"
    )


# --- Read state (see unread.py) -------------------------------------------------------------


# One statement on SQLite and PostgreSQL alike (TopicRead's table and columns). The WHERE keeps a
# position from going back: a second tab showing an earlier page, two requests racing.
_TOPIC_READ_UPSERT = (
    'INSERT INTO "forum_topicread" ("user_id", "topic_id", "last_read_position", "updated_at") '
    "VALUES (%s, %s, %s, %s) "
    'ON CONFLICT ("user_id", "topic_id") DO UPDATE SET '
    '"last_read_position" = excluded."last_read_position", "updated_at" = excluded."updated_at" '
    'WHERE "forum_topicread"."last_read_position" < excluded."last_read_position"'
)


def mark_topic_read(user, topic: Topic, *, position: int) -> None:
    """Record that ``user`` has read ``topic`` up to post ``position``; it never moves back.

    One statement whatever the member's history. Guests have no read state: nothing is written.
    """
    if user is None or not user.is_authenticated or position < 1:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(_TOPIC_READ_UPSERT, [user.pk, topic.pk, position, now])


def mark_category_read(user, category: Category) -> None:
    """Everything in ``category`` active until now counts as read by ``user``: one statement."""
    CategoryRead.objects.bulk_create(
        [CategoryRead(user=user, category=category, read_before=timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "category"],
        update_fields=["read_before"],
    )


def mark_all_topics_read(user) -> None:
    """Everything active until now counts as read by ``user``, everywhere: one statement."""
    ReadMarker.objects.bulk_create(
        [ReadMarker(user=user, all_read_before=timezone.now())],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["all_read_before"],
    )
