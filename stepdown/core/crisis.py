"""Crisis and urgent-care resources, per locale, as data with sources.

The numbers ship in ``crisis.json`` next to this module (facts from shared/reference/tapering.md).
Admins edit them in the admin: the pages app keeps them as rows (seeded from this file by its
migration) and registers a *provider* here (``register_provider``), so every app, journals
included, reads the edited resources through ``crisis_locale`` without importing the pages app.
While the provider has no rows (before migrating, or an emptied table) the file is used.
The community's locale is ``settings.STEPDOWN_CRISIS_LOCALE`` ("US" unless set); each visitor sees
their own (``locale_code_for``): the one they chose on the "Need help now?" page (remembered on
their device in a cookie, never on the server), else their browser's region (``Accept-Language``,
e.g. ``en-GB``) when there are lines for it, else the community's. An unknown locale falls back to
the international directory rather than showing nothing. Every locale but
the US is marked ``needs_check``: the community admin checks its numbers before choosing it, and
``check_crisis_locale`` (a system check) says so while it is chosen.

Used wherever a member may need help at once: a journal entry with a red-flag answer, the safety
net's panel, the "Need help now?" page.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

CRISIS_PATH = Path(__file__).with_name("crisis.json")
KINDS = ("crisis", "urgent", "emergency", "directory")
DEFAULT_LOCALE = "US"


@dataclass(frozen=True)
class CrisisResource:
    name: str
    kind: str  # one of KINDS
    call: str | None  # a number to call, as people write it ("116 123")
    text: str | None  # a number to text
    url: str | None
    hours: str | None
    source: str

    @property
    def call_href(self) -> str:
        return f"tel:{self.call.replace(' ', '')}" if self.call else ""

    @property
    def text_href(self) -> str:
        return f"sms:{self.text.replace(' ', '')}" if self.text else ""


@dataclass(frozen=True)
class CrisisLocale:
    code: str
    name: str
    needs_check: bool  # to be checked by the community admin before use
    resources: tuple[CrisisResource, ...]

    @property
    def emergency(self) -> CrisisResource | None:
        """The emergency number, for urgent-care red flags (seizure, confusion, hallucinations)."""
        return next((r for r in self.resources if r.kind == "emergency"), None)


@dataclass(frozen=True)
class CrisisData:
    default_locale: str
    fallback_locale: str
    locales: dict[str, CrisisLocale]


class CrisisDataError(Exception):
    """crisis.json is malformed; the message names the locale and field."""


@functools.cache
def load_crisis_data(path: Path = CRISIS_PATH) -> CrisisData:
    """Read and validate the resources once per process; raise ``CrisisDataError`` if malformed."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    locales = {}
    for code, entry in raw["locales"].items():
        resources = tuple(
            _resource(code, index, item) for index, item in enumerate(entry["resources"])
        )
        if not resources:
            raise CrisisDataError(f"crisis: locale {code!r} has no resources")
        locales[code] = CrisisLocale(
            code=code,
            name=entry["name"],
            needs_check=bool(entry["needs_check"]),
            resources=resources,
        )
    for key in ("default_locale", "fallback_locale"):
        if raw[key] not in locales:
            raise CrisisDataError(f"crisis: {key} {raw[key]!r} is not a locale")
    return CrisisData(raw["default_locale"], raw["fallback_locale"], locales)


def _resource(code: str, index: int, item: dict) -> CrisisResource:
    where = f"crisis: locale {code!r}, resources[{index}]"
    if item.get("kind") not in KINDS:
        raise CrisisDataError(f"{where}: kind must be one of {KINDS}")
    if not (item.get("call") or item.get("text") or item.get("url")):
        raise CrisisDataError(f"{where}: needs a number to call or text, or an address")
    if not item.get("name") or not item.get("source"):
        raise CrisisDataError(f"{where}: needs a name and a source")
    return CrisisResource(
        name=item["name"],
        kind=item["kind"],
        call=item.get("call"),
        text=item.get("text"),
        url=item.get("url"),
        hours=item.get("hours"),
        source=item["source"],
    )


