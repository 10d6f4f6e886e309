"""The one door for user HTML: Markdown in, sanitised HTML out.

Every piece of member-written text is rendered here, at save time, and the stored result is what
pages show. markdown-it-py renders CommonMark (plus tables, strikethrough and autolinks) with raw
HTML disabled; nh3 then keeps only an allow-list of tags, attributes and URL schemes, so whatever
the renderer lets through, no script, style, event handler, iframe or form reaches a page.
Content warnings (``:::cw Label`` … ``:::``, see ``content_warnings``) render as ``<details>``.

Images: only members' own uploads show as images (``![description](/media/uploads/…)``, the
exact names the uploads app stores under ``settings.MEDIA_URL``), lazily loaded. Any other image
becomes a link (whose address the allow-list then vets like any link), and the sanitiser drops an
``<img>`` whose ``src`` is not such an upload, so nothing is ever loaded from another site.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from django.conf import settings
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

from .content_warnings import CSS_CLASS as CONTENT_WARNING_CLASS
from .content_warnings import content_warnings_plugin

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "del", "details", "em", "h1", "h2", "h3",
        "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "summary",
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
    "img": {"src", "alt", "width", "height", "loading"},
}
# Attributes allowed only with these exact values; the sanitiser drops any other value.
ALLOWED_ATTRIBUTE_VALUES = {
    "details": {"class": {CONTENT_WARNING_CLASS}},
    "img": {"loading": {"lazy"}},
}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
# An upload's name below "uploads/": year, month, a uuid and the re-encoded type's extension.
UPLOAD_NAME_PATTERN = r"\d{4}/\d{2}/[0-9a-f]{32}\.(?:jpg|png|webp)"
_DIGITS = re.compile(r"\d{1,5}")
# An <img> as nh3 writes it: attribute values always double-quoted, quotes inside escaped.
_SANITISED_IMG = re.compile(r'<img(?:\s+[^\s"=>/]+(?:="[^"]*")?)*\s*/?>')


def is_upload_src(src: str) -> bool:
    """Whether ``src`` is exactly the address of a stored upload on this site."""
    prefix = re.escape(f"{settings.MEDIA_URL}uploads/")
    return re.fullmatch(prefix + UPLOAD_NAME_PATTERN, src) is not None


def _render_image(renderer, tokens, idx, options, env) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = renderer.renderInlineAsText(token.children or [], options, env)
    if is_upload_src(src):
        return f'<img src="{escapeHtml(src)}" alt="{escapeHtml(alt)}" loading="lazy">'
    # Not one of ours: a link to it, as before images were allowed.
    return f'<a href="{escapeHtml(src)}">{escapeHtml(alt or src)}</a>'


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    if tag != "img":
        return value
    if name == "src":
        return value if is_upload_src(value) else None
    if name in {"width", "height"}:
        return value if _DIGITS.fullmatch(value) else None
    return value


def _drop_img_without_src(match: re.Match[str]) -> str:
    return match.group(0) if ' src="' in match.group(0) else ""


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    # Images only from this site's uploads; any other becomes a link (see _render_image).
    md.add_render_rule("image", _render_image)
    md.use(content_warnings_plugin)
    return md


def sanitise_html(html: str) -> str:
    """Keep only the allowed tags, attributes and URL schemes of ``html``."""
    cleaned = nh3.clean(
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
        attribute_filter=_filter_attribute,
    )
    return _SANITISED_IMG.sub(_drop_img_without_src, cleaned) if "<img" in cleaned else cleaned


def render_markdown(raw: str) -> str:
    """Render member-written Markdown to HTML that is safe to store and show as is."""
    return sanitise_html(_markdown().render(raw or ""))
