"""Walk a private conversation in the browser: one member writes, the other sees it waiting in
the header, reads it, answers, and reports a message."""

import re

from playwright.sync_api import expect

from stepdown.conversations.models import Conversation
from stepdown.moderation.models import Report
from tests.browser.conftest import quiet_close
from tests.browser.walks import sign_in
from tests.factories import UserFactory


def test_two_members_write_read_and_report_a_message(page, browser, live_server):
    UserFactory(username="river")
    UserFactory(username="sam")

    # river starts a conversation with sam from sam's member page.
    sign_in(page, "river", "/u/sam/")
    page.get_by_role("link", name="Send a message").click()
    expect(page.get_by_label("To")).to_have_value("sam")
    expect(page.get_by_role("complementary", name="Keeping safe")).to_contain_text(
        "never share your phone number"
    )
    page.get_by_label("Subject").fill("Evenings")
    page.get_by_label("Your message").fill("How are the **evenings** going?")
    expect(page.locator(".composer__preview-body strong")).to_have_text("evenings")
    page.get_by_role("button", name="Send message").click()
    expect(page).to_have_url(re.compile(r"/messages/\d+/$"))
    conversation = Conversation.objects.get()
    assert page.url.endswith(conversation.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Evenings")

    # sam, in a browser of their own, sees one unread conversation in the header.
    other = browser.new_context(base_url=live_server.url)
    sam = other.new_page()
    sam.set_default_timeout(10_000)
    sign_in(sam, "sam", "/")
    messages_link = sam.locator("#messages-link")
    expect(messages_link).to_contain_text("1")
    messages_link.click()
    row = sam.locator(".conversation-row--unread")
    expect(row).to_contain_text("Evenings")
    expect(row).to_contain_text("With river")
    row.get_by_role("link").click()
    expect(sam.locator("#message-1 .post__body")).to_contain_text("How are the evenings going?")
    expect(sam.locator("#messages-link .count-badge")).to_have_count(0)

    # sam answers; river's header shows it and river reads it.
    sam.get_by_label("Your message").fill("Better, thank you.")
    sam.get_by_role("button", name="Send message").click()
    expect(sam).to_have_url(re.compile(r"#message-2$"))
    page.goto("/")
    expect(page.locator("#messages-link")).to_contain_text("1")
    page.locator("#messages-link").click()
    page.get_by_role("link", name=re.compile("Evenings")).click()
    expect(page.locator("#message-2")).to_contain_text("Better, thank you.")

    # river reports sam's message; sam's own message has no report link for sam.
    expect(sam.locator("#message-2").get_by_role("link", name=re.compile("^Report"))).to_have_count(
        0
    )
    page.locator("#message-2").get_by_role("link", name=re.compile("^Report")).click()
    page.get_by_label("Spam or advertising").check()
    page.get_by_label("Anything the moderators should know").fill("Just checking the flow.")
    page.get_by_role("button", name="Send the report").click()
    expect(page).to_have_url(re.compile(r"#message-2$"))
    expect(page.get_by_role("status")).to_contain_text("The moderators will look at it.")
    report = Report.objects.get()
    assert (report.reporter.username, report.target_type, report.reason) == (
        "river",
        "message",
        "spam",
    )
    quiet_close(other)
