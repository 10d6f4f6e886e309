"""Notification email tasks, run by ``stepdown worker`` (see ``core.task_queue`` and ``emails``).

- ``send_notification_email(user_id)``: one email with everything pending for a member who wants
  email "as it happens"; queued by ``actions.notify`` once it commits.
- ``send_digest_email(user_id)``: a member's daily or weekly summary, when due.
- ``digest_tick()``: queues itself for the next full hour while anything waits to be emailed,
  then the summaries that are due. ``notify`` starts it when none waits in the queue (the queue's
  table decides, not a cache), so nothing has to be set up; ``stepdown send_digests`` does the
  same work from cron instead.

Every task reads the current state and is repeatable. A failed send (mail server down, refused,
timed out) marks nothing and queues the task again after 1, 5, 25, 125 and 625 minutes; after the
sixth failure it logs an error and stops, and the notifications stay pending for the member's next
email. Quiet hours queue the task again for when they end.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django_tasks import task, task_backends
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from . import emails
from .models import Notification

logger = logging.getLogger(__name__)

# One send per member at a time (with several workers and a shared cache, e.g. Redis).
SEND_LOCK_SECONDS = 120
# How long notify may trust that a digest tick it saw waiting still waits (never past the
# tick's own hour: then it has run, and may not have come back), before asking the queue again.
TICK_CHECK_SECONDS = 600
TICK_SEEN_KEY = "notifications:digest-tick-waits"


@task()
def send_notification_email(user_id: int, attempt: int = 1) -> str:
    """Email the member everything pending, if their rhythm is "as it happens"."""
    return _deliver(send_notification_email, emails.send_immediate, user_id, attempt)


@task()
def send_digest_email(user_id: int, attempt: int = 1) -> str:
    """Email the member their daily or weekly summary, if it is due."""
    return _deliver(send_digest_email, emails.send_digest, user_id, attempt)


@task()
def digest_tick() -> int:
    """Queue each due summary; come back at the next full hour while anything is pending.

    The next tick is queued first, so a tick that fails on the way still has a successor.
    """
    if Notification.objects.filter(email_pending=True, read_at__isnull=True).exists():
        _queue_tick()
    due = emails.due_digest_members()
    for user_id in due:
        send_digest_email.enqueue(user_id)
    return len(due)


def queue_email(immediate: list[int], *, digests: bool) -> None:
    """After ``notify`` committed: an email task for each member told "as it happens" (a moment
    later, to gather a burst), and a digest tick queued when summaries are waiting."""
    if immediate:
        gather_until = timezone.now() + timedelta(seconds=settings.STEPDOWN_EMAIL_GATHER_SECONDS)
        for user_id in immediate:
            _enqueue(send_notification_email, user_id, run_after=gather_until, may_run_now=True)
    if digests:
        ensure_digest_tick()


def ensure_digest_tick() -> bool:
    """Queue a digest tick for the next full hour unless one is queued; True if it queued one.

    Needs the database queue (a tick waits for its hour). The queue's table decides: the cache
    only remembers that a tick was seen waiting, until the earlier of its hour and
    ``TICK_CHECK_SECONDS`` from then, so a tick that has run (and did not come back), failed or
    was lost is never taken for a waiting one for longer than that.
    """
    if not isinstance(_backend(digest_tick), DatabaseBackend):
        return False
    look_again_at = cache.get(TICK_SEEN_KEY)
    if look_again_at is not None and timezone.now() < look_again_at:
        return False
    return _queue_tick()


def next_tick_at(now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    return (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)


def _queue_tick() -> bool:
    """Queue a tick for the next full hour unless one waits in the queue; True if it queued."""
    run_after = (
        DBTaskResult.objects.filter(
            task_path=digest_tick.module_path, status=TaskResultStatus.READY
        )
        .order_by("run_after")
        .values_list("run_after", flat=True)
        .first()
    )
    queued = False
    if run_after is None:
        run_after = next_tick_at()
        queued = _enqueue(digest_tick, run_after=run_after)
        if not queued:
            return False
    _remember_waiting_tick(run_after)
    return queued


def _remember_waiting_tick(run_after: datetime) -> None:
    """Let ``ensure_digest_tick`` skip the queue's table until the waiting tick is due (and at
    most ``TICK_CHECK_SECONDS``): until then it can only be gone if someone removed it."""
    now = timezone.now()
    look_again_at = min(run_after, now + timedelta(seconds=TICK_CHECK_SECONDS))
    seconds = (look_again_at - now).total_seconds()
    if seconds > 0:
        cache.set(TICK_SEEN_KEY, look_again_at, timeout=seconds)


def _backend(task_: Task):
    return task_backends[task_.backend]


def _enqueue(task_: Task, *args, run_after: datetime, may_run_now: bool = False, **kwargs) -> bool:
    """Queue ``task_`` for ``run_after``; a backend that cannot wait runs it now only if
    ``may_run_now`` (never a retry or the end of quiet hours: that would loop)."""
    if _backend(task_).supports_defer:
        task_.using(run_after=run_after).enqueue(*args, **kwargs)
        return True
    if may_run_now:
        task_.enqueue(*args, **kwargs)
        return True
    logger.warning("The task backend cannot run %s later; not queued.", task_.name)
    return False


def _deliver(task_: Task, send, user_id: int, attempt: int) -> str:
    lock = f"notifications:email:{user_id}"
    if not cache.add(lock, True, timeout=SEND_LOCK_SECONDS):
        # Another worker is emailing this member right now; look again in a minute.
        _enqueue(task_, user_id, attempt, run_after=timezone.now() + timedelta(minutes=1))
        return "busy"
    try:
        outcome = send(user_id)
    except emails.SEND_FAILURES as error:
        return _retry(task_, user_id, attempt, error)
    finally:
        cache.delete(lock)
    if outcome.later_at is not None:
        _enqueue(task_, user_id, attempt, run_after=outcome.later_at)
    return outcome.status


def _retry(task_: Task, user_id: int, attempt: int, error: BaseException) -> str:
    if attempt >= emails.MAX_ATTEMPTS:
        logger.error(
            "Notification email to member %s failed %s times, giving up; the notifications stay "
            "pending for their next email. Last error: %r",
            user_id,
            attempt,
            error,
        )
        return "gave-up"
    retry_at = timezone.now() + emails.RETRY_DELAYS[attempt - 1]
    _enqueue(task_, user_id, attempt + 1, run_after=retry_at)
    logger.warning(
        "Notification email to member %s failed (attempt %s of %s), trying again at %s: %r",
        user_id,
        attempt,
        emails.MAX_ATTEMPTS,
        retry_at.isoformat(timespec="seconds"),
        error,
    )
    return "retrying"
