"""The journal page, a day's entry, and the chart."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stepdown.core import ratelimit, safety

from .. import actions, queries
from ..charts import data_table, journal_charts
from ..daily import day_row
from ..forms import (
    MAX_DOSES_PER_DAY,
    ConsentForm,
    DayForm,
    EntryForm,
    entry_initial,
    parse_day,
)
from ..models import ConsentAction, Entry
from ..permissions import can_keep_journal
from .common import (
    CHART_RANGES,
    chart_range,
    consent_context,
    posted,
    red_flag_context,
    render_journal,
    today,
)


def _entry_form(data=None, *, entry: Entry | None) -> EntryForm:
    initial = entry_initial(entry)
    logged = len(initial.get("doses", []))
    extra = min(MAX_DOSES_PER_DAY - logged, 2 if logged else 3)
    return EntryForm(data, initial=initial, dose_rows=max(0, extra))


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Consent first; then today's form, the latest days, the chart link and the data choices."""
    day_form = DayForm(request.GET if "day" in request.GET else None, today=today())
    if day_form.is_bound and day_form.is_valid():
        return redirect("journals:entry", day=day_form.cleaned_data["day"].isoformat())
    consent = queries.latest_consent(request.user)
    if consent is None:
        return render_journal(request, "journals/consent.html", consent_context(ConsentForm()))
    journal = queries.journal_of(request.user)
    entry = queries.entry_for(journal, today())
    consenting = consent.action == ConsentAction.GRANTED
    context = {
        "journal": journal,
        "consenting": consenting,
        "day": today(),
        "entry": entry,
        "form": _entry_form(entry=entry) if consenting else None,
        **red_flag_context(entry.symptoms if entry else {}),
        "day_form": day_form,
        "recent": [day_row(e) for e in queries.recent_entries(journal)],
    }
    return render_journal(
        request, "journals/home.html", context, status=400 if day_form.is_bound else 200
    )


@require_http_methods(["GET", "POST"])
@login_required
def entry(request: HttpRequest, day: str) -> HttpResponse:
    """Add or edit the member's entry for one day (one entry per day)."""
    try:
        the_day = parse_day(day, today=today())
    except ValidationError as error:
        day_form = DayForm({"day": day}, today=today())
        day_form.is_valid()
        context = {"message": error.messages[0], "day_form": day_form}
        return render_journal(request, "journals/bad_day.html", context, status=400)
    journal = queries.journal_of(request.user)
    if journal is None or not can_keep_journal(request.user):
        if request.method == "POST":
            messages.error(
                request,
                _("Nothing was saved: your journal needs your consent first."),
            )
        return redirect("journals:home")
    existing = queries.entry_for(journal, the_day)
    form = _entry_form(posted(request), entry=existing)
    retry_minutes = retry_after = None
    if request.method == "POST" and form.is_valid():
        verdict = ratelimit.hit(request, "journal")
        if verdict.allowed:
            data = form.entry_input()
            actions.save_entry(journal, day=the_day, data=data)
            messages.success(
                request, _("Your entry for %(day)s is saved.") % {"day": date_format(the_day)}
            )
            if data.notes != (existing.notes if existing else ""):
                safety.show_panel(request, actions.note_matches(data.notes))
            return redirect("journals:entry", day=the_day.isoformat())
        retry_minutes, retry_after = verdict.retry_minutes, verdict.retry_after
    if form.is_bound:
        ratings = form.submitted_ratings()
    else:
        ratings = existing.symptoms if existing else {}
    context = {
        "journal": journal,
        "day": the_day,
        "entry": existing,
        "form": form,
        **red_flag_context(ratings),
        "saved_note": existing is not None and not form.is_bound,
        "retry_minutes": retry_minutes,
        "previous_day": the_day - timedelta(days=1),
        "next_day": the_day + timedelta(days=1) if the_day < today() else None,
        "is_today": the_day == today(),
    }
    status = 200
    if request.method == "POST":
        status = 429 if retry_minutes else 400
    response = render_journal(request, "journals/entry.html", context, status=status)
    if retry_minutes:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
@login_required
def entry_delete(request: HttpRequest, day: str) -> HttpResponse:
    """Delete one day's entry (the member's own; allowed even after withdrawing consent)."""
    try:
        the_day = parse_day(day, today=today())
    except ValidationError:
        return redirect("journals:home")
    journal = queries.journal_of(request.user)
    if journal is not None and actions.delete_entry(journal, day=the_day):
        messages.success(
            request, _("Your entry for %(day)s is deleted.") % {"day": date_format(the_day)}
        )
    return redirect("journals:home")


@require_GET
@login_required
def chart(request: HttpRequest) -> HttpResponse:
    """The member's own chart and its data table."""
    journal = queries.journal_of(request.user)
    if journal is None:
        return redirect("journals:home")
    key, days = chart_range(request)
    rows = queries.rows_since(journal, days=days, today=today())
    context = {
        "journal": journal,
        "table": data_table(rows),
        "panels": journal_charts(rows),
        "range_key": key,
        "ranges": list(CHART_RANGES),
        "owner_view": True,
    }
    return render_journal(request, "journals/chart.html", context)
