"""Trust levels: how far the community trusts a member, grown from facts about them.

Discourse-like levels (``accounts.TrustLevel``), each opening a little more:

- 0 *new*: the first ``STEPDOWN_APPROVAL_FIRST_POSTS`` posts wait for a moderator; no links or
  images (``forum.approval``);
- 1 *basic*: posts go straight up, links and images allowed (Discourse's "basic user": this is
  what "trusted" means for links and images);
- 2 *member*: the level of established members;
- 3 *trusted*: their reports count towards hiding a post automatically.

A member rises to a level when ALL of its thresholds are met (settings, defaults in brackets):

=========  =====================================  ==================================
level      approved posts (not removed or hidden)  days since joining
=========  =====================================  ==================================
basic      ``STEPDOWN_TRUST_BASIC_POSTS`` (2)       ``STEPDOWN_TRUST_BASIC_DAYS`` (1)
member     ``STEPDOWN_TRUST_MEMBER_POSTS`` (10)     ``STEPDOWN_TRUST_MEMBER_DAYS`` (14)
trusted    ``STEPDOWN_TRUST_TRUSTED_POSTS`` (50)    ``STEPDOWN_TRUST_TRUSTED_DAYS`` (90)
=========  =====================================  ==================================

and their record is clear: no warning in force, and no report against them upheld (resolved
with the post hidden or removed, the topic locked, a warning or a suspension) in the last
``STEPDOWN_TRUST_CLEAR_DAYS`` (90) days. ``STEPDOWN_TRUST_TRUSTED_POSTS = 0`` leaves "trusted"
to the moderators alone. Levels are only ever raised by these rules; a moderator may set any
level, higher or lower (``set_trust_level``, audited). Recomputed after each approval of the
member's posts and by ``stepdown update_trust`` (daily, with the other housekeeping).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from stepdown.accounts.models import TrustLevel
from stepdown.forum.models import Approval

from . import audit
from .models import Outcome, Report, Status, Warning

# Report outcomes that mean "the report was right".
UPHELD_OUTCOMES = (Outcome.HIDE, Outcome.DELETE, Outcome.LOCK, Outcome.WARN, Outcome.SUSPEND)


@dataclass(frozen=True)
class Threshold:
    level: int
    posts: int
    days: int


@dataclass(frozen=True)
class TrustFacts:
    approved_posts: int
    days: int
    clear_record: bool


def _setting(name: str, default: int) -> int:
    return max(0, int(getattr(settings, name, default)))


def thresholds() -> list[Threshold]:
    """The automatic levels with their thresholds, lowest first ("trusted" left out when its
    post threshold is 0: moderators alone give it)."""
    levels = [
        Threshold(
            TrustLevel.BASIC,
            _setting("STEPDOWN_TRUST_BASIC_POSTS", 2),
            _setting("STEPDOWN_TRUST_BASIC_DAYS", 1),
        ),
        Threshold(
            TrustLevel.MEMBER,
            _setting("STEPDOWN_TRUST_MEMBER_POSTS", 10),
            _setting("STEPDOWN_TRUST_MEMBER_DAYS", 14),
        ),
    ]
    trusted_posts = _setting("STEPDOWN_TRUST_TRUSTED_POSTS", 50)
    if trusted_posts:
        levels.append(
            Threshold(
                TrustLevel.TRUSTED, trusted_posts, _setting("STEPDOWN_TRUST_TRUSTED_DAYS", 90)
            )
        )
    return levels


def earned_level(facts: TrustFacts) -> int:
    """The highest level ``facts`` meet (``NEW`` with anything on the member's record)."""
    if not facts.clear_record:
        return TrustLevel.NEW
    earned = TrustLevel.NEW
    for threshold in thresholds():
        if facts.approved_posts >= threshold.posts and facts.days >= threshold.days:
            earned = threshold.level
        else:
            break
    return earned


def _approved_posts_q(prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}approval": Approval.APPROVED,
            f"{prefix}is_deleted": False,
            f"{prefix}is_hidden": False,
        }
    )


