"""Judge sanitised HTML the way a browser would read it, and list everything that is not safe."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from stepdown.core.text import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    ALLOWED_URL_SCHEMES,
    LINK_REL,
    MENTION_CSS_CLASS,
    is_upload_src,
)

VOID_TAGS = frozenset({"br", "hr", "img"})
REQUIRED_REL = frozenset({"nofollow", "ugc", "noopener"})
# Never allowed on any tag, whatever the allow-list says; named so a failure message is plain.
FORBIDDEN_ATTRIBUTES = frozenset(
    {
        "style", "srcdoc", "src", "srcset", "formaction", "action", "xmlns", "xlink:href",
        "background", "poster", "ping", "data", "code", "codebase", "target", "id", "name",
        "form", "autofocus", "contenteditable", "tabindex", "download",
    }
)  # fmt: skip
# The WHATWG URL parser drops these before it looks for a scheme.
_LEADING_JUNK = "".join(chr(c) for c in range(0x21))
_TAB_OR_NEWLINE = re.compile("[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


def url_scheme(href: str) -> str | None:
    """The scheme a browser would find in ``href`` (already entity-decoded), or None if relative.

    Browsers strip leading and trailing C0 controls and spaces, remove every tab and newline,
    then read letters up to the first colon as the scheme, case-insensitively.
    """
    cleaned = _TAB_OR_NEWLINE.sub("", href.strip(_LEADING_JUNK))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


class _SafetyParser(HTMLParser):
    """Walks sanitised HTML and notes each thing a page could not show safely."""

    def __init__(self, *, from_markdown: bool):
        super().__init__(convert_charrefs=True)
        self.from_markdown = from_markdown
        self.problems: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._check_element(tag, attrs)
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self._check_element(tag, attrs)
        if tag not in VOID_TAGS:
            self.problems.append(f"self-closing <{tag}/> is not well-formed HTML")

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            self.problems.append(f"end tag for void element </{tag}>")
        elif not self.open or self.open[-1] != tag:
            # A stray end tag could close the page's own container and let text escape it.
            self.problems.append(f"unbalanced </{tag}> (open: {self.open[-3:]})")
        else:
            self.open.pop()

    def handle_comment(self, data):
        self.problems.append(f"comment <!--{data[:40]}-->")

    def handle_decl(self, decl):
        self.problems.append(f"declaration <!{decl[:40]}>")

    def unknown_decl(self, data):
        self.problems.append(f"marked section <![{data[:40]}]>")

    def handle_pi(self, data):
        self.problems.append(f"processing instruction <?{data[:40]}>")

    def _check_element(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> is not allowed")
            return
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        seen = {}
        for name, value in attrs:
            if name in seen:
                self.problems.append(f"<{tag}> repeats attribute {name}")
            seen[name] = value or ""
            if name.startswith("on"):
                self.problems.append(f"<{tag}> has event handler {name}")
            elif tag == "img" and name == "src" and is_upload_src(value or ""):
                pass  # a member's own upload on this site: the one image source allowed
            elif name in FORBIDDEN_ATTRIBUTES:
                self.problems.append(f"<{tag}> has forbidden attribute {name}")
            elif name not in allowed:
                self.problems.append(f"<{tag}> has attribute {name} outside the allow-list")
        if "href" in seen:
            scheme = url_scheme(seen["href"])
            if scheme is not None and scheme not in ALLOWED_URL_SCHEMES:
                self.problems.append(f"<{tag}> href has scheme {scheme!r}: {seen['href'][:80]!r}")
        if tag == "img" and "src" not in seen:
            self.problems.append("<img> without an upload src")
        if tag == "img" and seen.get("loading", "lazy") != "lazy":
            self.problems.append(f"<img> loading is {seen['loading']!r}")
        if tag == "a" and not REQUIRED_REL <= set(seen.get("rel", "").split()):
            self.problems.append(f"<a> rel is {seen.get('rel')!r}, not {LINK_REL!r}")
        if tag == "a" and seen.get("class", MENTION_CSS_CLASS) != MENTION_CSS_CLASS:
            self.problems.append(f"<a> class is {seen['class']!r}, not {MENTION_CSS_CLASS!r}")
        if self.from_markdown and tag == "code" and "class" in seen:
            # One class (split on HTML's ASCII whitespace only), named by the fence's info string.
            if not re.fullmatch(r"language-[^ \t\n\f\r]+", seen["class"]):
                self.problems.append(f"<code> class {seen['class']!r} is not a language name")


def unsafe_parts(html: str, *, from_markdown: bool = True) -> list[str]:
    """Everything in ``html`` that breaks the sanitiser's promises; empty when it is safe.

    ``from_markdown`` adds the checks that hold only for rendered Markdown (code classes are
    always ``language-…``), not for arbitrary HTML passed straight to the sanitiser.
    """
    parser = _SafetyParser(from_markdown=from_markdown)
    parser.feed(html)
    parser.close()
    if parser.open:
        parser.problems.append(f"elements left open: {parser.open}")
    return parser.problems
