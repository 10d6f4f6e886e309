"""Walk quoting and content warnings in the browser: select, quote, open a warning."""

import re

from playwright.sync_api import expect

from tests.browser.walks import sign_in
from tests.factories import CategoryFactory, UserFactory, make_topic


def select_text(page, selector: str, text: str) -> None:
    """Select ``text`` inside the element ``selector`` finds, as a reader dragging would."""
    page.evaluate(
        """([selector, text]) => {
            const root = document.querySelector(selector);
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                const at = node.data.indexOf(text);
                if (at >= 0) {
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + text.length);
                    const selection = window.getSelection();
                    selection.removeAllRanges();
                    selection.addRange(range);
                    return;
                }
            }
            throw new Error("text not found: " + text);
        }""",
        [selector, text],
    )


def test_member_quotes_selected_passage_into_reply_form(page, transactional_db):
    UserFactory(username="rowan")
    author = UserFactory(username="river")
    topic = make_topic(
        CategoryFactory(slug="support"),
        author=author,
        title="Week six",
        body="The mornings are hard. By evening it eases a little.",
    )
    post = topic.first_post
    sign_in(page, "rowan", topic.get_absolute_url())

    textarea = page.get_by_label("Your message")
    textarea.fill("Hello river.")
    select_text(page, f"#post-{post.pk} .post__body", "By evening it eases")
    page.locator(f"#post-{post.pk}").get_by_role("link", name=re.compile("^Quote")).click()

    expect(page).to_have_url(re.compile(re.escape(topic.get_absolute_url()) + "$"))
    expect(textarea).to_be_focused()
    expect(textarea).to_have_value(
        f"Hello river.\n\n> **river** [wrote](/p/{post.pk}/):\n> By evening it eases\n\n"
    )
    # The cursor sits after the quote, so the member writes on from there.
    assert page.evaluate("document.activeElement.selectionStart") == len(textarea.input_value())

    page.keyboard.type("Same for me.")
    page.get_by_role("button", name="Post reply").click()
    reply = topic.posts.get(position=2)
    quote = page.locator(f"#post-{reply.pk} blockquote")
    expect(quote).to_contain_text("river wrote: By evening it eases")
    expect(quote.get_by_role("link", name="wrote")).to_have_attribute("href", f"/p/{post.pk}/")


def test_quote_without_selection_opens_reply_page_with_whole_post(page, transactional_db):
    UserFactory(username="rowan")
    topic = make_topic(CategoryFactory(slug="support"), body="All of **this** post.")
    post = topic.first_post
    sign_in(page, "rowan", topic.get_absolute_url())
    page.locator(f"#post-{post.pk}").get_by_role("link", name=re.compile("^Quote")).click()
    expect(page).to_have_url(re.compile(rf"/reply/\?quote={post.pk}$"))
    expect(page.get_by_label("Your message")).to_have_value(
        re.compile(
            rf"^> \*\*member\d+\*\* \[wrote\]\(/p/{post.pk}/\):\n> All of \*\*this\*\* post\."
        )
    )


def test_content_warning_opens_when_reader_clicks_it(page, transactional_db):
    topic = make_topic(
        CategoryFactory(slug="support"),
        body="Before.\n\n:::cw Self-harm mention\nThe hidden passage.\n:::\n\nAfter.",
    )
    page.goto(topic.get_absolute_url())
    hidden = page.get_by_text("The hidden passage.")
    expect(hidden).to_be_hidden()
    expect(page.get_by_text("After.")).to_be_visible()
    page.get_by_text("Content warning: Self-harm mention").click()
    expect(hidden).to_be_visible()
    expect(page.locator("details.content-warning")).to_have_attribute("open", "")
