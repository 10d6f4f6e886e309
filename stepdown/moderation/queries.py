"""Reads behind the moderation pages, each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from stepdown.forum.models import Approval, Category, CategoryAccess, Post

from .models import (
    OPEN_STATUSES,
    AuditEntry,
    Report,
    SafetyAlert,
    Sanction,
    Status,
    Warning,
)

# --- Reports --------------------------------------------------------------------------------


def open_reports() -> QuerySet[Report]:
    """Reports waiting for a moderator (open or being looked at), oldest first."""
    return (
        Report.objects.filter(status__in=OPEN_STATUSES)
        .select_related("reporter", "target_author", "claimed_by")
        .order_by("created_at", "pk")
    )


def open_report_count() -> int:
    return Report.objects.filter(status__in=OPEN_STATUSES).count()


def has_open_report(reporter, target_type: str, target_id: int) -> bool:
    return Report.objects.filter(
        reporter=reporter,
        target_type=target_type,
        target_id=target_id,
        status__in=OPEN_STATUSES,
    ).exists()


# What the queue's "status" filter offers: waiting (open or claimed, the default), one status,
# or the reports the moderator claimed.
QUEUE_WAITING = "waiting"
QUEUE_MINE = "mine"


def queue_reports(
    *, status: str = QUEUE_WAITING, reason: str = "", target_type: str = "", moderator=None
) -> QuerySet[Report]:
    """The queue as filtered: waiting reports oldest first, resolved ones newest first."""
    reports = Report.objects.select_related("reporter", "target_author", "claimed_by")
    if status == QUEUE_WAITING:
        reports = reports.filter(status__in=OPEN_STATUSES)
    elif status == QUEUE_MINE:
        reports = reports.filter(status=Status.CLAIMED, claimed_by=moderator)
    else:
        reports = reports.filter(status=status)
    if reason:
        reports = reports.filter(reason=reason)
    if target_type:
        reports = reports.filter(target_type=target_type)
    if status == Status.RESOLVED:
        return reports.select_related("resolved_by").order_by("-resolved_at", "-pk")
    return reports.order_by("created_at", "pk")


def open_reports_on(target_type: str, target_id: int) -> QuerySet[Report]:
    return Report.objects.filter(
        target_type=target_type, target_id=target_id, status__in=OPEN_STATUSES
    )


def trusted_report_count(target_type: str, target_id: int, *, min_trust: int) -> int:
    """Open reports of one thing filed by members of trust level ``min_trust`` or above."""
    return (
        open_reports_on(target_type, target_id)
        .filter(reporter__trust_level__gte=min_trust, reporter__is_active=True)
        .count()
    )


# --- Who moderates --------------------------------------------------------------------------


def moderators_of(category: Category | None) -> list[int]:
    """Ids of the active members who moderate ``category`` (None: the global moderators and
    admins only): global moderators, admins, the category's own moderators and the members of
    groups allowed to moderate it. Two queries."""
    users = get_user_model().objects.filter(is_active=True)
    who = Q(is_moderator=True) | Q(is_superuser=True)
    if category is not None:
        groups = CategoryAccess.objects.filter(category=category, can_moderate=True).values(
            "group_id"
        )
        who |= Q(moderated_categories=category) | Q(groups__in=groups)
    return sorted(set(users.filter(who).values_list("pk", flat=True)))


# --- Warnings and sanctions -----------------------------------------------------------------

# The members with a warning to acknowledge, cached for the banner every page may show: most
# requests then cost no query. Writes replace the set at once; the timeout bounds how long
# another process's local cache may lag behind (shared caches such as Redis never lag).
WARNED_MEMBERS_KEY = "moderation:warned-members"
WARNED_MEMBERS_SECONDS = 60


def _active_warnings(now: datetime | None = None) -> QuerySet[Warning]:
    now = now or timezone.now()
    return Warning.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def _warned_member_ids_from_database() -> frozenset[int]:
    return frozenset(
        _active_warnings()
        .filter(acknowledged_at__isnull=True)
        .order_by()
        .values_list("member_id", flat=True)
        .distinct()
    )


def warned_member_ids() -> frozenset[int]:
    """Members with an unexpired warning they have not acknowledged (cached; one query on a
    miss, whatever the number of members)."""
    found = cache.get(WARNED_MEMBERS_KEY)
    if found is None:
        found = _warned_member_ids_from_database()
        cache.set(WARNED_MEMBERS_KEY, found, WARNED_MEMBERS_SECONDS)
    return found


def refresh_warned_members() -> None:
    """Recount the cached set after a warning was issued or acknowledged."""
    cache.set(WARNED_MEMBERS_KEY, _warned_member_ids_from_database(), WARNED_MEMBERS_SECONDS)


def warned_members_changed() -> None:
    """Call inside the transaction that issues or acknowledges a warning: the cached set is
    dropped now and recounted once the change is committed (a request reading in between
    caches what it saw, and the recount after the commit replaces that)."""
    cache.delete(WARNED_MEMBERS_KEY)
    transaction.on_commit(refresh_warned_members)


def has_warning_to_acknowledge(member) -> bool:
    return member.is_authenticated and member.pk in warned_member_ids()


def warnings_to_acknowledge(member) -> list[Warning]:
    """The member's unexpired warnings they have not acknowledged yet, oldest first."""
    return list(
        _active_warnings()
        .filter(member=member, acknowledged_at__isnull=True)
        .order_by("created_at")
    )


