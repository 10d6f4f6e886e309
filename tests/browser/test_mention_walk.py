"""Walk a mention in the browser: type "@oth", choose "other" from the list by keyboard."""

import re

from playwright.sync_api import expect

from tests.browser.walks import sign_in
from tests.factories import CategoryFactory, UserFactory, make_topic


def reply_textarea(page):
    textarea = page.get_by_label("Your message")
    expect(textarea).to_have_attribute("data-mentions-url", "/u/suggest/")
    return textarea


def test_member_picks_a_mention_from_suggestions_with_the_keyboard(page, transactional_db):
    UserFactory(username="rowan")
    UserFactory(username="other")
    UserFactory(username="brother")
    topic = make_topic(CategoryFactory(slug="support"), title="Week six")
    sign_in(page, "rowan", topic.get_absolute_url())

    textarea = reply_textarea(page)
    textarea.click()
    expect(textarea).to_have_attribute("aria-expanded", "false")
    textarea.press_sequentially("Thanks @oth")
    listbox = page.get_by_role("listbox", name="Members to mention")
    expect(listbox).to_be_visible()
    option = listbox.get_by_role("option", name="@other")
    expect(option).to_be_visible()
    expect(listbox.get_by_role("option")).to_have_count(1)  # "brother" does not start with it
    expect(textarea).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("status").filter(has_text="1 member found")).to_have_count(1)

    textarea.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    option_id = option.get_attribute("id")
    expect(textarea).to_have_attribute("aria-activedescendant", option_id)
    textarea.press("Enter")

    expect(textarea).to_have_value("Thanks @other ")
    expect(listbox).to_be_hidden()
    expect(textarea).to_have_attribute("aria-expanded", "false")
    expect(textarea).to_be_focused()

    # With the list closed, Enter is a new line again, and Escape leaves a list closed.
    textarea.press("Enter")
    expect(textarea).to_have_value("Thanks @other \n")
    textarea.press_sequentially("@oth")
    expect(listbox).to_be_visible()
    textarea.press("Escape")
    expect(listbox).to_be_hidden()
    textarea.press("Enter")
    expect(textarea).to_have_value("Thanks @other \n@oth\n")

    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("Thanks @other")).to_be_visible()
    stored = topic.posts.get(position=2).body_markdown.replace("\r\n", "\n")
    assert stored.startswith("Thanks @other \n@oth")
    # The posted mention links to the member's page; "@oth" matched no one and stays text.
    mention = page.locator(".post__body a.mention", has_text="@other")
    expect(mention).to_have_attribute("href", "/u/other/")
    expect(page.get_by_text("No member is called @oth")).to_be_visible()
    mention.click()
    expect(page).to_have_url(re.compile(r"/u/other/$"))
