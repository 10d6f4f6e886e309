"""Worked examples from the tapering reference, and the generator's handling of bad input."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest

from stepdown.tapering.errors import (
    CutSizeError,
    MethodError,
    PlanDateError,
    PlanDoseError,
    PlanDrugError,
    PlanError,
    PlanTooLongError,
    StrengthError,
    UnknownDrug,
)
from stepdown.tapering.plan_types import (
    WARN_CONVERSION,
    WARN_LARGE_FINAL_STEP,
    WARN_PROVISIONAL,
    WARN_RATE_14_DAYS,
    WARN_RATE_30_DAYS,
    WARN_TWO_DRUGS,
)
from stepdown.tapering.schedule import (
    Hold,
    Method,
    PlanRequest,
    StepKind,
    build_plan,
    proportional_step_count,
    proportional_steps,
)
from stepdown.tapering.supply import LiquidSupply, TabletSupply

START = date(2027, 1, 4)


def _plan(drug="clonazepam", doses=None, method=Method.PROPORTIONAL, cut=10, interval=14, **kw):
    return build_plan(PlanRequest(drug, doses or {"night": 1}, method, cut, interval, START, **kw))


def _total(step):
    return sum(dose.mg for dose in step.doses)


def _step_from(plan, mg):
    """The step that cuts from a daily dose of ``mg``."""
    return next(s for p, s in pairwise(plan.steps) if _total(p) == Decimal(mg))


def test_schedule_fixed_amount_shows_rising_percentages_in_the_trap_example():
    plan = _plan(doses={"morning": 1}, method=Method.FIXED_AMOUNT, cut="0.1")
    assert plan.steps[1].cut_percent == Decimal("10.0")
    assert _step_from(plan, "0.4").cut_percent == Decimal("25.0")
    assert _step_from(plan, "0.2").cut_percent == Decimal("50.0")
    assert plan.steps[-1].cut_percent == Decimal("100.0")
    assert _total(plan.steps[-1]) == 0
    assert WARN_RATE_14_DAYS in plan.warning_codes
    flagged = next(w for w in plan.warnings if w.code == WARN_RATE_14_DAYS).steps
    assert _step_from(plan, "0.3").number in flagged  # 33% in 14 days
    assert _step_from(plan, "0.4").number not in flagged  # exactly 25% is within the limit


def test_schedule_fixed_amount_keeps_the_last_step_small_when_cut_would_reach_zero():
    plan = _plan(doses={"morning": 1}, method=Method.FIXED_AMOUNT, cut="0.1")
    last_dose = _total(plan.steps[-2])
    assert last_dose <= Decimal("0.05")  # 5% of the starting dose: the final-step rule
    assert "final-step rule" in plan.steps[-2].note


def test_schedule_warns_above_ten_percent_a_month_when_cutting_ten_percent_biweekly():
    plan = _plan(drug="diazepam", doses={"night": 20})
    assert plan.steps[1].cut_percent_14_days == Decimal("10.0")
    assert plan.steps[3].cut_percent_30_days == Decimal("27.1")  # three cuts inside 30 days
    assert WARN_RATE_30_DAYS in plan.warning_codes
    assert WARN_RATE_30_DAYS not in plan.steps[1].warning_codes


def test_schedule_step_count_helper_matches_the_reference_arithmetic():
    assert proportional_step_count(20, "0.5", 10) == 35
    assert proportional_step_count(20, "0.5", 5) == 72
    assert proportional_steps(20, "0.5", 10) == pytest.approx(35.01, abs=0.01)


@pytest.mark.parametrize(("cut", "expected"), [(10, 35), (5, 72)])
def test_schedule_proportional_plan_has_the_reference_step_count_when_rounding_off(cut, expected):
    plan = _plan(drug="diazepam", doses={"night": 20}, cut=cut, target_mg="0.5")
    assert plan.change_count == expected
    assert _total(plan.steps[-1]) == Decimal("0.5")
    assert plan.steps[-1].kind is StepKind.FINAL
    weeks = (plan.projected_end_date - START).days / 7
    assert weeks == 2 * expected


def test_schedule_step_count_helper_refuses_impossible_input():
    with pytest.raises(PlanDoseError):
        proportional_steps(1, 2, 10)
    with pytest.raises(CutSizeError):
        proportional_steps(20, 1, 100)


def test_schedule_crossover_switches_one_dose_time_per_stage_holding_the_equivalent():
    plan = _plan(
        drug="lorazepam",
        doses={"morning": 1, "night": 1},
        method=Method.CROSSOVER_TO_DIAZEPAM,
        supply=TabletSupply((1,)),
    )
    start, stage1, stage2, first_cut = plan.steps[:4]
    assert [s.kind for s in (stage1, stage2)] == [StepKind.CROSSOVER, StepKind.CROSSOVER]
    assert [d.drug_id for d in stage1.doses] == ["diazepam", "lorazepam"]
    assert [d.drug_id for d in stage2.doses] == ["diazepam", "diazepam"]
    assert [d.mg for d in stage2.doses] == [10, 10]
    assert stage2.doses[0].take.text == "1 × 10 mg tablet"
    equivalents = [s.primary_equivalent_mg for s in (start, stage1, stage2)]
    assert equivalents == [20, 20, 20]  # lorazepam 1 mg twice daily ≈ diazepam 20 mg
    assert (stage1.date - start.date).days == 7 and (stage2.date - stage1.date).days == 7
    assert first_cut.kind is StepKind.CUT and first_cut.totals_mg == {"diazepam": 18}
    assert plan.final_drug_id == "diazepam" and _total(plan.steps[-1]) == 0
    assert WARN_CONVERSION in plan.warning_codes
    assert {"nhs-scotland", "jcpg-2025", "ashton-2007", "us-labels"} <= set(plan.sources)


def test_schedule_crossover_flags_provisional_figure_and_rounds_diazepam_down():
    plan = _plan(
        drug="zopiclone",
        doses={"night": "7.5"},
        method=Method.CROSSOVER_TO_DIAZEPAM,
        supply=TabletSupply(("7.5",), "halves"),
    )
    assert WARN_PROVISIONAL in plan.warning_codes
    assert plan.steps[1].totals_mg == {"diazepam": 5}  # 7.5 × 10 / 15


def test_schedule_liquid_titration_gives_ml_at_the_measuring_precision():
    plan = _plan(
        doses={"morning": 1, "night": "0.5"},
        method=Method.LIQUID_TITRATION,
        supply=LiquidSupply("0.1", "0.1"),
    )
    assert plan.steps[0].doses[0].take.text == "10 mL"
    assert plan.steps[1].doses[0].take.ml == Decimal(9)
    for step in plan.steps:
        for dose in step.doses:
            assert (dose.take.ml * 10) % 1 == 0
            assert dose.take.ml * Decimal("0.1") == dose.mg


def test_schedule_daily_micro_taper_cuts_daily_at_the_chosen_rate_per_interval():
    plan = _plan(drug="diazepam", doses={"night": 10}, method=Method.DAILY_MICRO_TAPER, cut=10)
    first_fortnight = plan.steps[14]
    assert (first_fortnight.date - START).days == 14
    assert first_fortnight.cumulative_percent == Decimal("10.0")
    assert all((b.date - a.date).days == 1 for a, b in pairwise(plan.steps[:20]))


def test_schedule_holds_postpone_later_steps_after_a_step_or_from_a_date():
    plain = _plan(drug="diazepam", doses={"night": 10})
    held = _plan(
        drug="diazepam",
        doses={"night": 10},
        holds=[Hold(21, after_step=2), Hold(10, on_date=START + timedelta(days=100))],
    )
    assert held.steps[2].date == plain.steps[2].date
    assert held.steps[3].date == plain.steps[3].date + timedelta(days=21)
    assert held.projected_end_date == plain.projected_end_date + timedelta(days=31)
    assert [_total(s) for s in held.steps] == [_total(s) for s in plain.steps]


def test_schedule_stops_at_the_target_when_one_is_chosen():
    plan = _plan(drug="diazepam", doses={"night": 10}, target_mg=5, supply=TabletSupply((2, 5)))
    assert plan.steps[-1].totals_mg == {"diazepam": 5}
    assert "target" in plan.final_step_rule


def test_schedule_labels_the_end_date_not_a_deadline_and_says_not_medical_advice():
    plan = _plan()
    assert "not a deadline" in plan.projected_end_label
    assert "not medical advice" in plan.disclaimer
    assert plan.projected_end_date == plan.steps[-1].date


def test_schedule_warns_when_two_drugs_are_tapered_at_once():
    plan = _plan(other_tapers=["zolpidem"])
    warning = next(w for w in plan.warnings if w.code == WARN_TWO_DRUGS)
    assert "Zolpidem" in warning.message


def test_schedule_warns_when_tablets_make_a_large_last_step():
    plan = _plan(
        drug="temazepam", doses={"night": 30}, supply=TabletSupply(("7.5",), form="capsule")
    )
    assert WARN_LARGE_FINAL_STEP in plan.warning_codes
    assert [_total(s) for s in plan.steps] == [30, Decimal("22.5"), 15, Decimal("7.5"), 0]


def test_schedule_tablet_plan_rounds_every_dose_to_what_the_tablets_make():
    plan = _plan(
        drug="alprazolam",
        doses={"morning": "0.5", "night": 1},
        supply=TabletSupply(("0.25", "0.5", "1"), "quarters"),
    )
    for step in plan.steps:
        for dose in step.doses:
            made = sum(strength * Decimal(count.numerator) / count.denominator
                       for strength, count in dose.take.tablets)  # fmt: skip
            assert made == dose.mg
    assert _total(plan.steps[-2]) <= Decimal("0.0625")


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"drug": "etizolam"}, PlanDrugError, "drug"),
        ({"doses": {"night": 0}}, PlanDoseError, "doses.night"),
        ({"doses": {"night": -1}}, PlanDoseError, "doses.night"),
        ({"doses": {"night": 25}}, PlanDoseError, "doses"),  # above clonazepam's 20 mg bound
        ({"doses": {}}, PlanDoseError, "doses"),
        ({"doses": {"": 1}}, PlanDoseError, "doses"),
        ({"cut": 0}, CutSizeError, "cut"),
        ({"cut": 75}, CutSizeError, "cut"),
        ({"method": Method.FIXED_AMOUNT, "cut": 1}, CutSizeError, "cut"),
        ({"interval": 0}, CutSizeError, "interval_days"),
        ({"interval": 1.5}, CutSizeError, "interval_days"),
        ({"method": "cold_turkey"}, MethodError, "method"),
        ({"method": Method.LIQUID_TITRATION}, MethodError, "supply"),
        ({"target_mg": 1}, PlanDoseError, "target_mg"),
        ({"target_mg": -1}, PlanDoseError, "target_mg"),
        ({"supply": TabletSupply(("0.5",)), "doses": {"night": "0.75"}}, StrengthError, "supply"),
        ({"supply": TabletSupply((1,))}, StrengthError, "supply"),  # 1 mg → 0 in one jump
        ({"supply": TabletSupply(("0.5",), "halves"), "target_mg": "0.3"}, StrengthError,
         "target_mg"),
        ({"holds": [Hold(7, after_step=999)]}, PlanDateError, "holds"),
        ({"holds": [Hold(7, on_date=date(2026, 1, 1))]}, PlanDateError, "holds"),
        ({"holds": [Hold(7, after_step=1, on_date=START)]}, PlanDateError, "holds"),
        ({"holds": [Hold(0, after_step=1)]}, PlanDateError, "holds"),
        ({"start_date": "2027-01-04"}, PlanDateError, "start_date"),
        ({"start_date": date(1900, 1, 1)}, PlanDateError, "start_date"),
        ({"method": Method.DAILY_MICRO_TAPER, "cut": "0.5", "interval": 180}, PlanTooLongError,
         "cut"),
    ],
)  # fmt: skip
def test_schedule_refuses_input_with_a_member_friendly_error_when_unusable(changes, error, field):
    request = {
        "drug_id": changes.get("drug", "clonazepam"),
        "doses": changes.get("doses", {"night": 1}),
        "method": changes.get("method", Method.PROPORTIONAL),
        "cut": changes.get("cut", 10),
        "interval_days": changes.get("interval", 14),
        "start_date": changes.get("start_date", START),
    }
    extra = {k: v for k, v in changes.items() if k in {"supply", "holds", "target_mg"}}
    with pytest.raises(error) as caught:
        build_plan(PlanRequest(**request, **extra))
    assert isinstance(caught.value, PlanError)
    assert caught.value.field == field
    assert str(caught.value).endswith((".", ")"))


def test_schedule_unknown_drug_error_is_also_an_unknown_drug():
    with pytest.raises(UnknownDrug):
        _plan(drug="etizolam")


def test_schedule_refuses_crossover_when_already_on_diazepam():
    with pytest.raises(MethodError, match="already take diazepam"):
        _plan(drug="diazepam", doses={"night": 10}, method=Method.CROSSOVER_TO_DIAZEPAM)
