"""Turns the engine's raw steps into the ``Plan`` members see: amounts, how to take them,
percentages, diazepam-equivalent ranges and warnings, each warning with its source."""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from stepdown.tapering.amounts import format_mg, percent, round_significant, to_decimal
from stepdown.tapering.catalogue import Drug, load_catalogue
from stepdown.tapering.dose_grid import DoseGrid
from stepdown.tapering.equivalence import equivalent_bounds, primary_factor
from stepdown.tapering.plan_types import (
    WARN_CONVERSION,
    WARN_LARGE_VOLUME,
    WARN_PROVISIONAL,
    WARN_TARGET_NOT_EXACT,
    WARN_TWO_DRUGS,
    DoseAtTime,
    Method,
    Plan,
    PlanRequest,
    PlanWarning,
    Step,
)
from stepdown.tapering.rates import rate_warnings, step_rates
from stepdown.tapering.taper_steps import RawStep

LARGE_VOLUME_ML = Decimal(100)


def assemble_plan(
    *,
    request: PlanRequest,
    method: Method,
    drug: Drug,
    final_drug: Drug,
    times: Sequence[str],
    steps: list[RawStep],
    grids: Mapping[str, DoseGrid],
    target: Fraction,
    target_reached: bool,
    final_limit: Fraction,
    extra_warnings: list[PlanWarning],
) -> Plan:
    """Build the ``Plan`` from raw steps; see ``schedule.build_plan`` for the meaning."""
    catalogue = load_catalogue()
    levels = [
        sum((a * primary_factor(d) for a, d in zip(s.amounts, s.drugs, strict=True)), Fraction(0))
        for s in steps
    ]
    dates = [step.date for step in steps]
    rates = step_rates(dates, levels)
    warnings, codes_by_step = rate_warnings(rates, dates, catalogue)
    warnings += extra_warnings
    warnings += _other_tapers_warning(request.other_tapers, drug)
    if method is Method.CROSSOVER_TO_DIAZEPAM:
        warnings += _crossover_warnings(drug)
    if not target_reached:
        warnings.append(
            PlanWarning(
                WARN_TARGET_NOT_EXACT,
                f"Your supply can't make exactly {format_mg(target)} mg a day from the step "
                f"before, so the plan ends at {format_mg(sum(steps[-1].amounts))} mg a day.",
                (len(steps) - 1,),
            )
        )
    built = []
    for number, raw in enumerate(steps):
        doses = tuple(
            DoseAtTime(time, drug_id, to_decimal(amount), grids[drug_id].take(amount))
            for time, drug_id, amount in zip(times, raw.drugs, raw.amounts, strict=True)
        )
        low = high = Fraction(0)
        totals: dict[str, Fraction] = {}
        for drug_id, amount in zip(raw.drugs, raw.amounts, strict=True):
            step_low, step_high = equivalent_bounds(drug_id, amount)
            low, high = low + step_low, high + step_high
            totals[drug_id] = totals.get(drug_id, Fraction(0)) + amount
        following = steps[number + 1].date if number + 1 < len(steps) else None
        built.append(
            Step(
                number=number,
                date=raw.date,
                kind=raw.kind,
                doses=doses,
                totals_mg={drug_id: to_decimal(mg) for drug_id, mg in totals.items()},
                diazepam_equivalent_low_mg=round_significant(low),
                diazepam_equivalent_high_mg=round_significant(high),
                primary_equivalent_mg=to_decimal(levels[number], places=4),
                cut_percent=percent(rates[number].cut),
                cut_percent_14_days=percent(rates[number].by_window[14]),
                cut_percent_30_days=percent(rates[number].by_window[30]),
                cumulative_percent=percent(rates[number].cumulative),
                days_at_dose=None if following is None else (following - raw.date).days,
                note=raw.note,
                warning_codes=tuple(codes_by_step.get(number, ())),
            )
        )
    warnings += _volume_warning(built)
    return Plan(
        drug_id=drug.id,
        final_drug_id=final_drug.id,
        method=method,
        start_date=steps[0].date,
        target_mg=to_decimal(target),
        steps=tuple(built),
        projected_end_date=steps[-1].date,
        warnings=tuple(warnings),
        supply_description="; ".join(
            f"{catalogue.drug(drug_id).name}: {grid.description}" for drug_id, grid in grids.items()
        ),
        final_step_rule=_final_step_rule(target, final_limit),
        sources=_sources(method, steps, warnings, request.diazepam_supply is None),
    )


