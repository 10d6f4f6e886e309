"""Request and result types of the plan generator (``stepdown.tapering.schedule``)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from stepdown.tapering.dose_grid import Take
from stepdown.tapering.supply import LiquidSupply, TabletSupply

DISCLAIMER = (
    "A community tool, not medical advice. Discuss any change with your prescriber, go at a pace "
    "you can manage, and hold or slow down whenever you need to."
)
PROJECTED_END_LABEL = (
    "Projected end date, not a deadline: plans usually change along the way, and holding or "
    "slowing down is always allowed."
)

# Warning codes, stable so views can translate them and tests can assert on them.
WARN_RATE_14_DAYS = "cut_over_limit_14_days"
WARN_RATE_30_DAYS = "cut_over_limit_30_days"
WARN_TWO_DRUGS = "two_drugs_at_once"
WARN_LARGE_FINAL_STEP = "large_final_step"
WARN_TARGET_NOT_EXACT = "target_not_exact"
WARN_CONVERSION = "conversion_is_approximate"
WARN_PROVISIONAL = "provisional_equivalence"
WARN_LARGE_VOLUME = "large_liquid_volume"


class Method(StrEnum):
    PROPORTIONAL = "proportional"  # cut a percentage of the current dose each interval
    FIXED_AMOUNT = "fixed_amount"  # cut the same mg each interval (rising percentages!)
    CROSSOVER_TO_DIAZEPAM = "crossover_to_diazepam"  # switch one dose time a stage, then taper
    LIQUID_TITRATION = "liquid_titration"  # proportional, measured as mL of a liquid
    DAILY_MICRO_TAPER = "daily_micro_taper"  # the same percentage spread over daily cuts


class StepKind(StrEnum):
    START = "start"  # the current dose, from the start date
    CROSSOVER = "crossover"  # one dose time switched to diazepam, total equivalent held
    CUT = "cut"
    FINAL = "final"  # reaching zero, or the target


@dataclass(frozen=True)
class Hold:
    """Stay at a dose for ``days`` extra days: after step ``after_step`` (0 = before the first
    cut) or from ``on_date`` on. Give exactly one of the two."""

    days: int
    after_step: int | None = None
    on_date: date | None = None


@dataclass(frozen=True)
class PlanRequest:
    """Everything the generator needs. Numbers may be int, float, Decimal or numeric text.

    ``doses`` maps each dose time to its mg, in the order the member takes them (crossover
    switches them in this order). ``cut`` is a percentage of the current dose, except for
    ``fixed_amount`` where it is mg of the daily dose. ``supply`` None means "rounding off":
    exact amounts, useful to see the curve; liquid titration needs a ``LiquidSupply``.
    ``target_mg`` is the daily dose to stop at (diazepam mg for a crossover); 0 tapers to zero.
    ``other_tapers`` names drugs currently being tapered, to warn about two at once.
    """

    drug_id: str
    doses: Mapping[str, object]
    method: Method | str
    cut: object
    interval_days: int
    start_date: date
    supply: TabletSupply | LiquidSupply | None = None
    holds: Sequence[Hold] = ()
    target_mg: object = 0
    other_tapers: Sequence[str] = ()
    crossover_stage_days: int | None = None  # None: the catalogue's rule (about a week)
    diazepam_supply: TabletSupply | LiquidSupply | None = None  # None: 2/5/10 mg, halves


@dataclass(frozen=True)
class DoseAtTime:
    time: str
    drug_id: str
    mg: Decimal
    take: Take  # how to take it: text plus tablet counts or mL


@dataclass(frozen=True)
class Step:
    """One dated change of dose (step 0 is the current dose, from the start date).

    Percentages compare diazepam-equivalent doses by the primary (Ashton) figure, which for a
    single drug is the same as comparing mg; they are rounded to one decimal place.
    """

    number: int
    date: date
    kind: StepKind
    doses: tuple[DoseAtTime, ...]
    totals_mg: Mapping[str, Decimal]  # daily mg per drug
    diazepam_equivalent_low_mg: Decimal  # range across all sources
    diazepam_equivalent_high_mg: Decimal
    primary_equivalent_mg: Decimal  # Ashton diazepam-equivalent: the yardstick for percentages
    cut_percent: Decimal  # of the previous step's dose
    cut_percent_14_days: Decimal  # of the dose taken 14 days before this step's date
    cut_percent_30_days: Decimal
    cumulative_percent: Decimal  # of the starting dose
    days_at_dose: int | None  # until the next step; None for the last step
    note: str
    warning_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanWarning:
    """Something the member should know about the plan, in plain language, with its source."""

    code: str
    message: str
    steps: tuple[int, ...] = ()
    source_id: str | None = None


@dataclass(frozen=True)
class Plan:
    drug_id: str
    final_drug_id: str  # diazepam after a crossover, otherwise the same drug
    method: Method
    start_date: date
    target_mg: Decimal
    steps: tuple[Step, ...]
    projected_end_date: date
    warnings: tuple[PlanWarning, ...]
    supply_description: str
    final_step_rule: str
    sources: tuple[str, ...]  # catalogue source ids behind the plan's figures and warnings
    projected_end_label: str = PROJECTED_END_LABEL
    disclaimer: str = DISCLAIMER

    @property
    def change_count(self) -> int:
        """Number of dated changes after the starting dose."""
        return len(self.steps) - 1

    @property
    def warning_codes(self) -> frozenset[str]:
        return frozenset(warning.code for warning in self.warnings)
