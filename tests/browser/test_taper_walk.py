"""Walk the taper tools as a member does: make a plan, preview it, save it, print it."""

import re

from playwright.sync_api import expect

from stepdown.tapering.models import TaperPlan
from tests.factories import PASSWORD, UserFactory


def test_member_makes_previews_saves_and_prints_a_plan(page, transactional_db):
    UserFactory(username="rowan")
    page.goto("/taper/")
    expect(page.get_by_text("This is a community tool, not medical advice.")).to_be_visible()
    page.get_by_role("link", name="Make a taper plan").click()

    # Plans are for members: sign in, and come back to the plan form.
    page.get_by_label("Username or email").fill("rowan")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a taper plan")

    page.get_by_label("Medicine to taper").select_option(label="Clonazepam")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Medicine: Clonazepam")).to_be_visible()

    page.get_by_label("Night").fill("1")
    page.get_by_label(re.compile("^Proportional")).check()
    page.get_by_label("Cut size").fill("10")
    page.get_by_label("Days between cuts").fill("14")
    page.get_by_label("Start date").fill("2027-01-04")
    page.get_by_label("Tablets", exact=True).check()
    page.get_by_label("0.5 mg", exact=True).check()
    page.get_by_label("Into halves and quarters").check()
    page.get_by_role("button", name="Preview").click()

    preview = page.locator(".plan-preview")
    expect(preview.get_by_role("heading", name=re.compile("^Preview"))).to_be_visible()
    expect(preview.locator(".plan-table")).to_contain_text("1¾ × 0.5 mg tablet")
    expect(preview).to_contain_text("not a deadline")
    expect(preview.locator(".plan-warnings")).to_be_visible()
    assert TaperPlan.objects.count() == 0
    expect(page.get_by_label("Night")).to_have_value("1")  # the form keeps what was typed

    preview.get_by_role("button", name="Save plan").click()
    expect(page.get_by_text("Your plan is saved. Only you can see it.")).to_be_visible()
    plan = TaperPlan.objects.get()
    expect(page).to_have_url(re.compile(rf"/taper/plans/{plan.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(plan.title)

    page.get_by_role("link", name="Printable view for your prescriber").click()
    page.get_by_label("Name to print on the plan").fill("Rowan Ash")
    page.get_by_role("button", name="Show the name").click()
    expect(page.get_by_text("For: Rowan Ash")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Benzodiazepine taper plan")

    # Printed, only the plan remains: no site header, breadcrumbs or form.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".breadcrumbs")).to_be_hidden()
    expect(page.get_by_label("Name to print on the plan")).to_be_hidden()
    expect(page.locator(".plan-table")).to_be_visible()
    expect(page.get_by_text("This is a community tool, not medical advice.")).to_be_visible()
