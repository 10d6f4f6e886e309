"""Notification email: who gets one, when, and what it says.

A notification the member wants by email is marked ``email_pending`` by ``actions.notify``. What
happens next depends on the member's rhythm (``Preferences.email_frequency``):

- *as it happens*: ``notify`` queues ``tasks.send_notification_email`` a moment later
  (``STEPDOWN_EMAIL_GATHER_SECONDS``); the task gathers everything pending for the member at send
  time, so a burst of replies makes one email;
- *daily* / *weekly*: ``tasks.digest_tick`` (hourly, while anything is pending) queues a summary
  for each member whose summary is due: from ``STEPDOWN_DIGEST_HOUR`` o'clock in their time zone,
  every day or on Mondays, covering what came in before then;
- *never*: nothing goes out.

Urgent kinds (``models.URGENT_KINDS``: the safety net's alerts to moderators) go out as they
happen whatever the rhythm (only the urgent lines; the rest wait for the summary), unless the
member chose no email at all.

No email goes out inside the member's quiet hours; it waits until they end. Notifications the
member already read in the app are not emailed. An email carries each notification's line and
link, never the text of a post or message. Marking happens after sending (:func:`send_immediate`,
:func:`send_digest`), so a crash in between can at worst send a line twice, never lose it.
"""

from __future__ import annotations

import logging
import smtplib
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urljoin

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db.models import Min
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stepdown.accounts.models import User

from . import actions
from .models import URGENT_KINDS, EmailFrequency, Notification, Preferences

logger = logging.getLogger(__name__)

DIGEST_RHYTHMS = (EmailFrequency.DAILY, EmailFrequency.WEEKLY)
WEEKLY_DIGEST_DAY = 0  # Monday
# At most this many lines in one email; the rest are counted and wait in the list.
MAX_LINES = 30
# Waits before sending again after a failure (SMTP server down, refused, timed out): after the
# last one, the notifications stay pending and go with the member's next email.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=25),
    timedelta(minutes=125),
    timedelta(minutes=625),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# What a failed send raises: smtplib's errors, and OSError for refused or timed-out connections.
SEND_FAILURES = (smtplib.SMTPException, OSError)

UNSUBSCRIBE_SALT = "stepdown.notifications.unsubscribe"
UNSUBSCRIBE_SCOPE = "all"  # the token stops all notification email (not account notices)
UNSUBSCRIBE_MAX_AGE = timedelta(days=365)


@dataclass(frozen=True)
class Outcome:
    """What one send attempt did: ``status`` is sent / nothing / skipped / not-due / quiet."""

    status: str
    sent: int = 0
    later_at: datetime | None = None  # quiet hours: try again then


# --- Time --------------------------------------------------------------------------------------


def member_zone(prefs: Preferences) -> zoneinfo.ZoneInfo:
    """The member's time zone, or the site's when they chose none (or an unknown one)."""
    for name in (prefs.time_zone, settings.TIME_ZONE):
        if name:
            try:
                return zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return zoneinfo.ZoneInfo("UTC")


def quiet_hours_end(prefs: Preferences, now: datetime) -> datetime | None:
    """When the member's quiet hours end, if ``now`` is inside them (else None).

    Hours are on the member's clock and may span midnight (22:00 to 07:00).
    """
    start, end = prefs.quiet_start, prefs.quiet_end
    if start is None or end is None or start == end:
        return None
    zone = member_zone(prefs)
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        if not start <= clock < end:
            return None
        end_day = local.date()
    else:
        if end <= clock < start:
            return None
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    return datetime.combine(end_day, end, tzinfo=zone).astimezone(UTC)


def digest_slot(prefs: Preferences, now: datetime) -> datetime:
    """The latest moment at or before ``now`` a summary of the member's rhythm was due.

    ``STEPDOWN_DIGEST_HOUR`` o'clock on the member's clock, every day (daily) or on Mondays
    (weekly).
    """
    zone = member_zone(prefs)
    local = now.astimezone(zone)
    hour = time(settings.STEPDOWN_DIGEST_HOUR % 24)
    day = local.date()
    if local.time().replace(tzinfo=None) < hour:
        day -= timedelta(days=1)
    if prefs.email_frequency == EmailFrequency.WEEKLY:
        day -= timedelta(days=(day.weekday() - WEEKLY_DIGEST_DAY) % 7)
    return datetime.combine(day, hour, tzinfo=zone).astimezone(UTC)


