from datetime import date

import pytest
from django.utils import timezone

from stepdown.tapering import actions
from stepdown.tapering.models import PlanVersion, TaperPlan
from stepdown.tapering.plan_inputs import PlanInputs, generate
from tests.tapering_web.conftest import PLAN_FORM, make_plan
from tests.tapering_web.test_equivalence_page import text_of
from tests.tapering_web.test_plan_pages import steps_table

pytestmark = pytest.mark.django_db


def today_plan(owner, **changes):
    """A plan that started four weeks ago, so today falls inside it."""
    start = timezone.localdate().fromordinal(timezone.localdate().toordinal() - 28)
    return make_plan(owner, start_date=start, **changes)


def test_plan_hold_marks_the_plan_on_hold_from_today(owner_client, owner):
    plan = today_plan(owner)
    response = owner_client.post(f"/taper/plans/{plan.pk}/hold/")
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "on_hold" and plan.held_since == timezone.localdate()
    text = text_of(owner_client.get(plan.get_absolute_url()))
    assert "stay at your current dose for as long as you need" in text
    assert "Resume" in text


def test_plan_hold_refuses_get(owner_client, owner):
    plan = today_plan(owner)
    assert owner_client.get(f"/taper/plans/{plan.pk}/hold/").status_code == 405
    plan.refresh_from_db()
    assert plan.status == "active"


def test_plan_resume_continues_from_the_held_dose_at_a_slower_pace(owner_client, owner):
    plan = today_plan(owner)
    actions.hold_plan(plan, since=timezone.localdate())
    url = f"/taper/plans/{plan.pk}/resume/"
    page = owner_client.get(url)
    assert 'name="cut" value="10"' in page.content.decode()

    today = timezone.localdate().isoformat()
    data = {"cut": "5", "interval_days": "28", "start_date": today}
    preview = owner_client.post(url, {**data, "preview": "1"})
    assert preview.status_code == 200
    rows = steps_table(preview)
    assert rows[0][2] == "0.81 mg"  # held after two cuts of 10%: 1 → 0.9 → 0.81
    assert rows[1][4] == "5.0%"
    assert PlanVersion.objects.count() == 1

    response = owner_client.post(url, {**data, "save": "1"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "active" and plan.held_since is None
    assert plan.current.number == 2 and plan.current.reason == "resumed"
    assert plan.current.inputs["doses"] == {"night": "0.81"}
    assert plan.current.inputs["interval_days"] == 28
    assert PlanVersion.objects.filter(plan=plan).count() == 2  # the first version is kept


def test_plan_resume_refuses_a_faster_pace_keeping_the_input(owner_client, owner):
    plan = today_plan(owner)
    actions.hold_plan(plan, since=timezone.localdate())
    data = {"cut": "20", "interval_days": "7", "start_date": str(timezone.localdate())}
    response = owner_client.post(f"/taper/plans/{plan.pk}/resume/", {**data, "save": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "the same cut or a smaller one" in html
    assert "at least 14 days between cuts" in html
    assert 'name="cut" value="20"' in html
    plan.refresh_from_db()
    assert plan.status == "on_hold" and plan.version_count == 1


def test_plan_resume_sends_back_to_the_plan_when_not_on_hold(owner_client, owner):
    plan = today_plan(owner)
    response = owner_client.get(f"/taper/plans/{plan.pk}/resume/")
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()


def test_plan_replan_starts_a_new_version_from_the_dose_taken(owner_client, owner):
    plan = today_plan(owner)
    url = f"/taper/plans/{plan.pk}/replan/"
    page = owner_client.get(url).content.decode()
    assert 'name="night" value="0.81"' in page  # prefilled with today's planned dose
    today = timezone.localdate().isoformat()
    data = {**PLAN_FORM, "night": "0.85", "start_date": today, "cut": "5", "save": "1"}
    response = owner_client.post(url, data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.current.number == 2 and plan.current.reason == "replanned"
    assert plan.current.inputs["doses"] == {"night": "0.85"}
    assert plan.current.start_date == date.fromisoformat(today)
    detail = owner_client.get(plan.get_absolute_url())
    assert steps_table(detail)[0][2] == "0.85 mg"
    text = text_of(detail)
    assert "Re-planned from the dose taken" in text and "First plan" in text
    # The first version is still there to look at.
    old = owner_client.get(f"/taper/plans/{plan.pk}/versions/1/")
    assert old.status_code == 200 and steps_table(old)[0][2] == "1 mg"


def test_plan_replan_does_not_warn_about_its_own_drug(owner_client, owner):
    plan = today_plan(owner)
    data = {**PLAN_FORM, "night": "0.8", "preview": "1"}
    response = owner_client.post(f"/taper/plans/{plan.pk}/replan/", data)
    assert "Two drugs at once" not in text_of(response)


def test_plan_delete_asks_then_deletes_with_every_version(owner_client, owner):
    plan = today_plan(owner)
    inputs = PlanInputs.from_json(plan.current.inputs)
    actions.replan(plan, inputs=inputs, generated=generate(inputs))
    url = f"/taper/plans/{plan.pk}/delete/"
    assert "cannot be undone" in owner_client.get(url).content.decode()
    assert TaperPlan.objects.count() == 1
    response = owner_client.post(url)
    assert response.status_code == 302 and response["Location"] == "/taper/plans/"
    assert TaperPlan.objects.count() == 0 and PlanVersion.objects.count() == 0
