"""The taper signature: an opt-in one-line summary of a journal, shown under the member's posts.

``compute_signature`` turns the journal into the few stored facts (``Journal.signature``), run by
the actions whenever entries, the member's choice or consent change. ``format_signature`` writes
the line when a page is shown, so "days since the start" is always today's count and the words are
in the reader's language.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stepdown.tapering.amounts import format_mg

from .daily import DayRow, drug_name
from .models import Journal, SignatureField

FIELD_ORDER = [choice.value for choice in SignatureField]


def compute_signature(journal: Journal, rows: list[DayRow]) -> dict[str, Any] | None:
    """The stored facts of ``journal``'s signature, or None when there is nothing to show.

    ``rows`` are the journal's days, oldest first. The start is the first day the chosen drug
    (by default the first drug logged) was taken; "current" is the latest day that records what
    was taken, which is 0 mg once the member logs days with none.
    """
    fields = [name for name in FIELD_ORDER if name in (journal.signature_fields or [])]
    if not journal.signature_enabled or not fields:
        return None
    drug_id = journal.signature_drug_id or _first_drug(rows)
    if not drug_id:
        return None
    start = next((row for row in rows if (row.mg_of(drug_id) or 0) > 0), None)
    if start is None:
        return None
    current = [row for row in rows if row.day >= start.day and row.has_dose_information][-1]
    start_mg = start.mg_of(drug_id) or Decimal(0)
    current_mg = current.mg_of(drug_id) or Decimal(0)
    reduced = ((start_mg - current_mg) * 100 / start_mg).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return {
        "fields": fields,
        "drug": drug_id,
        "start_mg": format_mg(start_mg),
        "current_mg": format_mg(current_mg),
        "percent": int(reduced),
        "start": start.day.isoformat(),
    }


def _first_drug(rows: list[DayRow]) -> str:
    for row in rows:
        for total in row.totals:
            return total.drug_id
    return ""


def format_signature(data: dict[str, Any] | None, *, today: date) -> str:
    """The one-line signature, e.g. "Clonazepam · started at 1 mg · now 0.5 mg · 50% reduced"."""
    if not data:
        return ""
    fields = data.get("fields", [])
    parts = []
    if SignatureField.DRUG in fields:
        parts.append(drug_name(data["drug"]))
    if SignatureField.START_DOSE in fields:
        parts.append(_("started at %(mg)s mg") % {"mg": data["start_mg"]})
    if SignatureField.CURRENT_DOSE in fields:
        parts.append(_("now %(mg)s mg") % {"mg": data["current_mg"]})
    if SignatureField.PERCENT in fields:
        percent = data["percent"]
        if percent >= 0:
            parts.append(_("%(percent)s%% reduced") % {"percent": percent})
        else:
            parts.append(_("%(percent)s%% above the start dose") % {"percent": -percent})
    if SignatureField.DAYS in fields:
        days = max(0, (today - date.fromisoformat(data["start"])).days)
        parts.append(
            ngettext("%(days)s day since the start", "%(days)s days since the start", days)
            % {"days": days}
        )
    return " · ".join(parts)
