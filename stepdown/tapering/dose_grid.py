"""Which doses a supply can make: grids of makeable amounts, and how to take each amount.

A grid counts amounts in whole ``unit``s (Fractions of mg). ``LatticeGrid`` makes every multiple
(a measured liquid, or exact amounts); ``TabletGrid`` makes sums of whole, half or quarter
tablets, found once by a small dynamic programme that also picks the simplest way to take each
amount. Built by ``stepdown.tapering.supply.build_grid``.
"""

import bisect
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from stepdown.tapering.amounts import format_mg, to_decimal, to_fraction

SOLID_FORM_NAMES = {
    "tablet": "tablet",
    "orally_disintegrating_tablet": "orally disintegrating tablet",
    "capsule": "capsule",
}


class Split(StrEnum):
    WHOLE = "whole"
    HALVES = "halves"
    QUARTERS = "quarters"


_PIECES = {
    Split.WHOLE: (Fraction(1),),
    Split.HALVES: (Fraction(1), Fraction(1, 2)),
    Split.QUARTERS: (Fraction(1), Fraction(1, 2), Fraction(1, 4)),
}
# When several combinations make the same amount, prefer whole tablets, then halves, then
# quarters, and fewer pieces: two halves of one tablet (10) always lose to the whole tablet (4).
_PIECE_COST = {Fraction(1): 4, Fraction(1, 2): 5, Fraction(1, 4): 6}
_SPLIT_WORDS = {
    Split.WHOLE: " (whole only)",
    Split.HALVES: " (halves allowed)",
    Split.QUARTERS: " (halves and quarters allowed)",
}
_VULGAR = {Fraction(1, 4): "¼", Fraction(1, 2): "½", Fraction(3, 4): "¾"}


@dataclass(frozen=True)
class Take:
    """How to take one dose: the mg, a plain description, and the tablets or mL behind it."""

    mg: Decimal
    text: str
    tablets: tuple[tuple[Decimal, Fraction], ...] = ()  # (strength mg, count such as 3/2)
    ml: Decimal | None = None


