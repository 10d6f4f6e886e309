"""The background task queue's own housekeeping (the tasks themselves live in each app's tasks.py).

Tasks are queued as rows in the database by django-tasks-db and run by ``stepdown worker``. A row
stays queued until a worker finishes it, so a crash of the server or the worker loses no queued
work. What a crash can leave behind is a task marked as running by a worker that is gone:
:func:`requeue_abandoned_tasks` puts such tasks back in the queue when a worker starts. A task can
therefore run more than once, and every task is written to be repeatable.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def requeue_abandoned_tasks(*, older_than: timedelta | None = None) -> int:
    """Queue again the tasks marked running for longer than ``older_than``; return how many.

    The default is ``STEPDOWN_TASK_RUNNING_TIMEOUT`` seconds, far longer than any task of ours
    runs, so a task another live worker is running is never taken from it.
    """
    if older_than is None:
        older_than = timedelta(seconds=getattr(settings, "STEPDOWN_TASK_RUNNING_TIMEOUT", 900))
    cutoff = timezone.now() - older_than
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ).update(status=TaskResultStatus.READY, started_at=None)
