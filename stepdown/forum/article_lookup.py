"""Fill a shared-article card from a DOI (Crossref) or a PubMed link (NCBI E-utilities).

Lookups go through :mod:`stepdown.core.safe_fetch` (allow-listed hosts, public addresses only,
time budget, size cap). Results are cached for a day. Every failure raises
:class:`ArticleLookupError` with a ``reason`` the page can explain calmly; the member can always
type the details in instead.
"""

from __future__ import annotations

import hashlib
import json
import re

# Network XML is checked for entity declarations by parse_xml before ElementTree sees it.
import xml.etree.ElementTree as ET  # nosec B405
from dataclasses import asdict, dataclass
from html import unescape
from html.parser import HTMLParser
from urllib.parse import quote, unquote

from django.conf import settings
from django.core.cache import cache

from stepdown.core import safe_fetch

from .actions import ArticleDetails

CROSSREF_URL = "https://api.crossref.org/works/{doi}"
PUBMED_URL = (
    "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/efetch.fcgi?db=pubmed&id={pmid}&retmode=xml"
)
CACHE_SECONDS = 24 * 3600

DOI_IN_TEXT = re.compile(r"(10\.\d{4,9}/[^\s\"<>]+)")
PUBMED_LINK = re.compile(
    r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/)(\d{1,9})\b", re.IGNORECASE
)
PMID_TEXT = re.compile(r"^(?:pmid\s*:?\s*)?(\d{1,9})$", re.IGNORECASE)
PMID_IN_TEXT = re.compile(r"\bPMID\s*:?\s*(\d{1,9})\b", re.IGNORECASE)
# Punctuation that ends a sentence or Markdown emphasis after a DOI rather than belonging to it.
DOI_TRAILING = ".,;:!?'\"*_`"
DOI_BRACKETS = {")": "(", "]": "[", "}": "{"}

MONTHS = (
    "January February March April May June July August September October November December"
).split()
MONTH_ABBREVIATIONS = {name[:3].lower(): number for number, name in enumerate(MONTHS, start=1)}

# The card form's limits (forms.TopicForm), so a filled card always passes validation.
LIMITS = {
    "title": 300,
    "authors": 500,
    "source": 200,
    "published": 40,
    "doi": 200,
    "url": 500,
    "abstract": 5000,
}


class ArticleLookupError(Exception):
    """Why no card could be filled: ``reason`` is one of off, unrecognised, not_found,
    unreachable, timeout, too_large, refused, bad_response."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class Identifier:
    kind: str  # "doi" or "pmid"
    value: str

    @property
    def key(self) -> str:
        """The same article's one name: ``doi:<lower-case DOI>`` or ``pmid:<digits>``."""
        return f"{self.kind}:{self.value.lower()}"


def form_fields(card: ArticleDetails) -> dict[str, str]:
    """The card as TopicForm field names, leaving out what the source did not give."""
    return {f"article_{name}": value for name, value in asdict(card).items() if value}


def lookup_enabled() -> bool:
    value = getattr(settings, "STEPDOWN_ARTICLE_LOOKUP", True)
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "off", "no", "")
    return bool(value)


def parse_identifier(text: str) -> Identifier | None:
    """A DOI (bare, doi:, doi.org link) or a PubMed id (link, "PMID: …", bare number)."""
    text = unquote((text or "").strip())
    if not text:
        return None
    pubmed = PUBMED_LINK.search(text)
    if pubmed:
        return Identifier("pmid", pubmed.group(1))
    bare = PMID_TEXT.match(text)
    if bare:
        return Identifier("pmid", bare.group(1))
    doi = DOI_IN_TEXT.search(text)
    if doi:
        return Identifier("doi", doi.group(1).rstrip(".,;)"))
    return None


def clean_doi(candidate: str) -> str:
    """A DOI found in running text, without the punctuation or closing bracket after it."""
    doi = candidate
    while doi:
        last = doi[-1]
        opening = DOI_BRACKETS.get(last)
        if last in DOI_TRAILING or (opening and doi.count(last) > doi.count(opening)):
            doi = doi[:-1]
        else:
            break
    return doi


