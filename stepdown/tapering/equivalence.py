"""Approximate diazepam equivalents and conversions between drugs, as ranges across sources.

Conversion between benzodiazepines "is not straightforward" (2025 Joint Guideline): results are
ranges with every source named, never one authoritative number, and unknown or street drugs get
no conversion at all. Each catalogue figure says "X mg of this drug ≈ diazepam 10 mg"; diazepam is
10 mg in every source by definition, so it matches whatever source the other drug has.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from stepdown.tapering.amounts import format_mg, parse_amount, round_significant, to_fraction
from stepdown.tapering.catalogue import Drug, EquivalenceFigure, Range, load_catalogue
from stepdown.tapering.errors import DoseError

BASIS_ALL_SOURCES = "all_sources"  # to or from diazepam: every figure the drug has
BASIS_MATCHING_SOURCES = "matching_sources"  # between two drugs: sources giving both figures
BASIS_SAME_DRUG = "same_drug"


@dataclass(frozen=True)
class SourceFigure:
    """One source's figures and the converted dose they give (rounded for display)."""

    source_id: str
    source_name: str
    from_figure_mg: Range  # dose of the "from" drug this source rates ≈ diazepam 10 mg
    to_figure_mg: Range  # dose of the "to" drug this source rates ≈ diazepam 10 mg
    low_mg: Decimal
    high_mg: Decimal
    provisional: bool
    checked: date | None


@dataclass(frozen=True)
class Equivalence:
    """A converted dose as a range across sources, with which sources were used and why."""

    from_drug_id: str
    from_mg: Decimal
    to_drug_id: str
    low_mg: Decimal
    high_mg: Decimal
    figures: tuple[SourceFigure, ...]
    basis: str  # one of the BASIS_* constants
    explanation: str

    @property
    def sources_used(self) -> tuple[str, ...]:
        return tuple(figure.source_id for figure in self.figures)

    @property
    def provisional(self) -> bool:
        """True when any figure used is a provisional (unchecked secondary-copy) value."""
        return any(figure.provisional for figure in self.figures)


def check_dose(drug_id: str, mg: object, *, field: str = "mg") -> Decimal:
    """Return ``mg`` as a Decimal if it is a usable dose of the drug, else raise ``DoseError``.

    Refuses non-numbers, zero and below, and amounts above the drug's ``max_daily_mg`` (an input
    sanity bound derived in catalogue.json, not a clinical limit). Raises ``UnknownDrug`` first.
    """
    drug = load_catalogue().drug(drug_id)
    dose = parse_amount(mg, what="the dose", field=field, error=DoseError)
    if dose <= 0:
        raise DoseError("Enter a dose above zero, in mg.", field=field)
    if dose > drug.max_daily_mg:
        raise DoseError(
            f"{format_mg(dose)} mg of {drug.name.lower()} is more than Stepdown accepts "
            f"({format_mg(drug.max_daily_mg)} mg a day). Please check the number and the unit "
            "(mg). This limit only catches typing slips; it is not medical advice.",
            field=field,
        )
    return dose


def diazepam_equivalent(drug_id: str, mg: object) -> Equivalence:
    """Approximate diazepam dose for ``mg`` of a drug, as a range across all of its sources."""
    return convert(drug_id, mg, load_catalogue().reference_drug_id)


def convert(from_id: str, mg: object, to_id: str) -> Equivalence:
    """Approximate dose of ``to_id`` for ``mg`` of ``from_id``, as a range across sources.

    To or from diazepam every figure of the other drug is used. Between two other drugs only the
    sources that give a figure for both are used (every drug has the primary Ashton figure, so
    there is always at least that one); ``basis`` and ``explanation`` say which applied.
    Raises ``UnknownDrug`` and ``DoseError``.
    """
    catalogue = load_catalogue()
    source_drug = catalogue.drug(from_id)
    target_drug = catalogue.drug(to_id)
    dose = check_dose(from_id, mg)
    if source_drug.id == target_drug.id:
        return Equivalence(
            from_id, dose, to_id, dose, dose, (), BASIS_SAME_DRUG, "Same drug: no conversion."
        )
    pairs = list(_figure_pairs(source_drug, target_drug))
    figures = tuple(
        _source_figure(dose, from_figure, to_figure) for from_figure, to_figure in pairs
    )
    lows, highs = zip(*(_bounds(to_fraction(dose), f, t) for f, t in pairs), strict=True)
    names = ", ".join(figure.source_name for figure in figures)
    if catalogue.reference_drug_id in (from_id, to_id):
        basis = BASIS_ALL_SOURCES
        other = _other(source_drug, target_drug)
        explanation = f"Range across every source with a figure for {other}: {names}."
    else:
        basis = BASIS_MATCHING_SOURCES
        explanation = f"Range across the sources that give a figure for both drugs: {names}."
    return Equivalence(
        from_drug_id=from_id,
        from_mg=dose,
        to_drug_id=to_id,
        low_mg=round_significant(min(lows)),
        high_mg=round_significant(max(highs)),
        figures=figures,
        basis=basis,
        explanation=explanation,
    )