def _final_step_rule(target: Fraction, final_limit: Fraction) -> str:
    if target > 0:
        return (
            f"The plan stops at your target of {format_mg(target)} mg a day. Staying at a lower "
            "dose is an acceptable goal (2025 Joint Guideline)."
        )
    return (
        f"The plan steps to zero only from {format_mg(final_limit)} mg a day or less: the larger "
        "of 5% of the starting daily dose and the smallest amount your supply can make."
    )


def _other_tapers_warning(other_tapers: Sequence[str], drug: Drug) -> list[PlanWarning]:
    names = [str(name).strip() for name in other_tapers if str(name).strip()]
    if not names:
        return []
    catalogue = load_catalogue()
    shown = [catalogue.drugs[n].name if n in catalogue.drugs else n for n in names]
    return [
        PlanWarning(
            WARN_TWO_DRUGS,
            f"You are also tapering {', '.join(shown)}. Tapering one drug at a time is advised, "
            f"so withdrawal effects can be told apart; talk with your prescriber about whether "
            f"to taper {drug.name.lower()} now or later.",
        )
    ]


def _crossover_warnings(drug: Drug) -> list[PlanWarning]:
    catalogue = load_catalogue()
    figure = drug.figure(catalogue.primary_source_id)
    middle = (
        ""
        if figure.mg.is_single
        else f" (a range; the plan uses the middle, {figure.mg.midpoint} mg)"
    )
    warnings = [
        PlanWarning(
            WARN_CONVERSION,
            f"Switching is approximate: conversion between benzodiazepines is not straightforward. "
            f"The plan uses the Ashton figure, {drug.name.lower()} {figure.mg} mg ≈ diazepam 10 mg"
            f"{middle}, and switches one dose time about every week, which tends to work better "
            "than switching in a day or two. Switching is optional, not required. Tell your "
            "prescriber if you feel over- or under-medicated.",
            source_id="jcpg-2025",
        )
    ]
    if figure.provisional:
        warnings.append(
            PlanWarning(
                WARN_PROVISIONAL,
                f"The Ashton figure for {drug.name.lower()} comes from a secondary copy of the "
                "table and has not been checked against the original yet (provisional).",
                source_id=catalogue.primary_source_id,
            )
        )
    return warnings


def _volume_warning(steps: list[Step]) -> list[PlanWarning]:
    large = [
        step.number
        for step in steps
        if any(dose.take.ml is not None and dose.take.ml > LARGE_VOLUME_ML for dose in step.doses)
    ]
    if not large:
        return []
    return [
        PlanWarning(
            WARN_LARGE_VOLUME,
            f"Some doses need more than {LARGE_VOLUME_ML} mL of liquid; a stronger liquid may be "
            "easier to measure and take.",
            tuple(large),
        )
    ]


def _sources(
    method: Method, steps: list[RawStep], warnings: list[PlanWarning], default_diazepam: bool
) -> tuple[str, ...]:
    catalogue = load_catalogue()
    rules = ["warn_cut_percent_per_14_days", "warn_cut_percent_per_30_days"]
    if method is Method.CROSSOVER_TO_DIAZEPAM:
        rules.append("crossover_stage_days")
    found = [catalogue.primary_source_id]
    found += [catalogue.taper_rules[rule].source_id for rule in rules]
    for drug_id in dict.fromkeys(d for step in steps for d in step.drugs):
        drug = catalogue.drug(drug_id)
        found += [figure.source_id for figure in drug.equivalents]
        crossed = method is Method.CROSSOVER_TO_DIAZEPAM and default_diazepam
        if crossed and drug_id == catalogue.reference_drug_id:
            found += [form.source_id for form in drug.forms if form.form == "tablet"]
    found += [warning.source_id for warning in warnings]
    return tuple(source for source in dict.fromkeys(found) if source)
