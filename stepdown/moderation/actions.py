"""Every write about reports goes through these functions.

Moderators' actions on content and members live in ``content_actions`` and ``member_actions``;
resolving a report can carry one of them out in the same step (``resolve_report``'s outcome).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from stepdown.accounts.models import TrustLevel
from stepdown.forum.models import Post, Topic
from stepdown.forum.moderation_actions import ModerationError
from stepdown.notifications import actions as notifications
from stepdown.notifications.models import Kind

from . import audit, content_actions, member_actions, queries
from .models import OPEN_STATUSES, Outcome, Report, ReportNote, Status, TargetType
from .permissions import can_sanction


def _open_report(reporter, target_type: str, target_id: int) -> Report | None:
    return Report.objects.filter(
        reporter=reporter,
        target_type=target_type,
        target_id=target_id,
        status__in=OPEN_STATUSES,
    ).first()


def file_report(
    reporter,
    *,
    target_type: str,
    target_id: int,
    target_author_id: int | None,
    reason: str,
    details: str = "",
) -> tuple[Report, bool]:
    """Report a post, topic, member or message to the moderators; returns (report, created).

    A member's second report of something still open is the first one: nothing new is filed.
    The caller has checked that the reporter may see the target (``targets.reportable``).
    A post reported by enough trusted members is hidden until a moderator looks
    (``STEPDOWN_AUTO_HIDE_REPORTS``).
    """
    earlier = _open_report(reporter, target_type, target_id)
    if earlier is not None:
        return earlier, False
    try:
        with transaction.atomic():
            report = Report.objects.create(
                reporter=reporter,
                target_type=target_type,
                target_id=target_id,
                target_author_id=target_author_id,
                reason=reason,
                details=details.strip(),
            )
            if target_type == TargetType.POST:
                hide_after_reports(target_id)
    except IntegrityError:  # the same report, sent twice at once
        earlier = _open_report(reporter, target_type, target_id)
        if earlier is None:
            raise
        return earlier, False
    return report, True


def auto_hide_threshold() -> int:
    """How many open reports from trusted members hide a post (0: never automatically)."""
    return int(getattr(settings, "STEPDOWN_AUTO_HIDE_REPORTS", 3))


def hide_after_reports(post_id: int) -> bool:
    """Hide the post once trusted members' open reports of it reach the threshold: recorded
    as done by the site, the moderators of its category alerted, its author told calmly."""
    threshold = auto_hide_threshold()
    if threshold <= 0:
        return False
    count = queries.trusted_report_count(TargetType.POST, post_id, min_trust=TrustLevel.TRUSTED)
    if count < threshold:
        return False
    post = (
        Post.objects.select_related("topic", "topic__category", "author")
        .filter(pk=post_id, is_deleted=False, is_hidden=False)
        .first()
    )
    if post is None:
        return False
    hidden = content_actions.hide_post(
        post, by=None, reason=_("Hidden after reports, waiting for a moderator"), automatic=True
    )
    if hidden:
        moderators = queries.moderators_of(post.topic.category)
        text = _("A post in “%(title)s” was hidden after %(count)d reports from trusted members.")
        text %= {"title": post.topic.full_title, "count": count}
        url = f"{reverse('moderation:queue')}?type=post"
        transaction.on_commit(
            lambda: notifications.notify(
                moderators,
                kind=Kind.MODERATION,
                actor=None,
                text=text,
                url=url,
                group_key=f"auto-hidden:{post_id}",
            )
        )
    return hidden


def claim_report(report: Report, *, by) -> Report:
    """A moderator takes the report on, so others know someone is looking at it."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status == Status.OPEN:
            report.status = Status.CLAIMED
            report.claimed_by = by
            report.claimed_at = timezone.now()
            report.save(update_fields=["status", "claimed_by", "claimed_at"])
            _record_on_report(report, by=by, action="report.claim")
    return report


def add_note(report: Report, *, by, text: str) -> ReportNote:
    """A note on the report for the other moderators (the log keeps that it was written; the
    text stays on the report)."""
    with transaction.atomic():
        note = ReportNote.objects.create(report=report, author=by, text=text.strip())
        _record_on_report(report, by=by, action="report.note", details={"note": note.pk})
    return note


def _record_on_report(report: Report, *, by, action: str, details: dict | None = None) -> None:
    audit.record(
        actor=by,
        action=action,
        target_type="report",
        target_id=report.pk,
        target_label=_report_label(report),
        member=report.target_author,
        details={"target": f"{report.target_type}:{report.target_id}", **(details or {})},
    )


def _report_label(report: Report) -> str:
    return _("Report #%(pk)d (%(what)s)") % {
        "pk": report.pk,
        "what": report.get_target_type_display(),
    }


