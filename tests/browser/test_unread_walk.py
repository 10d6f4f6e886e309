"""Walk unread tracking in the browser: see new posts, jump to the first one, mark all read."""

import re

from playwright.sync_api import expect

from stepdown.forum import actions
from tests.browser.walks import sign_in
from tests.factories import CategoryFactory, UserFactory, make_topic


def test_member_jumps_to_first_unread_post_then_marks_all_read(page, transactional_db):
    UserFactory(username="rowan")
    river = UserFactory(username="river")
    category = CategoryFactory(slug="support", name="Support")
    topic = make_topic(category, author=river, title="Week six", replies=21)  # pages of 20
    make_topic(category, author=river, title="Holding steady")

    sign_in(page, "rowan", topic.get_absolute_url())  # page 1: posts 1 to 20 now read
    actions.create_reply(topic, author=river, body="Evening update: calmer today.")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Forum").click()
    row = page.locator(".category-row", has_text="Support")
    expect(row.get_by_text("New activity")).to_be_visible()
    row.get_by_role("link", name="Support").click()

    expect(page.locator(".topic-row", has_text="Holding steady")).to_contain_text("New topic")
    week_six = page.locator(".topic-row", has_text="Week six")
    jump = week_six.get_by_role("link", name=re.compile("^3 new posts"))
    jump.click()

    first_unread = topic.posts.get(position=21)
    expect(page).to_have_url(
        re.compile(re.escape(f"{topic.get_absolute_url()}?page=2#post-{first_unread.pk}") + "$")
    )
    expect(page.locator(f"#post-{first_unread.pk}")).to_be_focused()
    divider = page.get_by_text("New since you last read this topic")
    expect(divider).to_be_visible()
    expect(page.locator(".post-list__item").first).to_contain_text("New since you last read")

    page.get_by_role("link", name="Unread", exact=True).click()
    expect(page.locator(".topic-row", has_text="Holding steady")).to_be_visible()
    expect(page.locator(".topic-row", has_text="Week six")).to_have_count(0)
    page.get_by_role("button", name="Mark all read").click()

    expect(page.get_by_text("Everything is marked as read.")).to_be_visible()
    expect(page.get_by_text("You are all caught up")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Forum").click()
    expect(page.get_by_text("New activity")).to_have_count(0)
