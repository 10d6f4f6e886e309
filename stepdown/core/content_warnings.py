"""Content warnings: a passage hidden behind a labelled box the reader opens.

Members write a fenced container::

    :::cw Self-harm mention
    hidden text (full Markdown inside)
    :::

and it renders as ``<details class="content-warning"><summary>Content warning: …</summary>…
</details>``, which opens without JavaScript and is announced by screen readers. The label is
plain text (escaped, at most ``LABEL_MAX_LENGTH`` characters). A container left open closes at
the end of the text. Content warnings do not nest: inside one, a ``:::cw`` line is plain text.
"""

from __future__ import annotations

import re
from html import escape

from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

LABEL_MAX_LENGTH = 80
CSS_CLASS = "content-warning"
_OPENER = re.compile(r"^(:{3,})[ \t]*cw(?:[ \t]+(.*?))?[ \t]*$", re.IGNORECASE)
_DEPTH_KEY = "_stepdown_content_warning_depth"


def _label(raw: str | None) -> str:
    label = " ".join((raw or "").split())
    if len(label) > LABEL_MAX_LENGTH:
        label = label[: LABEL_MAX_LENGTH - 1].rstrip() + "…"
    return label


def _closer_at(state: StateBlock, line: int, marker_length: int) -> bool:
    start = state.bMarks[line] + state.tShift[line]
    text = state.src[start : state.eMarks[line]]
    if state.sCount[line] - state.blkIndent >= 4:
        return False  # indented code, not a fence
    colons = len(text) - len(text.lstrip(":"))
    return colons >= marker_length and not text[colons:].strip()


def _content_warning_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    if state.env.get(_DEPTH_KEY):
        return False  # no nesting: the inner opener stays text
    start = state.bMarks[start_line] + state.tShift[start_line]
    match = _OPENER.match(state.src[start : state.eMarks[start_line]])
    if not match:
        return False
    if silent:
        return True

    marker_length = len(match.group(1))
    next_line = start_line
    closed = False
    while True:
        next_line += 1
        if next_line >= end_line:
            break  # unclosed: the box ends with the text (or the enclosing block)
        line_start = state.bMarks[next_line] + state.tShift[next_line]
        if line_start < state.eMarks[next_line] and state.sCount[next_line] < state.blkIndent:
            break  # a less indented line ends the enclosing list item or quote
        if _closer_at(state, next_line, marker_length):
            closed = True
            break

    old_parent, old_line_max = state.parentType, state.lineMax
    state.parentType = "content_warning"  # type: ignore[assignment]
    state.lineMax = next_line

    token = state.push("content_warning_open", "details", 1)
    token.block = True
    token.markup = match.group(1)
    token.info = _label(match.group(2))
    token.map = [start_line, next_line]

    state.env[_DEPTH_KEY] = 1
    try:
        state.md.block.tokenize(state, start_line + 1, next_line)
    finally:
        state.env[_DEPTH_KEY] = 0

    token = state.push("content_warning_close", "details", -1)
    token.block = True
    token.markup = match.group(1)

    state.parentType, state.lineMax = old_parent, old_line_max
    state.line = next_line + (1 if closed else 0)
    return True


def _render_open(self, tokens, idx, options, env) -> str:
    label = tokens[idx].info
    if label:
        summary = _("Content warning: %(label)s") % {"label": label}
    else:
        summary = _("Content warning")
    return f'<details class="{CSS_CLASS}"><summary>{escape(summary)}</summary>\n'


def _render_close(self, tokens, idx, options, env) -> str:
    return "</details>\n"


def content_warnings_plugin(md: MarkdownIt) -> None:
    """Teach ``md`` the ``:::cw Label`` … ``:::`` container."""
    md.block.ruler.before(
        "fence",
        "content_warning",
        _content_warning_rule,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    md.add_render_rule("content_warning_open", _render_open)
    md.add_render_rule("content_warning_close", _render_close)
