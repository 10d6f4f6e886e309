"""The step engine behind ``schedule.build_plan``: ideal curves, rounding, crossover and holds.

Each method defines an ideal daily total after k intervals (a curve). Every interval the ideal
total is shared across the dose times in their starting proportions, each share is rounded to
the nearest amount the supply can make (never above what that dose time had before), and single
dose times are then nudged a notch while that brings the total closer to the curve. A step is
recorded only when something changes: with tablets a dose is kept for several intervals until the
curve has fallen far enough for the next makeable amount, so the average pace follows the curve
even when single steps cannot. A target counts as reached once the curve is within 1% of it.

Final-step rule (target 0): the plan steps to zero only from a daily dose at or below the final
limit, the larger of 5% of the starting daily dose (catalogue rule) and the smallest amount the
supply can make. When the curve or a fixed cut would jump to zero from above the limit, one more
step goes to the largest makeable total within the limit first.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from stepdown.tapering.amounts import format_mg
from stepdown.tapering.dose_grid import DoseGrid
from stepdown.tapering.equivalence import primary_factor
from stepdown.tapering.errors import PlanTooLongError, StrengthError
from stepdown.tapering.plan_types import Hold, StepKind

# Within 1% of the target counts as reaching it, so a proportional curve that lands a hair above
# the target (20 mg → 0.5006 mg after 35 cuts of 10%) does not add a pointless 0.1% step.
SNAP_TO_TARGET = Fraction(1, 100)
MAX_ITERATIONS = 20_000  # intervals evaluated, including those that change nothing
MAX_PLAN_DAYS = 365 * 40

Curve = Callable[[int], float | Fraction]


@dataclass(frozen=True)
class RawStep:
    date: date
    kind: StepKind
    amounts: tuple[Fraction, ...]  # mg per dose time
    drugs: tuple[str, ...]  # drug per dose time
    note: str


@dataclass(frozen=True)
class TaperPhase:
    drug_id: str
    grid: DoseGrid
    curve: Curve  # ideal daily total after k intervals
    step_days: int
    target: Fraction
    final_limit: Fraction


def proportional_curve(start: Fraction, cut_share: Fraction, intervals_per_cut: int = 1) -> Curve:
    """start × (1 − p)^(k / intervals_per_cut); >1 spreads one cut over daily steps."""
    factor = 1 - float(cut_share)
    return lambda k: float(start) * factor ** (k / intervals_per_cut)


def fixed_curve(start: Fraction, cut_mg: Fraction) -> Curve:
    """start − k × cut, exact so that 1 − 3 × 0.1 is 0.7 and not 0.7000000000000001."""
    return lambda k: max(Fraction(0), start - k * cut_mg)


class Clock:
    """Dates of the plan's intervals; holds push every later change back by their length."""

    def __init__(self, start: date, holds: Sequence[Hold]) -> None:
        self.start = start
        self.cursor = start
        self._pending = sorted(holds, key=lambda h: (h.on_date or date.max, h.after_step or 0))

    def advance(self, days: int, last_step: int) -> date:
        """Move one interval on from the previous one, then apply holds that have come due."""
        self.cursor += timedelta(days=days)
        for hold in list(self._pending):
            due = (hold.after_step is not None and hold.after_step <= last_step) or (
                hold.on_date is not None and hold.on_date <= self.cursor
            )
            if due:
                self.cursor += timedelta(days=hold.days)
                self._pending.remove(hold)
        if (self.cursor - self.start).days > MAX_PLAN_DAYS:
            raise PlanTooLongError(
                f"This plan would run for more than {MAX_PLAN_DAYS // 365} years. Choose a "
                "larger cut or a shorter interval, or plan a first stretch and re-plan later.",
                field="cut",
            )
        return self.cursor

    @property
    def unused_holds(self) -> tuple[Hold, ...]:
        return tuple(self._pending)