def _record_annotations(now: datetime) -> dict:
    """SQL for "a warning in force" and "a report against them upheld lately" per member."""
    in_force = Warning.objects.filter(member=OuterRef("pk")).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )
    since = now - timedelta(days=_setting("STEPDOWN_TRUST_CLEAR_DAYS", 90))
    upheld = Report.objects.filter(
        target_author=OuterRef("pk"),
        status=Status.RESOLVED,
        outcome__in=UPHELD_OUTCOMES,
        resolved_at__gte=since,
    )
    return {"warning_in_force": Exists(in_force), "upheld_report": Exists(upheld)}


def _with_facts(members, now: datetime):
    return members.annotate(
        approved_posts=Count("posts", filter=_approved_posts_q("posts__")),
        **_record_annotations(now),
    )


def _facts(row, now: datetime) -> TrustFacts:
    return TrustFacts(
        approved_posts=row.approved_posts,
        days=(now - row.date_joined).days,
        clear_record=not (row.warning_in_force or row.upheld_report),
    )


def facts_for(member, now: datetime | None = None) -> TrustFacts:
    """What the trust rules look at for ``member``: one query."""
    now = now or timezone.now()
    row = _with_facts(get_user_model().objects.filter(pk=member.pk), now).get()
    return _facts(row, now)


def _raise(member, level: int, facts: TrustFacts | None) -> bool:
    changed = (
        get_user_model()
        .objects.filter(pk=member.pk, trust_level__lt=level)
        .update(trust_level=level)
    )
    if not changed:
        return False
    previous = member.trust_level
    member.trust_level = level
    audit.record(
        actor=None,
        action="member.trust",
        target_type="member",
        target_id=member.pk,
        target_label=_("Member %(name)s") % {"name": member.username},
        member=member,
        reason=_("Trust grew with time and approved posts."),
        details={
            "from": previous,
            "to": level,
            **({"approved_posts": facts.approved_posts, "days": facts.days} if facts else {}),
        },
    )
    return True


def update_trust(member, now: datetime | None = None) -> bool:
    """Raise ``member``'s trust level to what they have earned (never lowers it). True when it
    rose; the change is in the audit log."""
    if member.trust_level >= TrustLevel.TRUSTED:
        return False
    facts = facts_for(member, now)
    level = earned_level(facts)
    if level <= member.trust_level:
        return False
    with transaction.atomic():
        return _raise(member, level, facts)


def update_all(now: datetime | None = None) -> int:
    """``stepdown update_trust``: recompute every active member below "trusted"; returns how
    many rose. One query to read, one write per member who rose."""
    now = now or timezone.now()
    candidates = _with_facts(
        get_user_model().objects.filter(is_active=True, trust_level__lt=TrustLevel.TRUSTED),
        now,
    ).only("pk", "username", "trust_level", "date_joined")
    risen = 0
    for row in candidates.iterator(chunk_size=500):
        facts = _facts(row, now)
        level = earned_level(facts)
        if level > row.trust_level:
            with transaction.atomic():
                risen += _raise(row, level, facts)
    return risen


def set_trust_level(member, *, level: int, by, reason: str) -> bool:
    """A moderator sets ``member``'s trust level (up or down), with a reason for the log."""
    level = int(level)
    if level not in TrustLevel.values:
        raise ValueError(f"no trust level {level}")
    with transaction.atomic():
        locked = get_user_model().objects.select_for_update().get(pk=member.pk)
        if locked.trust_level == level:
            return False
        previous = locked.trust_level
        get_user_model().objects.filter(pk=member.pk).update(trust_level=level)
        member.trust_level = level
        audit.record(
            actor=by,
            action="member.trust",
            target_type="member",
            target_id=member.pk,
            target_label=_("Member %(name)s") % {"name": member.username},
            member=member,
            reason=reason.strip(),
            details={"from": previous, "to": level},
        )
    return True
