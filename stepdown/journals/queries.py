"""Reads behind the journal pages."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet

from .daily import DayRow, day_rows
from .models import ConsentAction, ConsentRecord, Dose, Entry, Journal


def latest_consent(user) -> ConsentRecord | None:
    """The member's most recent consent record (given or withdrawn), or None if never asked."""
    if not user.is_authenticated:
        return None
    return ConsentRecord.objects.filter(owner=user).order_by("-at", "-pk").first()


def has_consent(user) -> bool:
    """True while the member's latest consent record gives consent."""
    record = latest_consent(user)
    return record is not None and record.action == ConsentAction.GRANTED


def consent_given(owner_id: int) -> bool:
    """``has_consent`` by member id (for a journal, without loading its owner)."""
    action = (
        ConsentRecord.objects.filter(owner_id=owner_id)
        .order_by("-at", "-pk")
        .values_list("action", flat=True)
        .first()
    )
    return action == ConsentAction.GRANTED


def journal_of(user) -> Journal | None:
    if not user.is_authenticated:
        return None
    return Journal.objects.filter(owner=user).first()


def _entries(journal: Journal) -> QuerySet[Entry]:
    doses = Prefetch("doses", queryset=Dose.objects.order_by("position", "pk"))
    return Entry.objects.filter(journal=journal).prefetch_related(doses)


def entry_for(journal: Journal | None, day: date) -> Entry | None:
    """The member's entry for ``day``, with its doses, or None."""
    if journal is None:
        return None
    return _entries(journal).filter(day=day).first()


def recent_entries(journal: Journal | None, *, limit: int = 14) -> list[Entry]:
    """The latest ``limit`` entries, newest first."""
    if journal is None:
        return []
    return list(_entries(journal).order_by("-day")[:limit])


def rows_since(journal: Journal, *, days: int | None, today: date) -> list[DayRow]:
    """The journal's days, oldest first: the last ``days`` days up to today, or all of them."""
    entries = _entries(journal)
    if days is not None:
        entries = entries.filter(day__gt=today - timedelta(days=days))
    return day_rows(entries)


def all_rows(journal: Journal) -> list[DayRow]:
    """Every day of the journal, oldest first."""
    return day_rows(_entries(journal))


def logged_drug_ids(journal: Journal | None) -> list[str]:
    """The drugs the member has logged, in the order first logged."""
    if journal is None:
        return []
    ids = (
        Dose.objects.filter(entry__journal=journal)
        .order_by("entry__day", "position", "pk")
        .values_list("drug_id", flat=True)
    )
    return list(dict.fromkeys(ids))