def identifiers_in_text(text: str) -> list[Identifier]:
    """Every DOI (bare or in a doi.org link) and PubMed id (link or "PMID: …") in ``text``.

    In the order they appear, each article once; DOIs longer than a card holds are left out.
    """
    text = unquote(text or "")
    found: list[tuple[int, Identifier]] = []
    for pattern, kind in ((PUBMED_LINK, "pmid"), (PMID_IN_TEXT, "pmid"), (DOI_IN_TEXT, "doi")):
        for match in pattern.finditer(text):
            if kind == "doi":
                value = clean_doi(match.group(1))
                if not value.partition("/")[2] or len(value) > LIMITS["doi"]:
                    continue
            else:
                value = str(int(match.group(1)))
                if value == "0":
                    continue
            found.append((match.start(), Identifier(kind, value)))
    found.sort(key=lambda item: item[0])
    seen: set[str] = set()
    ordered = []
    for _position, identifier in found:
        if identifier.key not in seen:
            seen.add(identifier.key)
            ordered.append(identifier)
    return ordered


def fetch_details(identifier: Identifier) -> ArticleDetails:
    """Ask Crossref (DOI) or PubMed (PMID) for the card now: no cache, no off switch.

    Raises ArticleLookupError; callers check :func:`lookup_enabled` first.
    """
    if identifier.kind == "doi":
        return _from_crossref(identifier.value)
    return _from_pubmed(identifier.value)


def lookup(text: str) -> ArticleDetails:
    """The card for the DOI or PubMed link in ``text``; raise ArticleLookupError otherwise."""
    if not lookup_enabled():
        raise ArticleLookupError("off")
    identifier = parse_identifier(text)
    if identifier is None:
        raise ArticleLookupError("unrecognised")
    digest = hashlib.sha256(identifier.key.encode()).hexdigest()
    key = f"stepdown:article-lookup:{digest}"
    cached = cache.get(key)
    if cached is not None:
        return ArticleDetails(**cached)
    card = fetch_details(identifier)
    cache.set(key, asdict(card), CACHE_SECONDS)
    return card


def _fetch(url: str, accept: str) -> bytes:
    try:
        return safe_fetch.fetch(url, accept=accept)
    except safe_fetch.FetchNotFound as error:
        raise ArticleLookupError("not_found", str(error)) from None
    except safe_fetch.FetchTimeout as error:
        raise ArticleLookupError("timeout", str(error)) from None
    except safe_fetch.FetchTooLarge as error:
        raise ArticleLookupError("too_large", str(error)) from None
    except safe_fetch.FetchRefused as error:
        raise ArticleLookupError("refused", str(error)) from None
    except safe_fetch.FetchError as error:
        raise ArticleLookupError("unreachable", str(error)) from None


def _fit(value: str, field: str) -> str:
    value = " ".join(value.split()) if field != "abstract" else value.strip()
    limit = LIMITS[field]
    if len(value) <= limit:
        return value
    return value[: limit - 1].rstrip() + "…"


def _card(**fields: str) -> ArticleDetails:
    return ArticleDetails(**{name: _fit(value or "", name) for name, value in fields.items()})


def _authors(names: list[str]) -> str:
    names = [name for name in names if name]
    text = ", ".join(names)
    while len(text) > LIMITS["authors"] and len(names) > 1:
        names = names[:-1]
        text = ", ".join(names) + ", et al."
    return text


def format_date(year: int | None, month: int | None = None, day: int | None = None) -> str:
    """ "2021", "November 2021" or "2021-11-10", as much as is known."""
    if not year:
        return ""
    if month and 1 <= month <= 12:
        if day:
            return f"{year:04d}-{month:02d}-{day:02d}"
        return f"{MONTHS[month - 1]} {year}"
    return str(year)


# --- Crossref ------------------------------------------------------------------------------------


