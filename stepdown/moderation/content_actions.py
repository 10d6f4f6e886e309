"""Moderators' actions on posts and topics: the forum's change, its audit entry and the note to
the member concerned, in one transaction (the note goes out once it commits).

The forum does the change (``stepdown.forum.moderation_actions``); this module adds who did it
and why. Each returns whether anything changed: a repeated request records nothing twice.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from stepdown.forum import moderation_actions as forum
from stepdown.forum.models import Category, Post, Topic
from stepdown.notifications import actions as notifications
from stepdown.notifications.models import Kind

from . import audit


def post_label(post: Post) -> str:
    return _("Post #%(n)d in “%(title)s”") % {"n": post.position, "title": post.topic.full_title}


def topic_label(topic: Topic) -> str:
    return _("Topic “%(title)s”") % {"title": topic.full_title}


def _tell(member, *, text: str, url: str, actor=None) -> None:
    """A calm note to the member concerned, once the change is committed."""
    if member is None:
        return
    member_id = member.pk
    transaction.on_commit(
        lambda: notifications.notify(
            [member_id], kind=Kind.MODERATION, actor=actor, text=text, url=url
        )
    )


def _record_post(action: str, post: Post, *, by, reason: str = "", **details) -> None:
    audit.record(
        actor=by,
        action=action,
        target_type="post",
        target_id=post.pk,
        target_label=post_label(post),
        member=post.author,
        reason=reason,
        details=details,
    )


def _record_topic(action: str, topic: Topic, *, by, reason: str = "", **details) -> None:
    audit.record(
        actor=by,
        action=action,
        target_type="topic",
        target_id=topic.pk,
        target_label=topic_label(topic),
        member=topic.author,
        reason=reason,
        details=details,
    )


# --- Posts ----------------------------------------------------------------------------------


def hide_post(post: Post, *, by, reason: str, automatic: bool = False) -> bool:
    """Hide ``post`` from everyone but its author and moderators; the author is told.

    ``by`` None: the site hid it (reports from trusted members reached the threshold).
    """
    with transaction.atomic():
        changed = forum.hide_post(post, reason=reason)
        if not changed:
            return False
        _record_post(
            "post.hide", post, by=by, reason=reason, **({"automatic": True} if automatic else {})
        )
        if automatic:
            text = _(
                "One of your posts in “%(title)s” is hidden for now, because several members "
                "reported it. A moderator will look at it soon; until then you can still see it."
            )
        else:
            text = _(
                "A moderator hid one of your posts in “%(title)s”. You can still see it, with "
                "the reason. If you have questions, you can write to the moderators."
            )
        _tell(
            post.author, text=text % {"title": post.topic.full_title}, url=post.get_absolute_url()
        )
    return True


def unhide_post(post: Post, *, by, reason: str = "") -> bool:
    with transaction.atomic():
        changed = forum.unhide_post(post)
        if changed:
            _record_post("post.unhide", post, by=by, reason=reason)
            _tell(
                post.author,
                text=_("Your post in “%(title)s” can be seen by everyone again.")
                % {"title": post.topic.full_title},
                url=post.get_absolute_url(),
            )
    return changed


def delete_post(post: Post, *, by, reason: str) -> bool:
    with transaction.atomic():
        changed = forum.delete_post(post)
        if changed:
            _record_post("post.delete", post, by=by, reason=reason)
            _tell(
                post.author,
                text=_(
                    "A moderator removed one of your posts in “%(title)s”. The reason: %(reason)s"
                )
                % {"title": post.topic.full_title, "reason": reason or _("none given")},
                url=post.topic.get_absolute_url(),
            )
    return changed


def restore_post(post: Post, *, by, reason: str = "") -> bool:
    with transaction.atomic():
        changed = forum.restore_post(post)
        if changed:
            _record_post("post.restore", post, by=by, reason=reason)
    return changed


# --- Topics ---------------------------------------------------------------------------------


def set_locked(topic: Topic, *, by, locked: bool, reason: str = "") -> bool:
    with transaction.atomic():
        changed = forum.set_locked(topic, locked=locked)
        if changed:
            _record_topic("topic.lock" if locked else "topic.unlock", topic, by=by, reason=reason)
    return changed


def set_pinned(topic: Topic, *, by, pinned: bool, reason: str = "") -> bool:
    with transaction.atomic():
        changed = forum.set_pinned(topic, pinned=pinned)
        if changed:
            _record_topic("topic.pin" if pinned else "topic.unpin", topic, by=by, reason=reason)
    return changed


def delete_topic(topic: Topic, *, by, reason: str) -> bool:
    with transaction.atomic():
        changed = forum.delete_topic(topic)
        if changed:
            _record_topic("topic.delete", topic, by=by, reason=reason)
            _tell(
                topic.author,
                text=_("A moderator removed your topic “%(title)s”. The reason: %(reason)s")
                % {"title": topic.full_title, "reason": reason or _("none given")},
                url=topic.category.get_absolute_url(),
            )
    return changed


def restore_topic(topic: Topic, *, by, reason: str = "") -> bool:
    with transaction.atomic():
        changed = forum.restore_topic(topic)
        if changed:
            _record_topic("topic.restore", topic, by=by, reason=reason)
    return changed


def move_topic(topic: Topic, *, by, to: Category, reason: str = "") -> bool:
    source = topic.category
    with transaction.atomic():
        changed = forum.move_topic(topic, to=to)
        if changed:
            _record_topic(
                "topic.move",
                topic,
                by=by,
                reason=reason,
                source=source.name,
                source_id=source.pk,
                destination=to.name,
                destination_id=to.pk,
            )
    return changed


def merge_topics(source: Topic, *, into: Topic, by, reason: str = "") -> Topic:
    with transaction.atomic():
        label = topic_label(source)
        moved = Post.objects.filter(topic=source).count()
        into = forum.merge_topics(source, into=into)
        _record_topic(
            "topic.merge",
            into,
            by=by,
            reason=reason,
            merged_topic=label,
            merged_topic_id=source.pk,
            posts_moved=moved,
        )
    return into


def split_topic(
    topic: Topic,
    *,
    post_ids: list[int],
    title: str,
    by,
    category: Category | None = None,
    reason: str = "",
) -> Topic:
    with transaction.atomic():
        new = forum.split_topic(topic, post_ids=post_ids, title=title, category=category)
        _record_topic(
            "topic.split",
            topic,
            by=by,
            reason=reason,
            new_topic=new.full_title,
            new_topic_id=new.pk,
            posts_moved=new.last_position,
        )
    return new
