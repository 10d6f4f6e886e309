"""Walk notifications in the browser: the header count updates itself, the list opens the post."""

import re

from playwright.sync_api import expect

from stepdown.forum import actions
from tests.browser.walks import sign_in
from tests.factories import CategoryFactory, UserFactory


def test_header_count_updates_and_notification_opens_the_reply(page):
    author = UserFactory(username="rowan")
    replier = UserFactory(username="river")
    topic = actions.create_topic(
        CategoryFactory(slug="support"), author=author, title="Week six", body="How are you?"
    )
    page.clock.install()
    sign_in(page, "rowan", "/")
    link = page.locator("#notifications-link")
    expect(link).to_have_text("Notifications")

    reply = actions.create_reply(topic, author=replier, body="Better today, thank you.")
    page.clock.run_for(61_000)  # htmx asks for the count once a minute
    expect(link).to_contain_text("1")
    expect(link).to_contain_text("unread")

    link.click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    page.get_by_role("button", name="river replied to “Week six”").click()
    expect(page).to_have_url(re.compile(rf"#post-{reply.pk}$"))
    expect(page.locator(f"#post-{reply.pk}")).to_be_focused()
    expect(page.locator("#notifications-link")).to_have_text("Notifications")


def test_notification_list_works_without_javascript(browser, live_server, transactional_db):
    author = UserFactory(username="rowan")
    topic = actions.create_topic(
        CategoryFactory(slug="support"), author=author, title="Week six", body="x"
    )
    actions.create_reply(topic, author=UserFactory(username="river"), body="Hello")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, "rowan", "/notifications/")
        expect(page.locator("#notifications-link")).to_contain_text("1")
        page.get_by_role("button", name="Mark all read").click()
        expect(page.locator("#notifications-link")).to_have_text("Notifications")
    finally:
        context.close()
