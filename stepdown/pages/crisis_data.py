"""The admin-edited crisis resources, as ``core.crisis`` wants them (its registered provider).

Read from the database once and kept in the cache (shared by every process with Redis); saving
or deleting a row clears it (``apps.py`` connects the signals: cache invalidation, the one use
of signals DESIGN.md allows). Without Redis each process keeps its own copy, so the copy also
expires after ``CACHE_SECONDS``.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import DatabaseError

from stepdown.core.crisis import CrisisLocale as CrisisLocaleData
from stepdown.core.crisis import CrisisResource as CrisisResourceData

from .models import CrisisLocale, CrisisResource

CACHE_KEY = "pages:crisis-locales:v1"
CACHE_SECONDS = 300


def _load() -> dict[str, CrisisLocaleData]:
    locales: dict[str, CrisisLocaleData] = {}
    rows = CrisisResource.objects.select_related("locale").order_by(
        "locale__position", "locale__name", "position", "pk"
    )
    grouped: dict[int, list[CrisisResource]] = {}
    heads: dict[int, CrisisLocale] = {}
    for row in rows:
        grouped.setdefault(row.locale_id, []).append(row)
        heads[row.locale_id] = row.locale
    for locale_id, resources in grouped.items():
        head = heads[locale_id]
        locales[head.code] = CrisisLocaleData(
            code=head.code,
            name=head.name,
            needs_check=head.needs_check,
            resources=tuple(
                CrisisResourceData(
                    name=r.name,
                    kind=r.kind,
                    call=r.call or None,
                    text=r.text or None,
                    url=r.url or None,
                    hours=r.hours or None,
                    source=r.source,
                )
                for r in resources
            ),
        )
    return locales


def edited_locales() -> dict[str, CrisisLocaleData] | None:
    """Locales that have at least one resource, by code; None before the tables exist."""
    found = cache.get(CACHE_KEY)
    if found is None:
        try:
            found = _load()
        except DatabaseError:
            return None
        cache.set(CACHE_KEY, found, CACHE_SECONDS)
    return found


def forget(**kwargs) -> None:
    """A row changed: the next reader loads them again."""
    cache.delete(CACHE_KEY)
