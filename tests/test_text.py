from html.parser import HTMLParser

import pytest

from stepdown.core.text import ALLOWED_TAGS, render_markdown, sanitise_html


class ElementCollector(HTMLParser):
    """The elements and attributes a browser would build from some HTML."""

    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements_of(html: str):
    collector = ElementCollector()
    collector.feed(html)
    return collector.elements


def test_render_markdown_formats_commonmark_basics():
    html = render_markdown("**bold** and *soft*\n\n> a quote\n\n- one\n- two\n\n`code`")
    assert "<strong>bold</strong>" in html
    assert "<em>soft</em>" in html
    assert "<blockquote>" in html
    assert "<li>one</li>" in html
    assert "<code>code</code>" in html


def test_render_markdown_renders_tables():
    html = render_markdown("| dose | day |\n|---|---|\n| 10 mg | 1 |\n")
    assert "<table>" in html
    assert "<td>10 mg</td>" in html


def test_render_markdown_links_bare_addresses_with_safe_rel():
    html = render_markdown("See https://example.org/paper for more.")
    assert 'href="https://example.org/paper"' in html
    assert 'rel="nofollow ugc noopener"' in html


def test_render_markdown_keeps_fenced_code_as_text():
    html = render_markdown("```\n<script>alert(1)</script>\n```")
    assert "<pre><code>" in html
    assert "&lt;script&gt;" in html
    assert "<script>" not in html


@pytest.mark.parametrize(
    "raw",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<a href="#" onclick="alert(1)">x</a>',
        "<iframe src=https://example.org></iframe>",
        '<form action="https://example.org"><input name=x></form>',
        '<p style="background:url(javascript:alert(1))">x</p>',
        "![img](https://example.org/tracker.png)",
        "<svg onload=alert(1)>",
    ],
)
def test_render_markdown_removes_active_content(raw):
    for tag, attrs in elements_of(render_markdown(raw)):
        assert tag in ALLOWED_TAGS, raw
        assert not any(name.startswith("on") for name in attrs), raw
        assert "style" not in attrs, raw
        href = (attrs.get("href") or "").strip().lower()
        assert not href or href.startswith(("http://", "https://", "mailto:")), raw


def test_render_markdown_shows_markdown_image_as_text_not_remote_load():
    html = render_markdown("![chart](https://example.org/chart.png)")
    assert "<img" not in html
    assert "chart" in html


def test_render_markdown_allows_mailto_links():
    html = render_markdown("[write to us](mailto:hello@example.org)")
    assert 'href="mailto:hello@example.org"' in html


def test_render_markdown_of_empty_text_is_empty():
    assert render_markdown("") == ""


def test_render_markdown_hides_content_warning_passage_in_closed_labelled_box():
    html = render_markdown(":::cw Self-harm mention\nhidden **text**\n\n- a list\n:::\nafter")
    assert html.startswith(
        '<details class="content-warning"><summary>Content warning: Self-harm mention</summary>'
    )
    assert "<p>hidden <strong>text</strong></p>" in html and "<li>a list</li>" in html
    assert " open" not in html
    assert html.index("</details>") < html.index("<p>after</p>")


def test_render_markdown_content_warning_label_is_escaped_plain_text():
    html = render_markdown(":::cw **bold** <b>tag</b> [x](https://example.org)\nhidden\n:::")
    assert (
        "<summary>Content warning: **bold** &lt;b&gt;tag&lt;/b&gt; [x](https://example.org)"
        "</summary>"
    ) in html


def test_render_markdown_content_warning_label_is_capped():
    html = render_markdown(":::cw " + "x" * 300 + "\nhidden\n:::")
    summary = html.split("<summary>")[1].split("</summary>")[0]
    assert len(summary) <= len("Content warning: ") + 80
    assert summary.endswith("…")


def test_render_markdown_content_warning_without_label_says_content_warning():
    assert "<summary>Content warning</summary>" in render_markdown(":::cw\nhidden\n:::")


def test_render_markdown_closes_unclosed_content_warning_at_the_end():
    html = render_markdown("before\n\n:::cw Loss\nnever closed")
    assert html.endswith("<p>never closed</p>\n</details>\n")
    assert html.count("<details") == html.count("</details>") == 1


def test_render_markdown_does_not_nest_content_warnings():
    html = render_markdown(":::cw outer\n:::cw inner\nx\n:::\ny\n:::")
    assert html.count("<details") == html.count("</details>") == 1
    assert ":::cw inner" in html


def test_render_markdown_content_warning_works_inside_quotes_and_lists():
    quoted = render_markdown("> :::cw q\n> inside\n> :::\n\nout")
    assert quoted.startswith('<blockquote>\n<details class="content-warning">')
    listed = render_markdown("- item\n  :::cw L\n  in\n  :::\n- two")
    assert '<details class="content-warning"><summary>Content warning: L</summary>' in listed


def test_render_markdown_leaves_indented_or_fenced_cw_as_code():
    assert "<details" not in render_markdown("    :::cw code\n    :::")
    assert "<details" not in render_markdown("```\n:::cw code\n:::\n```")


def test_sanitise_html_keeps_details_class_only_with_the_content_warning_value():
    html = sanitise_html(
        '<details class="evil" open ontoggle="alert(1)"><summary>s</summary></details>'
        '<details class="content-warning"><summary>t</summary></details>'
    )
    assert html == (
        "<details><summary>s</summary></details>"
        '<details class="content-warning"><summary>t</summary></details>'
    )


def test_render_markdown_keeps_relative_links_such_as_quote_permalinks():
    html = render_markdown("> **bob** [wrote](/p/5/):\n> hello")
    assert '<a href="/p/5/" rel="nofollow ugc noopener">wrote</a>' in html
