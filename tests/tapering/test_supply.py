"""Supplies and the doses they can make: tablets split or whole, liquids, exact amounts."""

from decimal import Decimal
from fractions import Fraction

import pytest

from stepdown.tapering.errors import StrengthError
from stepdown.tapering.supply import (
    LiquidSupply,
    Split,
    TabletSupply,
    build_grid,
    suspension_concentration,
)


def test_supply_tablets_make_sums_of_allowed_pieces_when_halved():
    grid = build_grid(TabletSupply((2, 5, 10), Split.HALVES), Fraction(20))
    assert grid.contains(Fraction(1)) and grid.contains(Fraction(5, 2))
    assert not grid.contains(Fraction(1, 2)) and not grid.contains(Fraction(3, 2))
    assert grid.smallest == 1


def test_supply_take_prefers_whole_tablets_and_describes_fractions():
    grid = build_grid(TabletSupply(("0.5", "1"), "halves"), Fraction(4))
    take = grid.take(Fraction(3, 4))
    assert take.text == "1½ × 0.5 mg tablet"
    assert take.tablets == ((Decimal("0.5"), Fraction(3, 2)),)
    assert grid.take(Fraction(3, 2)).text == "1 × 1 mg tablet + 1 × 0.5 mg tablet"
    assert grid.take(Fraction(0)).text == "none"


def test_supply_take_shows_quarters_when_allowed():
    grid = build_grid(TabletSupply(("0.25",), "quarters"), Fraction(1))
    assert grid.take(Fraction(1, 16)).text == "¼ × 0.25 mg tablet"
    assert grid.take(Fraction(7, 16)).text == "1¾ × 0.25 mg tablet"


def test_supply_nearest_never_exceeds_the_cap_and_prefers_the_gentler_tie():
    grid = build_grid(TabletSupply((1,), "halves"), Fraction(4))
    assert grid.nearest(Fraction(3, 4), cap=Fraction(2)) == 1  # tie between 0.5 and 1
    assert grid.nearest(3.9, cap=Fraction(2)) == 2
    assert grid.nearest(0.2, cap=Fraction(2)) == 0


def test_supply_liquid_measures_in_ml_at_the_given_precision():
    grid = build_grid(LiquidSupply("0.4", "0.1"), Fraction(10))
    assert grid.unit == Fraction(1, 25)  # 0.04 mg per 0.1 mL
    take = grid.take(Fraction(1))
    assert take.ml == Decimal("2.5") and take.text == "2.5 mL"
    assert not grid.contains(Fraction(1, 100))


def test_supply_exact_amounts_when_no_supply_given():
    grid = build_grid(None, Fraction(20))
    assert grid.contains(Fraction(4505, 10000))
    assert grid.take(Fraction(1, 2)).text == "0.5 mg"


def test_supply_split_total_hits_the_total_exactly_when_possible():
    grid = build_grid(TabletSupply((2, 5, 10), "halves"), Fraction(20))
    split = grid.split_total(Fraction(3), [Fraction(2), Fraction(2)], [Fraction(1, 2)] * 2)
    assert sorted(split) == [1, 2]
    assert grid.split_total(Fraction(1, 2), [Fraction(2)], [Fraction(1)]) is None


def test_supply_suspension_concentration_is_one_percent_per_ml_for_100_ml():
    assert suspension_concentration(1, 100) == Decimal("0.01")


@pytest.mark.parametrize(
    ("supply", "field"),
    [
        (TabletSupply(()), "strengths"),
        (TabletSupply((0,)), "strengths"),
        (TabletSupply(("-1",)), "strengths"),
        (TabletSupply(("abc",)), "strengths"),
        (TabletSupply((1,), "thirds"), "split"),
        (TabletSupply((15,), "halves", form="capsule"), "split"),
        (TabletSupply((1,), form="patch"), "form"),
        (TabletSupply(("0.0001",), "quarters"), "strengths"),  # far too fine for 20 mg
        (LiquidSupply(0), "concentration"),
        (LiquidSupply(1, 0), "precision"),
        (LiquidSupply(500), "concentration"),
    ],
)
def test_supply_refuses_input_when_unusable(supply, field):
    with pytest.raises(StrengthError) as caught:
        build_grid(supply, Fraction(20))
    assert caught.value.field == field


def test_format_mg_writes_huge_typed_amounts_without_crashing():
    from decimal import Decimal

    from stepdown.tapering.amounts import format_mg

    assert format_mg(Decimal("1e999")) == format(Decimal("1e999"), "f")
    assert format_mg(Decimal("10")) == "10"
    assert format_mg(Decimal("0.125")) == "0.125"
