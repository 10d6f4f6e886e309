"""What a member can measure: tablets or capsules (whole, halves, quarters) or a liquid.

``build_grid`` validates a supply (``StrengthError`` with a member-facing message) and returns
the ``DoseGrid`` the plan generator rounds to; ``None`` means "rounding off" (exact amounts).
"""

import functools
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from stepdown.tapering.amounts import format_mg, parse_amount, to_decimal, to_fraction
from stepdown.tapering.dose_grid import (
    SOLID_FORM_NAMES,
    DoseGrid,
    LatticeGrid,
    Split,
    TabletGrid,
    piece_unit,
)
from stepdown.tapering.errors import StrengthError

__all__ = [
    "DoseGrid",
    "LiquidSupply",
    "Split",
    "TabletSupply",
    "build_grid",
    "suspension_concentration",
]

MAX_STRENGTHS = 8
# Above this many grid points per dose time the strengths are so fine-grained (or so oddly
# combined) that planning with them would be slow and the amounts meaningless to measure.
MAX_TABLET_GRID_POINTS = 5_000
# Without a supply, amounts are kept to a ten-thousandth of a mg: "rounding off".
EXACT_UNIT = Fraction(1, 10_000)


@dataclass(frozen=True)
class TabletSupply:
    """Tablet or capsule strengths in mg the member has, and how far they may be split."""

    strengths_mg: tuple
    split: Split | str = Split.WHOLE
    form: str = "tablet"


@dataclass(frozen=True)
class LiquidSupply:
    """A solution or suspension (mg per mL) and the smallest volume the member can measure."""

    mg_per_ml: object
    precision_ml: object = Decimal("0.1")


def suspension_concentration(tablet_mg: object, volume_ml: object) -> Decimal:
    """mg per mL of one tablet suspended in ``volume_ml`` (1 tablet in 100 mL: 1 mL = 1%)."""
    tablet = parse_amount(tablet_mg, what="the tablet strength", field="strengths")
    volume = parse_amount(volume_ml, what="the volume", field="concentration")
    if tablet <= 0 or volume <= 0:
        raise StrengthError("Tablet strength and volume must be above zero.", field="concentration")
    return to_decimal(to_fraction(tablet) / to_fraction(volume), places=8)


def build_grid(supply: TabletSupply | LiquidSupply | None, largest_mg: Fraction) -> DoseGrid:
    """Validate a supply and build its grid, able to describe amounts up to ``largest_mg``.

    ``None`` means "rounding off": exact amounts to 0.0001 mg. Raises ``StrengthError``.
    """
    if supply is None:
        return LatticeGrid(EXACT_UNIT, "exact amounts (not rounded to tablets)", None)
    if isinstance(supply, LiquidSupply):
        concentration = _positive(supply.mg_per_ml, "the concentration (mg/mL)", "concentration")
        precision = _positive(supply.precision_ml, "the measuring precision (mL)", "precision")
        if concentration > 100 or precision > 10:
            raise StrengthError(
                "Check the liquid: concentration up to 100 mg/mL, measuring steps up to 10 mL.",
                field="concentration",
            )
        unit = to_fraction(concentration) * to_fraction(precision)
        description = (
            f"liquid at {format_mg(concentration)} mg/mL, measured in {format_mg(precision)} mL"
        )
        return LatticeGrid(unit, description, to_fraction(precision))
    if isinstance(supply, TabletSupply):
        strengths, split, form = _tablet_parts(supply)
        unit = piece_unit(strengths, split)
        # Reach at least one whole tablet of each strength, so the smallest piece is always known.
        size = math.ceil(max(largest_mg, to_fraction(strengths[-1])) / unit)
        if size > MAX_TABLET_GRID_POINTS:
            raise StrengthError(
                "These strengths combine into amounts too fine to plan with. Please check the "
                "strengths you entered (for example 0.5, not 0.501).",
                field="strengths",
            )
        return _tablet_grid(strengths, split, form, size)
    raise StrengthError("Choose tablets, capsules or a liquid.", field="supply")


@functools.lru_cache(maxsize=64)
def _tablet_grid(strengths: tuple[Decimal, ...], split: Split, form: str, size: int) -> TabletGrid:
    return TabletGrid(strengths, split, form, size)


def _tablet_parts(supply: TabletSupply) -> tuple[tuple[Decimal, ...], Split, str]:
    if supply.form not in SOLID_FORM_NAMES:
        raise StrengthError("Choose tablets, dissolving tablets or capsules.", field="form")
    try:
        split = Split(supply.split)
    except ValueError:
        raise StrengthError("Choose whole, halves or quarters.", field="split") from None
    if supply.form == "capsule" and split is not Split.WHOLE:
        raise StrengthError("Capsules cannot be split; choose whole.", field="split")
    raw = supply.strengths_mg
    if isinstance(raw, str | bytes) or not hasattr(raw, "__iter__"):
        raise StrengthError("List the strengths you have, in mg.", field="strengths")
    values = [_positive(value, "each strength", "strengths") for value in raw]
    if not values or len(values) > MAX_STRENGTHS:
        raise StrengthError(
            f"List between 1 and {MAX_STRENGTHS} strengths, in mg.", field="strengths"
        )
    if max(values) > 1000:
        raise StrengthError("Strengths are in mg; please check the numbers.", field="strengths")
    return tuple(sorted(set(values))), split, supply.form


def _positive(value: object, what: str, field: str) -> Decimal:
    number = parse_amount(value, what=what, field=field, error=StrengthError)
    if number <= 0:
        raise StrengthError(f"Enter {what} above zero.", field=field)
    return number
