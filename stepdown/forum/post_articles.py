"""Article cards under posts: the DOI and PubMed links in a post, looked up once, shown below it.

A post's Markdown is searched for identifiers (doi.org links, bare DOIs such as ``10.1234/abc``,
PubMed links and "PMID: …"), in order, each article once, at most
``STEPDOWN_POST_ARTICLE_CARDS_MAX`` (3) per post, never inside code spans or code blocks. The
actions that write a post's text call :func:`schedule_article_cards` in their transaction; once it
commits, the task ``forum.tasks.fill_post_article_cards`` runs :func:`fill_article_cards` in the
worker.

Each article is fetched once for every post that names it: ``ArticleLookup`` rows are the shared
record (pending, found, failed). A failed lookup is tried again after a growing pause, at most
``MAX_ATTEMPTS`` times; nothing is fetched while the off switch
(``STEPDOWN_ARTICLE_LOOKUP=0``) is set, though cards already found are still used. Fetching goes
through ``article_lookup`` and ``core.safe_fetch`` (allow-listed public hosts, https, time and size
caps), one request after another.

The cards are stored on the post (``Post.article_cards``) so the topic page shows them without
another query. :func:`set_article_cards` is the one write of that field; :func:`record_lookup` the
one write of ``ArticleLookup`` results.

``article_lookup`` and the task are imported inside the functions: ``actions`` imports this module,
and ``article_lookup`` imports ``actions``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from markdown_it import MarkdownIt

from .models import ArticleLookup, Post

if TYPE_CHECKING:
    from .article_lookup import Identifier

# How long to wait before trying a failed lookup again, after its 1st, 2nd and 3rd attempt.
RETRY_DELAYS = (timedelta(minutes=10), timedelta(hours=1), timedelta(hours=6))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# Failures that trying again cannot change (the address is not one we may ask).
FINAL_REASONS = frozenset({"refused"})
# A retry is never queued sooner than this, whatever a lookup's times say.
MIN_RETRY_DELAY = timedelta(minutes=1)
DUE_AT_ONCE = datetime(2000, 1, 1, tzinfo=UTC)
# Where a card's details came from, as the card names it.
ORIGINS = {"doi": "crossref", "pmid": "pubmed"}


def cards_limit() -> int:
    return max(0, int(getattr(settings, "STEPDOWN_POST_ARTICLE_CARDS_MAX", 3)))


# --- Finding identifiers -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # The same block and inline syntax the posts are rendered with (core.text), so code spans and
    # code blocks are recognised alike; bare addresses stay text, which is searched anyway.
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def _searchable_text(markdown: str) -> str:
    """The post's text and link addresses, one piece a line, without code spans or blocks."""
    pieces: list[str] = []
    for token in _parser().parse(markdown or ""):
        if token.type != "inline":
            continue  # fences and indented code are block tokens of their own: skipped
        for child in token.children or []:
            if child.type in {"text", "text_special"}:
                pieces.append(child.content)
            elif child.type == "link_open":
                pieces.append(f"\n{child.attrGet('href') or ''}\n")
            else:
                # A code span, an image, a line break: a boundary no identifier crosses.
                pieces.append("\n")
    return "".join(pieces)


def find_identifiers(markdown: str, *, limit: int | None = None) -> list[Identifier]:
    """The DOIs and PubMed ids ``markdown`` names, in order, each once, at most ``limit``."""
    from . import article_lookup

    found = article_lookup.identifiers_in_text(_searchable_text(markdown))
    return found[: cards_limit() if limit is None else limit]


# --- Scheduling ----------------------------------------------------------------------------------


def schedule_article_cards(post: Post) -> None:
    """Have the cards of ``post`` filled in by the worker once the current transaction commits.

    Called by the actions that write a post's text (new post, edit), inside their transaction.
    Cards for links the text no longer has go at once; a post without identifiers queues nothing.
    """
    identifiers = find_identifiers(post.body_markdown)
    keys = [identifier.key for identifier in identifiers]
    current = list(post.article_cards or [])
    kept = [card for card in current if card.get("identifier") in keys]
    if kept != current:
        set_article_cards(post.pk, kept)
        post.article_cards = kept
    if not identifiers or [card.get("identifier") for card in kept] == keys:
        return
    # robust: the post is saved whatever happens; a queue that cannot be reached is logged.
    transaction.on_commit(partial(_enqueue, post.pk), robust=True)