def equivalent_bounds(drug_id: str, mg: Fraction) -> tuple[Fraction, Fraction]:
    """Exact (low, high) diazepam equivalent of ``mg`` across all of the drug's sources.

    For internal arithmetic (the plan generator sums these per dose time); no dose checks.
    """
    catalogue = load_catalogue()
    drug = catalogue.drug(drug_id)
    if drug.id == catalogue.reference_drug_id:
        return mg, mg
    reference = _reference_figure(catalogue.reference_mg)
    bounds = [_bounds(mg, figure, reference) for figure in drug.equivalents]
    return min(low for low, _ in bounds), max(high for _, high in bounds)


def primary_factor(drug_id: str) -> Fraction:
    """Diazepam mg per mg of the drug by the primary (Ashton) figure; a range's midpoint is used.

    This is the single yardstick the plan generator uses to compare doses across a crossover.
    """
    catalogue = load_catalogue()
    figure = catalogue.drug(drug_id).figure(catalogue.primary_source_id)
    return to_fraction(catalogue.reference_mg) / to_fraction(figure.mg.midpoint)


def _other(source_drug: Drug, target_drug: Drug) -> str:
    reference = load_catalogue().reference_drug_id
    return (target_drug if source_drug.id == reference else source_drug).name.lower()


def _reference_figure(reference_mg: Decimal) -> EquivalenceFigure:
    return EquivalenceFigure("", Range(reference_mg, reference_mg), False, date.min, None)


def _figure_pairs(
    source_drug: Drug, target_drug: Drug
) -> Iterable[tuple[EquivalenceFigure, EquivalenceFigure]]:
    """(from figure, to figure) per source; diazepam's figure is 10 mg in every source."""
    catalogue = load_catalogue()
    reference = catalogue.reference_drug_id
    if source_drug.id == reference or target_drug.id == reference:
        other = target_drug if source_drug.id == reference else source_drug
        for figure in other.equivalents:
            twin = EquivalenceFigure(
                figure.source_id,
                Range(catalogue.reference_mg, catalogue.reference_mg),
                figure.provisional,
                figure.checked,
                None,
            )
            yield (twin, figure) if source_drug.id == reference else (figure, twin)
        return
    for figure in source_drug.equivalents:
        match = target_drug.figure(figure.source_id)
        if match is not None:
            yield figure, match


def _bounds(
    mg: Fraction, from_figure: EquivalenceFigure, to_figure: EquivalenceFigure
) -> tuple[Fraction, Fraction]:
    # X mg of A ≈ 10 mg diazepam ≈ Y mg of B, so mg of A is worth mg × Y / X of B. The widest
    # reading of two ranges pairs the low Y with the high X, and the high Y with the low X.
    low = mg * to_fraction(to_figure.mg.low) / to_fraction(from_figure.mg.high)
    high = mg * to_fraction(to_figure.mg.high) / to_fraction(from_figure.mg.low)
    return low, high


def _source_figure(
    dose: Decimal, from_figure: EquivalenceFigure, to_figure: EquivalenceFigure
) -> SourceFigure:
    source = load_catalogue().sources[from_figure.source_id]
    low, high = _bounds(to_fraction(dose), from_figure, to_figure)
    return SourceFigure(
        source_id=source.id,
        source_name=source.short_name,
        from_figure_mg=from_figure.mg,
        to_figure_mg=to_figure.mg,
        low_mg=round_significant(low),
        high_mg=round_significant(high),
        provisional=from_figure.provisional or to_figure.provisional,
        checked=min(from_figure.checked, to_figure.checked),
    )
