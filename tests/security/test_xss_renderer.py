"""The XSS corpus against the one door for user HTML: nothing active comes out of it."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepdown.core.text import render_markdown, sanitise_html
from tests.security.html_safety import unsafe_parts, url_scheme
from tests.security.xss_payloads import FAMILIES, PAYLOADS

CORPUS = pytest.mark.parametrize(
    "payload", PAYLOADS, ids=[f"{p.family}-{n}" for n, p in enumerate(PAYLOADS)]
)


def test_corpus_holds_at_least_300_distinct_payloads_from_every_family():
    assert len(PAYLOADS) >= 300
    assert len({p.text for p in PAYLOADS}) == len(PAYLOADS)
    by_family = Counter(p.family for p in PAYLOADS)
    assert set(by_family) == set(FAMILIES)
    assert min(by_family.values()) >= 10, by_family


@CORPUS
def test_render_markdown_keeps_nothing_active_when_given_hostile_text(payload):
    html = render_markdown(payload.text)
    assert unsafe_parts(html) == [], payload


@CORPUS
def test_render_markdown_output_is_stable_when_sanitised_again(payload):
    html = render_markdown(payload.text)
    assert sanitise_html(html) == html, payload


@CORPUS
def test_sanitise_html_keeps_nothing_active_when_given_hostile_html(payload):
    # The sanitiser is public and must hold on its own, whatever reaches it unrendered.
    html = sanitise_html(payload.text)
    assert unsafe_parts(html, from_markdown=False) == [], payload
    again = sanitise_html(html)
    assert unsafe_parts(again, from_markdown=False) == [], payload
    # A second pass may only turn a decoded carriage return into a newline, as any HTML parser
    # does with its input; the structure is already final after the first pass.
    assert again == html.replace("\r\n", "\n").replace("\r", "\n"), payload


@pytest.mark.parametrize(
    ("href", "scheme"),
    [
        ("javascript:alert(1)", "javascript"),
        (" \x01JaVa\tScRi\npt:alert(1)", "javascript"),
        ("https://example.org", "https"),
        ("/t/1/x/", None),
        ("#post-3", None),
        ("java%09script:x", None),
        ("//example.org", None),
    ],
)
def test_url_scheme_reads_hrefs_as_a_browser_does(href, scheme):
    # The checker is only as good as its reading of addresses, so it is tested too.
    assert url_scheme(href) == scheme


def test_unsafe_parts_reports_what_a_page_must_never_show():
    hostile = (
        '<p onclick="x"><script>1</script><a href="jav&#x09;ascript:1">a</a>'
        '<a href="https://example.org" rel="nofollow">b</a><code class="x">c</code></div>'
    )
    problems = " | ".join(unsafe_parts(hostile))
    for expected in ("onclick", "<script>", "'javascript'", "rel is", "language", "</div>"):
        assert expected in problems


# Pieces that combine into the constructs a sanitiser must get right.
FRAGMENTS = (
    "<", ">", "</", "/>", "<!--", "-->", "<![CDATA[", "]]>", "<script>", "<img src=x ",
    "<svg ", "<math>", "<style>", "<a href=", "onerror=", "onmouseover=", "alert(1)", '"', "'",
    "`", "=", "&#", "&#x6A;", "&colon;", ";", "javascript:", "JaVaScRiPt:", "data:", "vbscript:",
    "http://", "https://example.org", "www.", "mailto:", "@", "[", "]", "(", ")", "](", "]: ",
    "![", "<http", "\\", "\n", "\n\n", "\t", " ", "    ", "```", "~~~", "|", "|---|", "---",
    "> ", "- ", "1. ", "*", "_", "~~", "#", "\x00", "\x01", "\u200b", "\u202e", "\ufeff",
    "\uff1c", "\u0430", "é",
)  # fmt: skip
hostile_text = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), max_size=40).map("".join),
)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(hostile_text)
def test_render_markdown_never_produces_unsafe_html_for_any_text(text):
    html = render_markdown(text)
    assert unsafe_parts(html) == []
    assert sanitise_html(html) == html


@PROPERTY
@given(hostile_text)
def test_sanitise_html_never_produces_unsafe_html_for_any_text(text):
    assert unsafe_parts(sanitise_html(text), from_markdown=False) == []