# What each kind of report can be resolved with.
OUTCOMES_FOR = {
    TargetType.POST: (
        Outcome.NO_ACTION,
        Outcome.HIDE,
        Outcome.UNHIDE,
        Outcome.DELETE,
        Outcome.WARN,
        Outcome.SUSPEND,
    ),
    TargetType.TOPIC: (
        Outcome.NO_ACTION,
        Outcome.LOCK,
        Outcome.DELETE,
        Outcome.WARN,
        Outcome.SUSPEND,
    ),
    TargetType.MEMBER: (Outcome.NO_ACTION, Outcome.WARN, Outcome.SUSPEND),
    TargetType.MESSAGE: (Outcome.NO_ACTION, Outcome.WARN, Outcome.SUSPEND),
}


@dataclass(frozen=True)
class Resolution:
    """What the moderator decided: the outcome, the reason the member reads (for anything but
    "nothing needed doing"), a note for the other moderators, and the outcome's details."""

    outcome: str = Outcome.NO_ACTION
    reason: str = ""
    note: str = ""
    points: int = 1
    suspend_days: int | None = 7


class OutcomeError(ValueError):
    """The outcome cannot be carried out (the target went, the member is gone ...)."""


def _carry_out(report: Report, resolution: Resolution, *, by) -> None:
    outcome, reason = resolution.outcome, resolution.reason
    if outcome == Outcome.NO_ACTION:
        return
    if outcome not in OUTCOMES_FOR.get(report.target_type, ()):
        raise OutcomeError(_("That outcome does not fit this kind of report."))
    if outcome in (Outcome.WARN, Outcome.SUSPEND):
        member = get_user_model().objects.filter(pk=report.target_author_id).first()
        if member is None:
            raise OutcomeError(_("The member is no longer here."))
        if not can_sanction(by, member):
            raise OutcomeError(
                _(
                    "You cannot warn or suspend yourself, an admin, or (unless you are an admin) "
                    "another moderator. Choose another outcome, or ask an admin."
                )
            )
        if outcome == Outcome.WARN:
            member_actions.issue_warning(
                member,
                by=by,
                reason=reason,
                points=resolution.points,
                expires_at=member_actions.default_warning_expiry(),
                target_type=report.target_type,
                target_id=report.target_id,
            )
        else:
            days = resolution.suspend_days
            ends_at = timezone.now() + timedelta(days=days) if days else None
            member_actions.suspend_member(member, by=by, reason=reason, ends_at=ends_at)
        return
    if report.target_type == TargetType.POST:
        post = (
            Post.objects.select_related("topic", "topic__category", "author")
            .filter(pk=report.target_id)
            .first()
        )
        if post is None:
            raise OutcomeError(_("The post is no longer here."))
        if outcome == Outcome.HIDE:
            content_actions.hide_post(post, by=by, reason=reason)
        elif outcome == Outcome.UNHIDE:
            content_actions.unhide_post(post, by=by, reason=reason)
        elif post.position == 1:
            content_actions.delete_topic(post.topic, by=by, reason=reason)
        else:
            content_actions.delete_post(post, by=by, reason=reason)
        return
    topic = Topic.objects.select_related("category", "author").filter(pk=report.target_id).first()
    if topic is None:
        raise OutcomeError(_("The topic is no longer here."))
    if outcome == Outcome.LOCK:
        content_actions.set_locked(topic, by=by, locked=True, reason=reason)
    else:
        content_actions.delete_topic(topic, by=by, reason=reason)


def resolve_report(
    report: Report, *, by, note: str = "", resolution: Resolution | None = None
) -> Report:
    """Close the report, carrying out the resolution's outcome in the same transaction; the
    other open reports of the same thing are closed with it (one decision per thing).
    Repeating it changes nothing. Raises ``OutcomeError`` when the outcome cannot be done."""
    resolution = resolution or Resolution(note=note)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status == Status.RESOLVED:
            return report
        try:
            _carry_out(report, resolution, by=by)
        except ModerationError as error:
            raise OutcomeError(_("That cannot be done to it any more.")) from error
        now = timezone.now()
        others = list(
            queries.open_reports_on(report.target_type, report.target_id)
            .exclude(pk=report.pk)
            .values_list("pk", flat=True)
        )
        if report.claimed_by_id is None:
            report.claimed_by, report.claimed_at = by, now
        report.status = Status.RESOLVED
        report.resolved_by = by
        report.resolved_at = now
        report.resolution_note = resolution.note.strip()
        report.outcome = resolution.outcome
        report.save(
            update_fields=[
                "status",
                "claimed_by",
                "claimed_at",
                "resolved_by",
                "resolved_at",
                "resolution_note",
                "outcome",
            ]
        )
        if others:
            Report.objects.filter(pk__in=others, claimed_by__isnull=True).update(
                claimed_by=by, claimed_at=now
            )
            Report.objects.filter(pk__in=others).update(
                status=Status.RESOLVED,
                resolved_by=by,
                resolved_at=now,
                outcome=resolution.outcome,
                resolution_note=_("Resolved with report #%(pk)d.") % {"pk": report.pk},
            )
        audit.record(
            actor=by,
            action="report.resolve",
            target_type="report",
            target_id=report.pk,
            target_label=_report_label(report),
            member=report.target_author,
            reason=report.resolution_note,
            details={
                "outcome": resolution.outcome,
                "target": f"{report.target_type}:{report.target_id}",
                "also_resolved": others,
            },
        )
    return report
