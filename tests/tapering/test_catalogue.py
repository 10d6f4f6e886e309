"""The drug catalogue: shipped data against the reference, and strict validation of bad data."""

import copy
import json
from decimal import Decimal

import pytest

from stepdown.tapering.catalogue import (
    CATALOGUE_PATH,
    Range,
    get_drug,
    load_catalogue,
    read_catalogue,
)
from stepdown.tapering.errors import CatalogueError, UnknownDrug

REFERENCE_DRUGS = {
    "alprazolam", "bromazepam", "chlordiazepoxide", "clobazam", "clonazepam", "clorazepate",
    "diazepam", "estazolam", "flunitrazepam", "flurazepam", "halazepam", "ketazolam",
    "loprazolam", "lorazepam", "lormetazepam", "medazepam", "nitrazepam", "nordazepam",
    "oxazepam", "prazepam", "quazepam", "temazepam", "triazolam", "zaleplon", "zolpidem",
    "zopiclone", "eszopiclone",
}  # fmt: skip
# Values marked (P) in the reference's table: Ashton figures from a secondary copy.
PROVISIONAL_ASHTON = {
    "bromazepam", "clobazam", "flunitrazepam", "halazepam", "ketazolam", "loprazolam",
    "lormetazepam", "medazepam", "nitrazepam", "nordazepam", "prazepam", "zaleplon", "zolpidem",
    "zopiclone", "eszopiclone",
}  # fmt: skip


def _raw():
    return json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))


def _drug_entry(raw, drug_id):
    return next(entry for entry in raw["drugs"] if entry["id"] == drug_id)


def test_catalogue_lists_every_reference_drug_when_loaded():
    catalogue = load_catalogue()
    assert set(catalogue.drugs) == REFERENCE_DRUGS
    z_drugs = {d.id for d in catalogue.drugs.values() if d.drug_class == "z-drug"}
    assert z_drugs == {"zaleplon", "zolpidem", "zopiclone", "eszopiclone"}


def test_catalogue_is_loaded_once_when_asked_twice():
    assert load_catalogue() is load_catalogue()


@pytest.mark.parametrize(
    ("drug_id", "source_id", "expected"),
    [
        ("alprazolam", "ashton-2007", Range(Decimal("0.5"), Decimal("0.5"))),
        ("alprazolam", "va-dod-2021", Range(Decimal(1), Decimal(1))),
        ("alprazolam", "medscape", Range(Decimal("0.5"), Decimal(1))),
        ("bromazepam", "ashton-2007", Range(Decimal(5), Decimal(6))),
        ("clonazepam", "ashton-2007", Range(Decimal("0.5"), Decimal("0.5"))),
        ("clonazepam", "medscape", Range(Decimal("0.25"), Decimal("0.5"))),
        ("lorazepam", "ashton-2007", Range(Decimal(1), Decimal(1))),
        ("lorazepam", "va-dod-2021", Range(Decimal(2), Decimal(2))),
        ("oxazepam", "ashton-2007", Range(Decimal(20), Decimal(20))),
        ("oxazepam", "who-2009", Range(Decimal(30), Decimal(30))),
        ("lormetazepam", "who-2009", Range(Decimal("1.5"), Decimal("1.5"))),
        ("quazepam", "va-dod-2021", Range(Decimal(10), Decimal(10))),
        ("triazolam", "va-dod-2021", Range(Decimal("0.25"), Decimal("0.25"))),
        ("zopiclone", "nhs-scotland", Range(Decimal(15), Decimal(15))),
    ],
)
def test_catalogue_figure_matches_reference_when_read(drug_id, source_id, expected):
    assert get_drug(drug_id).figure(source_id).mg == expected


def test_catalogue_marks_p_values_provisional_and_only_those():
    catalogue = load_catalogue()
    for drug in catalogue.drugs.values():
        ashton = drug.figure(catalogue.primary_source_id)
        assert ashton.provisional is (drug.id in PROVISIONAL_ASHTON), drug.id
        assert all(not f.provisional for f in drug.equivalents if f.source_id != "ashton-2007")


def test_catalogue_figures_carry_a_known_source_and_check_date():
    catalogue = load_catalogue()
    for drug in catalogue.drugs.values():
        for figure in drug.equivalents:
            assert figure.source_id in catalogue.sources
            assert figure.checked.isoformat() == "2026-11-25"
        assert drug.half_life.source_id in catalogue.sources
    for rule in catalogue.taper_rules.values():
        assert rule.source_id is None or rule.source_id in catalogue.sources


def test_catalogue_sources_keep_locators_as_the_reference_gives_them():
    sources = load_catalogue().sources
    assert sources["ashton-2007"].locator == "benzo.org.uk/bzequiv.htm"
    assert sources["jcpg-2025"].locator == "doi:10.1007/s11606-025-09499-2"
    assert sources["who-2009"].locator == "NBK310652"


def test_catalogue_half_lives_include_metabolites_when_given():
    diazepam = get_drug("diazepam").half_life
    assert diazepam.hours == Range(Decimal(20), Decimal(100))
    assert diazepam.active_metabolite_hours == Range(Decimal(36), Decimal(200))
    assert get_drug("clorazepate").half_life.hours is None
    assert get_drug("eszopiclone").half_life.note == "9 hours in elderly people"