def _enqueue(post_id: int) -> None:
    from .tasks import fill_post_article_cards

    fill_post_article_cards.enqueue(post_id)


# --- Filling the cards (in the worker) -----------------------------------------------------------


@dataclass(frozen=True)
class FillResult:
    cards: int
    retry_at: datetime | None = None


def next_attempt_at(lookup: ArticleLookup) -> datetime | None:
    """When ``lookup`` may be fetched (again); None when it never will be."""
    if lookup.status == ArticleLookup.Status.PENDING:
        return DUE_AT_ONCE
    if lookup.status == ArticleLookup.Status.FOUND:
        return None
    if lookup.attempts >= MAX_ATTEMPTS or lookup.details.get("reason") in FINAL_REASONS:
        return None
    delay = RETRY_DELAYS[max(0, lookup.attempts - 1)]
    return (lookup.checked_at or timezone.now()) + delay


def fill_article_cards(post_id: int) -> FillResult:
    """Look up what the post names (what is due, one after another) and store its cards.

    Repeatable: it reads the post's text as it is now, and fetches only lookups that are due.
    Returns how many cards the post has and when a failed lookup is due again, if ever.
    """
    from . import article_lookup

    post = Post.objects.filter(pk=post_id).values("body_markdown", "is_deleted").first()
    if post is None:
        return FillResult(0)
    identifiers = [] if post["is_deleted"] else find_identifiers(post["body_markdown"])
    enabled = article_lookup.lookup_enabled()
    now = timezone.now()
    cards = []
    retry_at = None
    for identifier in identifiers:
        lookup, _created = ArticleLookup.objects.get_or_create(identifier=identifier.key)
        due = next_attempt_at(lookup)
        if enabled and due is not None and due <= now:
            lookup = _fetch(lookup, identifier)
            due = next_attempt_at(lookup)
        if lookup.status == ArticleLookup.Status.FOUND:
            cards.append(card_for(identifier, lookup.details))
        elif enabled and due is not None:
            retry_at = due if retry_at is None else min(retry_at, due)
    set_article_cards(post_id, cards)
    if retry_at is not None:
        retry_at = max(retry_at, now + MIN_RETRY_DELAY)
    return FillResult(len(cards), retry_at)


def _fetch(lookup: ArticleLookup, identifier: Identifier) -> ArticleLookup:
    from . import article_lookup

    try:
        details = article_lookup.fetch_details(identifier)
    except article_lookup.ArticleLookupError as error:
        return record_lookup(lookup.pk, reason=error.reason)
    return record_lookup(lookup.pk, details=asdict(details))


def card_for(identifier: Identifier, details: dict[str, Any]) -> dict[str, str]:
    """The card stored on a post: the looked-up fields, their origin and our own link.

    The link is built here from the identifier (doi.org or PubMed), never taken from the answer.
    """
    if identifier.kind == "doi":
        # The DOI as Crossref spells it when it is the same one (DOIs ignore case).
        doi = str(details.get("doi") or "")
        doi = doi if doi.lower() == identifier.value.lower() else identifier.value
        link = "https://doi.org/" + quote(doi, safe="/()")
    else:
        link = f"https://pubmed.ncbi.nlm.nih.gov/{identifier.value}/"
    fields = ("title", "authors", "source", "published", "doi", "abstract")
    return {
        "identifier": identifier.key,
        "origin": ORIGINS[identifier.kind],
        "link": link,
        **{name: str(details.get(name) or "") for name in fields},
    }


# --- Writes --------------------------------------------------------------------------------------


def set_article_cards(post_id: int, cards: list[dict[str, str]]) -> None:
    """Store ``cards`` as the cards shown under the post: the one write of Post.article_cards.

    A queryset update, so it never touches the text or any other field of the post.
    """
    Post.objects.filter(pk=post_id).update(article_cards=cards)


def record_lookup(
    lookup_id: int, *, details: dict[str, str] | None = None, reason: str = ""
) -> ArticleLookup:
    """Record one attempt of a lookup: found with ``details``, or failed with ``reason``."""
    found = details is not None
    ArticleLookup.objects.filter(pk=lookup_id).update(
        status=ArticleLookup.Status.FOUND if found else ArticleLookup.Status.FAILED,
        details=details if found else {"reason": reason},
        attempts=F("attempts") + 1,
        checked_at=timezone.now(),
    )
    return ArticleLookup.objects.get(pk=lookup_id)
