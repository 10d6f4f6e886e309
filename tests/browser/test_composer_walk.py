"""Walk the composer in the browser: toolbar, live preview, drafts, sign-in in between, one post."""

import re
import time

from playwright.sync_api import expect

from stepdown.forum.models import Draft, Post
from tests.browser.conftest import quiet_close
from tests.browser.walks import sign_in
from tests.factories import CategoryFactory, UserFactory, make_topic


def make_world():
    member = UserFactory(username="rowan")
    topic = make_topic(
        CategoryFactory(slug="support"),
        author=UserFactory(username="river"),
        title="Week six",
        body="How is everyone doing this week?",
    )
    return member, topic


def wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def watch_csp(page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    return problems


def test_toolbar_formats_and_preview_follows_typing(transactional_db, page):
    _member, topic = make_world()
    csp_problems = watch_csp(page)
    sign_in(page, "rowan", topic.get_absolute_url())

    textarea = page.get_by_label("Your message")
    textarea.press_sequentially("calm")
    textarea.press("Control+a")
    toolbar = page.get_by_role("toolbar", name="Formatting")
    toolbar.get_by_role("button", name="Bold").click()
    expect(textarea).to_have_value("**calm**")

    # Keyboard: one tab stop, arrows move along the toolbar.
    toolbar.get_by_role("button", name="Bold").focus()
    page.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="Italic")).to_be_focused()

    textarea.press("End")
    textarea.press_sequentially(" and a list:\n")
    toolbar.get_by_role("button", name="List").click()
    expect(textarea).to_have_value("**calm** and a list:\n- list item")

    preview = page.locator("#id_body_preview")
    expect(preview.locator("strong")).to_have_text("calm")
    expect(preview.locator("li")).to_have_text("list item")
    assert csp_problems == []


def test_reply_draft_is_back_after_closing_the_page(transactional_db, page):
    _member, topic = make_world()
    sign_in(page, "rowan", topic.get_absolute_url())
    page.get_by_label("Your message").press_sequentially("Today was better than I feared.")
    expect(page.locator("[data-composer-status]")).to_contain_text("Draft saved")
    context = page.context
    page.close()

    again = context.new_page()
    again.goto(topic.get_absolute_url())
    expect(again.get_by_label("Your message")).to_have_value("Today was better than I feared.")
    expect(again.get_by_role("button", name="Discard draft")).to_be_visible()


def test_draft_sent_as_page_closes_mid_sentence(transactional_db, page):
    member, topic = make_world()
    sign_in(page, "rowan", topic.get_absolute_url())
    page.get_by_label("Your message").press_sequentially("Typing and then")
    page.goto("/")  # leave at once: the page sends the draft as it goes
    assert wait_for(lambda: Draft.objects.filter(user=member).exists())
    page.goto(topic.get_absolute_url())
    expect(page.get_by_label("Your message")).to_have_value("Typing and then")


def test_draft_waits_on_another_device(transactional_db, page, browser, live_server):
    _member, topic = make_world()
    sign_in(page, "rowan", topic.get_absolute_url())
    page.get_by_label("Your message").press_sequentially("Started on my phone")
    expect(page.locator("[data-composer-status]")).to_contain_text("Draft saved")

    laptop = browser.new_context(base_url=live_server.url)
    try:
        other = laptop.new_page()
        sign_in(other, "rowan", topic.get_absolute_url())
        expect(other.get_by_label("Your message")).to_have_value("Started on my phone")
    finally:
        quiet_close(laptop)


def test_words_typed_before_the_scripts_ran_are_saved_and_previewed(transactional_db, page):
    member, topic = make_world()
    sign_in(page, "rowan", "/")
    held = []  # the composer's script, kept back as a slow connection would
    page.route(re.compile(r"/static/js/composer\.[^/]*js$"), lambda route: held.append(route))
    page.goto(topic.get_absolute_url(), wait_until="commit")
    page.get_by_label("Your message").fill("Typed **early** on a slow line")
    assert wait_for(lambda: bool(held) or page.wait_for_timeout(50))
    held[0].continue_()
    expect(page.locator("[data-composer-status]")).to_contain_text("Draft saved")
    expect(page.locator("#id_body_preview strong")).to_have_text("early")
    assert Draft.objects.get(user=member).fields["body"] == "Typed **early** on a slow line"


