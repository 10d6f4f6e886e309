"""How fast a plan goes: percentage cut per step, per trailing 14 and 30 days, and in total.

The fixed-amount trap is why this exists: equal mg cuts are rising percentage cuts, so every
plan shows the percentage of the current dose and warns where a window goes past the limits in
the catalogue's taper rules (above 25% in any 14 days, above 10% in any 30 days).
"""

import bisect
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from stepdown.tapering.amounts import percent
from stepdown.tapering.catalogue import Catalogue
from stepdown.tapering.plan_types import WARN_RATE_14_DAYS, WARN_RATE_30_DAYS, PlanWarning

WINDOWS_DAYS = (14, 30)
_RULE_FOR_WINDOW = {14: "warn_cut_percent_per_14_days", 30: "warn_cut_percent_per_30_days"}
_CODE_FOR_WINDOW = {14: WARN_RATE_14_DAYS, 30: WARN_RATE_30_DAYS}


@dataclass(frozen=True)
class StepRate:
    """Cuts as exact shares (0.25 = 25%) of the dose before the step or window."""

    cut: Fraction
    by_window: dict[int, Fraction]  # window length in days -> share cut within it
    cumulative: Fraction


def step_rates(dates: list[date], levels: list[Fraction]) -> list[StepRate]:
    """Rates for each step, given its date and dose level (a common unit, e.g. diazepam mg).

    A window of W days ending on a step's date compares the new dose with the dose in effect W
    days earlier (the start dose if that is before the plan), so it counts every cut made in the
    W days up to and including the step.
    """
    rates = [StepRate(Fraction(0), {w: Fraction(0) for w in WINDOWS_DAYS}, Fraction(0))]
    for index in range(1, len(levels)):
        level = levels[index]
        by_window = {}
        for window in WINDOWS_DAYS:
            cutoff = dates[index] - timedelta(days=window)
            in_effect = max(bisect.bisect_right(dates, cutoff, hi=index) - 1, 0)
            by_window[window] = _share_cut(levels[in_effect], level)
        rates.append(
            StepRate(
                cut=_share_cut(levels[index - 1], level),
                by_window=by_window,
                cumulative=_share_cut(levels[0], level),
            )
        )
    return rates


def rate_warnings(
    rates: list[StepRate], dates: list[date], catalogue: Catalogue
) -> tuple[list[PlanWarning], dict[int, list[str]]]:
    """Warnings for windows above the catalogue's limits, and the warning codes per step."""
    warnings = []
    codes_by_step: dict[int, list[str]] = {}
    for window in WINDOWS_DAYS:
        rule = catalogue.taper_rules[_RULE_FOR_WINDOW[window]]
        limit = Fraction(rule.value) / 100
        over = [i for i, rate in enumerate(rates) if rate.by_window[window] > limit]
        if not over:
            continue
        code = _CODE_FOR_WINDOW[window]
        for index in over:
            codes_by_step.setdefault(index, []).append(code)
        worst = max(over, key=lambda i: rates[i].by_window[window])
        source = catalogue.sources[rule.source_id].short_name if rule.source_id else "Stepdown"
        message = (
            f"{_count(over)} cut more than {rule.value}% of the dose within {window} days "
            f"(the largest: {percent(rates[worst].by_window[window])}% by step {worst} on "
            f"{dates[worst].isoformat()}). {source}: {rule.basis} Consider smaller cuts, a "
            "longer interval, a hold, or a smaller strength or liquid, and talk it over with "
            "your prescriber."
        )
        warnings.append(PlanWarning(code, message, tuple(over), rule.source_id))
    return warnings, codes_by_step


def _share_cut(before: Fraction, after: Fraction) -> Fraction:
    if before <= 0:
        return Fraction(0)
    return max(Fraction(0), 1 - after / before)


def _count(steps: list[int]) -> str:
    return "1 step" if len(steps) == 1 else f"{len(steps)} steps"
