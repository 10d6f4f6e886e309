"""Walk the moderation flow in the browser: a member reports a post; a moderator signed in with
two-factor claims the report, hides the post with a reason in the same step as resolving it,
and finds the action in the audit log; the topic shows the change at once. Then the topic's
"Moderate" menu (a <details>, no JavaScript needed) locks the topic."""

import re

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import expect

from stepdown.forum import actions
from stepdown.moderation.models import AuditEntry, Report
from tests.browser.conftest import quiet_close
from tests.browser.walks import sign_in
from tests.factories import CategoryFactory, UserFactory, make_topic


def test_report_claim_hide_and_audit_log_in_the_browser(
    page, browser, live_server, transactional_db
):
    UserFactory(username="rowan")
    river = UserFactory(username="river")
    topic = make_topic(CategoryFactory(slug="support"), author=river, title="Week six")
    reply = actions.create_reply(topic, author=river, body="DM me, I can get you some pills.")

    # The member reports the reply from its "Report" link.
    sign_in(page, "rowan", topic.get_absolute_url())
    post = page.locator(f"#post-{reply.pk}")
    post.get_by_role("link", name="Report post #2", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report to the moderators")
    page.get_by_label("Offers or asks for drugs or prescriptions").check()
    page.get_by_label("Anything the moderators should know").fill("Offering to sell.")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("Thank you. The moderators will look at it.")).to_be_visible()
    report = Report.objects.get()

    # A moderator with two-factor sign-in works the queue.
    secret = generate_totp_secret()
    TOTP.activate(UserFactory(username="moss", is_moderator=True), secret)
    context = browser.new_context(base_url=live_server.url)
    moderator = context.new_page()
    moderator.set_default_timeout(10_000)
    try:
        sign_in(moderator, "moss", "/moderation/", totp_secret=secret)
        expect(moderator.get_by_role("heading", level=1)).to_have_text("Moderation")
        moderator.get_by_role("link", name=re.compile(r"1\s+open report")).click()
        expect(moderator.get_by_text("Offering to sell.")).to_be_visible()
        moderator.get_by_role("link", name="Offers or asks for drugs or prescriptions").click()
        expect(moderator.get_by_text("DM me, I can get you some pills.")).to_be_visible()
        moderator.get_by_role("button", name="I'll look at this").click()
        expect(moderator.get_by_text("You are looking at this report now.")).to_be_visible()

        moderator.get_by_label("Hide the post").check()
        moderator.get_by_label("Reason the member reads").fill("Offers to sell medication")
        moderator.get_by_label("Note for the other moderators").fill("Clear sourcing offer.")
        moderator.get_by_role("button", name="Resolve the report").click()
        expect(moderator.get_by_text("The report is resolved.")).to_be_visible()
        expect(moderator.get_by_text("No reports are waiting.")).to_be_visible()

        # The audit log shows who did what, and why.
        moderator.get_by_role("link", name="Audit log").click()
        log = moderator.locator(".audit-list")
        first = log.locator(".audit-entry").nth(0)
        expect(first).to_contain_text("Report resolved")
        hidden = log.locator(".audit-entry", has_text="Post hidden")
        expect(hidden).to_contain_text("by moss")
        expect(hidden).to_contain_text("concerning river")
        expect(hidden).to_contain_text("Why: Offers to sell medication")
        moderator.get_by_label("Action").select_option("post.hide")
        moderator.get_by_role("button", name="Show", exact=True).click()
        expect(moderator.locator(".audit-entry")).to_have_count(1)
        assert AuditEntry.objects.filter(action="post.hide", actor__username="moss").exists()

        # The topic shows the change at once: moderators see the post marked, members not at all.
        moderator.goto(topic.get_absolute_url())
        expect(moderator.locator(f"#post-{reply.pk}")).to_contain_text(
            "Hidden by a moderator: Offers to sell medication"
        )
        page.reload()
        expect(page.get_by_text("DM me, I can get you some pills.")).to_have_count(0)

        # The topic's Moderate menu opens without JavaScript and locks the topic.
        menu = moderator.locator("details.mod-menu--topic")
        menu.locator("summary").click()
        menu.get_by_label("Why (optional, kept in the log)").fill("Resolved, closing")
        menu.get_by_role("button", name="Lock", exact=True).click()
        expect(
            moderator.get_by_text("The topic is locked: only moderators can reply.")
        ).to_be_visible()
        page.reload()
        expect(page.get_by_role("heading", name="This topic is locked")).to_be_visible()
    finally:
        quiet_close(context)
    report.refresh_from_db()
    assert (report.status, report.outcome, report.claimed_by.username) == (
        "resolved",
        "hide",
        "moss",
    )
