"""The approval queue's actions: a moderator approves or rejects a waiting post or topic.

The forum makes the change (``forum.approval``: counters recounted, the notifications the post
would have sent sent once approved, a rejected text kept as the author's draft); this module
adds the audit entry and the note to the member, in the same transaction, and recomputes the
member's trust level after an approval (an approved post may be the one that lifts them).
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from stepdown.forum import approval as forum_approval
from stepdown.forum.models import Post
from stepdown.notifications import actions as notifications
from stepdown.notifications.models import Kind

from . import audit, trust
from .content_actions import post_label, topic_label


def _record(action: str, post: Post, *, by, reason: str = "") -> None:
    starts_topic = post.position == 1
    audit.record(
        actor=by,
        action=f"topic.{action}" if starts_topic else f"post.{action}",
        target_type="topic" if starts_topic else "post",
        target_id=post.topic_id if starts_topic else post.pk,
        target_label=topic_label(post.topic) if starts_topic else post_label(post),
        member=post.author,
        reason=reason,
    )


def approve(post: Post, *, by, reason: str = "") -> bool:
    """Show the waiting ``post`` (or the topic it starts) to everyone. False when it was not
    waiting any more (another moderator was quicker): nothing changes, nothing is recorded."""
    with transaction.atomic():
        if not forum_approval.approve_post(post):
            return False
        _record("approve", post, by=by, reason=reason)
        if post.author is not None:
            trust.update_trust(post.author)
    return True


def reject(post: Post, *, by, reason: str) -> bool:
    """Do not show the waiting ``post`` (or its topic); the member reads the reason, and finds
    their text again in the composer. False when it was not waiting any more."""
    with transaction.atomic():
        if not forum_approval.reject_post(post):
            return False
        _record("reject", post, by=by, reason=reason)
        member = post.author
        if member is not None:
            topic = post.topic
            if post.position == 1:
                text = _(
                    "A moderator did not approve your topic “%(title)s”: %(reason)s Your text "
                    "is kept as a draft if you would like to change it and post again."
                ) % {"title": topic.full_title, "reason": reason}
                url = reverse("forum:new_topic", kwargs={"slug": topic.category.slug})
            else:
                text = _(
                    "A moderator did not approve your reply in “%(title)s”: %(reason)s Your "
                    "text is kept as a draft if you would like to change it and post again."
                ) % {"title": topic.full_title, "reason": reason}
                url = reverse("forum:reply", kwargs={"pk": topic.pk})
            member_id = member.pk
            transaction.on_commit(
                lambda: notifications.notify(
                    [member_id],
                    kind=Kind.MODERATION,
                    actor=None,
                    text=text,
                    url=url,
                ),
                robust=True,
            )
    return True