def test_catalogue_lists_forms_only_where_the_reference_gives_them():
    with_forms = {d.id for d in load_catalogue().drugs.values() if d.forms}
    assert with_forms == {"alprazolam", "clonazepam", "lorazepam", "diazepam", "temazepam"}
    assert get_drug("diazepam").tablet_strengths_mg == (Decimal(2), Decimal(5), Decimal(10))
    liquids = [f for f in get_drug("diazepam").forms if f.form == "oral_solution"]
    assert {f.mg_per_ml for f in liquids} == {Decimal(1), Decimal("0.4")}
    odt = [f for f in get_drug("clonazepam").forms if f.form == "orally_disintegrating_tablet"]
    assert odt[0].strengths_mg == (Decimal("0.125"), Decimal("0.25"), Decimal("0.5"))
    assert get_drug("temazepam").forms[0].form == "capsule"


def test_catalogue_max_daily_dose_follows_the_documented_rule():
    catalogue = load_catalogue()
    for drug in catalogue.drugs.values():
        largest = max(figure.mg.high for figure in drug.equivalents)
        expected = catalogue.max_daily_ceiling_mg * largest / catalogue.reference_mg
        assert drug.max_daily_mg == expected, drug.id
    assert get_drug("alprazolam").max_daily_mg == 20


def test_catalogue_lookup_raises_unknown_drug_when_street_drug():
    with pytest.raises(UnknownDrug, match="no usable equivalent"):
        get_drug("etizolam")


def _mutations():
    """(description, change to the raw JSON, text the error must contain)."""

    def set_in_drug(drug_id, key, value):
        def change(raw):
            _drug_entry(raw, drug_id)[key] = value

        return change

    def set_figure(drug_id, index, key, value):
        def change(raw):
            _drug_entry(raw, drug_id)["equivalents"][index][key] = value

        return change

    def duplicate_alprazolam(raw):
        raw["drugs"].append(copy.deepcopy(_drug_entry(raw, "alprazolam")))

    def drop_primary(raw):
        entry = _drug_entry(raw, "alprazolam")
        entry["equivalents"] = entry["equivalents"][1:]

    def unknown_top_key(raw):
        raw["colour"] = "blue"

    def unknown_drug_key(raw):
        _drug_entry(raw, "lorazepam")["brand"] = "Ativan"

    def drop_source(raw):
        raw["sources"] = [s for s in raw["sources"] if s["id"] != "medscape"]

    def zero_strength(raw):
        _drug_entry(raw, "lorazepam")["forms"][0]["strengths_mg"] = [0, 1]

    def repeated_strength(raw):
        _drug_entry(raw, "lorazepam")["forms"][0]["strengths_mg"] = [1, 1]

    def bad_rule(raw):
        raw["taper_rules"]["warn_cut_percent_per_14_days"]["value"] = -25

    return [
        ("negative figure", set_figure("clonazepam", 0, "mg", -0.5), "drug 'clonazepam'"),
        ("zero figure", set_figure("clonazepam", 0, "mg", 0), "equivalents[0].mg"),
        ("reversed range", set_figure("bromazepam", 0, "mg", [6, 5]), "low must be below"),
        ("text figure", set_figure("lorazepam", 0, "mg", "1"), "must be a number"),
        ("boolean flag", set_figure("lorazepam", 0, "provisional", "yes"), "provisional"),
        ("bad date", set_figure("lorazepam", 0, "checked", "25/11/2026"), "checked"),
        ("unknown source", set_figure("lorazepam", 1, "source", "wikipedia"), "unknown source"),
        ("missing source", drop_source, "unknown source 'medscape'"),
        ("duplicate id", duplicate_alprazolam, "duplicate drug id"),
        ("no primary figure", drop_primary, "primary source"),
        ("unknown top-level key", unknown_top_key, "unknown key(s) ['colour']"),
        ("unknown drug key", unknown_drug_key, "drug 'lorazepam', field '(drug)'"),
        ("bad class", set_in_drug("zolpidem", "class", "hypnotic"), "field 'class'"),
        ("bad slug", set_in_drug("zolpidem", "id", "Zolpidem!"), "lower-case slug"),
        ("zero strength", zero_strength, "strengths_mg"),
        ("repeated strength", repeated_strength, "increasing without repeats"),
        ("max below strength", set_in_drug("lorazepam", "max_daily_mg", 1), "max_daily_mg"),
        ("negative rule", bad_rule, "warn_cut_percent_per_14_days.value"),
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [pytest.param(change, expected, id=name) for name, change, expected in _mutations()],
)
def test_catalogue_validation_fails_loudly_when_entry_malformed(tmp_path, change, expected):
    raw = _raw()
    change(raw)
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        read_catalogue(path)
    assert expected in str(caught.value)


def test_catalogue_validation_fails_when_file_is_not_json(tmp_path):
    path = tmp_path / "catalogue.json"
    path.write_text("{ not json", encoding="utf-8")
    with pytest.raises(CatalogueError, match="cannot be read as JSON"):
        read_catalogue(path)


def test_catalogue_validation_accepts_the_shipped_file_when_read_uncached(tmp_path):
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(_raw()), encoding="utf-8")
    assert set(read_catalogue(path).drugs) == REFERENCE_DRUGS
