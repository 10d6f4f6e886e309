"""The one door for user HTML: Markdown in, sanitised HTML out.

Every piece of member-written text is rendered here, at save time, and the stored result is what
pages show. markdown-it-py renders CommonMark (plus tables, strikethrough and autolinks) with raw
HTML disabled; nh3 then keeps only an allow-list of tags, attributes and URL schemes, so whatever
the renderer lets through, no script, style, event handler, iframe or form reaches a page.
Content warnings (``:::cw Label`` … ``:::``, see ``content_warnings``) render as ``<details>``.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

from .content_warnings import CSS_CLASS as CONTENT_WARNING_CLASS
from .content_warnings import content_warnings_plugin

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "del", "details", "em", "h1", "h2", "h3",
        "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "summary",
        "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
    "code": {"class"},
    "details": {"class"},
}
# Attributes allowed only with these exact values; the sanitiser drops any other value.
ALLOWED_ATTRIBUTE_VALUES = {"details": {"class": {CONTENT_WARNING_CLASS}}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    # Markdown images would load from other sites; show them as links instead.
    md.disable("image")
    md.use(content_warnings_plugin)
    return md


def sanitise_html(html: str) -> str:
    """Keep only the allowed tags, attributes and URL schemes of ``html``."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={
            tag: set(attrs) - set(ALLOWED_ATTRIBUTE_VALUES.get(tag, {}))
            for tag, attrs in ALLOWED_ATTRIBUTES.items()
        },
        tag_attribute_values={
            tag: {name: set(values) for name, values in attrs.items()}
            for tag, attrs in ALLOWED_ATTRIBUTE_VALUES.items()
        },
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(raw: str) -> str:
    """Render member-written Markdown to HTML that is safe to store and show as is."""
    return sanitise_html(_markdown().render(raw or ""))
