import re

import pytest

pytestmark = pytest.mark.django_db

URL = "/taper/equivalence/"


def text_of(response) -> str:
    """The page's visible text, tags removed and spaces collapsed."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_equivalence_shows_diazepam_range_across_named_sources_when_alprazolam_given(client):
    response = client.get(URL, {"from_drug": "alprazolam", "mg": "1"})
    assert response.status_code == 200
    text = text_of(response)
    # Ashton: alprazolam 0.5 mg ≈ diazepam 10 mg, so 1 mg ≈ 20 mg; VA/DoD and WHO rate 1 mg as
    # 10 mg, so the range across sources is 10–20 mg.
    assert "≈ Diazepam 10–20 mg" in text
    assert "Ashton 2007 0.5 mg → 10 mg 20" in text
    assert "VA/DoD 2021 1 mg → 10 mg 10" in text
    assert "WHO 2009" in text and "Medscape" in text


def test_equivalence_shows_dose_of_a_second_drug_when_one_is_chosen(client):
    response = client.get(URL, {"from_drug": "alprazolam", "mg": "1", "to_drug": "clonazepam"})
    text = text_of(response)
    # Ashton rates alprazolam 0.5 mg and clonazepam 0.5 mg both ≈ diazepam 10 mg.
    assert "≈ Clonazepam" in text
    assert "Ashton 2007 0.5 mg → 0.5 mg 1" in text
    assert "Range across the sources that give a figure for both medicines." in text


def test_equivalence_labels_provisional_figures_when_the_source_is_a_secondary_copy(client):
    response = client.get(URL, {"from_drug": "zolpidem", "mg": "10"})
    html = response.content.decode()
    assert "includes provisional figures (P)" in html
    assert re.search(r"Ashton 2007 <abbr title=\"provisional[^\"]*\">\(P\)</abbr>", html)


def test_equivalence_always_shows_the_guideline_caution(client):
    for params in [{}, {"from_drug": "lorazepam", "mg": "1"}]:
        text = text_of(client.get(URL, params))
        assert "“is not straightforward”" in text
        assert "community tool, not medical advice" in text


def test_equivalence_offers_no_conversion_when_the_drug_is_street_or_unknown(client):
    response = client.get(URL, {"from_drug": "other", "mg": "1"})
    assert response.status_code == 400
    text = text_of(response)
    assert "no conversion for street or unknown benzodiazepines" in text
    assert "≈ Diazepam" not in text

    response = client.get(URL, {"from_drug": "etizolam", "mg": "1"})
    assert response.status_code == 400
    assert "“etizolam” is not in Stepdown’s drug catalogue" in text_of(response)


@pytest.mark.parametrize(
    ("mg", "message"),
    [
        ("-1", "Enter a dose above zero"),
        ("0", "Enter a dose above zero"),
        ("500", "more than Stepdown accepts"),
        ("lots", "Enter a number for the dose"),
        ("", "This field is required"),
    ],
)
def test_equivalence_explains_and_keeps_input_when_dose_is_bad(client, mg, message):
    response = client.get(URL, {"from_drug": "alprazolam", "mg": mg, "to_drug": "lorazepam"})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in text_of(response)
    assert f'name="mg" value="{mg}"' in html or (mg == "" and 'name="mg"' in html)
    assert '<option value="alprazolam" selected>' in html
    assert '<option value="lorazepam" selected>' in html
    assert "≈ Diazepam" not in text_of(response)


def test_equivalence_form_is_empty_and_calm_when_first_opened(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "Please check what you wrote" not in response.content.decode()
