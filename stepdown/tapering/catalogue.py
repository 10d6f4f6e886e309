"""The drug catalogue: benzodiazepines and Z-drugs with sourced equivalents, half-lives and forms.

The data lives in ``catalogue.json`` next to this module (facts from shared/reference/tapering.md).
``load_catalogue()`` reads it once per process and validates it strictly: an unknown key, a
missing source, a non-positive figure or a reversed range raises ``CatalogueError`` naming the
drug and field, so a bad edit fails the test suite instead of reaching members.
"""

import functools
import json
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

from stepdown.tapering.catalogue_types import (
    Catalogue,
    Drug,
    EquivalenceFigure,
    HalfLife,
    LiquidForm,
    Range,
    SolidForm,
    Source,
    TaperRule,
)
from stepdown.tapering.errors import CatalogueError

__all__ = [
    "CATALOGUE_PATH",
    "Catalogue",
    "Drug",
    "EquivalenceFigure",
    "HalfLife",
    "LiquidForm",
    "Range",
    "SolidForm",
    "Source",
    "TaperRule",
    "get_drug",
    "load_catalogue",
    "read_catalogue",
]

CATALOGUE_PATH = Path(__file__).with_name("catalogue.json")

DRUG_CLASSES = ("benzodiazepine", "z-drug")
SOLID_FORMS = ("tablet", "orally_disintegrating_tablet", "capsule")
LIQUID_FORMS = ("oral_solution",)
TAPER_RULE_NAMES = (
    "warn_cut_percent_per_14_days",
    "warn_cut_percent_per_30_days",
    "crossover_stage_days",
    "final_step_percent_of_start",
    "smallest_amount_max_percent_of_start",
    "max_plan_steps",
)
_SLUG = re.compile(r"^[a-z][a-z0-9-]*$")


@functools.cache
def load_catalogue() -> Catalogue:
    """The shipped catalogue, read and validated once per process."""
    return read_catalogue(CATALOGUE_PATH)


def get_drug(drug_id: str) -> Drug:
    """Shortcut for ``load_catalogue().drug(drug_id)``; raises ``UnknownDrug``."""
    return load_catalogue().drug(drug_id)


