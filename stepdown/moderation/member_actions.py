"""Moderators' actions on members: warnings, suspensions and bans.

A warning carries points, a reason the member reads and acknowledges, and an expiry (the
default from ``STEPDOWN_WARNING_DAYS``). A suspension stops posting, replying, reacting and
messaging until its end; a ban stops signing in, and ends the member's sessions at once. Both
are ``Sanction`` rows; the member's ``posting_blocked_until`` and ``sign_in_blocked_until``
mirror the ones in force, so every permission check is a field read compared with the time
now: an end date takes effect by itself, with nothing to run. Lifting early recomputes them.

Every action writes its audit entry in the same transaction and tells the member once it
commits: a notification of kind "moderation", and for a ban an email (they cannot sign in to
read a notification).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from stepdown.accounts.models import BAN_FOREVER, User
from stepdown.notifications import actions as notifications
from stepdown.notifications.models import Kind

from . import audit, queries
from .models import Sanction, SanctionKind, Warning

logger = logging.getLogger(__name__)


def default_warning_expiry(now: datetime | None = None) -> datetime | None:
    """When a warning issued now expires by default (None when warnings never expire)."""
    days = getattr(settings, "STEPDOWN_WARNING_DAYS", 90)
    if not days:
        return None
    return (now or timezone.now()) + timedelta(days=days)


def _standing_url() -> str:
    return reverse("moderation:my_warnings")


def _tell(member: User, text: str) -> None:
    member_id, url = member.pk, _standing_url()
    transaction.on_commit(
        lambda: notifications.notify(
            [member_id], kind=Kind.MODERATION, actor=None, text=text, url=url
        )
    )


def _when(moment: datetime | None) -> str:
    if moment is None:
        return _("until a moderator lifts it")
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _member_label(member: User) -> str:
    return _("Member %(name)s") % {"name": member.username}


# --- Warnings -------------------------------------------------------------------------------


def issue_warning(
    member: User,
    *,
    by,
    reason: str,
    points: int = 1,
    expires_at: datetime | None = None,
    target_type: str = "",
    target_id: int | None = None,
) -> Warning:
    """Warn ``member``: they see it on every page until they acknowledge it."""
    with transaction.atomic():
        warning = Warning.objects.create(
            member=member,
            issued_by=by,
            reason=reason.strip(),
            points=points,
            expires_at=expires_at,
            target_type=target_type,
            target_id=target_id,
        )
        audit.record(
            actor=by,
            action="member.warn",
            target_type="member",
            target_id=member.pk,
            target_label=_member_label(member),
            member=member,
            reason=warning.reason,
            details={
                "warning_id": warning.pk,
                "points": points,
                "expires_at": expires_at.isoformat() if expires_at else None,
                **({"about": f"{target_type}:{target_id}"} if target_type else {}),
            },
        )
        _tell(
            member,
            _(
                "A moderator sent you a warning. Please read it: it explains what happened "
                "and what the community asks of you."
            ),
        )
        queries.warned_members_changed()
    return warning


def acknowledge_warning(warning: Warning, *, member: User) -> Warning:
    """The member says they read the warning; the banner goes. Repeating it changes nothing."""
    if warning.member_id != member.pk:
        raise ValueError("members acknowledge their own warnings only")
    with transaction.atomic():
        updated = Warning.objects.filter(pk=warning.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now()
        )
        if updated:
            queries.warned_members_changed()
    warning.refresh_from_db(fields=["acknowledged_at"])
    return warning


# --- Suspensions and bans -------------------------------------------------------------------

_MIRROR = {
    SanctionKind.SUSPENSION: "posting_blocked_until",
    SanctionKind.BAN: "sign_in_blocked_until",
}


def _mirror(member: User, kind: str) -> datetime | None:
    """Copy the latest end of ``member``'s sanctions of ``kind`` in force onto their account."""
    ends = [s.ends_at or BAN_FOREVER for s in queries.sanctions_in_force(member, kind)]
    until = max(ends) if ends else None
    User.objects.filter(pk=member.pk).update(**{_MIRROR[kind]: until})
    setattr(member, _MIRROR[kind], until)
    return until


