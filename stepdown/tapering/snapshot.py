"""A generated plan as JSON: what is stored with each saved version, and what pages show.

Previews and saved plans go through the same ``plan_snapshot`` so both render identically.
Numbers are stored as text (Decimal strings) so nothing is lost to floating point.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .amounts import format_mg
from .plan_types import Plan, Step

SNAPSHOT_FORMAT = 1


def _text(value) -> str:
    return format_mg(value)


def _step(step: Step) -> dict[str, Any]:
    return {
        "number": step.number,
        "date": step.date.isoformat(),
        "kind": str(step.kind),
        "doses": [
            {
                "time": dose.time,
                "drug_id": dose.drug_id,
                "mg": _text(dose.mg),
                "take": dose.take.text,
                "ml": None if dose.take.ml is None else _text(dose.take.ml),
                "tablets": [[_text(strength), str(count)] for strength, count in dose.take.tablets],
            }
            for dose in step.doses
        ],
        "totals_mg": {drug: _text(mg) for drug, mg in step.totals_mg.items()},
        "equivalent_low_mg": _text(step.diazepam_equivalent_low_mg),
        "equivalent_high_mg": _text(step.diazepam_equivalent_high_mg),
        "primary_equivalent_mg": _text(step.primary_equivalent_mg),
        "cut_percent": str(step.cut_percent),
        "cut_percent_14_days": str(step.cut_percent_14_days),
        "cut_percent_30_days": str(step.cut_percent_30_days),
        "cumulative_percent": str(step.cumulative_percent),
        "days_at_dose": step.days_at_dose,
        "note": step.note,
        "warning_codes": list(step.warning_codes),
    }


def plan_snapshot(plan: Plan) -> dict[str, Any]:
    """The JSON form of a generated ``Plan``."""
    return {
        "format": SNAPSHOT_FORMAT,
        "drug_id": plan.drug_id,
        "final_drug_id": plan.final_drug_id,
        "method": str(plan.method),
        "start_date": plan.start_date.isoformat(),
        "target_mg": _text(plan.target_mg),
        "projected_end_date": plan.projected_end_date.isoformat(),
        "supply_description": plan.supply_description,
        "final_step_rule": plan.final_step_rule,
        "sources": list(plan.sources),
        "times": [dose.time for dose in plan.steps[0].doses],
        "warnings": [
            {
                "code": warning.code,
                "message": warning.message,
                "steps": list(warning.steps),
                "source_id": warning.source_id,
            }
            for warning in plan.warnings
        ],
        "steps": [_step(step) for step in plan.steps],
    }


def step_in_effect(snapshot: dict[str, Any], on: date) -> dict[str, Any]:
    """The step whose dose is taken on ``on`` (the first step for dates before the start)."""
    current = snapshot["steps"][0]
    for step in snapshot["steps"]:
        if date.fromisoformat(step["date"]) > on:
            break
        current = step
    return current
