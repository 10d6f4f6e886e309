"""Properties of the plan generator for any valid request (Hypothesis).

Each property is checked independently of the generator's own bookkeeping where it can be:
amounts are rebuilt from the tablet counts or mL in each step, and the 14-day rate is
recomputed from the dates and doses.
"""

import math
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from stepdown.tapering.catalogue import get_drug, load_catalogue
from stepdown.tapering.equivalence import primary_factor
from stepdown.tapering.plan_types import WARN_RATE_14_DAYS, WARN_TARGET_NOT_EXACT
from stepdown.tapering.schedule import (
    Hold,
    Method,
    PlanRequest,
    StepKind,
    build_plan,
    proportional_steps,
)
from stepdown.tapering.supply import LiquidSupply, Split, TabletSupply, build_grid

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)
TABLET_DRUGS = ("alprazolam", "clonazepam", "lorazepam", "diazepam")
PIECES_PER_TABLET = {Split.WHOLE: 1, Split.HALVES: 2, Split.QUARTERS: 4}
DIAZEPAM_SUPPLY = TabletSupply((Decimal(2), Decimal(5), Decimal(10)), Split.HALVES)


@st.composite
def plan_requests(draw):
    method = draw(st.sampled_from(list(Method)))
    drugs = [
        d for d in TABLET_DRUGS if not (method is Method.CROSSOVER_TO_DIAZEPAM and d == "diazepam")
    ]
    drug = get_drug(draw(st.sampled_from(drugs)))
    kinds = ["liquid"] if method is Method.LIQUID_TITRATION else ["tablets", "liquid", "exact"]
    kind = draw(st.sampled_from(kinds))
    times = draw(
        st.lists(
            st.sampled_from(["morning", "midday", "night"]), min_size=1, max_size=3, unique=True
        )
    )
    if kind == "exact":
        supply, piece, least = None, Decimal("0.01"), 10
    elif kind == "liquid":
        concentration = draw(st.sampled_from([Decimal("0.05"), Decimal("0.1"), Decimal("1")]))
        precision = draw(st.sampled_from([Decimal("0.1"), Decimal("0.5")]))
        supply, piece, least = LiquidSupply(concentration, precision), concentration * precision, 20
    else:
        strengths = draw(
            st.lists(st.sampled_from(drug.tablet_strengths_mg), min_size=1, max_size=3, unique=True)
        )
        split = draw(st.sampled_from(list(Split)))
        supply = TabletSupply(tuple(sorted(strengths)), split)
        # Any number of the smallest pieces can be made; at least 4 keeps the smallest amount
        # within 25% of the dose, so the supply is never refused for a gradual ending.
        piece, least = min(strengths) / PIECES_PER_TABLET[split], 4
    most = math.floor(drug.max_daily_mg / (piece * len(times)))
    assume(most >= least)
    counts = [draw(st.integers(least, min(most, least * 8))) for _ in times]
    doses = {time: piece * count for time, count in zip(times, counts, strict=True)}
    total = sum(doses.values())
    if method is Method.CROSSOVER_TO_DIAZEPAM:
        factor = primary_factor(drug.id)
        # Each dose time must be worth at least one piece of diazepam (1 mg, half a 2 mg tablet)
        # and the total at least four, or the supply is rightly refused. Each time's diazepam is
        # rounded down to an amount the tablets make, and whole mg always can be made, so the
        # whole mg per time bound the starting total from below (0.11 + 0.29 mg lorazepam is
        # 4 mg of diazepam, but 1 + 2.5 mg once rounded: refused, rightly).
        assume(all(Fraction(mg) * factor >= 1 for mg in doses.values()))
        assume(sum(math.floor(Fraction(mg) * factor) for mg in doses.values()) >= 4)
    if method is Method.FIXED_AMOUNT:
        cut = (total * draw(st.decimals("0.05", "0.3", places=2))).quantize(Decimal("0.0001"))
        assume(cut > 0)
    elif method is Method.DAILY_MICRO_TAPER:
        cut = draw(st.decimals("10", "30", places=1))
    else:
        cut = draw(st.decimals("3", "50", places=1))
    interval = draw(
        st.integers(7, 21) if method is Method.DAILY_MICRO_TAPER else st.integers(1, 42)
    )
    target = Decimal(0)
    if method is not Method.CROSSOVER_TO_DIAZEPAM and draw(st.booleans()):
        target = piece * draw(st.integers(1, sum(counts) - 1))
    start = draw(st.dates(date(2026, 1, 1), date(2030, 12, 31)))
    holds = draw(
        st.lists(
            st.builds(Hold, days=st.integers(1, 30), after_step=st.just(0))
            | st.builds(Hold, days=st.integers(1, 30), on_date=st.just(start)),
            max_size=2,
        )
    )
    others = draw(st.sampled_from([(), ("zolpidem",)]))
    return PlanRequest(drug.id, doses, method, cut, interval, start, supply, holds, target, others)


