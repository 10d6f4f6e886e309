"""Walk the safety net in the browser: a member's reply matches a crisis phrase, they see the
gentle panel with crisis lines, and "Need help now?" works, with and without JavaScript."""

import re

from playwright.sync_api import expect

from stepdown.moderation.models import SafetyAlert, SafetyPhrase
from tests.browser.walks import sign_in
from tests.factories import CategoryFactory, UserFactory, make_topic


def test_member_posts_a_crisis_phrase_and_sees_the_panel_with_help(page, transactional_db):
    # Browser tests empty the tables between tests, seeded phrases included: bring our own.
    SafetyPhrase.objects.get_or_create(kind="crisis", phrase="end my life")
    UserFactory(username="rowan", rules_version="1")
    topic = make_topic(CategoryFactory(slug="support"), title="Hard nights")
    sign_in(page, "rowan", topic.get_absolute_url())

    page.get_by_label("Your message").fill("Some nights I want to end my life.")
    page.get_by_role("button", name="Post reply").click()

    panel = page.locator(".safety-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading", name="You are not alone")).to_be_visible()
    expect(panel.get_by_role("link", name="call 988")).to_have_attribute("href", "tel:988")
    expect(panel.get_by_role("link", name="text 741741")).to_be_visible()
    expect(page.get_by_text("Your reply is posted.")).to_be_visible()
    assert SafetyAlert.objects.filter(kind="crisis", author__username="rowan").exists()

    page.get_by_role("link", name="Need help now?", exact=True).click()
    expect(page).to_have_url(re.compile(r"/help-now/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Need help now?")
    expect(page.get_by_role("link", name="call 988")).to_be_visible()
    expect(page.locator(".safety-panel")).to_have_count(0)  # shown once


def test_need_help_link_and_locale_choice_work_without_javascript(
    browser, transactional_db, live_server
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/")
        page.get_by_role("link", name="Need help now?", exact=True).click()
        expect(page).to_have_url(re.compile(r"/help-now/$"))
        expect(page.get_by_role("link", name="call 988")).to_be_visible()
        page.get_by_label("Show help for another country or region").select_option("UK")
        page.get_by_role("button", name="Show", exact=True).click()
        expect(page).to_have_url(re.compile(r"/help-now/\?locale=UK$"))
        expect(page.get_by_role("link", name="call 116 123")).to_be_visible()
        # Kept for this device: the plain page (and the safety panel) show these lines first.
        page.get_by_role("button", name="Show help for United Kingdom first on this device").click()
        expect(page).to_have_url(re.compile(r"/help-now/$"))
        expect(page.get_by_text("These lines will be shown first on this device.")).to_be_visible()
        expect(page.get_by_role("link", name="call 116 123")).to_be_visible()
        page.goto("/help-now/")
        expect(page.get_by_role("link", name="call 116 123")).to_be_visible()
    finally:
        context.close()