def run_crossover(
    steps: list[RawStep],
    times: Sequence[str],
    clock: Clock,
    stage_days: int,
    diazepam_grid: DoseGrid,
    diazepam_id: str,
) -> tuple[Fraction, ...]:
    """Switch one dose time per stage to its diazepam equivalent; returns the diazepam doses.

    The equivalent uses the primary (Ashton) figure and is rounded down to a makeable amount, so
    the total diazepam-equivalent is held (never raised) while the drug changes.
    """
    amounts, drugs = list(steps[-1].amounts), list(steps[-1].drugs)
    for index, time in enumerate(times):
        when = clock.advance(stage_days, len(steps) - 1)
        equivalent = amounts[index] * primary_factor(drugs[index])
        switched = diazepam_grid.floor(equivalent)
        if switched == 0:
            raise StrengthError(
                f"The {time} dose is about {format_mg(round(equivalent, 3))} mg of diazepam, "
                f"less than the smallest diazepam amount available "
                f"({format_mg(diazepam_grid.smallest)} mg). Consider tapering it directly.",
                field="diazepam_supply",
            )
        amounts[index], drugs[index] = switched, diazepam_id
        note = (
            f"Stage {index + 1} of {len(times)}: take {format_mg(switched)} mg diazepam instead "
            f"of the {time} dose (≈ {format_mg(round(equivalent, 3))} mg by the Ashton figure)."
        )
        steps.append(RawStep(when, StepKind.CROSSOVER, tuple(amounts), tuple(drugs), note))
    return tuple(amounts)


def run_taper(phase: TaperPhase, steps: list[RawStep], clock: Clock, max_steps: int) -> bool:
    """Append the phase's steps to ``steps``; False if the target could not be made exactly."""
    current = list(steps[-1].amounts)
    drugs = tuple(phase.drug_id for _ in current)
    shares = [amount / sum(current) for amount in current]
    for k in range(1, MAX_ITERATIONS + 1):
        if sum(current) <= phase.target:
            return True
        when = clock.advance(phase.step_days, len(steps) - 1)
        proposal = _next_amounts(phase, k, current, shares)
        if proposal is None:
            return False
        amounts, kind, note = proposal
        if amounts != current:
            steps.append(RawStep(when, kind, tuple(amounts), drugs, note))
            current = amounts
            if len(steps) - 1 > max_steps:
                raise _too_long(f"more than {max_steps} steps")
    raise _too_long("too many intervals")


def _next_amounts(
    phase: TaperPhase, k: int, current: list[Fraction], shares: list[Fraction]
) -> tuple[list[Fraction], StepKind, str] | None:
    total = sum(current)
    if phase.target == 0 and total <= phase.final_limit:
        return [Fraction(0)] * len(current), StepKind.FINAL, "Last step: zero."
    aim = phase.curve(k)
    if aim <= phase.target * (1 + SNAP_TO_TARGET):
        return _finish(phase, current, shares)
    rounded = [
        phase.grid.nearest(aim * share, cap) for share, cap in zip(shares, current, strict=True)
    ]
    rounded = phase.grid.nudge_towards(rounded, current, aim, shares)
    if sum(rounded) <= phase.target:
        return _finish(phase, current, shares)
    return rounded, StepKind.CUT, ""


def _finish(
    phase: TaperPhase, current: list[Fraction], shares: list[Fraction]
) -> tuple[list[Fraction], StepKind, str] | None:
    """The step that reaches the target, or for target 0 the small step just before zero."""
    grid = phase.grid
    if phase.target == 0:
        within = grid.largest_total_at_most(phase.final_limit, current)
        note = (
            f"Small last dose before zero: at most {format_mg(phase.final_limit)} mg a day "
            "(final-step rule)."
        )
        return grid.split_total(within, current, shares), StepKind.CUT, note
    amounts = grid.split_total(phase.target, current, shares)
    if amounts is not None:
        return amounts, StepKind.FINAL, f"Target reached: {format_mg(phase.target)} mg a day."
    nearest = grid.smallest_total_at_least(phase.target, current)
    if nearest is None or nearest >= sum(current):
        return None
    note = f"Closest makeable dose to the target: {format_mg(nearest)} mg a day."
    return grid.split_total(nearest, current, shares), StepKind.FINAL, note


def _too_long(detail: str) -> PlanTooLongError:
    return PlanTooLongError(
        f"This plan would need {detail}. Choose a larger cut or a longer interval, or plan a "
        "first stretch and re-plan from there.",
        field="cut",
    )
