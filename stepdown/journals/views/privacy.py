"""Consent, withdrawal, deletion and the journal's downloads.

These are never rate-limited: a member must always be able to stop, download and delete.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import actions, queries
from ..exports import journal_csv, journal_export
from ..forms import ConsentForm, DeleteJournalForm, WithdrawForm
from .common import consent_context, posted, render_journal, today


@require_http_methods(["GET", "POST"])
@login_required
def consent(request: HttpRequest) -> HttpResponse:
    """Explain what the journal keeps and record the member's explicit consent."""
    if queries.has_consent(request.user):
        return redirect("journals:home")
    form = ConsentForm(posted(request))
    if request.method == "POST" and form.is_valid():
        actions.grant_consent(request.user)
        messages.success(request, _("Thank you. Your journal is ready, and only you can see it."))
        return redirect("journals:home")
    status = 400 if request.method == "POST" else 200
    return render_journal(request, "journals/consent.html", consent_context(form), status=status)


@require_http_methods(["GET", "POST"])
@login_required
def withdraw(request: HttpRequest) -> HttpResponse:
    """Withdraw consent: no new entries, sharing and signature off; deletion offered."""
    consenting = queries.has_consent(request.user)
    form = WithdrawForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["also_delete"]:
            actions.delete_journal(request.user)
            messages.success(request, _("Your consent is withdrawn and your journal is deleted."))
            return redirect("journals:home")
        if not consenting:
            return redirect("journals:home")
        actions.withdraw_consent(request.user)
        messages.success(
            request,
            _(
                "Your consent is withdrawn. Nothing new is kept, and nothing is shared. Your "
                "entries stay visible to you alone until you delete them."
            ),
        )
        return redirect("journals:home")
    context = {"form": form, "consenting": consenting}
    return render_journal(request, "journals/withdraw.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def delete(request: HttpRequest) -> HttpResponse:
    """Delete the whole journal: every entry, the sharing, the signature and the consent log."""
    form = DeleteJournalForm(posted(request))
    if request.method == "POST" and form.is_valid():
        actions.delete_journal(request.user)
        messages.success(request, _("Your journal is deleted. Nothing of it is kept."))
        return redirect("journals:home")
    status = 400 if request.method == "POST" else 200
    return render_journal(request, "journals/delete.html", {"form": form}, status=status)


def _download(content: str, *, content_type: str, extension: str) -> HttpResponse:
    name = slugify(settings.SITE_NAME) or "stepdown"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{name}-journal-{today()}.{extension}"
    )
    add_never_cache_headers(response)
    return response


@require_GET
@login_required
def export_json(request: HttpRequest) -> HttpResponse:
    """The member's journal as JSON (also part of "Download my data" on the account page)."""
    data = journal_export(request.user)
    return _download(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
        extension="json",
    )


@require_GET
@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    """The member's journal as CSV, one row per day, for a spreadsheet."""
    return _download(
        journal_csv(request.user), content_type="text/csv; charset=utf-8", extension="csv"
    )
