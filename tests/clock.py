"""A frozen clock for tests of timed work (email rhythms, quiet hours, the task queue)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone


class Clock:
    """Stands in for ``timezone.now``: frozen at ``now`` until moved."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def at(self, zone: str, *when: int) -> datetime:
        self.now = datetime(*when, tzinfo=ZoneInfo(zone)).astimezone(UTC)
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def freeze_time(monkeypatch) -> Clock:
    """Replace ``timezone.now``, which the queue, the models and the email code all read, with a
    clock frozen at a Wednesday noon (UTC)."""
    frozen = Clock(datetime(2025, 3, 12, 12, 0, tzinfo=UTC))
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen
