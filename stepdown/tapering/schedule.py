"""The taper plan generator: pure Python, no Django.

``build_plan(PlanRequest(...))`` returns a ``Plan`` of dated ``Step``s, each with the mg per dose
time and how to take it, the percentage cut (per step, per trailing 14 and 30 days, cumulative),
the diazepam-equivalent range and structured warnings. Input it cannot use raises a ``PlanError``
subclass whose message is written for the member. The rules (final step, rounding, holds) are
described in ``taper_steps``; the limits behind the warnings live in catalogue.json.
"""

import math
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from stepdown.tapering.amounts import format_mg, parse_amount, to_decimal, to_fraction
from stepdown.tapering.catalogue import Drug, load_catalogue
from stepdown.tapering.equivalence import check_dose, primary_factor
from stepdown.tapering.errors import (
    CutSizeError,
    DoseError,
    MethodError,
    PlanDateError,
    PlanDoseError,
    PlanDrugError,
    StrengthError,
    UnknownDrug,
)
from stepdown.tapering.plan_assembly import assemble_plan
from stepdown.tapering.plan_types import (
    WARN_LARGE_FINAL_STEP,
    Hold,
    Method,
    Plan,
    PlanRequest,
    PlanWarning,
    Step,
    StepKind,
)
from stepdown.tapering.supply import DoseGrid, LiquidSupply, Split, TabletSupply, build_grid
from stepdown.tapering.taper_steps import (
    Clock,
    RawStep,
    TaperPhase,
    fixed_curve,
    proportional_curve,
    run_crossover,
    run_taper,
)

__all__ = [
    "Hold",
    "Method",
    "Plan",
    "PlanRequest",
    "PlanWarning",
    "Step",
    "StepKind",
    "build_plan",
    "proportional_step_count",
    "proportional_steps",
]

MIN_CUT_PERCENT = Decimal("0.5")
MAX_CUT_PERCENT = Decimal(50)
MAX_INTERVAL_DAYS = 180
MAX_HOLD_DAYS = 3650
MAX_DOSE_TIMES = 6
EARLIEST_START, LATEST_START = date(2000, 1, 1), date(2100, 12, 31)


def proportional_steps(start_mg: object, end_mg: object, cut_percent: object) -> float:
    """Cuts of ``cut_percent`` of the current dose needed from start to end (fractional).

    n = ln(end / start) / ln(1 − p). Raises ``PlanDoseError`` or ``CutSizeError``.
    """
    start = _positive_dose(start_mg, "start_mg")
    end = _positive_dose(end_mg, "end_mg")
    if end >= start:
        raise PlanDoseError("The end dose must be below the starting dose.", field="end_mg")
    share = _cut_share(cut_percent)
    return math.log(end / start) / math.log(1 - share)


def proportional_step_count(start_mg: object, end_mg: object, cut_percent: object) -> int:
    """``proportional_steps`` rounded to the nearest whole step, as the reference quotes them.

    20 mg to 0.5 mg at 10% per step is 35.01, so 35 steps (the dose after 35 cuts is 0.5006 mg);
    at 5% it is 71.9, so 72 steps.
    """
    return math.floor(proportional_steps(start_mg, end_mg, cut_percent) + 0.5)


def build_plan(request: PlanRequest) -> Plan:
    """Generate a taper plan; raises a ``PlanError`` subclass for input it cannot use."""
    catalogue = load_catalogue()
    drug = _drug(request.drug_id)
    method = _method(request.method)
    times, amounts = _doses(drug, request.doses)
    start_date = _start_date(request.start_date)
    holds = _holds(request.holds, start_date)
    interval = _days(request.interval_days, "interval_days", MAX_INTERVAL_DAYS)
    if method is Method.LIQUID_TITRATION and not isinstance(request.supply, LiquidSupply):
        raise MethodError(
            "Liquid titration needs the liquid's concentration (mg per mL) and the smallest "
            "volume you can measure.",
            field="supply",
        )
    grid = build_grid(request.supply, max(amounts))
    for time, amount in zip(times, amounts, strict=True):
        _require_makeable(grid, amount, time, drug)

    steps = [
        RawStep(start_date, StepKind.START, amounts, (drug.id,) * len(times), "Your current dose.")
    ]
    clock = Clock(start_date, holds)
    taper_drug, taper_grid, grids = drug, grid, {drug.id: grid}
    if method is Method.CROSSOVER_TO_DIAZEPAM:
        taper_drug, taper_grid = _cross_over(request, drug, times, steps, clock)
        grids[taper_drug.id] = taper_grid

    taper_total = sum(steps[-1].amounts)
    target = _target(request.target_mg, taper_total, taper_drug, taper_grid, steps[-1].amounts)
    cut_share_or_mg = _cut(method, request.cut, taper_total)
    warnings = []
    final_limit = max(
        taper_total * to_fraction(catalogue.rule("final_step_percent_of_start")) / 100,
        taper_grid.smallest,
    )
    if target == 0:
        warnings += _final_step_checks(taper_grid, taper_total, taper_drug)
    phase = TaperPhase(
        drug_id=taper_drug.id,
        grid=taper_grid,
        curve=_curve(method, taper_total, cut_share_or_mg, interval),
        step_days=1 if method is Method.DAILY_MICRO_TAPER else interval,
        target=target,
        final_limit=final_limit,
    )
    reached = run_taper(phase, steps, clock, int(catalogue.rule("max_plan_steps")))
    _check_holds_used(clock, steps)
    return assemble_plan(
        request=request,
        method=method,
        drug=drug,
        final_drug=taper_drug,
        times=times,
        steps=steps,
        grids=grids,
        target=target,
        target_reached=reached,
        final_limit=final_limit,
        extra_warnings=warnings,
    )


def _cross_over(
    request: PlanRequest, drug: Drug, times: tuple[str, ...], steps: list[RawStep], clock: Clock
) -> tuple[Drug, DoseGrid]:
    """Add the crossover stages to ``steps``; returns diazepam and the grid it is taken from."""
    catalogue = load_catalogue()
    diazepam = catalogue.drug(catalogue.reference_drug_id)
    if drug.id == diazepam.id:
        raise MethodError(
            "You already take diazepam: choose a proportional or another direct method.",
            field="method",
        )
    stage_days = request.crossover_stage_days
    if stage_days is None:
        stage_days = int(catalogue.rule("crossover_stage_days"))
    stage_days = _days(stage_days, "crossover_stage_days", 60)
    # Ashton-style crossovers use 2, 5 and 10 mg diazepam tablets, halved where needed.
    supply = request.diazepam_supply or TabletSupply(diazepam.tablet_strengths_mg, Split.HALVES)
    largest = max(steps[-1].amounts) * primary_factor(drug.id)
    grid = build_grid(supply, largest)
    run_crossover(steps, times, clock, stage_days, grid, diazepam.id)
    return diazepam, grid


def _drug(drug_id: object) -> Drug:
    try:
        return load_catalogue().drug(drug_id)
    except UnknownDrug as exc:
        raise PlanDrugError(exc.message, field="drug") from None


def _method(value: object) -> Method:
    try:
        return Method(value)
    except ValueError:
        choices = ", ".join(m.value for m in Method)
        raise MethodError(f"Choose a method: {choices}.", field="method") from None


def _positive_dose(value: object, field: str) -> Fraction:
    amount = parse_amount(value, what="the dose", field=field, error=PlanDoseError)
    if amount <= 0:
        raise PlanDoseError("Enter a dose above zero, in mg.", field=field)
    return to_fraction(amount)


def _doses(drug: Drug, doses: object) -> tuple[tuple[str, ...], tuple[Fraction, ...]]:
    if not isinstance(doses, Mapping) or not doses:
        raise PlanDoseError("Enter your current dose for at least one time of day.", field="doses")
    if len(doses) > MAX_DOSE_TIMES:
        raise PlanDoseError(f"Enter at most {MAX_DOSE_TIMES} dose times.", field="doses")
    times, amounts = [], []
    for raw_time, raw_amount in doses.items():
        time = raw_time.strip() if isinstance(raw_time, str) else ""
        if not time or len(time) > 40 or time in times:
            raise PlanDoseError(
                "Give each dose time a short, different name (like morning or night).",
                field="doses",
            )
        times.append(time)
        amounts.append(_positive_dose(raw_amount, f"doses.{time}"))
    try:
        check_dose(drug.id, to_decimal(sum(amounts)))
    except DoseError as exc:
        raise PlanDoseError(exc.message, field="doses") from None
    return tuple(times), tuple(amounts)


def _start_date(value: object) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise PlanDateError("Enter the start date as a calendar date.", field="start_date")
    if not EARLIEST_START <= value <= LATEST_START:
        raise PlanDateError(
            f"Choose a start date between {EARLIEST_START.year} and {LATEST_START.year}.",
            field="start_date",
        )
    return value


