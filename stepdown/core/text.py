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

Mentions: ``@name`` becomes ``<a class="mention" href="…">@name</a>`` when the caller passes the
name in ``mentions`` (see "Mentions" below); otherwise it stays plain text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import nh3
from django.conf import settings
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline import image as markdown_image

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
    "a": {"href", "title", "class"},
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
    "a": {"class": {"mention"}},  # MENTION_CSS_CLASS: links to a mentioned member's page
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


# --- Mentions ------------------------------------------------------------------------------
# Usernames are checked by Django's UnicodeUsernameValidator (allauth adds only a minimum
# length): up to 150 letters (any script), digits and "@ . + - _". A mention is "@" and a name
# that starts with a letter, digit or "_" and goes on with those and ". + -". "@" is left out,
# so "@a@b" is not one name: members whose name holds an "@" cannot be mentioned.
# Not a mention: after a letter, digit or one of ". + - @ /" (e-mail addresses, paths such as
# example.org/@name), also with "_" between ("_@name_" is still an emphasised mention); when "@"
# follows the name; inside code; inside a link's text or address or an image's description;
# "\@name" (escaped). Trailing ". _ + -" belong to the name only when a member has that exact
# name, so "@sam." and "@sam," mention sam. Only names the caller passes in ``mentions``
# (lower-cased username -> profile address) become links; any other stays plain text, as typed.
MENTION_CSS_CLASS = "mention"
MENTION_NAME_MAX_LENGTH = 150  # Django's username max_length
_MENTION_NAME = re.compile(rf"\w[\w.+-]{{0,{MENTION_NAME_MAX_LENGTH - 1}}}")
_MENTION_NAME_CHAR = re.compile(r"[\w.+@-]")  # and "@": "@sam@example.org" is no mention
_NOT_BEFORE_MENTION = re.compile(r"[\w.+@/-]")
_MENTION_TRAILING = "._+-"
_MENTIONS_ENV = "_stepdown_mentions"  # lower-cased name -> address, for this render
_FOUND_ENV = "_stepdown_mentions_found"  # list the rule appends each mention it meets to
_IMAGE_DEPTH_ENV = "_stepdown_image_depth"  # inside an image's description: no mentions


@dataclass(frozen=True)
class MentionMatch:
    """One ``@name`` in a text: ``typed`` without trailing punctuation, ``longest`` with it."""

    typed: str
    longest: str

    def candidates(self) -> tuple[str, ...]:
        """The lower-cased names it may stand for, the longer first (the one a link prefers)."""
        return tuple(dict.fromkeys((self.longest.lower(), self.typed.lower())))


def _mention_rule(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    src = state.src
    if src[pos] != "@" or state.linkLevel > 0 or state.env.get(_IMAGE_DEPTH_ENV):
        return False
    start = pos
    while start > 0 and src[start - 1] == "_":
        start -= 1  # "_" right before "@" may open emphasis ("_@sam_", "__@sam__")
    if start > 0 and _NOT_BEFORE_MENTION.match(src[start - 1]):
        return False  # part of an address or a word ("me@example.org", "first_@example.org")
    match = _MENTION_NAME.match(src, pos + 1, state.posMax)
    if match is None:
        return False
    end = match.end()
    if end < state.posMax and _MENTION_NAME_CHAR.match(src[end]):
        return False  # longer than any username can be, or an address
    longest = match.group(0)
    typed = longest.rstrip(_MENTION_TRAILING)
    if not typed:
        return False
    found = MentionMatch(typed=typed, longest=longest)
    if not silent and _FOUND_ENV in state.env:
        state.env[_FOUND_ENV].append(found)
    known = state.env.get(_MENTIONS_ENV) or {}
    name = next((n for n in (longest, typed) if n.lower() in known), None)
    if name is None:
        return False  # not a member: the text rule keeps it as typed
    if not silent:
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": known[name.lower()], "class": MENTION_CSS_CLASS}
        token.markup = "mention"
        token = state.push("text", "", 0)
        token.content = f"@{name}"
        token = state.push("link_close", "a", -1)
        token.markup = "mention"
    state.pos = pos + 1 + len(name)
    return True


def _image_without_mentions(state: StateInline, silent: bool) -> bool:
    # An image's description is parsed as inline text of its own (linkLevel starts again at 0);
    # a name there is alt text, not a mention.
    depth = state.env.get(_IMAGE_DEPTH_ENV, 0)
    state.env[_IMAGE_DEPTH_ENV] = depth + 1
    try:
        return markdown_image(state, silent)
    finally:
        state.env[_IMAGE_DEPTH_ENV] = depth


def mentions_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("emphasis", "mention", _mention_rule)
    md.inline.ruler.at("image", _image_without_mentions)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    # Images only from this site's uploads; any other becomes a link (see _render_image).
    md.add_render_rule("image", _render_image)
    md.use(content_warnings_plugin)
    md.use(mentions_plugin)
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


def render_markdown(raw: str, *, mentions: Mapping[str, str] | None = None) -> str:
    """Render member-written Markdown to HTML that is safe to store and show as is.

    ``mentions`` maps lower-cased usernames to their profile addresses: each ``@name`` found
    there becomes a link to it; every other ``@name`` stays plain text.
    """
    env = {_MENTIONS_ENV: {name.lower(): url for name, url in mentions.items()}} if mentions else {}
    return sanitise_html(_markdown().render(raw or "", env))


def find_mentions(raw: str) -> list[MentionMatch]:
    """Every ``@name`` in ``raw`` that would be a mention, in order, repeats included."""
    if "@" not in (raw or ""):
        return []
    found: list[MentionMatch] = []
    _markdown().parse(raw, {_FOUND_ENV: found})
    return found


def mention_candidates(raw: str) -> set[str]:
    """The lower-cased usernames ``raw`` may mention: what to look up before rendering it."""
    return {name for match in find_mentions(raw) for name in match.candidates()}
