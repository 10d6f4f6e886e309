"""Diazepam equivalents and conversions, checked against the catalogue's sources."""

from decimal import Decimal
from fractions import Fraction

import pytest

from stepdown.tapering.equivalence import (
    BASIS_ALL_SOURCES,
    BASIS_MATCHING_SOURCES,
    check_dose,
    convert,
    diazepam_equivalent,
    equivalent_bounds,
    primary_factor,
)
from stepdown.tapering.errors import DoseError, UnknownDrug


def _by_source(result):
    return {figure.source_id: (figure.low_mg, figure.high_mg) for figure in result.figures}


def test_equivalence_alprazolam_half_mg_is_diazepam_10_by_ashton_and_5_by_va_dod():
    result = diazepam_equivalent("alprazolam", "0.5")
    figures = _by_source(result)
    assert figures["ashton-2007"] == (10, 10)
    assert figures["va-dod-2021"] == (5, 5)  # VA/DoD: alprazolam 1 mg ≈ diazepam 10 mg
    assert figures["who-2009"] == (5, 5)
    assert figures["medscape"] == (5, 10)
    assert (result.low_mg, result.high_mg) == (5, 10)
    assert result.basis == BASIS_ALL_SOURCES
    assert "Ashton 2007" in result.explanation and "VA/DoD 2021" in result.explanation


@pytest.mark.parametrize(
    ("drug_id", "mg", "low", "high"),
    [
        ("clonazepam", "0.5", 5, 20),  # Medscape 0.25 mg ≈ 10 gives the high end
        ("lorazepam", "1", 5, 10),
        ("oxazepam", "20", Decimal("6.67"), Decimal("13.3")),
        ("chlordiazepoxide", "25", 10, 25),
        ("temazepam", "20", 10, Decimal("20")),
        ("triazolam", "0.5", 10, 20),
        ("zolpidem", "20", 10, 10),
        ("diazepam", "10", 10, 10),
    ],
)
def test_equivalence_range_spans_all_sources_when_they_differ(drug_id, mg, low, high):
    result = diazepam_equivalent(drug_id, mg)
    assert (result.low_mg, result.high_mg) == (low, high)


@pytest.mark.parametrize(
    ("drug_id", "mg"),
    [("clonazepam", "0.5"), ("lorazepam", "1"), ("oxazepam", "20"), ("temazepam", "20")],
)
def test_equivalence_primary_figure_gives_diazepam_10_when_dose_is_the_ashton_figure(drug_id, mg):
    assert _by_source(diazepam_equivalent(drug_id, mg))["ashton-2007"] == (10, 10)


def test_equivalence_marks_result_provisional_when_a_p_value_is_used():
    result = diazepam_equivalent("zopiclone", 7.5)
    assert result.provisional
    ashton = next(f for f in result.figures if f.source_id == "ashton-2007")
    assert ashton.provisional and (ashton.low_mg, ashton.high_mg) == (5, 5)
    assert not diazepam_equivalent("lorazepam", 1).provisional


def test_equivalence_convert_uses_only_sources_giving_both_drugs():
    result = convert("lorazepam", 2, "clonazepam")
    assert result.sources_used == ("ashton-2007", "va-dod-2021", "medscape")
    figures = _by_source(result)
    assert figures["ashton-2007"] == (1, 1)
    assert figures["va-dod-2021"] == (1, 1)
    assert figures["medscape"] == (Decimal("0.25"), 1)
    assert result.basis == BASIS_MATCHING_SOURCES
    assert "both drugs" in result.explanation


def test_equivalence_convert_uses_ashton_alone_when_only_it_covers_both():
    result = convert("alprazolam", 1, "clobazam")  # clobazam: Ashton and NHS Scotland only
    assert result.sources_used == ("ashton-2007",)
    assert (result.low_mg, result.high_mg) == (40, 40)


def test_equivalence_convert_from_diazepam_uses_every_source_of_the_target():
    result = convert("diazepam", 10, "oxazepam")
    assert result.sources_used == ("ashton-2007", "va-dod-2021", "who-2009", "medscape")
    assert (result.low_mg, result.high_mg) == (15, 30)


def test_equivalence_convert_to_diazepam_matches_diazepam_equivalent():
    assert convert("bromazepam", 3, "diazepam") == diazepam_equivalent("bromazepam", 3)


def test_equivalence_convert_returns_the_dose_when_drug_is_the_same():
    result = convert("lorazepam", "1.5", "lorazepam")
    assert (result.low_mg, result.high_mg) == (Decimal("1.5"), Decimal("1.5"))


def test_equivalence_rounds_display_to_three_significant_figures():
    result = diazepam_equivalent("oxazepam", 10)
    assert result.low_mg == Decimal("3.33")  # 10 × 10 / 30 (VA/DoD, WHO)
    assert result.high_mg == Decimal("6.67")  # 10 × 10 / 15 (Medscape's low end)
    assert str(diazepam_equivalent("lorazepam", 1).high_mg) == "10"


def test_equivalence_bounds_are_exact_for_arithmetic():
    assert equivalent_bounds("oxazepam", Fraction(10)) == (Fraction(10, 3), Fraction(20, 3))
    assert primary_factor("bromazepam") == Fraction(20, 11)  # midpoint of 5–6 mg
    assert primary_factor("diazepam") == 1


@pytest.mark.parametrize(
    ("mg", "message"),
    [
        (0, "above zero"),
        (-1, "above zero"),
        ("-0.5", "above zero"),
        (21, "more than Stepdown accepts"),
        (float("nan"), "ordinary number"),
        (float("inf"), "ordinary number"),
        ("half", "Enter a number"),
        (None, "Enter a number"),
        (True, "Enter a number"),
        ("0.00001", "decimal places"),
    ],
)
def test_equivalence_refuses_dose_when_unusable(mg, message):
    with pytest.raises(DoseError, match=message) as caught:
        diazepam_equivalent("alprazolam", mg)
    assert caught.value.field == "mg"


def test_equivalence_accepts_dose_at_the_sanity_bound():
    assert check_dose("alprazolam", 20) == 20


def test_equivalence_refuses_conversion_when_drug_unknown():
    with pytest.raises(UnknownDrug):
        diazepam_equivalent("etizolam", 1)
    with pytest.raises(UnknownDrug):
        convert("lorazepam", 1, "street benzo")