# Returns the admin-edited locales by code (empty or None: use the file).
CrisisProvider = Callable[[], "dict[str, CrisisLocale] | None"]
_provider: CrisisProvider | None = None


def register_provider(provider: CrisisProvider) -> None:
    """Where the admin-edited resources come from (the pages app, from its ``ready()``)."""
    global _provider
    _provider = provider


def crisis_locales() -> dict[str, CrisisLocale]:
    """Every locale with its resources: the admin's when there are any, else the file's."""
    if _provider is not None:
        edited = _provider()
        if edited:
            return edited
    return load_crisis_data().locales


def configured_locale_code() -> str:
    return str(getattr(settings, "STEPDOWN_CRISIS_LOCALE", DEFAULT_LOCALE) or DEFAULT_LOCALE)


# The visitor's chosen locale, on their device (``pages.views.remember_locale``).
COOKIE_NAME = "stepdown_crisis_locale"
# Regions as browsers name them (ISO 3166) where the data uses another code.
_REGION_ALIASES = {"GB": "UK"}


def browser_regions(accept_language: str) -> list[str]:
    """The regions in an ``Accept-Language`` header, most wanted first ("en-GB,en;q=0.8" ->
    ["GB"]); weights of 0 are refused languages and left out."""
    weighted = []
    for order, part in enumerate(accept_language.split(",")[:20]):
        tag, _sep, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        subtags = tag.strip().split("-")
        region = next((t for t in subtags[1:] if len(t) == 2 and t.isalpha()), None)
        if region and weight > 0:
            weighted.append((-weight, order, region.upper()))
    regions = []
    for _weight, _order, region in sorted(weighted):
        code = _REGION_ALIASES.get(region, region)
        if code not in regions:
            regions.append(code)
    return regions


def locale_code_for(request, locales: dict[str, CrisisLocale] | None = None) -> str:
    """The crisis locale for this visitor: their choice on this device, else their browser's
    region when there are lines for it, else the community's. ``locales``: ``crisis_locales()``
    when the caller has them already."""
    locales = crisis_locales() if locales is None else locales
    chosen = request.COOKIES.get(COOKIE_NAME, "").strip().upper()
    if chosen in locales:
        return chosen
    for region in browser_regions(request.headers.get("Accept-Language", "")):
        if region in locales:
            return region
    return configured_locale_code().upper()


def crisis_locale_for(request) -> CrisisLocale:
    """The resources for this visitor (``locale_code_for``)."""
    locales = crisis_locales()
    return crisis_locale(locale_code_for(request, locales), locales)


def crisis_locale(
    code: str | None = None, locales: dict[str, CrisisLocale] | None = None
) -> CrisisLocale:
    """The resources for ``code`` (default: the community's setting); unknown → international.
    ``locales``: ``crisis_locales()`` when the caller has them already."""
    data = load_crisis_data()
    locales = crisis_locales() if locales is None else locales
    code = (code or configured_locale_code()).upper()
    return (
        locales.get(code) or locales.get(data.fallback_locale) or data.locales[data.fallback_locale]
    )


@checks.register()
def check_crisis_locale(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn the admin while the chosen locale's numbers are still marked to be checked."""
    code = configured_locale_code().upper()
    data = load_crisis_data()
    try:
        locales = crisis_locales()
    except DatabaseError:  # before the first migration: the file is what members would see
        locales = data.locales
    if code not in locales:
        return [
            checks.Warning(
                f"STEPDOWN_CRISIS_LOCALE={code!r} is not among the crisis resources (admin: "
                f"Crisis resources); members are shown the international directory "
                f"({data.fallback_locale}).",
                id="stepdown.W101",
            )
        ]
    if locales[code].needs_check:
        return [
            checks.Warning(
                f"The crisis resources for {code} are marked to be checked by the community "
                "admin before use: check every number in the admin (Crisis resources), then "
                'untick "needs check".',
                id="stepdown.W102",
            )
        ]
    return []