def warnings_of(member) -> list[Warning]:
    """Every warning the member received, newest first, with who issued it."""
    return list(Warning.objects.filter(member=member).select_related("issued_by"))


def active_points(member) -> int:
    """The points of the member's warnings that have not expired."""
    total = _active_warnings().filter(member=member).aggregate(total=Sum("points"))["total"]
    return total or 0


def sanctions_of(member) -> list[Sanction]:
    return list(Sanction.objects.filter(member=member).select_related("issued_by", "lifted_by"))


def sanction_in_force(sanction: Sanction, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if sanction.lifted_at is not None:
        return False
    return sanction.ends_at is None or sanction.ends_at > now


def sanctions_in_force(member, kind: str) -> QuerySet[Sanction]:
    now = timezone.now()
    return Sanction.objects.filter(member=member, kind=kind, lifted_at__isnull=True).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )


def reports_about(member, *, limit: int = 10) -> list[Report]:
    return list(
        Report.objects.filter(target_author=member)
        .select_related("reporter")
        .order_by("-created_at", "-pk")[:limit]
    )


# --- Audit log ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    moderator: str = ""  # username; "site" for automatic actions
    member: str = ""  # username
    target_type: str = ""
    since: datetime | None = None
    until: datetime | None = None  # exclusive


AUTOMATIC = "site"


def audit_entries(filters: AuditFilters) -> QuerySet[AuditEntry]:
    """Audit entries as filtered, newest first, with who did it and whom it concerned."""
    entries = AuditEntry.objects.select_related("actor", "member")
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.moderator == AUTOMATIC:
        entries = entries.filter(actor__isnull=True)
    elif filters.moderator:
        entries = entries.filter(actor__username__iexact=filters.moderator)
    if filters.member:
        entries = entries.filter(member__username__iexact=filters.member)
    if filters.target_type:
        entries = entries.filter(target_type=filters.target_type)
    if filters.since:
        entries = entries.filter(created_at__gte=filters.since)
    if filters.until:
        entries = entries.filter(created_at__lt=filters.until)
    return entries.order_by("-created_at", "-pk")


def audit_actions_in_use() -> list[str]:
    return list(AuditEntry.objects.order_by().values_list("action", flat=True).distinct())


def audit_entries_about(member, *, limit: int = 10) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(member=member)
        .select_related("actor")
        .order_by("-created_at", "-pk")[:limit]
    )


# --- Dashboard ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueSizes:
    open_reports: int
    claimed_by_me: int
    pending_approvals: int
    open_alerts: int


def queue_sizes(moderator) -> QueueSizes:
    """What waits for the moderators: three queries however long the queues are."""
    reports = Report.objects.aggregate(
        waiting=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        mine=Count("pk", filter=Q(status=Status.CLAIMED, claimed_by=moderator)),
    )
    return QueueSizes(
        open_reports=reports["waiting"],
        claimed_by_me=reports["mine"],
        pending_approvals=Post.objects.filter(approval=Approval.PENDING, is_deleted=False).count(),
        open_alerts=SafetyAlert.objects.filter(status=SafetyAlert.Status.OPEN).count(),
    )


def recent_alerts(*, limit: int = 5) -> list[SafetyAlert]:
    """The newest safety alerts still needing a look, crisis ones first."""
    return list(
        SafetyAlert.objects.filter(status=SafetyAlert.Status.OPEN)
        .select_related("author")
        .order_by("kind", "-created_at", "-pk")[:limit]  # "crisis" sorts before "rule"
    )


def recent_audit_entries(*, limit: int = 10) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.select_related("actor", "member").order_by("-created_at", "-pk")[:limit]
    )
