"""Types of the drug catalogue: drugs, sources, equivalence figures, forms and taper rules.

Read-only records built by ``stepdown.tapering.catalogue`` from ``catalogue.json``.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from stepdown.tapering.errors import UnknownDrug


@dataclass(frozen=True)
class Range:
    """A figure that is either one value (low == high) or a range from low to high."""

    low: Decimal
    high: Decimal

    @property
    def is_single(self) -> bool:
        return self.low == self.high

    @property
    def midpoint(self) -> Decimal:
        return (self.low + self.high) / 2

    def __str__(self) -> str:
        return f"{self.low}" if self.is_single else f"{self.low}–{self.high}"


@dataclass(frozen=True)
class Source:
    id: str
    short_name: str
    citation: str
    locator: str | None  # URL, DOI or catalogue number exactly as the reference gives it


@dataclass(frozen=True)
class EquivalenceFigure:
    """One source's oral dose of a drug roughly equal to diazepam 10 mg."""

    source_id: str
    mg: Range
    provisional: bool  # from a secondary copy of the Ashton table, not yet checked
    checked: date
    note: str | None


@dataclass(frozen=True)
class HalfLife:
    hours: Range | None
    active_metabolite_hours: Range | None
    note: str | None
    source_id: str


@dataclass(frozen=True)
class SolidForm:
    form: str  # one of SOLID_FORMS
    strengths_mg: tuple[Decimal, ...]
    source_id: str


@dataclass(frozen=True)
class LiquidForm:
    form: str  # one of LIQUID_FORMS
    mg_per_ml: Decimal
    label: str
    source_id: str


@dataclass(frozen=True)
class Drug:
    id: str
    name: str
    drug_class: str
    half_life: HalfLife
    equivalents: tuple[EquivalenceFigure, ...]
    forms: tuple[SolidForm | LiquidForm, ...]
    max_daily_mg: Decimal  # input sanity bound, not a clinical limit (see max_daily_dose_rule)

    def figure(self, source_id: str) -> EquivalenceFigure | None:
        """This drug's figure from one source, or None when that source gives none."""
        return next((f for f in self.equivalents if f.source_id == source_id), None)

    @property
    def tablet_strengths_mg(self) -> tuple[Decimal, ...]:
        """Strengths of plain tablets the reference lists for this drug (may be empty)."""
        return next((f.strengths_mg for f in self.forms if f.form == "tablet"), ())


@dataclass(frozen=True)
class TaperRule:
    """A figure the plan generator uses, with where it comes from (None: a Stepdown decision)."""

    value: Decimal
    source_id: str | None
    basis: str


@dataclass(frozen=True)
class Catalogue:
    about: str
    reference_drug_id: str
    reference_mg: Decimal
    primary_source_id: str
    max_daily_ceiling_mg: Decimal
    max_daily_derivation: str
    taper_rules: Mapping[str, TaperRule]
    sources: Mapping[str, Source]
    drugs: Mapping[str, Drug]

    def drug(self, drug_id: str) -> Drug:
        """The drug with this id, or ``UnknownDrug`` (street and unknown drugs have no entry)."""
        try:
            return self.drugs[drug_id]
        except (KeyError, TypeError):
            raise UnknownDrug(
                f"“{drug_id}” is not in Stepdown's drug catalogue, so no equivalent or plan can "
                "be offered for it. Street and unknown benzodiazepines have no usable equivalent.",
                field="drug",
            ) from None

    def rule(self, name: str) -> Decimal:
        return self.taper_rules[name].value