def _grid_for(request, plan, drug_id):
    supply = request.supply if drug_id == request.drug_id else DIAZEPAM_SUPPLY
    largest = max(d.mg for s in plan.steps for d in s.doses if d.drug_id == drug_id)
    return build_grid(supply, Fraction(largest))


def _made_amount(request, dose):
    """Rebuild the mg from how the step says to take it, checking the supply allows it."""
    supply = request.supply if dose.drug_id == request.drug_id else DIAZEPAM_SUPPLY
    if supply is None:
        assert (dose.mg * 10_000) % 1 == 0
        return dose.mg
    if isinstance(supply, LiquidSupply):
        assert (dose.take.ml / Decimal(supply.precision_ml)) % 1 == 0
        return dose.take.ml * Decimal(supply.mg_per_ml)
    pieces = PIECES_PER_TABLET[Split(supply.split)]
    made = Decimal(0)
    for strength, count in dose.take.tablets:
        assert strength in supply.strengths_mg
        assert (count * pieces).denominator == 1
        made += strength * count.numerator / count.denominator
    return made


@PROPERTY_SETTINGS
@given(plan_requests())
def test_schedule_plan_keeps_its_promises_for_any_valid_request(request):
    plan = build_plan(request)
    steps = plan.steps

    # Finite and bounded; dates strictly increase; the end date is the last step's.
    assert 2 <= len(steps) <= int(load_catalogue().rule("max_plan_steps")) + 1
    assert all(a.date < b.date for a, b in pairwise(steps))
    assert plan.projected_end_date == steps[-1].date

    # The dose never rises: not in total, and not at any dose time.
    levels = [sum(Fraction(d.mg) * primary_factor(d.drug_id) for d in s.doses) for s in steps]
    assert all(b <= a for a, b in pairwise(levels))
    for before, after in pairwise(steps):
        for old, new in zip(before.doses, after.doses, strict=True):
            assert Fraction(new.mg) * primary_factor(new.drug_id) <= Fraction(
                old.mg
            ) * primary_factor(old.drug_id)

    # Every dose can be made with the supply, as the step says to take it.
    for step in steps:
        for dose in step.doses:
            assert _made_amount(request, dose) == dose.mg

    # Above 25% in any 14 days is always warned (and only then).
    flagged = set(next((w.steps for w in plan.warnings if w.code == WARN_RATE_14_DAYS), ()))
    for index, step in enumerate(steps):
        earlier = [i for i in range(index) if steps[i].date <= step.date - timedelta(days=14)]
        reference = levels[earlier[-1]] if earlier else levels[0]
        over = index > 0 and 1 - levels[index] / reference > Fraction(1, 4)
        assert (index in flagged) is over
        assert (WARN_RATE_14_DAYS in step.warning_codes) is over

    # It ends at zero, or at the member's target (or the closest makeable dose above it).
    final_total = sum(d.mg for d in steps[-1].doses)
    target = Decimal(request.target_mg)
    assert steps[-1].kind is StepKind.FINAL or WARN_TARGET_NOT_EXACT in plan.warning_codes
    if target == 0:
        assert final_total == 0
    else:
        assert final_total == target or (
            final_total > target and WARN_TARGET_NOT_EXACT in plan.warning_codes
        )


@PROPERTY_SETTINGS
@given(plan_requests().filter(lambda r: Decimal(r.target_mg) == 0))
def test_schedule_last_step_to_zero_is_small_for_any_valid_request(request):
    plan = build_plan(request)
    phase_start = next(
        s for s in reversed(plan.steps) if s.kind in (StepKind.START, StepKind.CROSSOVER)
    )
    start_total = sum(Fraction(d.mg) for d in phase_start.doses)
    grid = _grid_for(request, plan, plan.final_drug_id)
    limit = max(start_total * Fraction(5, 100), grid.smallest)
    last_dose = sum(Fraction(d.mg) for d in plan.steps[-2].doses)
    assert 0 < last_dose <= limit


@settings(max_examples=100, deadline=None)
@given(
    start=st.decimals("1", "40", places=1),
    end_share=st.decimals("0.02", "0.5", places=2),
    cut=st.decimals("2", "40", places=1),
)
def test_schedule_proportional_step_count_matches_the_formula_when_rounding_off(
    start, end_share, cut
):
    target = (start * end_share).quantize(Decimal("0.01"))
    assume(target > 0)
    request = PlanRequest("diazepam", {"night": start}, Method.PROPORTIONAL, cut, 14,
                          date(2027, 1, 4), target_mg=target)  # fmt: skip
    plan = build_plan(request)
    expected = proportional_steps(start, target, cut)
    assert math.floor(expected) <= plan.change_count <= math.ceil(expected)