def _days(value: object, field: str, most: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise CutSizeError(f"Choose a whole number of days from 1 to {most}.", field=field)
    return value


def _holds(holds: object, start: date) -> tuple[Hold, ...]:
    if isinstance(holds, Hold) or not isinstance(holds, list | tuple):
        raise PlanDateError("Holds must be a list.", field="holds")
    checked = []
    for hold in holds:
        if not isinstance(hold, Hold):
            raise PlanDateError("Each hold needs a length and a step or date.", field="holds")
        if isinstance(hold.days, bool) or not isinstance(hold.days, int):
            raise PlanDateError("Give each hold a whole number of days.", field="holds")
        if not 1 <= hold.days <= MAX_HOLD_DAYS:
            raise PlanDateError(f"Holds last 1 to {MAX_HOLD_DAYS} days.", field="holds")
        if (hold.after_step is None) == (hold.on_date is None):
            raise PlanDateError("Give each hold either a step or a date.", field="holds")
        if hold.after_step is not None and (
            isinstance(hold.after_step, bool)
            or not isinstance(hold.after_step, int)
            or hold.after_step < 0
        ):
            raise PlanDateError("A hold's step is a step number, 0 or more.", field="holds")
        if hold.on_date is not None and (
            isinstance(hold.on_date, datetime)
            or not isinstance(hold.on_date, date)
            or hold.on_date < start
        ):
            raise PlanDateError("A hold's date must be on or after the start date.", field="holds")
        checked.append(hold)
    return tuple(checked)


def _check_holds_used(clock: Clock, steps: list[RawStep]) -> None:
    for hold in clock.unused_holds:
        where = (
            f"after step {hold.after_step}"
            if hold.after_step is not None
            else f"from {hold.on_date.isoformat()}"
        )
        raise PlanDateError(
            f"The hold {where} comes after the plan's last step (step {len(steps) - 1} on "
            f"{steps[-1].date.isoformat()}), so there is nothing left to hold.",
            field="holds",
        )


def _cut_share(value: object) -> Fraction:
    cut = parse_amount(value, what="the cut", field="cut", error=CutSizeError)
    if not MIN_CUT_PERCENT <= cut <= MAX_CUT_PERCENT:
        raise CutSizeError(
            f"Choose a cut from {MIN_CUT_PERCENT}% to {MAX_CUT_PERCENT}% of the current dose.",
            field="cut",
        )
    return to_fraction(cut) / 100


def _cut(method: Method, value: object, total: Fraction) -> Fraction:
    if method is not Method.FIXED_AMOUNT:
        return _cut_share(value)
    cut = parse_amount(value, what="the cut", field="cut", error=CutSizeError)
    if cut <= 0 or to_fraction(cut) >= total:
        raise CutSizeError(
            f"Choose a cut above 0 mg and below your daily dose ({format_mg(total)} mg).",
            field="cut",
        )
    return to_fraction(cut)


def _curve(method: Method, start: Fraction, cut: Fraction, interval: int):
    if method is Method.FIXED_AMOUNT:
        return fixed_curve(start, cut)
    if method is Method.DAILY_MICRO_TAPER:
        return proportional_curve(start, cut, intervals_per_cut=interval)
    return proportional_curve(start, cut)


def _target(value, total, drug, grid, caps) -> Fraction:
    amount = parse_amount(value, what="the target", field="target_mg", error=PlanDoseError)
    if amount < 0:
        raise PlanDoseError("The target can't be below zero.", field="target_mg")
    target = to_fraction(amount)
    if target >= total:
        raise PlanDoseError(
            f"Choose a target below the dose the taper starts from ({format_mg(total)} mg of "
            f"{drug.name.lower()} a day), or 0 to taper to zero.",
            field="target_mg",
        )
    shares = [cap / total for cap in caps]
    if target > 0 and grid.split_total(target, list(caps), shares) is None:
        raise StrengthError(
            f"A target of {format_mg(target)} mg a day can't be made with {grid.description}. "
            "Choose a target that can be made, or add a strength.",
            field="target_mg",
        )
    return target


def _require_makeable(grid, amount: Fraction, time: str, drug: Drug) -> None:
    if grid.contains(amount):
        return
    below, above = grid.floor(amount), grid.ceiling(amount)
    options = " or ".join(f"{format_mg(x)} mg" for x in (below, above) if x)
    raise StrengthError(
        f"{format_mg(amount)} mg of {drug.name.lower()} ({time}) can't be made with "
        f"{grid.description}. The nearest amounts that can be made are {options}; add the "
        "strength you use, allow splitting, or choose a liquid.",
        field="supply",
    )


def _final_step_checks(grid, total: Fraction, drug: Drug) -> list[PlanWarning]:
    catalogue = load_catalogue()
    smallest_share = grid.smallest / total
    refuse = to_fraction(catalogue.rule("smallest_amount_max_percent_of_start")) / 100
    advise = to_fraction(catalogue.rule("final_step_percent_of_start")) / 100
    detail = (
        f"With {grid.description}, the smallest amount you can make is "
        f"{format_mg(grid.smallest)} mg, "
        f"{format_mg(round(smallest_share * 100, 1))}% of the {format_mg(total)} mg "
        f"{drug.name.lower()} the taper starts from"
    )
    if smallest_share > refuse:
        raise StrengthError(
            f"{detail}, so the last step to zero would be a large jump. Add a smaller strength, "
            "allow splitting, or use a liquid.",
            field="supply",
        )
    if smallest_share > advise:
        return [
            PlanWarning(
                WARN_LARGE_FINAL_STEP,
                f"{detail}, so the last step to zero is larger than Stepdown's {advise * 100}% "
                "rule. A smaller strength, quartering or a liquid allows a gentler ending.",
            )
        ]
    return []
