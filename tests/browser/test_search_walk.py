"""Walk search in the browser: type in the header's box, read highlighted results, open one."""

import re

from playwright.sync_api import expect

from stepdown.forum import actions
from tests.factories import CategoryFactory, UserFactory, make_topic


def test_guest_searches_from_header_and_opens_highlighted_result(page, transactional_db):
    author = UserFactory(username="willow")
    category = CategoryFactory(slug="support", name="Tapering support")
    topic = make_topic(category, author=author, title="Evenings", body="Evenings are long.")
    for number in range(24):
        actions.create_reply(topic, author=author, body=f"An ordinary day, note {number}.")
    answer = actions.create_reply(
        topic, author=author, body="Magnesium before bed helped me <b>sleep</b> a little."
    )
    lounge = CategoryFactory(slug="lounge", name="Members' lounge", read_access="members")
    make_topic(lounge, title="Magnesium brands", body="Members only.")

    page.goto("/")
    header_search = page.get_by_role("search")
    header_search.get_by_label("Search the forum").fill("magnesium")
    header_search.get_by_label("Search the forum").press("Enter")

    expect(page).to_have_url(re.compile(r"/search/\?q=magnesium$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Search the forum")
    expect(page.get_by_role("status").filter(has_text="found")).to_have_text("1 post found.")
    result = page.locator(".search-result")
    expect(result).to_have_count(1)  # the members-only topic stays out of a guest's results
    expect(result.locator("mark")).to_have_text("Magnesium")
    expect(result.locator(".search-result__snippet")).to_contain_text("<b>sleep</b>")
    # The search page's own form keeps the words.
    expect(page.locator("main").get_by_label("Search for")).to_have_value("magnesium")

    result.get_by_role("link", name="Evenings").click()
    # The permalink opens the topic's second page at the reply, with focus on it.
    expect(page).to_have_url(re.compile(rf"\?page=2#post-{answer.pk}$"))
    expect(page.locator(f"#post-{answer.pk}")).to_contain_text("Magnesium before bed")