def _impose(member: User, *, kind: str, by, reason: str, ends_at: datetime | None) -> Sanction:
    sanction = Sanction.objects.create(
        member=member, kind=kind, reason=reason.strip(), ends_at=ends_at, issued_by=by
    )
    _mirror(member, kind)
    audit.record(
        actor=by,
        action="member.suspend" if kind == SanctionKind.SUSPENSION else "member.ban",
        target_type="member",
        target_id=member.pk,
        target_label=_member_label(member),
        member=member,
        reason=sanction.reason,
        details={
            "sanction_id": sanction.pk,
            "ends_at": ends_at.isoformat() if ends_at else None,
        },
    )
    return sanction


def suspend_member(member: User, *, by, reason: str, ends_at: datetime | None) -> Sanction:
    """Stop ``member`` posting, replying, reacting and messaging until ``ends_at`` (None: until
    lifted). They may still read and sign in."""
    with transaction.atomic():
        sanction = _impose(
            member, kind=SanctionKind.SUSPENSION, by=by, reason=reason, ends_at=ends_at
        )
        if ends_at is not None:
            text = _(
                "A moderator paused your posting until %(when)s. You can still read and sign "
                "in. The reason is on your moderation notes page."
            ) % {"when": _when(ends_at)}
        else:
            text = _(
                "A moderator paused your posting until they lift the pause. You can still read "
                "and sign in. The reason is on your moderation notes page."
            )
        _tell(member, text)
    return sanction


def ban_member(member: User, *, by, reason: str, ends_at: datetime | None) -> Sanction:
    """Stop ``member`` signing in until ``ends_at`` (None: until lifted); their sessions end
    on their next request (as with "sign out on all devices"). They are told by email."""
    with transaction.atomic():
        sanction = _impose(member, kind=SanctionKind.BAN, by=by, reason=reason, ends_at=ends_at)
        User.objects.filter(pk=member.pk).update(session_generation=F("session_generation") + 1)
        member.refresh_from_db(fields=["session_generation"])
        address = _email_of(member)
        if address:
            context = {
                "site_name": settings.SITE_NAME,
                "site_url": settings.SITE_URL,
                "username": member.username,
                "reason": sanction.reason,
                "ends_at": ends_at,
                "until": _when(ends_at),
            }
            transaction.on_commit(lambda: _send_ban_email(address, context))
    return sanction


def _email_of(member: User) -> str:
    address = (
        EmailAddress.objects.filter(user=member, primary=True, verified=True)
        .values_list("email", flat=True)
        .first()
    )
    return address or member.email


def _send_ban_email(address: str, context: dict) -> None:
    subject = render_to_string("moderation/email/ban_subject.txt", context).strip()
    body = render_to_string("moderation/email/ban_message.txt", context)
    try:
        send_mail(subject, body, None, [address])
    except Exception:
        # The ban is in force either way; a note that cannot be sent must not undo it.
        logger.exception("Could not send the ban note")


def lift_sanction(sanction: Sanction, *, by, reason: str = "") -> bool:
    """End a suspension or ban now (before its end date); True if it was in force."""
    with transaction.atomic():
        locked = Sanction.objects.select_for_update().select_related("member").get(pk=sanction.pk)
        if not queries.sanction_in_force(locked):
            return False
        locked.lifted_at = timezone.now()
        locked.lifted_by = by
        locked.save(update_fields=["lifted_at", "lifted_by"])
        member = locked.member
        _mirror(member, locked.kind)
        suspension = locked.kind == SanctionKind.SUSPENSION
        audit.record(
            actor=by,
            action="member.unsuspend" if suspension else "member.unban",
            target_type="member",
            target_id=member.pk,
            target_label=_member_label(member),
            member=member,
            reason=reason.strip(),
            details={"sanction_id": locked.pk},
        )
        if suspension:
            _tell(member, _("A moderator lifted the pause on your posting. Welcome back."))
    sanction.lifted_at, sanction.lifted_by = locked.lifted_at, by
    return True
