"""Sharing the chart (only me, members, a secret link), the shared pages, and the signature."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import actions, queries
from ..charts import data_table, journal_charts
from ..forms import ShareForm, SignatureForm
from ..models import Journal, Sharing, SignatureField
from ..permissions import (
    can_keep_journal,
    require_link_shared_journal,
    require_members_shared_journal,
)
from ..signature import compute_signature, format_signature
from .common import CHART_RANGES, chart_range, posted, render_journal, today


@require_http_methods(["GET", "POST"])
@login_required
def share(request: HttpRequest) -> HttpResponse:
    """Who may see the chart; the secret link, with a way to replace it."""
    journal = queries.journal_of(request.user)
    if journal is None:
        return redirect("journals:home")
    may_share = can_keep_journal(request.user)
    form = ShareForm(posted(request), initial={"sharing": journal.sharing})
    if request.method == "POST" and may_share:
        if request.POST.get("regenerate"):
            actions.regenerate_share_link(journal)
            messages.success(request, _("Your chart has a new link. The old link no longer works."))
            return redirect("journals:share")
        if form.is_valid():
            before = journal.sharing
            actions.set_sharing(journal, sharing=form.cleaned_data["sharing"])
            if before == Sharing.LINK and journal.sharing != Sharing.LINK:
                messages.success(request, _("Saved. The secret link no longer works."))
            else:
                messages.success(request, _("Saved."))
            return redirect("journals:share")
    status = 200
    if request.method == "POST":
        status = 400 if may_share else 403
    link = ""
    if journal.sharing == Sharing.LINK and journal.share_token:
        path = reverse("journals:shared_link", kwargs={"token": journal.share_token})
        link = request.build_absolute_uri(path)
    context = {"journal": journal, "form": form, "may_share": may_share, "link": link}
    return render_journal(request, "journals/share.html", context, status=status)


def _shared_page(request: HttpRequest, journal: Journal) -> HttpResponse:
    key, days = chart_range(request)
    rows = queries.rows_since(journal, days=days, today=today())
    context = {
        "journal": journal,
        "owner_name": journal.owner.username,
        "table": data_table(rows),
        "panels": journal_charts(rows),
        "range_key": key,
        "ranges": list(CHART_RANGES),
        "owner_view": False,
        "is_owner": request.user.is_authenticated and request.user.pk == journal.owner_id,
    }
    context |= {"shared_view": True, "noindex": True}
    response = render_journal(request, "journals/shared.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def shared_link(request: HttpRequest, token: str) -> HttpResponse:
    """A chart shared by secret link: no sign-in needed, 404 once the link is switched off."""
    return _shared_page(request, require_link_shared_journal(token))


@require_GET
def shared_with_members(request: HttpRequest, username: str) -> HttpResponse:
    """A chart its owner shares with signed-in members; 404 for guests and everything else."""
    return _shared_page(request, require_members_shared_journal(request.user, username))


@require_http_methods(["GET", "POST"])
@login_required
def signature(request: HttpRequest) -> HttpResponse:
    """Turn the taper signature on or off and choose what it shows."""
    journal = queries.journal_of(request.user)
    if journal is None:
        return redirect("journals:home")
    may_sign = can_keep_journal(request.user)
    drug_ids = queries.logged_drug_ids(journal)
    initial = {
        "enabled": journal.signature_enabled,
        "show": journal.signature_fields,
        "drug": journal.signature_drug_id,
    }
    form = SignatureForm(posted(request), initial=initial, drug_ids=drug_ids)
    if request.method == "POST" and may_sign and form.is_valid():
        actions.set_signature(
            journal,
            enabled=form.cleaned_data["enabled"],
            fields=form.cleaned_data["show"],
            drug_id=form.cleaned_data["drug"],
        )
        if form.cleaned_data["enabled"]:
            messages.success(request, _("Saved. Your signature shows under your posts."))
        else:
            messages.success(request, _("Saved. Your signature is off."))
        return redirect("journals:signature")
    # What the line looks like with the saved choice (every field while none is chosen).
    sample = Journal(
        signature_enabled=True,
        signature_fields=journal.signature_fields or [f.value for f in SignatureField],
        signature_drug_id=journal.signature_drug_id,
    )
    preview = format_signature(compute_signature(sample, queries.all_rows(journal)), today=today())
    status = 200
    if request.method == "POST":
        status = 400 if may_sign else 403
    context = {"journal": journal, "form": form, "may_sign": may_sign, "preview": preview}
    return render_journal(request, "journals/signature.html", context, status=status)
