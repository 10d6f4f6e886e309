"""Walk reactions and editing in the browser: react, switch, take back, see who; edit, see the
history and its diff, and a moderator bringing back the original text."""

import re

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import expect

from stepdown.forum import actions
from stepdown.forum.models import Reaction, ReactionKind
from tests.browser.conftest import quiet_close
from tests.browser.walks import sign_in
from tests.factories import CategoryFactory, UserFactory, make_topic

# transactional_db empties the tables after each test, seeded rows included: seed them again.
DEFAULT_REACTIONS = [
    ("like", "Like", "img/reactions/like.svg"),
    ("thanks", "Thanks", "img/reactions/thanks.svg"),
    ("hug", "Hug", "img/reactions/hug.svg"),
    ("insightful", "Insightful", "img/reactions/insightful.svg"),
]


def seed_reactions() -> None:
    for position, (slug, label, icon) in enumerate(DEFAULT_REACTIONS):
        ReactionKind.objects.get_or_create(
            slug=slug, defaults={"label": label, "icon": icon, "position": position}
        )


def press(button) -> None:
    """Reach ``button`` by keyboard focus, then press it, as a keyboard user does."""
    button.focus()
    expect(button).to_be_focused()
    button.press("Enter")


def test_member_reacts_switches_takes_back_and_sees_who_reacted(page, transactional_db):
    seed_reactions()
    UserFactory(username="rowan")
    sage = UserFactory(username="sage")
    river = UserFactory(username="river")
    topic = make_topic(CategoryFactory(slug="support"), author=river, title="Week six")
    reply = actions.create_reply(topic, author=river, body="Evenings are easier now.")
    actions.set_reaction(reply, user=sage, kind=ReactionKind.objects.get(slug="thanks"))
    sign_in(page, "rowan", topic.get_absolute_url())

    post = page.locator(f"#post-{reply.pk}")
    group = post.get_by_role("group", name="Reactions to post #2")
    counts = group.locator(".reactions__counts")
    hug = group.get_by_role("button", name="Hug post #2", exact=True)
    expect(hug).to_have_attribute("aria-pressed", "false")
    expect(counts).to_have_text(re.compile(r"^\s*Thanks\s+1\s*$"))

    press(hug)
    expect(page.get_by_text("You reacted with “Hug”.")).to_be_visible()
    hug_taken = group.get_by_role(
        "button", name="Hug (your reaction; press to take it back) post #2", exact=True
    )
    expect(hug_taken).to_have_attribute("aria-pressed", "true")
    expect(counts.locator(".reaction-count", has_text="Hug")).to_contain_text("1")
    expect(counts.locator(".reaction-count", has_text="Thanks")).to_contain_text("1")
    assert Reaction.objects.get(post=reply, user__username="rowan").kind.slug == "hug"

    # Switching replaces the reaction: one per member, the counts follow.
    press(group.get_by_role("button", name="Thanks post #2", exact=True))
    expect(page.get_by_text("You reacted with “Thanks”.")).to_be_visible()
    thanks_taken = group.get_by_role(
        "button", name="Thanks (your reaction; press to take it back) post #2", exact=True
    )
    expect(thanks_taken).to_have_attribute("aria-pressed", "true")
    expect(group.get_by_role("button", name="Hug post #2", exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(counts.locator(".reaction-count")).to_have_count(1)
    expect(counts).to_contain_text(re.compile(r"Thanks\s+2"))

    # Who reacted: a disclosure on the post, names per reaction, and a page with all of them.
    who = group.locator("details.reactions__who")
    expect(who.get_by_text("Thanks: sage, rowan")).to_be_hidden()
    press(who.get_by_text("Who reacted"))
    expect(who.get_by_text("Thanks: sage, rowan")).to_be_visible()
    who.get_by_role("link", name="All reactions to this post").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reactions to post #2")
    section = page.get_by_role("region", name=re.compile(r"Thanks \(2\)"))
    expect(section.get_by_role("listitem")).to_have_text(["sage", "rowan"])
    page.get_by_role("link", name="Back to the post").click()

    # Taking it back: pressing one's own reaction again.
    press(thanks_taken)
    expect(page.get_by_text("Your reaction is taken back.")).to_be_visible()
    expect(group.get_by_role("button", name="Thanks post #2", exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(group.locator("[aria-pressed=true]")).to_have_count(0)
    expect(counts).to_have_text(re.compile(r"^\s*Thanks\s+1\s*$"))
    assert not Reaction.objects.filter(post=reply, user__username="rowan").exists()


def test_member_edits_sees_history_diff_and_moderator_reverts(
    page, browser, live_server, transactional_db
):
    rowan = UserFactory(username="rowan")
    topic = make_topic(
        CategoryFactory(slug="support"),
        author=rowan,
        title="My taper",
        body="Day one.\nFeeling calm.",
    )
    post = topic.first_post
    sign_in(page, "rowan", topic.get_absolute_url())

    article = page.locator(f"#post-{post.pk}")
    expect(article.get_by_text("edited")).to_have_count(0)
    press(article.get_by_role("link", name="Edit post #1", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit post #1")
    body = page.get_by_label("Your message")
    expect(body).to_have_value("Day one.\nFeeling calm.")
    body.fill("Day one.\nFeeling steady.")
    page.get_by_label("What changed").fill("better word")
    press(page.get_by_role("button", name="Save changes"))

    expect(page.get_by_text("Your changes are saved.")).to_be_visible()
    article = page.locator(f"#post-{post.pk}")
    expect(article.locator(".post__body")).to_have_text("Day one.\nFeeling steady.")
    edited = article.get_by_role("link", name="edited (see the edit history)")
    expect(edited).to_be_visible()
    press(edited)

    expect(page.get_by_role("heading", level=1)).to_have_text("Edit history of post #1")
    latest = page.locator("#revision-2")
    expect(latest.get_by_role("heading")).to_have_text("Revision 2")
    expect(latest).to_contain_text("by rowan")
    expect(latest).to_contain_text("better word")
    expect(latest).to_contain_text("current version")
    expect(latest.locator("del")).to_have_text("removed: Feeling calm.")
    expect(latest.locator("ins")).to_have_text("added: Feeling steady.")
    first = page.locator("#revision-1")
    expect(first.get_by_role("heading")).to_have_text("As first posted")
    expect(first).to_contain_text("Feeling calm.")
    # Its author sees the history but may not revert.
    expect(page.get_by_role("button", name=re.compile("^Revert"))).to_have_count(0)

    # A moderator (two-factor sign-in) brings back the original text as a new revision.
    secret = generate_totp_secret()
    TOTP.activate(UserFactory(username="moss", is_moderator=True), secret)
    context = browser.new_context(base_url=live_server.url)
    moderator_page = context.new_page()
    moderator_page.set_default_timeout(10_000)
    try:
        history_url = f"/p/{post.pk}/history/"
        sign_in(moderator_page, "moss", history_url, totp_secret=secret)
        revert = moderator_page.get_by_role("button", name="Revert to revision 1", exact=True)
        press(revert)
        expect(
            moderator_page.get_by_text("The post shows revision 1 again, kept as a new revision.")
        ).to_be_visible()
        newest = moderator_page.locator("#revision-3")
        expect(newest).to_contain_text("by moss")
        expect(newest).to_contain_text("Reverted to revision 1")
        expect(newest.locator("ins")).to_have_text("added: Feeling calm.")
        moderator_page.get_by_role("link", name="Back to the post").click()
        expect(moderator_page.locator(f"#post-{post.pk} .post__body")).to_have_text(
            "Day one.\nFeeling calm."
        )
    finally:
        quiet_close(context)

    # The member sees their original words back.
    page.goto(topic.get_absolute_url())
    expect(page.locator(f"#post-{post.pk} .post__body")).to_have_text("Day one.\nFeeling calm.")
