"""A plan's input as the member gave it: stored as JSON with each version, turned into the
generator's ``PlanRequest`` when a plan is previewed, saved, resumed or re-planned."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .plan_types import Hold, Plan, PlanRequest
from .schedule import build_plan
from .supply import LiquidSupply, TabletSupply

# The dose times the forms offer, in the order of a day; the generator keeps this order.
DOSE_TIMES = ("morning", "midday", "evening", "night")
SOLID_SUPPLIES = ("tablet", "orally_disintegrating_tablet", "capsule")
SUPPLY_KINDS = (*SOLID_SUPPLIES, "liquid", "exact")


@dataclass(frozen=True)
class Supply:
    """Tablets or capsules (``strengths``, ``split``), a liquid, or "exact" (no rounding)."""

    kind: str
    strengths: tuple[str, ...] = ()
    split: str = "whole"
    mg_per_ml: str = ""
    precision_ml: str = "0.1"

    def to_json(self) -> dict[str, Any]:
        if self.kind in SOLID_SUPPLIES:
            return {"kind": self.kind, "strengths": list(self.strengths), "split": self.split}
        if self.kind == "liquid":
            return {
                "kind": "liquid",
                "mg_per_ml": self.mg_per_ml,
                "precision_ml": self.precision_ml,
            }
        return {"kind": "exact"}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Supply:
        return cls(
            kind=data["kind"],
            strengths=tuple(data.get("strengths", ())),
            split=data.get("split", "whole"),
            mg_per_ml=data.get("mg_per_ml", ""),
            precision_ml=data.get("precision_ml", "0.1"),
        )

    def for_generator(self) -> TabletSupply | LiquidSupply | None:
        if self.kind in SOLID_SUPPLIES:
            return TabletSupply(self.strengths, self.split, self.kind)
        if self.kind == "liquid":
            return LiquidSupply(self.mg_per_ml, self.precision_ml)
        return None


@dataclass(frozen=True)
class PlanInputs:
    """Everything the member chose. Amounts stay text, exactly as typed (the generator parses)."""

    drug_id: str
    doses: dict[str, str]  # dose time -> mg, in the order of the day
    method: str
    cut: str
    interval_days: int
    start_date: date
    supply: Supply
    holds: tuple[tuple[date, int], ...] = ()  # (from date, extra days)
    target_mg: str = "0"
    crossover_stage_days: int | None = None
    title: str = field(default="", compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "drug_id": self.drug_id,
            "doses": dict(self.doses),
            "method": self.method,
            "cut": self.cut,
            "interval_days": self.interval_days,
            "start_date": self.start_date.isoformat(),
            "supply": self.supply.to_json(),
            "holds": [[on.isoformat(), days] for on, days in self.holds],
            "target_mg": self.target_mg,
            "crossover_stage_days": self.crossover_stage_days,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlanInputs:
        return cls(
            drug_id=data["drug_id"],
            doses=dict(data["doses"]),
            method=data["method"],
            cut=data["cut"],
            interval_days=data["interval_days"],
            start_date=date.fromisoformat(data["start_date"]),
            supply=Supply.from_json(data["supply"]),
            holds=tuple((date.fromisoformat(on), days) for on, days in data.get("holds", ())),
            target_mg=data.get("target_mg", "0"),
            crossover_stage_days=data.get("crossover_stage_days"),
        )

    def request(self, other_tapers: Sequence[str] = ()) -> PlanRequest:
        return PlanRequest(
            drug_id=self.drug_id,
            doses=dict(self.doses),
            method=self.method,
            cut=self.cut,
            interval_days=self.interval_days,
            start_date=self.start_date,
            supply=self.supply.for_generator(),
            holds=tuple(Hold(days=days, on_date=on) for on, days in self.holds),
            target_mg=self.target_mg,
            other_tapers=tuple(other_tapers),
            crossover_stage_days=self.crossover_stage_days,
        )


def generate(inputs: PlanInputs, other_tapers: Sequence[str] = ()) -> Plan:
    """Run the generator; raises ``TaperInputError`` subclasses for input it cannot use.

    Drugs already being tapered in the member's other plans are passed on (so the plan warns
    about two drugs at once), except the plan's own drug.
    """
    others = [drug for drug in dict.fromkeys(other_tapers) if drug != inputs.drug_id]
    return build_plan(inputs.request(others))
