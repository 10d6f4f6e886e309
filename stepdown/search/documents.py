"""What the index stores for a post: plain text cut from the stored HTML, and the columns the
filters need. Pure functions of a post and its topic (also used by the migration that indexes the
posts a forum already has, with historical models: no model methods here).
"""

from __future__ import annotations

from html.parser import HTMLParser

from django.core.exceptions import ObjectDoesNotExist

from stepdown.forum.models import Approval

# Marks the full-text engines put around matches in snippets. They are private-use characters
# that never reach the index (stripped below), so member text cannot forge a highlight.
MARK_START = "\ue000"
MARK_END = "\ue001"
# Stands in for "<" while PostgreSQL cuts a headline, whose parser would drop "<b>"-like text.
LESS_THAN = "\ue002"
_MARKERS = {ord(MARK_START): " ", ord(MARK_END): " ", ord(LESS_THAN): " ", 0: " "}

# Elements whose edges separate words ("<p>a</p><p>b</p>" is "a b", not "ab").
_BLOCKS = frozenset(
    "p br div li ul ol blockquote pre h1 h2 h3 h4 h5 h6 table tr td th details summary hr "
    "img figure figcaption dd dt".split()
)


class _TextCollector(HTMLParser):
    """Collects the text of sanitised post HTML: what is shown, and what is behind a content
    warning (inside <details>, except its <summary> label)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.shown: list[str] = []
        self.warned: list[str] = []
        self._details = 0
        self._summary = 0

    def handle_starttag(self, tag, attrs):
        if tag == "details":
            self._details += 1
        elif tag == "summary":
            self._summary += 1
        if tag in _BLOCKS:
            self._target().append(" ")
        if tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self._target().append(f" {alt} ")

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self._target().append(" ")
        if tag == "details":
            self._details = max(0, self._details - 1)
        elif tag == "summary":
            self._summary = max(0, self._summary - 1)

    def handle_data(self, data):
        self._target().append(data)

    def _target(self) -> list[str]:
        if self._details and not self._summary:
            return self.warned
        return self.shown


def _clean(text: str) -> str:
    return " ".join(text.translate(_MARKERS).split())


def plain_text(body_html: str) -> tuple[str, str]:
    """The text of a post's stored HTML as (shown, behind content warnings), plain and tidy."""
    collector = _TextCollector()
    collector.feed(body_html or "")
    collector.close()
    return _clean("".join(collector.shown)), _clean("".join(collector.warned))


def topic_title(topic) -> str:
    """The title as the forum shows it, tag included ("Review, Nov/21: Benzodiazepines…")."""
    return _clean(f"{topic.tag}: {topic.title}" if topic.tag else topic.title)


def article_text(topic) -> str:
    """The shared article's details of a topic, if it has a card."""
    try:
        article = topic.article
    except ObjectDoesNotExist:  # no card (also on the migration's historical models)
        return ""
    parts = (article.title, article.authors, article.source, article.abstract)
    return _clean(" ".join(part for part in parts if part))


def is_searchable(post, topic) -> bool:
    """Whether ``post`` in ``topic`` belongs in the index: what everyone who reads the category
    sees (``forum.permissions.public_post_q``), in a topic that is neither removed nor merged
    away. Hidden, waiting and removed posts never enter it; their authors and moderators find
    them on the topic page, not in search. (A waiting topic's first post is waiting too, so the
    post's own approval covers the topic's.)"""
    return (
        not post.is_deleted
        and not post.is_hidden
        and post.approval == Approval.APPROVED
        and not topic.is_deleted
        and topic.merged_into_id is None
    )


def entry_fields(post, topic) -> dict:
    """The SearchEntry fields for ``post`` in ``topic`` (its current category and title)."""
    shown, warned = plain_text(post.body_html)
    first = post.position == 1
    extra = " ".join(part for part in (warned, article_text(topic) if first else "") if part)
    return {
        "post_id": post.pk,
        "topic_id": topic.pk,
        "category_id": topic.category_id,
        "author_id": post.author_id,
        "created_at": post.created_at,
        "title": topic_title(topic) if first else "",
        "body": shown,
        "extra": extra,
    }
