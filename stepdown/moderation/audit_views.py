"""The audit log for moderators: every action, newest first, filtered and paged."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from stepdown.core.pagination import page_numbers

from . import queries
from .audit import action_label
from .forms import AuditFilterForm
from .views import refuse_unless_moderator

FILTER_NAMES = ("action", "moderator", "member", "target_type", "since", "until")


@require_GET
@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Who did what, when and why: filter by action, moderator, member, kind of target and
    dates. A fixed number of queries per page; a filter that makes no sense is explained and
    the others still apply."""
    refused = refuse_unless_moderator(request)
    if refused is not None:
        return refused
    bound = {name: request.GET[name] for name in FILTER_NAMES if request.GET.get(name)}
    form = AuditFilterForm(bound or None, actions_in_use=queries.audit_actions_in_use())
    if bound:
        form.is_valid()
    filters = form.filters() if bound else queries.AuditFilters()
    paginator = Paginator(queries.audit_entries(filters), settings.STEPDOWN_TOPICS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    entries = list(page.object_list)
    for entry in entries:
        entry.label = action_label(entry.action)
    return render(
        request,
        "moderation/audit_log.html",
        {
            "form": form,
            "page": page,
            "entries": entries,
            "numbers": page_numbers(page.number, paginator.num_pages),
            "query": urlencode(bound) + "&" if bound else "",
            "filtered": bool(bound),
        },
        status=400 if bound and form.errors else 200,
    )
