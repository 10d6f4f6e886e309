"""Bits every journal view shares."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from stepdown.core.crisis import crisis_locale_for

from ..consent import CONSENT_POINTS, CONSENT_VERSION
from ..symptoms import CRISIS, URGENT, red_flags

CHART_RANGES = {"30": 30, "90": 90, "365": 365, "all": None}
DEFAULT_RANGE = "90"


def today() -> date:
    """Today in the community's time zone: the day a new entry is for."""
    return timezone.localdate()


def chart_range(request: HttpRequest) -> tuple[str, int | None]:
    """The chart's period from ``?days=`` (30, 90, 365 or all; 90 otherwise)."""
    key = request.GET.get("days", DEFAULT_RANGE)
    if key not in CHART_RANGES:
        key = DEFAULT_RANGE
    return key, CHART_RANGES[key]


def render_journal(
    request: HttpRequest, template: str, context: dict | None = None, *, status: int = 200
) -> HttpResponse:
    """Render a journal page; every one of them may need the crisis resources."""
    context = {"crisis": crisis_locale_for(request), "section": template, **(context or {})}
    response = render(request, template, context, status=status)
    # Health data: kept out of every cache, shared or the browser's own.
    add_never_cache_headers(response)
    return response


def red_flag_context(ratings) -> dict:
    """What the crisis panel needs: the red-flag symptoms, split by the help they call for."""
    flags = red_flags(ratings or {})
    return {
        "flags": flags,
        "urgent_flags": [s for s in flags if s.red_flag == URGENT],
        "crisis_flags": [s for s in flags if s.red_flag == CRISIS],
    }


def consent_context(form) -> dict:
    return {"form": form, "consent_points": CONSENT_POINTS, "consent_version": CONSENT_VERSION}


def posted(request: HttpRequest):
    """The POST data of a POST (even an empty one, so the form is bound), else None."""
    return request.POST if request.method == "POST" else None
