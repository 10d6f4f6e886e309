import csv
import io
from datetime import date, timedelta

import pytest

from stepdown.tapering.exports import escape_text, fold
from tests.tapering_web.conftest import make_plan

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[dict]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def unfold(text: str) -> list[str]:
    """Content lines of an iCalendar text: CRLF-separated, continuation lines joined."""
    assert text.endswith("\r\n")
    lines: list[str] = []
    for physical in text[:-2].split("\r\n"):
        assert "\n" not in physical and "\r" not in physical
        if physical.startswith(" "):
            lines[-1] += physical[1:]
        else:
            lines.append(physical)
    return lines


def events(lines: list[str]) -> list[dict]:
    """Each VEVENT as a dict of property name (with parameters) to value."""
    found, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found.append(current)
            current = None
        elif current is not None:
            name, value = line.split(":", 1)
            current[name] = value
    return found


def test_plan_csv_has_one_row_per_step_with_stable_columns(owner_client, owner):
    plan = make_plan(owner, doses={"morning": "0.5", "night": "0.5"}, title="Clonazepam plan")
    response = owner_client.get(f"/taper/plans/{plan.pk}/plan.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="clonazepam-plan.csv"' == response["Content-Disposition"]
    rows = csv_rows(response)
    assert list(rows[0]) == [
        "step", "date", "what", "days_at_dose",
        "morning_drug", "morning_mg", "morning_how_to_take",
        "night_drug", "night_mg", "night_how_to_take",
        "daily_total", "cut_percent", "cut_percent_14_days", "cut_percent_30_days",
        "cumulative_percent", "diazepam_equivalent_low_mg", "diazepam_equivalent_high_mg", "note",
    ]  # fmt: skip
    assert len(rows) == plan.current.snapshot["steps"].__len__()
    first, second, last = rows[0], rows[1], rows[-1]
    assert (first["step"], first["date"], first["what"]) == ("0", "2027-01-04", "start")
    assert (first["morning_mg"], first["night_mg"], first["daily_total"]) == ("0.5", "0.5", "1 mg")
    assert (second["date"], second["daily_total"], second["cut_percent"]) == (
        "2027-01-18",
        "0.9 mg",
        "10.0",
    )
    assert second["morning_drug"] == "Clonazepam"
    assert (second["diazepam_equivalent_low_mg"], second["diazepam_equivalent_high_mg"]) == (
        "9",
        "36",
    )
    assert last["daily_total"] == "0 mg" and last["cumulative_percent"] == "100.0"


def test_plan_ics_has_an_all_day_event_per_step(owner_client, owner):
    plan = make_plan(owner, title="Clonazepam; autumn, slow")
    response = owner_client.get(f"/taper/plans/{plan.pk}/plan.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    raw = response.content
    for physical in raw.split(b"\r\n"):
        assert len(physical) <= 75
    lines = unfold(raw.decode("utf-8"))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    assert "X-WR-CALNAME:Clonazepam\\; autumn\\, slow" in lines
    found = events(lines)
    steps = plan.current.snapshot["steps"]
    assert len(found) == len(steps) == lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT")
    uids = {event["UID"] for event in found}
    assert len(uids) == len(found)
    for event, step in zip(found, steps, strict=True):
        day = date.fromisoformat(step["date"])
        assert event["DTSTART;VALUE=DATE"] == day.strftime("%Y%m%d")
        assert event["DTEND;VALUE=DATE"] == (day + timedelta(days=1)).strftime("%Y%m%d")
        assert len(event["DTSTAMP"]) == 16 and event["DTSTAMP"].endswith("Z")
        assert "not medical advice" in event["DESCRIPTION"]
    assert found[1]["SUMMARY"] == "Taper step 1: 0.9 mg a day (cut 10.0%)"
    assert "\\n" in found[1]["DESCRIPTION"] and "\\," in found[1]["DESCRIPTION"]


def test_ics_fold_keeps_lines_within_75_octets_without_splitting_characters():
    line = "DESCRIPTION:" + "½ × 0.5 mg tablet, " * 20
    folded = fold(line)
    pieces = folded.split("\r\n")
    assert all(len(piece.encode("utf-8")) <= 75 for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert "".join([pieces[0], *(piece[1:] for piece in pieces[1:])]) == line
    assert fold("SUMMARY:short") == "SUMMARY:short"


def test_ics_escapes_text_values():
    assert escape_text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"
