import re
from html import unescape

import pytest

from stepdown.tapering import actions
from stepdown.tapering.models import PlanVersion, TaperPlan
from stepdown.tapering.plan_inputs import PlanInputs, generate
from tests.tapering_web.conftest import PLAN_FORM, make_plan
from tests.tapering_web.test_equivalence_page import text_of

pytestmark = pytest.mark.django_db

NEW = "/taper/plans/new/"


def steps_table(response) -> list[list[str]]:
    """The plan table's body rows as lists of cell texts."""
    html = response.content.decode()
    body = html.split('<table class="plan-table">', 1)[1].split("<tbody>", 1)[1]
    body = body.split("</tbody>", 1)[0]
    rows = re.findall(r'<tr class="plan-step(?: [^"]*)?"[^>]*>(.*?)</tr>', body, re.S)
    return [
        [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip() for cell in cells]
        for cells in (re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows)
    ]


def test_plan_new_asks_for_the_medicine_first_when_none_chosen(owner_client):
    response = owner_client.get(NEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<select name="drug"' in html
    assert "Street or unknown benzodiazepines are not in the list" in html


def test_plan_new_offers_the_catalogue_strengths_when_medicine_chosen(owner_client):
    html = owner_client.get(NEW, {"drug": "clonazepam"}).content.decode()
    for strength in ["0.125", "0.25", "0.5", "1", "2"]:
        assert f'name="strengths" value="{strength}"' in html
    assert 'name="other_strengths"' in html
    assert "<legend>Your current daily dose, in mg</legend>" in html
    assert "community tool, not medical advice" in html


def test_plan_new_refuses_an_unknown_medicine_with_a_message(owner_client):
    response = owner_client.get(NEW, {"drug": "etizolam"})
    assert response.status_code == 400
    assert "not in Stepdown’s catalogue" in response.content.decode()


def test_plan_preview_shows_dated_steps_without_saving(owner_client):
    response = owner_client.post(NEW, {**PLAN_FORM, "preview": "1"})
    assert response.status_code == 200
    assert TaperPlan.objects.count() == 0
    text = text_of(response)
    assert "Preview not saved yet" in text
    rows = steps_table(response)
    assert rows[0][:3] == ["0 Your current dose", "4 Jan 2027 for 14 days", "1 mg"]
    assert rows[1][:5] == ["1 Cut", "18 Jan 2027 for 14 days", "0.9 mg", "0.9 mg", "10.0%"]
    assert rows[1][-2:] == ["10.0%", "9–36"]  # reduced so far; diazepam range across sources
    assert rows[-1][3] == "0 mg"
    assert "not a deadline" in text
    # What was typed stays in the form.
    assert 'name="night" value="1"' in response.content.decode()


def test_plan_save_stores_a_private_plan_and_shows_it(owner_client, owner):
    response = owner_client.post(NEW, {**PLAN_FORM, "title": "Autumn plan", "save": "1"})
    plan = TaperPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/taper/plans/{plan.pk}/"
    assert plan.owner == owner and plan.title == "Autumn plan" and plan.sharing == "private"
    assert plan.current.number == 1 and plan.current.drug_id == "clonazepam"

    detail = owner_client.get(response["Location"])
    text = text_of(detail)
    assert "Your plan is saved. Only you can see it." in text
    assert "Projected end date" in text and "not a deadline" in text
    assert steps_table(detail)[1][2] == "0.9 mg"


def test_plan_shows_the_fixed_amount_trap_warning_when_equal_mg_cuts_are_chosen(owner_client):
    data = {**PLAN_FORM, "method": "fixed_amount", "cut": "0.1", "preview": "1"}
    response = owner_client.post(NEW, data)
    text = text_of(response)
    assert "Fixed-amount cuts get steeper as the dose falls" in text
    assert "Faster than 25% in 14 days" in text
    rows = {row[3]: row for row in steps_table(response)}
    assert rows["0.4 mg"][4] == "20.0%"  # 0.5 → 0.4
    assert rows["0.3 mg"][4] == "25.0%"
    assert rows["0.2 mg"][4] == "33.3%"
    assert "(faster than the guideline's limit)" in rows["0.2 mg"][5]


def test_plan_warns_about_two_drugs_when_another_plan_is_saved(owner_client, owner):
    make_plan(owner, drug_id="alprazolam", doses={"morning": "0.5"})
    response = owner_client.post(NEW, {**PLAN_FORM, "preview": "1"})
    text = text_of(response)
    assert "Two drugs at once" in text
    assert "You are also tapering Alprazolam" in text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"night": "-1"}, "night", "Enter a dose above zero"),
        ({"night": "50"}, "night", "more than Stepdown accepts"),
        ({"night": ""}, "morning", "at least one time of day"),
        ({"cut": "90"}, "cut", "Choose a cut from 0.5% to 50%"),
        ({"interval_days": "0"}, "interval_days", "whole number of days from 1 to 180"),
        ({"start_date": "2027-02-30"}, "start_date", "Enter the start date as a date"),
        ({"supply": "tablet", "strengths": ["2"]}, "supply", "can't be made with"),
        ({"method": "liquid_titration"}, "supply", "Liquid titration needs"),
        ({"target_mg": "5"}, "target_mg", "Choose a target below"),
        ({"hold_1_from": "2027-02-01"}, "hold_1_days", "both a date and a number of days"),
    ],
)
def test_plan_form_shows_errors_next_to_fields_and_keeps_input_when_input_is_bad(
    owner_client, changes, field, message
):
    data = {**PLAN_FORM, **changes, "preview": "1"}
    response = owner_client.post(NEW, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please check what you wrote" in html
    errors = re.search(rf'id="id_{field}_error">(.*?)</div>', html, re.S)
    assert errors and message in unescape(errors.group(1)), field
    if changes.get("night"):
        assert f'name="night" value="{changes["night"]}"' in html
    assert TaperPlan.objects.count() == 0


def test_plan_save_does_nothing_when_input_is_bad(owner_client):
    response = owner_client.post(NEW, {**PLAN_FORM, "cut": "0", "save": "1"})
    assert response.status_code == 400
    assert TaperPlan.objects.count() == 0


def test_plan_with_tablets_says_how_many_to_take(owner_client):
    data = {**PLAN_FORM, "supply": "tablet", "strengths": ["0.5"], "split": "quarters"}
    response = owner_client.post(NEW, {**data, "preview": "1"})
    rows = steps_table(response)
    assert rows[0][2] == "1 mg 2 × 0.5 mg tablet"
    assert rows[1][2] == "0.875 mg 1¾ × 0.5 mg tablet"


def test_plan_with_liquid_says_how_many_ml(owner_client):
    data = {**PLAN_FORM, "method": "liquid_titration", "supply": "liquid", "mg_per_ml": "0.01"}
    rows = steps_table(owner_client.post(NEW, {**data, "preview": "1"}))
    assert rows[0][2] == "1 mg 100 mL"
    assert rows[1][2] == "0.9 mg 90 mL"


def test_plan_list_shows_the_members_plans_only(owner_client, owner, other_member):
    make_plan(owner, title="Mine")
    make_plan(other_member, title="Theirs")
    text = text_of(owner_client.get("/taper/plans/"))
    assert "Mine" in text and "Theirs" not in text
    assert "not a deadline" in text


def test_plan_list_uses_a_constant_number_of_queries(
    owner_client, owner, django_assert_num_queries
):
    make_plan(owner)
    owner_client.get("/taper/plans/")  # warm the session
    # session, user, plans with their current version, and the header's unread notifications
    # and conversations counts
    with django_assert_num_queries(5):
        owner_client.get("/taper/plans/")
    for number in range(5):
        make_plan(owner, title=f"Plan {number}")
    with django_assert_num_queries(5):
        response = owner_client.get("/taper/plans/")
    assert text_of(response).count("not a deadline") == 6


def test_plan_detail_uses_a_constant_number_of_queries(
    owner_client, owner, django_assert_num_queries
):
    plan = make_plan(owner)
    url = plan.get_absolute_url()
    owner_client.get(url)
    # session, user, plan with version, version history, the header's two unread counts
    with django_assert_num_queries(6):
        owner_client.get(url)
    inputs = PlanInputs.from_json(PlanVersion.objects.get().inputs)
    for _ in range(4):
        actions.replan(plan, inputs=inputs, generated=generate(inputs))
    with django_assert_num_queries(6):
        response = owner_client.get(url)
    assert "Version 5" in response.content.decode()


def test_taper_landing_page_links_every_tool(client, owner_client):
    html = client.get("/taper/").content.decode()
    assert 'href="/taper/equivalence/"' in html and 'href="/taper/plans/new/"' in html
    assert "community tool, not medical advice" in html
    assert 'href="/taper/plans/"' in owner_client.get("/taper/").content.decode()


def test_taper_pages_use_calm_words(owner_client, owner):
    plan = make_plan(owner)
    for url in ["/taper/", "/taper/equivalence/", NEW, plan.get_absolute_url()]:
        text = text_of(owner_client.get(url)).lower()
        assert "abuse" not in text and "addict" not in text, url


def test_plan_crossover_switches_dose_times_to_diazepam_and_says_it_is_approximate(owner_client):
    data = {
        **PLAN_FORM,
        "drug": "lorazepam",
        "morning": "1",
        "night": "1",
        "method": "crossover_to_diazepam",
        "supply": "tablet",
        "strengths": ["1"],
        "preview": "1",
    }
    response = owner_client.post(NEW, data)
    assert response.status_code == 200
    rows = steps_table(response)
    assert rows[1][0] == "1 Switch a dose to diazepam"
    assert rows[1][2].startswith("10 mg diazepam")  # morning switched first
    assert rows[1][3].startswith("1 mg")  # night still lorazepam
    assert rows[2][4] == "20 mg"  # lorazepam 1 mg twice daily ≈ diazepam 20 mg
    text = text_of(response)
    assert "Switching is approximate" in text
    assert "Lorazepam → Diazepam" in text
