"""The journal as data: JSON (also the journal part of "Download my data") and CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from .daily import DayRow, drugs_in, mg_text
from .models import ConsentRecord, Journal
from .queries import all_rows
from .symptoms import SOURCE, SYMPTOMS

EXPORT_FORMAT = "stepdown-journal/1"
# A spreadsheet runs a cell starting with one of these as a formula; such text gets a leading '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _day(row: DayRow) -> dict[str, Any]:
    entry = row.entry
    return {
        "date": row.day.isoformat(),
        "no_dose_taken": entry.no_dose_taken,
        "doses": [
            {
                "drug": dose.drug_id,
                "mg": mg_text(dose.mg),
                "time": dose.taken_at.strftime("%H:%M") if dose.taken_at else None,
            }
            for dose in entry.doses.all()
        ],
        "diazepam_equivalent_mg": (
            None
            if row.diazepam_low is None
            else {"low": mg_text(row.diazepam_low), "high": mg_text(row.diazepam_high)}
        ),
        "symptoms": dict(entry.symptoms),
        "symptom_score": entry.symptom_score,
        "sleep_hours": mg_text(entry.sleep_hours) or None,
        "sleep_quality": entry.sleep_quality,
        "window": entry.is_window,
        "wave": entry.is_wave,
        "notes": entry.notes,
        "created_at": _when(entry.created_at),
        "updated_at": _when(entry.updated_at),
    }


def journal_export(user) -> dict[str, Any]:
    """Everything the journal holds about ``user``: consent log, settings and every day."""
    journal = Journal.objects.filter(owner=user).first()
    consents = ConsentRecord.objects.filter(owner=user).order_by("at", "pk")
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "symptom_checklist_source": SOURCE,
        "consent_records": [
            {"action": c.action, "wording_version": c.wording_version, "at": _when(c.at)}
            for c in consents
        ],
        "journal": None,
    }
    if journal is not None:
        data["journal"] = {
            "started_at": _when(journal.created_at),
            "sharing": journal.sharing,
            "signature": {
                "enabled": journal.signature_enabled,
                "fields": journal.signature_fields,
                "drug": journal.signature_drug_id or None,
            },
            "days": [_day(row) for row in all_rows(journal)],
        }
    return data


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def journal_csv(user) -> str:
    """One row per day: doses, mg per drug, diazepam range, symptoms, sleep, tags and notes."""
    journal = Journal.objects.filter(owner=user).first()
    rows = all_rows(journal) if journal else []
    drugs = drugs_in(rows)
    header = ["date", "doses", *(f"{d.drug_id}_mg" for d in drugs)]
    header += ["diazepam_equivalent_low_mg", "diazepam_equivalent_high_mg", "no_dose_taken"]
    header += ["symptom_score", *SYMPTOMS, "sleep_hours", "sleep_quality", "window", "wave"]
    header += ["notes"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        entry = row.entry
        doses = "; ".join(
            f"{d.drug_id} {mg_text(d.mg)} mg" + (f" at {d.taken_at:%H:%M}" if d.taken_at else "")
            for d in entry.doses.all()
        )
        cells = [row.day.isoformat(), doses, *(mg_text(row.mg_of(d.drug_id)) for d in drugs)]
        cells += [mg_text(row.diazepam_low), mg_text(row.diazepam_high), entry.no_dose_taken]
        cells += [entry.symptom_score, *(entry.symptoms.get(s, "") for s in SYMPTOMS)]
        cells += [mg_text(entry.sleep_hours), entry.sleep_quality or ""]
        cells += [entry.is_window, entry.is_wave, entry.notes]
        writer.writerow([_cell(cell) for cell in cells])
    return out.getvalue()