def digest_due(prefs: Preferences, *, oldest_pending: datetime | None, now: datetime) -> bool:
    """A summary is due when something pending came in before the latest slot and no summary
    went out since that slot."""
    if prefs.email_frequency not in DIGEST_RHYTHMS or oldest_pending is None:
        return False
    slot = digest_slot(prefs, now)
    if oldest_pending >= slot:
        return False
    return prefs.last_digest_at is None or prefs.last_digest_at < slot


# --- Who, and what ----------------------------------------------------------------------------


def preferences_of(user_id: int) -> Preferences:
    return Preferences.objects.filter(user_id=user_id).first() or Preferences(user_id=user_id)


def can_email(user: User | None) -> bool:
    """Active members with a verified address (never mail an address nobody confirmed)."""
    if user is None or not user.is_active or not user.email:
        return False
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def pending_items(user_id: int, *, kinds: frozenset[str] | None = None) -> list[Notification]:
    """The member's notifications waiting for email that they have not read yet, newest first
    (only of ``kinds`` when given)."""
    items = Notification.objects.filter(
        recipient_id=user_id, email_pending=True, read_at__isnull=True
    )
    if kinds is not None:
        items = items.filter(kind__in=kinds)
    return list(items.order_by("-updated_at", "-pk"))


def due_digest_members(now: datetime | None = None) -> list[int]:
    """Ids of members whose daily or weekly summary is due now (and not in quiet hours).

    Two queries: members with something pending (and the oldest), then their preferences.
    """
    now = now or timezone.now()
    oldest = dict(
        Notification.objects.filter(email_pending=True, read_at__isnull=True)
        .values("recipient_id")
        .annotate(oldest=Min("created_at"))
        .values_list("recipient_id", "oldest")
    )
    if not oldest:
        return []
    preferences = Preferences.objects.in_bulk(list(oldest))
    due = []
    for user_id, first in oldest.items():
        prefs = preferences.get(user_id) or Preferences(user_id=user_id)
        if digest_due(prefs, oldest_pending=first, now=now) and not quiet_hours_end(prefs, now):
            due.append(user_id)
    return sorted(due)


# --- Sending ----------------------------------------------------------------------------------


def send_immediate(user_id: int, *, now: datetime | None = None) -> Outcome:
    """Send the member one email with everything pending, if their rhythm is "as it happens";
    with a daily or weekly rhythm, one with only the urgent lines (``URGENT_KINDS``) pending.

    Raises one of ``SEND_FAILURES`` when the mail server fails; nothing is marked then.
    """
    now = now or timezone.now()
    prefs = preferences_of(user_id)
    if prefs.email_frequency == EmailFrequency.IMMEDIATE:
        return _send_pending(user_id, prefs, now=now, digest=False)
    if prefs.email_frequency == EmailFrequency.NONE:
        return Outcome("skipped")
    # A daily or weekly rhythm: only urgent lines go now; the rest wait for the summary.
    return _send_pending(user_id, prefs, now=now, digest=False, kinds=URGENT_KINDS)


def send_digest(user_id: int, *, now: datetime | None = None) -> Outcome:
    """Send the member's daily or weekly summary, if it is due.

    Raises one of ``SEND_FAILURES`` when the mail server fails; nothing is marked then.
    """
    now = now or timezone.now()
    prefs = preferences_of(user_id)
    oldest = Notification.objects.filter(
        recipient_id=user_id, email_pending=True, read_at__isnull=True
    ).aggregate(oldest=Min("created_at"))["oldest"]
    if not digest_due(prefs, oldest_pending=oldest, now=now):
        return Outcome("not-due")
    return _send_pending(user_id, prefs, now=now, digest=True)