class _TextOnly(HTMLParser):
    """Collects the text of JATS markup: tags dropped, paragraphs kept apart."""

    BLOCKS = {"p", "sec", "title", "list-item", "para"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.titles: list[str] = []
        self._in_title = False

    def _local(self, tag: str) -> str:
        return tag.rsplit(":", 1)[-1].lower()

    def handle_starttag(self, tag, attrs):
        name = self._local(tag)
        if name in self.BLOCKS:
            self.parts.append("\n\n")
        self._in_title = name == "title"

    def handle_endtag(self, tag):
        name = self._local(tag)
        if name in self.BLOCKS:
            self.parts.append("\n\n")
        if name == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.titles.append(data)
            return
        self.parts.append(data)


def jats_to_text(markup: str) -> str:
    """Plain text from a Crossref (JATS) abstract; an "Abstract" heading is dropped."""
    parser = _TextOnly()
    parser.feed(markup or "")
    parser.close()
    paragraphs = [" ".join(p.split()) for p in "".join(parser.parts).split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


def _first(value) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return unescape(str(value or ""))


def _crossref_date(message: dict) -> str:
    for key in ("issued", "published", "published-print", "published-online"):
        parts = (message.get(key) or {}).get("date-parts") or []
        if parts and parts[0] and parts[0][0]:
            numbers = [int(n) for n in parts[0][:3] if n is not None]
            return format_date(*numbers)
    return ""


def _from_crossref(doi: str) -> ArticleDetails:
    body = _fetch(CROSSREF_URL.format(doi=quote(doi, safe="/")), "application/json")
    try:
        message = json.loads(body)["message"]
        authors = []
        for person in message.get("author") or []:
            name = " ".join(p for p in (person.get("given"), person.get("family")) if p)
            authors.append(name or person.get("name", ""))
        card = _card(
            title=jats_to_text(_first(message.get("title"))),
            authors=_authors(authors),
            source=_first(message.get("container-title")),
            published=_crossref_date(message),
            doi=str(message.get("DOI") or doi),
            url=str(message.get("URL") or f"https://doi.org/{doi}"),
            abstract=jats_to_text(str(message.get("abstract") or "")),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ArticleLookupError("bad_response", str(error)) from None
    if not card.title:
        raise ArticleLookupError("bad_response", "no title")
    return card


# --- PubMed --------------------------------------------------------------------------------------


def parse_xml(body: bytes) -> ET.Element:
    """Parse XML that came from the network, refusing entity declarations (entity expansion).

    PubMed sends a DOCTYPE naming its public DTD, which is harmless (ElementTree never fetches
    it); an internal subset or any ENTITY declaration is refused.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ArticleLookupError("bad_response", "not UTF-8") from None
    upper = text.upper()
    if "<!ENTITY" in upper or re.search(r"<!DOCTYPE[^>]*\[", upper):
        raise ArticleLookupError("bad_response", "entity declarations are not accepted")
    try:
        return ET.fromstring(body)  # noqa: S314  # nosec B314
    except ET.ParseError as error:
        raise ArticleLookupError("bad_response", str(error)) from None


def _text(element: ET.Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _pubmed_date(article: ET.Element) -> str:
    pub = article.find("Journal/JournalIssue/PubDate")
    if pub is None:
        return ""
    medline = _text(pub.find("MedlineDate"))
    if medline:
        return medline
    year = _text(pub.find("Year"))
    month_text = _text(pub.find("Month"))
    day = _text(pub.find("Day"))
    month = (
        int(month_text) if month_text.isdigit() else MONTH_ABBREVIATIONS.get(month_text[:3].lower())
    )
    return format_date(
        int(year) if year.isdigit() else None, month, int(day) if day.isdigit() else None
    )


def _from_pubmed(pmid: str) -> ArticleDetails:
    root = parse_xml(_fetch(PUBMED_URL.format(pmid=pmid), "application/xml"))
    entry = root.find("PubmedArticle")
    if entry is None:
        raise ArticleLookupError("not_found", f"no PubMed record {pmid}")
    article = entry.find("MedlineCitation/Article")
    if article is None:
        raise ArticleLookupError("bad_response", "no Article element")
    authors = []
    for person in article.findall("AuthorList/Author"):
        collective = _text(person.find("CollectiveName"))
        given = _text(person.find("ForeName")) or _text(person.find("Initials"))
        name = " ".join(p for p in (given, _text(person.find("LastName"))) if p)
        authors.append(name or collective)
    paragraphs = []
    for part in article.findall("Abstract/AbstractText"):
        label, text = part.get("Label"), _text(part)
        paragraphs.append(f"{label.capitalize()}: {text}" if label else text)
    doi = ""
    for article_id in entry.findall("PubmedData/ArticleIdList/ArticleId"):
        if article_id.get("IdType") == "doi":
            doi = _text(article_id)
    if not doi:
        for location in article.findall("ELocationID"):
            if location.get("EIdType") == "doi":
                doi = _text(location)
    card = _card(
        title=_text(article.find("ArticleTitle")).rstrip(),
        authors=_authors(authors),
        source=_text(article.find("Journal/Title")),
        published=_pubmed_date(article),
        doi=doi,
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        abstract="\n\n".join(p for p in paragraphs if p),
    )
    if not card.title:
        raise ArticleLookupError("bad_response", "no title")
    return card