def test_double_click_on_post_makes_one_post(transactional_db, page):
    _member, topic = make_world()
    sign_in(page, "rowan", topic.get_absolute_url())
    page.get_by_label("Your message").fill("Only once, please.")
    page.get_by_role("button", name="Post reply").dblclick()
    expect(page).to_have_url(re.compile(r"#post-\d+$"))
    expect(page.locator(".post__body", has_text="Only once, please.")).to_have_count(1)
    assert Post.objects.filter(body_markdown="Only once, please.").count() == 1


def test_double_click_without_javascript_makes_one_post(transactional_db, browser, live_server):
    _member, topic = make_world()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, "rowan", topic.get_absolute_url())
        page.get_by_label("Your message").fill("No script here.")
        page.get_by_role("button", name="Post reply").dblclick()
        expect(page).to_have_url(re.compile(r"#post-\d+$"))
        assert wait_for(lambda: Post.objects.filter(body_markdown="No script here.").exists())
        time.sleep(0.5)  # let a second request, if any, finish
        assert Post.objects.filter(body_markdown="No script here.").count() == 1
    finally:
        context.close()


def test_signed_out_while_writing_keeps_the_reply_through_sign_in(transactional_db, page):
    _member, topic = make_world()
    sign_in(page, "rowan", topic.get_absolute_url())
    page.get_by_label("Your message").fill("An hour of writing.")
    page.context.clear_cookies(name="sessionid")  # the session ended meanwhile
    page.get_by_role("button", name="Post reply").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_text("nothing was posted yet")).to_be_visible()
    page.get_by_label("Username or email").fill("rowan")
    from tests.factories import PASSWORD

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/t/{topic.pk}/reply/$"))
    expect(page.get_by_label("Your message")).to_have_value("An hour of writing.")
    assert not Post.objects.filter(body_markdown="An hour of writing.").exists()
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator(".post__body", has_text="An hour of writing.")).to_have_count(1)


def test_a_kept_page_posts_and_saves_drafts_like_a_fresh_one(transactional_db, page):
    # The topic page asked for again is the member's kept page (core/member_pages.py): its
    # CSRF token and submission key are put in fresh, and the composer works as on any page.
    member, topic = make_world()
    sign_in(page, "rowan", topic.get_absolute_url())
    states = []
    for _ in range(3):
        response = page.goto(topic.get_absolute_url())
        states.append(response.headers.get("x-page-cache"))
    assert states[-1] == "hit", states
    keys = {page.locator("input[name=submission_key]").input_value()}
    page.reload()
    keys.add(page.locator("input[name=submission_key]").input_value())
    assert len(keys) == 2  # a new key on every page served
    page.get_by_label("Your message").press_sequentially("Written on a kept page.")
    expect(page.locator("[data-composer-status]")).to_contain_text("Draft saved")
    # The draft dropped the kept page: it is there on the way back.
    back = page.goto(topic.get_absolute_url())
    assert back.headers.get("x-page-cache") == "miss"
    expect(page.get_by_label("Your message")).to_have_value("Written on a kept page.")
    # Posted from a kept page: its fresh CSRF token and key are accepted.
    assert page.reload().headers.get("x-page-cache") == "hit"
    expect(page.get_by_label("Your message")).to_have_value("Written on a kept page.")
    page.get_by_role("button", name="Post reply").click()
    expect(page).to_have_url(re.compile(r"#post-\d+$"))
    expect(page.locator(".post__body", has_text="Written on a kept page.")).to_have_count(1)
    assert not Draft.objects.filter(user=member).exists()