def read_catalogue(path: Path) -> Catalogue:
    """Read and validate a catalogue file (uncached); raises ``CatalogueError`` when malformed."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogueError(f"{path}: cannot be read as JSON ({exc})") from exc
    return _parse_catalogue(raw)


# --- validation --------------------------------------------------------------------------------


class _Where:
    """Where in the file we are, so every error names the drug (or section) and field."""

    def __init__(self, place: str) -> None:
        self.place = place

    def fail(self, field: str, problem: str) -> NoReturn:
        raise CatalogueError(f"catalogue: {self.place}, field '{field}': {problem}")

    def object(self, value: Any, field: str, required: set[str], optional: frozenset = frozenset()):
        if not isinstance(value, dict):
            self.fail(field, f"must be an object, got {type(value).__name__}")
        unknown = set(value) - required - optional
        if unknown:
            self.fail(field, f"unknown key(s) {sorted(unknown)}")
        missing = required - set(value)
        if missing:
            self.fail(field, f"missing key(s) {sorted(missing)}")
        return value

    def text(self, value: Any, field: str, *, optional: bool = False) -> str | None:
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(field, "must be non-empty text")
        return value

    def positive(self, value: Any, field: str) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(field, f"must be a number, got {value!r}")
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite() or number <= 0:
            self.fail(field, f"must be positive, got {value!r}")
        return number

    def range(self, value: Any, field: str) -> Range:
        if isinstance(value, list):
            if len(value) != 2:
                self.fail(field, f"a range must be [low, high], got {value!r}")
            low, high = self.positive(value[0], field), self.positive(value[1], field)
            if low >= high:
                self.fail(field, f"range low must be below high, got {value!r}")
            return Range(low, high)
        number = self.positive(value, field)
        return Range(number, number)

    def source(self, value: Any, field: str, sources: Mapping[str, Source]) -> str:
        if value not in sources:
            self.fail(field, f"unknown source {value!r}")
        return value

    def checked_date(self, value: Any, field: str) -> date:
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(field, f"must be an ISO date like 2026-11-25, got {value!r}")


def _parse_catalogue(raw: Any) -> Catalogue:
    top = _Where("top level")
    top.object(
        raw,
        "(file)",
        {
            "schema_version", "about", "reference_drug", "reference_mg", "primary_source",
            "max_daily_dose_rule", "taper_rules", "sources", "drugs",
        },
    )  # fmt: skip
    if raw["schema_version"] != 1:
        top.fail("schema_version", f"expected 1, got {raw['schema_version']!r}")
    sources = _parse_sources(raw["sources"])
    primary = top.source(raw["primary_source"], "primary_source", sources)
    rules = _parse_rules(raw["taper_rules"], sources)
    ceiling_where = _Where("max_daily_dose_rule")
    rule = ceiling_where.object(
        raw["max_daily_dose_rule"],
        "max_daily_dose_rule",
        {"diazepam_equivalent_mg_per_day", "derivation", "purpose"},
    )
    ceiling = ceiling_where.positive(
        rule["diazepam_equivalent_mg_per_day"], "diazepam_equivalent_mg_per_day"
    )
    ceiling_where.text(rule["derivation"], "derivation")
    ceiling_where.text(rule["purpose"], "purpose")
    if not isinstance(raw["drugs"], list) or not raw["drugs"]:
        top.fail("drugs", "must be a non-empty list")
    drugs: dict[str, Drug] = {}
    for index, entry in enumerate(raw["drugs"]):
        drug = _parse_drug(entry, index, sources, primary)
        if drug.id in drugs:
            _Where(f"drug '{drug.id}'").fail("id", "duplicate drug id")
        drugs[drug.id] = drug
    reference = raw["reference_drug"]
    if reference not in drugs:
        top.fail("reference_drug", f"{reference!r} is not a drug in the catalogue")
    reference_mg = top.positive(raw["reference_mg"], "reference_mg")
    if drugs[reference].figure(primary).mg != Range(reference_mg, reference_mg):
        top.fail("reference_mg", f"the primary figure for {reference!r} must be {reference_mg}")
    return Catalogue(
        about=top.text(raw["about"], "about"),
        reference_drug_id=reference,
        reference_mg=reference_mg,
        primary_source_id=primary,
        max_daily_ceiling_mg=ceiling,
        max_daily_derivation=rule["derivation"],
        taper_rules=MappingProxyType(rules),
        sources=MappingProxyType(sources),
        drugs=MappingProxyType(drugs),
    )


def _parse_sources(raw: Any) -> dict[str, Source]:
    if not isinstance(raw, list) or not raw:
        _Where("top level").fail("sources", "must be a non-empty list")
    sources: dict[str, Source] = {}
    for index, entry in enumerate(raw):
        where = _Where(f"sources[{index}]")
        where.object(entry, "(source)", {"id", "short_name", "citation", "locator"})
        source_id = where.text(entry["id"], "id")
        if not _SLUG.match(source_id):
            where.fail("id", f"must be a lower-case slug, got {source_id!r}")
        if source_id in sources:
            where.fail("id", f"duplicate source id {source_id!r}")
        sources[source_id] = Source(
            id=source_id,
            short_name=where.text(entry["short_name"], "short_name"),
            citation=where.text(entry["citation"], "citation"),
            locator=where.text(entry["locator"], "locator", optional=True),
        )
    return sources


def _parse_rules(raw: Any, sources: Mapping[str, Source]) -> dict[str, TaperRule]:
    where = _Where("taper_rules")
    where.object(raw, "taper_rules", set(TAPER_RULE_NAMES))
    rules = {}
    for name in TAPER_RULE_NAMES:
        entry = where.object(raw[name], name, {"value", "source", "basis"})
        source_id = entry["source"]
        if source_id is not None:
            where.source(source_id, f"{name}.source", sources)
        rules[name] = TaperRule(
            value=where.positive(entry["value"], f"{name}.value"),
            source_id=source_id,
            basis=where.text(entry["basis"], f"{name}.basis"),
        )
    return rules


def _parse_drug(raw: Any, index: int, sources: Mapping[str, Source], primary: str) -> Drug:
    name_hint = raw.get("id") if isinstance(raw, dict) else None
    where = _Where(f"drug '{name_hint}'" if isinstance(name_hint, str) else f"drugs[{index}]")
    where.object(
        raw,
        "(drug)",
        {"id", "name", "class", "half_life", "equivalents", "forms", "max_daily_mg"},
    )
    drug_id = where.text(raw["id"], "id")
    if not _SLUG.match(drug_id):
        where.fail("id", f"must be a lower-case slug, got {drug_id!r}")
    if raw["class"] not in DRUG_CLASSES:
        where.fail("class", f"must be one of {list(DRUG_CLASSES)}, got {raw['class']!r}")
    equivalents = _parse_equivalents(raw["equivalents"], where, sources)
    if not any(figure.source_id == primary for figure in equivalents):
        where.fail("equivalents", f"needs a figure from the primary source {primary!r}")
    forms = _parse_forms(raw["forms"], where, sources)
    max_daily = where.positive(raw["max_daily_mg"], "max_daily_mg")
    largest_unit = max(
        (s for form in forms if isinstance(form, SolidForm) for s in form.strengths_mg),
        default=Decimal(0),
    )
    if max_daily < largest_unit:
        where.fail("max_daily_mg", f"is below the largest strength ({largest_unit} mg)")
    return Drug(
        id=drug_id,
        name=where.text(raw["name"], "name"),
        drug_class=raw["class"],
        half_life=_parse_half_life(raw["half_life"], where, sources),
        equivalents=equivalents,
        forms=forms,
        max_daily_mg=max_daily,
    )


def _parse_half_life(raw: Any, where: _Where, sources: Mapping[str, Source]) -> HalfLife:
    where.object(raw, "half_life", {"hours", "active_metabolite_hours", "note", "source"})
    hours = None if raw["hours"] is None else where.range(raw["hours"], "half_life.hours")
    metabolite = raw["active_metabolite_hours"]
    if metabolite is not None:
        metabolite = where.range(metabolite, "half_life.active_metabolite_hours")
    if hours is None and metabolite is None:
        where.fail("half_life", "needs hours, active_metabolite_hours or both")
    return HalfLife(
        hours=hours,
        active_metabolite_hours=metabolite,
        note=where.text(raw["note"], "half_life.note", optional=True),
        source_id=where.source(raw["source"], "half_life.source", sources),
    )


def _parse_equivalents(
    raw: Any, where: _Where, sources: Mapping[str, Source]
) -> tuple[EquivalenceFigure, ...]:
    if not isinstance(raw, list) or not raw:
        where.fail("equivalents", "must be a non-empty list")
    figures = []
    for index, entry in enumerate(raw):
        field = f"equivalents[{index}]"
        where.object(entry, field, {"source", "mg", "provisional", "checked"}, frozenset({"note"}))
        if not isinstance(entry["provisional"], bool):
            where.fail(f"{field}.provisional", "must be true or false")
        source_id = where.source(entry["source"], f"{field}.source", sources)
        if any(figure.source_id == source_id for figure in figures):
            where.fail(f"{field}.source", f"{source_id!r} appears twice")
        figures.append(
            EquivalenceFigure(
                source_id=source_id,
                mg=where.range(entry["mg"], f"{field}.mg"),
                provisional=entry["provisional"],
                checked=where.checked_date(entry["checked"], f"{field}.checked"),
                note=where.text(entry.get("note"), f"{field}.note", optional=True),
            )
        )
    return tuple(figures)


def _parse_forms(
    raw: Any, where: _Where, sources: Mapping[str, Source]
) -> tuple[SolidForm | LiquidForm, ...]:
    if not isinstance(raw, list):
        where.fail("forms", "must be a list (empty when the reference gives none)")
    forms: list[SolidForm | LiquidForm] = []
    for index, entry in enumerate(raw):
        field = f"forms[{index}]"
        kind = entry.get("form") if isinstance(entry, dict) else None
        if kind in SOLID_FORMS:
            where.object(entry, field, {"form", "strengths_mg", "source"})
            strengths = entry["strengths_mg"]
            if not isinstance(strengths, list) or not strengths:
                where.fail(f"{field}.strengths_mg", "must be a non-empty list")
            values = tuple(where.positive(s, f"{field}.strengths_mg") for s in strengths)
            if list(values) != sorted(set(values)):
                where.fail(f"{field}.strengths_mg", "must be increasing without repeats")
            source_id = where.source(entry["source"], f"{field}.source", sources)
            forms.append(SolidForm(kind, values, source_id))
        elif kind in LIQUID_FORMS:
            where.object(entry, field, {"form", "mg_per_ml", "label", "source"})
            forms.append(
                LiquidForm(
                    form=kind,
                    mg_per_ml=where.positive(entry["mg_per_ml"], f"{field}.mg_per_ml"),
                    label=where.text(entry["label"], f"{field}.label"),
                    source_id=where.source(entry["source"], f"{field}.source", sources),
                )
            )
        else:
            where.fail(f"{field}.form", f"must be one of {list(SOLID_FORMS + LIQUID_FORMS)}")
    return tuple(forms)
