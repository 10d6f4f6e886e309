"""What the plan pages, the printable view and the exports show, built from a plan snapshot.

The generator writes its warnings and notes in plain English; the headings, labels and method
names around them are translated here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .catalogue import load_catalogue
from .models import PlanMethod
from .plan_types import (
    WARN_CONVERSION,
    WARN_LARGE_FINAL_STEP,
    WARN_LARGE_VOLUME,
    WARN_PROVISIONAL,
    WARN_RATE_14_DAYS,
    WARN_RATE_30_DAYS,
    WARN_TARGET_NOT_EXACT,
    WARN_TWO_DRUGS,
)

TIME_LABELS = {
    "morning": gettext_lazy("Morning"),
    "midday": gettext_lazy("Midday"),
    "evening": gettext_lazy("Evening"),
    "night": gettext_lazy("Night"),
}
KIND_LABELS = {
    "start": gettext_lazy("Your current dose"),
    "crossover": gettext_lazy("Switch a dose to diazepam"),
    "cut": gettext_lazy("Cut"),
    "final": gettext_lazy("Last step"),
}


def time_label(time: str) -> str:
    return str(TIME_LABELS.get(time, time))


def drug_name(drug_id: str) -> str:
    drug = load_catalogue().drugs.get(drug_id)
    return drug.name if drug else drug_id


def warning_heading(code: str) -> str:
    """A short translated heading for a generator warning code."""
    catalogue = load_catalogue()
    limit_14 = format(catalogue.rule("warn_cut_percent_per_14_days").normalize(), "f")
    limit_30 = format(catalogue.rule("warn_cut_percent_per_30_days").normalize(), "f")
    headings = {
        WARN_RATE_14_DAYS: _("Faster than %(limit)s%% in 14 days") % {"limit": limit_14},
        WARN_RATE_30_DAYS: _("Faster than %(limit)s%% in 30 days") % {"limit": limit_30},
        WARN_TWO_DRUGS: _("Two drugs at once"),
        WARN_LARGE_FINAL_STEP: _("A large last step"),
        WARN_TARGET_NOT_EXACT: _("The target can’t be made exactly"),
        WARN_CONVERSION: _("Switching is approximate"),
        WARN_PROVISIONAL: _("Provisional figure"),
        WARN_LARGE_VOLUME: _("Large amounts of liquid"),
    }
    return headings.get(code, _("Please note"))


@dataclass(frozen=True)
class DoseCell:
    mg: str
    take: str
    drug_name: str  # set only when it differs from the plan's drug (during a crossover)
    ml: str | None


@dataclass(frozen=True)
class StepRow:
    number: int
    date: date
    kind: str
    kind_label: str
    cells: tuple[DoseCell | None, ...]  # one per dose time of the plan
    total_mg: str
    total_label: str  # "0.9 mg" or "5 mg diazepam + 0.5 mg lorazepam"
    cut_percent: str
    cut_percent_14_days: str
    cut_percent_30_days: str
    cumulative_percent: str
    equivalent_low_mg: str
    equivalent_high_mg: str
    days_at_dose: int | None
    note: str
    warning_codes: tuple[str, ...]
    is_current: bool

    @property
    def warned(self) -> bool:
        return bool(self.warning_codes)

    @property
    def equivalent_range(self) -> str:
        if self.equivalent_low_mg == self.equivalent_high_mg:
            return self.equivalent_low_mg
        return f"{self.equivalent_low_mg}–{self.equivalent_high_mg}"


@dataclass(frozen=True)
class WarningItem:
    code: str
    heading: str
    message: str
    steps: tuple[int, ...]
    source_name: str | None


@dataclass(frozen=True)
class SourceItem:
    short_name: str
    citation: str
    locator: str | None


@dataclass(frozen=True)
class PlanDisplay:
    drug_id: str
    drug_name: str
    final_drug_name: str
    method: str
    method_label: str
    start_date: date
    projected_end_date: date
    target_mg: str
    time_keys: tuple[str, ...]
    time_labels: tuple[str, ...]
    steps: tuple[StepRow, ...]
    warnings: tuple[WarningItem, ...]
    sources: tuple[SourceItem, ...]
    supply_description: str
    final_step_rule: str

    @property
    def change_count(self) -> int:
        return len(self.steps) - 1

    @property
    def is_fixed_amount(self) -> bool:
        return self.method == PlanMethod.FIXED_AMOUNT

    @property
    def start_total(self) -> str:
        return self.steps[0].total_label

    @property
    def end_total(self) -> str:
        return self.steps[-1].total_label


def _total_label(totals: dict[str, str]) -> str:
    if len(totals) == 1:
        total = sum((Decimal(mg) for mg in totals.values()), Decimal(0))
        return _("%(mg)s mg") % {"mg": _plain(total)}
    return " + ".join(
        _("%(mg)s mg %(drug)s") % {"mg": mg, "drug": drug_name(drug).lower()}
        for drug, mg in totals.items()
    )


def _plain(value: Decimal) -> str:
    normal = value.normalize()
    return format(normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal, "f")


def display_plan(snapshot: dict[str, Any], *, today: date | None = None) -> PlanDisplay:
    """Everything a page or export shows about a plan snapshot; ``today`` marks the current step."""
    catalogue = load_catalogue()
    times = tuple(snapshot["times"])
    steps = snapshot["steps"]
    current_number = None
    if today is not None:
        for step in steps:
            if date.fromisoformat(step["date"]) <= today:
                current_number = step["number"]
    rows = []
    for step in steps:
        by_time = {dose["time"]: dose for dose in step["doses"]}
        cells = []
        for time in times:
            dose = by_time.get(time)
            if dose is None:
                cells.append(None)
                continue
            other = dose["drug_id"] != snapshot["drug_id"]
            # Without rounding to tablets or mL, "how to take" would only repeat the mg.
            take = "" if dose["take"] == f"{dose['mg']} mg" else dose["take"]
            cells.append(
                DoseCell(
                    mg=dose["mg"],
                    take=take,
                    drug_name=drug_name(dose["drug_id"]) if other else "",
                    ml=dose["ml"],
                )
            )
        total = sum((Decimal(mg) for mg in step["totals_mg"].values()), Decimal(0))
        rows.append(
            StepRow(
                number=step["number"],
                date=date.fromisoformat(step["date"]),
                kind=step["kind"],
                kind_label=str(KIND_LABELS.get(step["kind"], step["kind"])),
                cells=tuple(cells),
                total_mg=_plain(total),
                total_label=_total_label(step["totals_mg"]),
                cut_percent=step["cut_percent"],
                cut_percent_14_days=step["cut_percent_14_days"],
                cut_percent_30_days=step["cut_percent_30_days"],
                cumulative_percent=step["cumulative_percent"],
                equivalent_low_mg=step["equivalent_low_mg"],
                equivalent_high_mg=step["equivalent_high_mg"],
                days_at_dose=step["days_at_dose"],
                note=step["note"],
                warning_codes=tuple(step["warning_codes"]),
                is_current=step["number"] == current_number,
            )
        )
    warnings = tuple(
        WarningItem(
            code=warning["code"],
            heading=warning_heading(warning["code"]),
            message=warning["message"],
            steps=tuple(warning["steps"]),
            source_name=_source_name(warning["source_id"]),
        )
        for warning in snapshot["warnings"]
    )
    sources = tuple(
        SourceItem(source.short_name, source.citation, source.locator)
        for source_id in snapshot["sources"]
        if (source := catalogue.sources.get(source_id)) is not None
    )
    method = snapshot["method"]
    return PlanDisplay(
        drug_id=snapshot["drug_id"],
        drug_name=drug_name(snapshot["drug_id"]),
        final_drug_name=drug_name(snapshot["final_drug_id"]),
        method=method,
        method_label=str(dict(PlanMethod.choices).get(method, method)),
        start_date=date.fromisoformat(snapshot["start_date"]),
        projected_end_date=date.fromisoformat(snapshot["projected_end_date"]),
        target_mg=snapshot["target_mg"],
        time_keys=times,
        time_labels=tuple(time_label(time) for time in times),
        steps=tuple(rows),
        warnings=warnings,
        sources=sources,
        supply_description=snapshot["supply_description"],
        final_step_rule=snapshot["final_step_rule"],
    )


def _source_name(source_id: str | None) -> str | None:
    if not source_id:
        return None
    source = load_catalogue().sources.get(source_id)
    return source.short_name if source else None
