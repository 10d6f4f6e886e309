"""Walk the journal as a member does: consent, a week of entries, the chart, the signature."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from stepdown.journals.models import ConsentRecord, Entry
from tests.factories import PASSWORD, CategoryFactory, UserFactory, make_topic

WEEK = ["1", "1", "0.875", "0.875", "0.75", "0.75", "0.625"]  # clonazepam mg, day by day


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/?next=/journal/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()


def log_day(page, day, mg: str, insomnia: str) -> None:
    page.goto(f"/journal/entry/{day.isoformat()}/")
    dose = page.get_by_role("group", name="Dose 1", exact=True)
    dose.get_by_label("Drug").select_option("clonazepam")
    dose.get_by_label("mg taken").fill(mg)
    dose.get_by_label("Time of day").fill("08:00")
    page.get_by_role("group", name="Insomnia", exact=True).get_by_label(insomnia).check()
    page.get_by_label("Hours of sleep").fill("6.5")
    page.get_by_role("button", name="Save this day").click()
    expect(page.get_by_role("status")).to_contain_text("is saved")


def test_member_logs_a_week_sees_the_chart_and_signs_posts(page, transactional_db):
    member = UserFactory(username="rowan")
    topic = make_topic(CategoryFactory(slug="support"), author=member, title="Week one")
    today = timezone.localdate()

    sign_in(page, "rowan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your dose and symptom journal")
    expect(page.locator(".not-medical-advice")).to_contain_text("not medical advice")
    page.get_by_label(re.compile("^I agree that Stepdown keeps")).check()
    page.get_by_role("button", name="Agree and start my journal").click()
    expect(page.get_by_text("Your journal is ready")).to_be_visible()
    assert ConsentRecord.objects.get(owner=member).action == "granted"

    ratings = ["0, none", "1, mild", "2, moderate"]
    for n, mg in enumerate(WEEK):
        log_day(page, today - timedelta(days=6 - n), mg, insomnia=ratings[n % 3])
    assert Entry.objects.count() == 7

    page.get_by_role("navigation", name="Journal").get_by_role("link", name="Chart").click()
    charts = page.get_by_role("img")
    expect(charts).to_have_count(3)
    expect(charts.first).to_have_accessible_name(re.compile("Dose taken per day"))
    expect(page.get_by_text("Clonazepam from 1 mg to 0.625 mg")).to_be_attached()
    table = page.get_by_role("table", name=re.compile("numbers, day by day"))
    expect(table.get_by_role("row")).to_have_count(8)
    expect(table).to_contain_text("0.625")

    page.get_by_role("navigation", name="Journal").get_by_role("link", name="Signature").click()
    page.get_by_label("Show my taper signature under my posts").check()
    for field in ["Drug", "Start dose", "Current dose", "Percent reduced", "Days since the start"]:
        page.get_by_label(field, exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your signature shows under your posts")).to_be_visible()

    page.goto(topic.get_absolute_url())
    expect(page.locator(f"#post-{topic.first_post_id} .taper-signature")).to_have_text(
        "Taper signature: Clonazepam · started at 1 mg · now 0.625 mg · 38% reduced · "
        "6 days since the start"
    )


def test_journal_works_without_javascript(browser, live_server, transactional_db):
    UserFactory(username="sage")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, "sage")
    page.get_by_label(re.compile("^I agree that Stepdown keeps")).check()
    page.get_by_role("button", name="Agree and start my journal").click()
    page.get_by_role("group", name="Dose 1", exact=True).get_by_label("Drug").select_option(
        "diazepam"
    )
    page.get_by_role("group", name="Dose 1", exact=True).get_by_label("mg taken").fill("5")
    page.get_by_role("group", name="Seizure (fit)", exact=True).get_by_label("1, mild").check()
    page.get_by_role("button", name="Save this day").click()
    expect(page.get_by_role("alert")).to_contain_text("Please reach out for help now")
    expect(page.get_by_role("link", name="call 911")).to_be_visible()
    page.goto("/journal/chart/")
    expect(page.get_by_role("img")).to_have_count(3)
    context.close()
