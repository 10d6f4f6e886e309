"""Walk the forum as people do: a guest reads, registers, replies, links and shares."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from stepdown.forum.demo import create_demo_community
from stepdown.forum.models import Post, Topic
from tests.factories import CategoryFactory, UserFactory, make_topic


@pytest.fixture
def demo(transactional_db):
    create_demo_community()
    return Topic.objects.get(tag="Review, Nov/21")


def active_element_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_guest_reads_shared_article_and_uses_skip_link(page, demo):
    page.goto("/")
    page.get_by_role("link", name="Research and articles").click()
    page.get_by_role("link", name=re.compile("Benzodiazepines: Uses, Dangers")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Review, Nov/21: Benzodiazepines: Uses, Dangers, and Clinical Considerations"
    )
    card = page.locator(".article-card")
    expect(card).to_contain_text("Neurology International")
    full_text = card.get_by_role("link", name="Read the full article")
    expect(full_text).to_have_attribute("href", "https://doi.org/10.3390/neurolint13040059")
    expect(full_text).to_have_attribute("rel", "noopener nofollow ugc")
    expect(page.get_by_role("heading", name="Recommended posts")).to_be_visible()

    # The skip link is the first thing Tab reaches, becomes visible, and moves focus to main.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Jump to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'main'")
    page.keyboard.press("Tab")  # the next Tab continues inside the main content
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")

    expect(page.get_by_text("Create an account or sign in to comment")).to_be_visible()
    expect(page.locator(".reply-box").get_by_role("link", name="Register")).to_be_visible()
    expect(page.locator(".reply-box").get_by_role("link", name="Sign in")).to_be_visible()
    expect(page.locator("textarea")).to_have_count(0)


def test_guest_registers_verifies_signs_in_and_replies(page, demo):
    topic_url = demo.get_absolute_url()
    page.goto(topic_url)
    page.locator(".reply-box").get_by_role("link", name="Register").click()
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Email").fill("newcomer@example.org")
    page.get_by_label("Password", exact=True).fill("steady steps every day")
    page.get_by_label("Password (again)").fill("steady steps every day")
    page.get_by_label("I have read and accept the community guidelines").check()
    page.get_by_label("I am 18 or older").check()
    page.get_by_role("button", name="Create your account").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify Your Email Address")

    assert len(mail.outbox) == 1
    confirm_path = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[0].body)
    page.goto(confirm_path.group(1))
    page.get_by_role("button", name="Confirm").click()

    # Signed in by confirming; sign out and in again by email, as on another day.
    page.get_by_role("button", name="Sign out").click()
    page.goto(topic_url)
    page.locator(".reply-box").get_by_role("link", name="Sign in").click()
    page.get_by_label("Username or email").fill("newcomer@example.org")
    page.get_by_label("Password").fill("steady steps every day")
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(topic_url)))
    expect(page.get_by_text("Signed in as newcomer", exact=True)).to_be_visible()

    page.get_by_label("Your message").fill("Thank you for the summary, it helped me today.")
    page.get_by_role("button", name="Post reply").click()
    reply = Post.objects.get(author__username="newcomer")
    expect(page).to_have_url(re.compile(rf"#post-{reply.pk}$"))
    post = page.locator(f"#post-{reply.pk}")
    expect(post).to_contain_text("Thank you for the summary, it helped me today.")
    expect(post).to_be_focused()
    # A new member's first posts wait for a moderator; the author sees theirs, marked.
    expect(page.get_by_text("a moderator will look at your first posts soon")).to_be_visible()
    expect(post).to_contain_text("Waiting for a moderator")


def test_link_to_comment_on_page_three_lands_on_the_post(page, transactional_db):
    topic = make_topic(CategoryFactory(slug="support"), title="A long topic", replies=59)
    target = topic.posts.get(position=47)
    page.goto(f"/p/{target.pk}/")
    expect(page).to_have_url(re.compile(rf"\?page=3#post-{target.pk}$"))
    post = page.locator(f"#post-{target.pk}")
    expect(post).to_contain_text("Reply number 46.")
    expect(post).to_be_in_viewport()
    expect(post).to_be_focused()

    # And from the page itself: the "Link to comment" link of another post.
    other = topic.posts.get(position=12)
    page.goto(topic.get_absolute_url())
    page.locator(f"#post-{other.pk}").get_by_role("link", name="Link to comment").click()
    expect(page.locator(f"#post-{other.pk}")).to_be_focused()


def test_share_copies_the_post_link(page, transactional_db):
    topic = make_topic(CategoryFactory(slug="support"), title="Share me", replies=1)
    reply = topic.posts.get(position=2)
    # A desktop browser without a system share sheet: the copy-link panel is used.
    page.add_init_script("delete Navigator.prototype.share;")
    page.goto(topic.get_absolute_url())
    post = page.locator(f"#post-{reply.pk}")
    post.get_by_text("Share", exact=True).click()
    post.get_by_role("button", name="Copy link").click()
    expect(post.get_by_role("status")).to_have_text("Link copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.endswith(f"/p/{reply.pk}/")
    email = post.get_by_role("link", name="Email")
    expect(email).to_have_attribute("href", re.compile(r"^mailto:\?subject=Share%20me&body="))


def test_share_uses_the_system_share_sheet_where_there_is_one(page, transactional_db):
    topic = make_topic(CategoryFactory(slug="support"), title="Share me")
    page.add_init_script(
        "navigator.share = (data) => { window.__shared = data; return Promise.resolve(); };"
    )
    page.goto(topic.get_absolute_url())
    page.get_by_text("Share", exact=True).click()
    shared = page.evaluate("window.__shared")
    assert shared["title"] == "Share me"
    assert shared["url"].endswith(f"/p/{topic.first_post_id}/")


def test_pages_work_without_javascript(browser, live_server, transactional_db):
    UserFactory(username="rowan")
    topic = make_topic(CategoryFactory(slug="support"), title="No script here", replies=1)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("rowan")
    page.get_by_label("Password").fill("a calm river at dawn")
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.goto(topic.get_absolute_url())
    page.get_by_label("Your message").fill("Posted with scripts turned off.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("Posted with scripts turned off.")).to_be_visible()
    # Share still offers the link and email without scripts.
    page.get_by_text("Share", exact=True).first.click()
    expect(page.get_by_label("Link to this post").first).to_be_visible()
    context.close()


def test_enter_in_the_title_field_posts_the_topic(page, transactional_db):
    UserFactory(username="rowan")
    CategoryFactory(slug="support", name="Support")
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("rowan")
    page.get_by_label("Password").fill("a calm river at dawn")
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.goto("/c/support/new/")
    page.get_by_label("Your message").fill("Hello, everyone.")
    page.get_by_label("Title", exact=True).fill("First steps")
    page.get_by_label("Title", exact=True).press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("First steps")
    assert Topic.objects.filter(title="First steps").exists()
