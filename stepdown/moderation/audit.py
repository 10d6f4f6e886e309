"""The audit log: every moderator action, and every automatic one, is recorded here.

The forum's own moderator paths (editing someone else's post, recommending, reverting) reach
:func:`record` through ``stepdown.core.audit_hook``, registered in ``apps.py``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .models import AuditEntry

# Readable names of the actions, for the log and its filter. Actions not listed here (added by
# another part of the site) are shown by their id.
ACTION_LABELS = {
    "post.hide": _("Post hidden"),
    "post.unhide": _("Post shown again"),
    "post.delete": _("Post removed"),
    "post.restore": _("Post restored"),
    "post.edit": _("Post edited by a moderator"),
    "post.revert": _("Post reverted to an earlier version"),
    "post.recommend": _("Post recommended"),
    "post.unrecommend": _("Recommendation removed"),
    "topic.lock": _("Topic locked"),
    "topic.unlock": _("Topic unlocked"),
    "topic.pin": _("Topic pinned"),
    "topic.unpin": _("Topic unpinned"),
    "topic.delete": _("Topic removed"),
    "topic.restore": _("Topic restored"),
    "topic.move": _("Topic moved"),
    "topic.merge": _("Topics merged"),
    "topic.split": _("Topic split"),
    "report.claim": _("Report claimed"),
    "report.note": _("Note added to a report"),
    "report.resolve": _("Report resolved"),
    "member.warn": _("Member warned"),
    "member.suspend": _("Member suspended"),
    "member.unsuspend": _("Suspension lifted"),
    "member.ban": _("Member banned"),
    "member.unban": _("Ban lifted"),
    "post.approve": _("Post approved"),
    "post.reject": _("Post not approved"),
    "topic.approve": _("Topic approved"),
    "topic.reject": _("Topic not approved"),
    "post.hold": _("Post held by the safety net"),
    "safety.handle": _("Safety alert handled"),
    "member.trust": _("Trust level changed"),
}

TARGET_TYPES = {
    "post": _("post"),
    "topic": _("topic"),
    "member": _("member"),
    "message": _("message"),
    "report": _("report"),
    "journal_note": _("journal note"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def record(
    *,
    actor,
    action: str,
    target_type: str,
    target_id: int | None = None,
    target_label: str = "",
    member=None,
    reason: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Write one audit entry (call it inside the action's transaction, so both or neither).

    ``actor`` None means the site did it (reports reaching the hiding threshold, the safety net).
    ``action`` is a short verb phrase id such as ``post.hide`` or ``member.suspend``.
    """
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:300],
        member=member if member is not None and member.is_authenticated else None,
        reason=reason,
        details=details or {},
    )
