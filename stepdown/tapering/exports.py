"""A plan's steps as CSV (one row per step) and as an iCalendar file (one all-day event per step).

The iCalendar text is written by hand to RFC 5545: CRLF line ends, content lines folded at 75
octets (never inside a UTF-8 character), TEXT values escaped, and every event with a UID that
stays the same for the same step of the same plan version, so importing again updates, not
duplicates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext as _

from .plan_display import PlanDisplay, StepRow
from .plan_types import DISCLAIMER

CSV_FIXED_COLUMNS = ("step", "date", "what", "days_at_dose")
CSV_STEP_COLUMNS = (
    "daily_total",
    "cut_percent",
    "cut_percent_14_days",
    "cut_percent_30_days",
    "cumulative_percent",
    "diazepam_equivalent_low_mg",
    "diazepam_equivalent_high_mg",
    "note",
)
MAX_LINE_OCTETS = 75


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell starting with these as a formula.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_columns(display: PlanDisplay) -> list[str]:
    per_time = [
        f"{time}_{part}" for time in display.time_keys for part in ("drug", "mg", "how_to_take")
    ]
    return [*CSV_FIXED_COLUMNS, *per_time, *CSV_STEP_COLUMNS]


def plan_csv(display: PlanDisplay) -> str:
    """The steps as CSV text: a header row of stable column names, then one row per step."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(csv_columns(display))
    for step in display.steps:
        row: list[object] = [step.number, step.date.isoformat(), step.kind, step.days_at_dose]
        for cell in step.cells:
            if cell is None:
                row += ["", "", ""]
            else:
                row += [cell.drug_name or display.drug_name, cell.mg, cell.take]
        row += [
            step.total_label,
            step.cut_percent,
            step.cut_percent_14_days,
            step.cut_percent_30_days,
            step.cumulative_percent,
            step.equivalent_low_mg,
            step.equivalent_high_mg,
            step.note,
        ]
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


# --- iCalendar ---------------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma, line breaks."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets, continuation lines led by a space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= MAX_LINE_OCTETS:
        return line
    pieces, start, limit = [], 0, MAX_LINE_OCTETS
    while start < len(encoded):
        end = min(start + limit, len(encoded))
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:
            end -= 1  # never split a UTF-8 character: back up to its first byte
        pieces.append(encoded[start:end].decode("utf-8"))
        start, limit = end, MAX_LINE_OCTETS - 1  # continuation lines start with one space
    return "\r\n ".join(pieces)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _summary(display: PlanDisplay, step: StepRow) -> str:
    if step.number == 0:
        return _("Taper plan starts: %(total)s a day") % {"total": step.total_label}
    return _("Taper step %(number)s: %(total)s a day (cut %(cut)s%%)") % {
        "number": step.number,
        "total": step.total_label,
        "cut": step.cut_percent,
    }


def _description(display: PlanDisplay, step: StepRow) -> str:
    lines = []
    for label, cell in zip(display.time_labels, step.cells, strict=True):
        if cell is not None:
            drug = f" {cell.drug_name.lower()}" if cell.drug_name else ""
            take = f" ({cell.take})" if cell.take else ""
            lines.append(f"{label}: {cell.mg} mg{drug}{take}")
    lines.append(
        _("Cut %(cut)s%%, %(cut14)s%% in 14 days, %(cut30)s%% in 30 days, %(total)s%% so far.")
        % {
            "cut": step.cut_percent,
            "cut14": step.cut_percent_14_days,
            "cut30": step.cut_percent_30_days,
            "total": step.cumulative_percent,
        }
    )
    if step.note:
        lines.append(step.note)
    lines += ["", DISCLAIMER]
    return "\n".join(lines)


def _event(display, step, *, uid_base: str, domain: str, stamp: str) -> Iterable[str]:
    yield "BEGIN:VEVENT"
    yield f"UID:{uid_base}-step-{step.number}@{domain}"
    yield f"DTSTAMP:{stamp}"
    yield f"DTSTART;VALUE=DATE:{step.date.strftime('%Y%m%d')}"
    yield f"DTEND;VALUE=DATE:{(step.date + timedelta(days=1)).strftime('%Y%m%d')}"
    yield f"SUMMARY:{escape_text(_summary(display, step))}"
    yield f"DESCRIPTION:{escape_text(_description(display, step))}"
    yield "TRANSP:TRANSPARENT"
    yield "END:VEVENT"


def plan_ics(display: PlanDisplay, *, name: str, uid_base: str, domain: str, now: datetime) -> str:
    """The plan as an iCalendar file: one all-day event on the date of each step."""
    stamp = _stamp(now)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Stepdown//Taper plan//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for step in display.steps:
        lines += _event(display, step, uid_base=uid_base, domain=domain, stamp=stamp)
    lines.append("END:VCALENDAR")
    return "".join(f"{fold(line)}\r\n" for line in lines)