class DoseGrid(ABC):
    """Amounts that are multiples of ``unit``; subclasses restrict which multiples are makeable."""

    unit: Fraction
    description: str

    def units(self, mg: Fraction) -> int:
        return int(mg / self.unit)

    def contains(self, mg: Fraction) -> bool:
        count = mg / self.unit
        return count.denominator == 1 and self._reachable(int(count))

    @property
    def smallest(self) -> Fraction:
        """The smallest amount above zero this supply can make."""
        return self._above(1) * self.unit

    def nearest(self, aim: float | Fraction, cap: Fraction) -> Fraction:
        """The makeable amount nearest ``aim``, never above ``cap`` (itself makeable).

        Ties go to the larger amount: between two equally close doses the gentler one wins.
        """
        cap_units = self.units(cap)
        position = aim / self.unit
        if position >= cap_units:
            return cap
        below = self._below(math.floor(position))
        above = self._above(math.ceil(position))
        if above is None or above > cap_units or position - below < above - position:
            return below * self.unit
        return above * self.unit

    def floor(self, mg: Fraction) -> Fraction:
        """The largest makeable amount not above ``mg`` (possibly zero)."""
        return self._below(math.floor(mg / self.unit)) * self.unit

    def ceiling(self, mg: Fraction) -> Fraction | None:
        """The smallest makeable amount not below ``mg``, or None beyond the grid."""
        above = self._above(math.ceil(mg / self.unit))
        return None if above is None else above * self.unit

    def next_below(self, mg: Fraction) -> Fraction | None:
        """The makeable amount just below ``mg`` (itself makeable), or None at zero."""
        units = self.units(mg)
        return None if units == 0 else self._below(units - 1) * self.unit

    def next_above(self, mg: Fraction) -> Fraction | None:
        """The makeable amount just above ``mg`` (itself makeable), or None beyond the grid."""
        above = self._above(self.units(mg) + 1)
        return None if above is None else above * self.unit

    def nudge_towards(
        self,
        amounts: list[Fraction],
        caps: list[Fraction],
        aim: float | Fraction,
        shares: list[Fraction],
    ) -> list[Fraction]:
        """Move single dose times one makeable notch while that brings the total closer to aim.

        Rounding each dose time on its own can miss totals the times make together: with
        diazepam 2 mg tablets in halves 1.5 mg can't be made, so 2 + 2 rounds to 1 + 1 although
        2 + 1 = 3 mg is what the curve asks for. Among equally good moves the one closest to the
        dose time's share wins, then the earlier dose time (so a night dose is kept longest).
        """
        units = [self.units(amount) for amount in amounts]
        limits = [self.units(cap) for cap in caps]
        goal = float(aim / self.unit)
        ideals = [goal * float(share) for share in shares]
        # Integer arithmetic in grid units: this runs once per interval of every plan.
        for _ in range(4 * len(units)):
            total = sum(units)
            if abs(total - goal) <= 0.5:  # no single notch (≥ 1 unit) can get closer
                break
            best_key: tuple[float, float] = (abs(total - goal), float("-inf"))
            best_move = None
            for index, amount in enumerate(units):
                lower = self._below(amount - 1) if amount > 0 else None
                for candidate in (lower, self._above(amount + 1)):
                    if candidate is None or candidate > limits[index]:
                        continue
                    key = (abs(total - amount + candidate - goal), abs(candidate - ideals[index]))
                    if key < best_key:
                        best_key, best_move = key, (index, candidate)
            if best_move is None:
                break
            units[best_move[0]] = best_move[1]
        return [count * self.unit for count in units]

    def split_total(
        self, total: Fraction, caps: list[Fraction], shares: list[Fraction]
    ) -> list[Fraction] | None:
        """Makeable amounts per dose time, each ≤ its cap, adding up to exactly ``total``.

        Amounts follow ``shares`` as closely as the supply allows; None when no split exists.
        """
        target = total / self.unit
        if target.denominator != 1:
            return None
        cap_units = [self.units(cap) for cap in caps]
        suffix = self._suffix_totals(cap_units)
        remaining = int(target)
        if not suffix[0].contains(remaining):
            return None
        amounts = []
        for index, cap in enumerate(cap_units):
            ideal = target * shares[index]
            choice = self._best_part(ideal, remaining, cap, suffix[index + 1])
            amounts.append(choice * self.unit)
            remaining -= choice
        return amounts

    def largest_total_at_most(self, limit: Fraction, caps: list[Fraction]) -> Fraction:
        """The largest total (possibly 0) the dose times can make within their caps, ≤ limit."""
        totals = self._suffix_totals([self.units(cap) for cap in caps])[0]
        return totals.at_most(math.floor(limit / self.unit)) * self.unit

    def smallest_total_at_least(self, floor: Fraction, caps: list[Fraction]) -> Fraction | None:
        """The smallest total ≥ floor the dose times can make within their caps, or None."""
        totals = self._suffix_totals([self.units(cap) for cap in caps])[0]
        found = totals.at_least(math.ceil(floor / self.unit))
        return None if found is None else found * self.unit

    @abstractmethod
    def take(self, mg: Fraction) -> Take:
        """How to take ``mg`` (a makeable amount) with this supply."""

    # Subclass hooks, all in grid units.
    @abstractmethod
    def _reachable(self, units: int) -> bool:
        """Whether ``units`` can be made."""

    @abstractmethod
    def _below(self, units: int) -> int:
        """The largest makeable amount not above ``units`` (at least 0)."""

    @abstractmethod
    def _above(self, units: int) -> int | None:
        """The smallest makeable amount not below ``units``, or None."""

    @abstractmethod
    def _suffix_totals(self, caps: list[int]) -> list:
        """Per index i, the totals dose times i, i+1, … can make within their caps."""

    @abstractmethod
    def _best_part(self, ideal: Fraction, remaining: int, cap: int, rest) -> int:
        """One dose time's amount nearest ``ideal`` that leaves a total ``rest`` can make."""


@dataclass(frozen=True)
class _Interval:
    """Every whole number of units from 0 to ``high``: the totals a lattice grid can make."""

    high: int

    def contains(self, units: int) -> bool:
        return 0 <= units <= self.high

    def at_most(self, units: int) -> int:
        return max(0, min(units, self.high))

    def at_least(self, units: int) -> int | None:
        return max(units, 0) if units <= self.high else None


class LatticeGrid(DoseGrid):
    """Every multiple of ``unit`` is makeable: a measured liquid, or exact amounts."""

    def __init__(self, unit: Fraction, description: str, ml_per_unit: Fraction | None) -> None:
        self.unit = unit
        self.description = description
        self.ml_per_unit = ml_per_unit

    def take(self, mg: Fraction) -> Take:
        if mg == 0:
            return Take(Decimal(0), "none", ml=Decimal(0) if self.ml_per_unit else None)
        if self.ml_per_unit is None:
            return Take(to_decimal(mg), f"{format_mg(mg)} mg")
        ml = self.units(mg) * self.ml_per_unit
        return Take(to_decimal(mg), f"{format_mg(ml)} mL", ml=to_decimal(ml))

    def _reachable(self, units: int) -> bool:
        return units >= 0

    def _below(self, units: int) -> int:
        return max(units, 0)

    def _above(self, units: int) -> int | None:
        return max(units, 0)

    def _suffix_totals(self, caps: list[int]) -> list[_Interval]:
        return [_Interval(sum(caps[index:])) for index in range(len(caps) + 1)]

    def _best_part(self, ideal: Fraction, remaining: int, cap: int, rest: _Interval) -> int:
        lowest = max(0, remaining - rest.high)
        return min(max(round(ideal), lowest), min(cap, remaining))