def _send_pending(
    user_id: int,
    prefs: Preferences,
    *,
    now: datetime,
    digest: bool,
    kinds: frozenset[str] | None = None,
) -> Outcome:
    later = quiet_hours_end(prefs, now)
    if later is not None:
        return Outcome("quiet", later_at=later)
    user = User.objects.filter(pk=user_id).first()
    if not can_email(user):
        if digest:  # not again before the next slot
            actions.mark_emailed(user_id, [], at=now, digest=True)
        return Outcome("skipped")
    actions.drop_read_from_email(user_id)
    items = pending_items(user_id, kinds=kinds)
    if not items:
        if digest:
            actions.mark_emailed(user_id, [], at=now, digest=True)
        return Outcome("nothing")
    message = build_message(user, items, rhythm=prefs.email_frequency if digest else None)
    message.send()
    # Only now, after the server took it: a crash before this line sends these lines again.
    done = actions.mark_emailed(user_id, items, at=now, digest=digest)
    return Outcome("sent", sent=done)


# --- The message ------------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    return urljoin(settings.SITE_URL + "/", path)


def unsubscribe_token(user: User) -> str:
    """A signed token that stops this member's notification email, without signing in."""
    return signing.dumps({"u": user.pk, "s": UNSUBSCRIBE_SCOPE}, salt=UNSUBSCRIBE_SALT)


def member_for_unsubscribe_token(token: str) -> User | None:
    """The member a valid, unexpired token is for; None for anything else."""
    try:
        data = signing.loads(
            token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE.total_seconds()
        )
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or data.get("s") != UNSUBSCRIBE_SCOPE:
        return None
    user_id = data.get("u")
    if not isinstance(user_id, int):
        return None
    return User.objects.filter(pk=user_id).first()


def unsubscribe_url(user: User) -> str:
    return absolute_url(
        reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(user)})
    )


def _line(item: Notification) -> str:
    if item.count > 1:
        return ngettext(
            "%(text)s (%(count)d update)", "%(text)s (%(count)d updates)", item.count
        ) % {
            "text": item.text,
            "count": item.count,
        }
    return item.text


def subject_for(items: list[Notification], *, rhythm: str | None) -> str:
    """ "river replied to “Week six” (2 updates)", "… and 3 more", or the summary's title."""
    site = settings.SITE_NAME
    if rhythm == EmailFrequency.WEEKLY:
        subject = _("Your weekly summary from %(site)s") % {"site": site}
    elif rhythm == EmailFrequency.DAILY:
        subject = _("Your daily summary from %(site)s") % {"site": site}
    elif len(items) == 1:
        subject = _line(items[0])
    else:
        more = len(items) - 1
        subject = ngettext("%(line)s, and %(more)d more", "%(line)s, and %(more)d more", more) % {
            "line": _line(items[0]),
            "more": more,
        }
    subject = " ".join(subject.split())  # never a line break in a header
    return subject if len(subject) <= 150 else subject[:149] + "…"


def build_message(
    user: User, items: list[Notification], *, rhythm: str | None
) -> EmailMultiAlternatives:
    """The email for ``items``: plain text with an HTML alternative, and one-click unsubscribe.

    Only each notification's line and an absolute link; no images, nothing from elsewhere.
    """
    with translation.override(settings.LANGUAGE_CODE):
        unsubscribe = unsubscribe_url(user)
        context = {
            "user": user,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            "rhythm": rhythm,
            "lines": [
                {"text": _line(item), "url": absolute_url(item.url)} for item in items[:MAX_LINES]
            ],
            "more": max(0, len(items) - MAX_LINES),
            "list_url": absolute_url(reverse("notifications:list")),
            "settings_url": absolute_url(reverse("notifications:settings")),
            "unsubscribe_url": unsubscribe,
        }
        message = EmailMultiAlternatives(
            subject=subject_for(items, rhythm=rhythm),
            body=render_to_string("notifications/email/notification.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
            headers={
                # RFC 8058 one-click unsubscribe; RFC 3834: no auto-replies to this, please.
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Auto-Submitted": "auto-generated",
            },
        )
        message.attach_alternative(
            render_to_string("notifications/email/notification.html", context), "text/html"
        )
    return message
