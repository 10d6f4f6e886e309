from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from stepdown.journals import actions
from stepdown.journals.actions import DoseInput, EntryInput

JOURNAL = "/journal/"


def today() -> date:
    return timezone.localdate()


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


def entry_url(day: date | str) -> str:
    return f"{JOURNAL}entry/{day if isinstance(day, str) else day.isoformat()}/"


def entry_data(doses=(), *, rows: int | None = None, **fields) -> dict:
    """POST data for the entry form: ``doses`` as (drug, mg, time) tuples, then any fields.

    Symptom ratings go as s_<id>=<0-4>; e.g. entry_data([("clonazepam", "0.5", "08:00")],
    s_anxiety_panic="2", notes="Calm day").
    """
    rows = max(len(doses), 3) if rows is None else rows
    data = {
        "dose-TOTAL_FORMS": str(rows),
        "dose-INITIAL_FORMS": "0",
        "dose-MIN_NUM_FORMS": "0",
        "dose-MAX_NUM_FORMS": "12",
    }
    for n in range(rows):
        drug, mg, time = (list(doses[n]) + ["", "", ""])[:3] if n < len(doses) else ("", "", "")
        data |= {f"dose-{n}-drug": drug, f"dose-{n}-mg": mg, f"dose-{n}-taken_at": time}
    for name, value in fields.items():
        data[name] = value
    return data


def log_day(journal, day: date, doses=(), **fields):
    """Save an entry through the action: doses as (drug, mg) tuples."""
    return actions.save_entry(
        journal,
        day=day,
        data=EntryInput(
            doses=tuple(DoseInput(drug, Decimal(mg)) for drug, mg in doses),
            **fields,
        ),
    )


@pytest.fixture
def journal(member):
    return actions.grant_consent(member)


@pytest.fixture
def other_journal(other_member):
    return actions.grant_consent(other_member)