@dataclass(frozen=True)
class _BitTotals:
    """Totals as a bit set: bit n is set when n units can be made."""

    bits: int

    def contains(self, units: int) -> bool:
        return units >= 0 and bool((self.bits >> units) & 1)

    def at_most(self, units: int) -> int:
        if units < 0:
            return 0
        return (self.bits & ((1 << (units + 1)) - 1)).bit_length() - 1

    def at_least(self, units: int) -> int | None:
        rest = self.bits >> max(units, 0)
        return None if rest == 0 else (rest & -rest).bit_length() - 1 + max(units, 0)


class TabletGrid(DoseGrid):
    """Sums of whole (and, if allowed, half or quarter) tablets of the given strengths."""

    def __init__(self, strengths: tuple[Decimal, ...], split: Split, form: str, size: int):
        pieces = [
            (to_fraction(strength) * part, strength, part)
            for strength in strengths
            for part in _PIECES[split]
        ]
        self.unit = piece_unit(strengths, split)
        self.form = form
        names = ", ".join(f"{format_mg(s)} mg" for s in strengths)
        self.description = f"{names} {SOLID_FORM_NAMES[form]}s{_SPLIT_WORDS[split]}"
        self._size = size
        self._pieces = [(int(mg / self.unit), strength, part) for mg, strength, part in pieces]
        self._choice = _cheapest_combinations(self._pieces, size)
        self._reachable_units = [u for u in range(size + 1) if u == 0 or self._choice[u] >= 0]

    def take(self, mg: Fraction) -> Take:
        units = self.units(mg)
        if units == 0:
            return Take(Decimal(0), "none")
        counts: dict[Decimal, Fraction] = {}
        while units:
            piece_units, strength, part = self._pieces[self._choice[units]]
            counts[strength] = counts.get(strength, Fraction(0)) + part
            units -= piece_units
        ordered = tuple(sorted(counts.items(), reverse=True))
        noun = SOLID_FORM_NAMES[self.form]
        text = " + ".join(f"{_count_text(n)} × {format_mg(s)} mg {noun}" for s, n in ordered)
        return Take(to_decimal(mg), text, tablets=ordered)

    def _reachable(self, units: int) -> bool:
        return 0 <= units <= self._size and (units == 0 or self._choice[units] >= 0)

    def _below(self, units: int) -> int:
        index = bisect.bisect_right(self._reachable_units, units) - 1
        return self._reachable_units[max(index, 0)]

    def _above(self, units: int) -> int | None:
        index = bisect.bisect_left(self._reachable_units, units)
        return self._reachable_units[index] if index < len(self._reachable_units) else None

    def _suffix_totals(self, caps: list[int]) -> list[_BitTotals]:
        suffix = [1]
        for cap in reversed(caps):
            end = bisect.bisect_right(self._reachable_units, cap)
            combined = 0
            for part in self._reachable_units[:end]:
                combined |= suffix[0] << part
            suffix.insert(0, combined)
        return [_BitTotals(bits) for bits in suffix]

    def _best_part(self, ideal: Fraction, remaining: int, cap: int, rest: _BitTotals) -> int:
        end = bisect.bisect_right(self._reachable_units, min(cap, remaining))
        options = [u for u in self._reachable_units[:end] if rest.contains(remaining - u)]
        return min(options, key=lambda u: (abs(u - ideal), -u))


def _fraction_gcd(values: list[Fraction]) -> Fraction:
    denominator = math.lcm(*(value.denominator for value in values))
    numerators = [int(value * denominator) for value in values]
    return Fraction(math.gcd(*numerators), denominator)


def _cheapest_combinations(pieces: list[tuple[int, Decimal, Fraction]], size: int) -> list[int]:
    """Per amount up to ``size`` units, the last piece of its cheapest combination (-1: none)."""
    cost = [0] + [math.inf] * size
    choice = [-1] * (size + 1)
    ordered = sorted(range(len(pieces)), key=lambda i: -pieces[i][0])  # larger pieces first
    for amount in range(1, size + 1):
        for index in ordered:
            piece_units, _, part = pieces[index]
            if piece_units <= amount:
                candidate = cost[amount - piece_units] + _PIECE_COST[part]
                if candidate < cost[amount]:
                    cost[amount], choice[amount] = candidate, index
    return choice


def _count_text(count: Fraction) -> str:
    whole, part = divmod(count, 1)
    if part == 0:
        return str(int(whole))
    return ("" if whole == 0 else str(int(whole))) + _VULGAR[part]


def piece_unit(strengths: tuple[Decimal, ...], split: Split) -> Fraction:
    """The largest amount every tablet piece is a whole multiple of: the grid's unit."""
    return _fraction_gcd([to_fraction(s) * part for s in strengths for part in _PIECES[split]])
