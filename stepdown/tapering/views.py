"""Pages of the taper tools that read: the landing page, equivalence, plan list, plan pages,
the printable view, exports and public links. The pages that write are in ``edit_views``."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import queries
from .catalogue import load_catalogue
from .exports import plan_csv, plan_ics
from .forms import EquivalenceForm, PrintForm, SharingForm
from .models import Sharing, TaperPlan
from .permissions import is_owner, require_own_plan, require_shared_plan, require_visible_plan
from .plan_display import PlanDisplay, display_plan


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "tapering/home.html")


@require_GET
def equivalence(request: HttpRequest) -> HttpResponse:
    """Dose of one drug -> approximate diazepam and another drug, as ranges across sources."""
    form = EquivalenceForm(request.GET if "from_drug" in request.GET else None)
    catalogue = load_catalogue()
    drugs = []
    if form.is_bound and form.is_valid():
        ids = [form.cleaned_data["from_drug"], form.cleaned_data.get("to_drug")]
        drugs = [catalogue.drugs[drug_id] for drug_id in dict.fromkeys(ids) if drug_id]
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "tapering/equivalence.html",
        {
            "form": form,
            "to_diazepam": getattr(form, "to_diazepam", None),
            "to_other": getattr(form, "to_other", None),
            "drugs": drugs,
            "sources": catalogue.sources,
            "reference_name": catalogue.drug(catalogue.reference_drug_id).name,
        },
        status=status,
    )


@require_GET
@login_required
@never_cache
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = queries.member_plans(request.user)
    return render(request, "tapering/plan_list.html", {"plans": plans})


def _display(plan: TaperPlan, version=None) -> PlanDisplay:
    version = version or plan.current
    return display_plan(version.snapshot, today=timezone.localdate())


@require_GET
@login_required
@never_cache
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = require_visible_plan(request.user, pk)
    owner = is_owner(request.user, plan)
    context = {
        "plan": plan,
        "version": plan.current,
        "display": _display(plan),
        "is_owner": owner,
        "history": queries.plan_history(plan) if owner else [],
    }
    if owner:
        context["sharing_form"] = SharingForm(initial={"sharing": plan.sharing})
        if plan.sharing == Sharing.LINK:
            context["share_url"] = request.build_absolute_uri(
                reverse("tapering:shared_plan", kwargs={"token": plan.share_token})
            )
    return render(request, "tapering/plan_detail.html", context)


@require_GET
@login_required
@never_cache
def plan_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """An earlier (or the current) version of the member's own plan."""
    plan = require_own_plan(request.user, pk)
    version = queries.plan_version(plan, number)
    return render(
        request,
        "tapering/plan_version.html",
        {"plan": plan, "version": version, "display": _display(plan, version)},
    )


@require_GET
@login_required
@never_cache
def plan_print(request: HttpRequest, pk: int) -> HttpResponse:
    """A clean page to print or save as PDF for a prescriber; the member's name is optional."""
    plan = require_visible_plan(request.user, pk)
    form = PrintForm(request.GET or None)
    name = form.cleaned_data["name"].strip() if form.is_bound and form.is_valid() else ""
    return render(
        request,
        "tapering/plan_print.html",
        {
            "plan": plan,
            "version": plan.current,
            "display": _display(plan),
            "form": form,
            "print_name": name,
            "printed_on": timezone.localdate(),
        },
    )


def _download(content: str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _filename(plan: TaperPlan, extension: str) -> str:
    return f"{slugify(plan.title) or 'taper-plan'}.{extension}"


@require_GET
@login_required
@never_cache
def plan_csv_export(request: HttpRequest, pk: int) -> HttpResponse:
    plan = require_visible_plan(request.user, pk)
    # A byte-order mark, so spreadsheet programs read the ½ and × signs as UTF-8.
    content = "\ufeff" + plan_csv(_display(plan))
    return _download(
        content, content_type="text/csv; charset=utf-8", filename=_filename(plan, "csv")
    )


@require_GET
@login_required
@never_cache
def plan_ics_export(request: HttpRequest, pk: int) -> HttpResponse:
    plan = require_visible_plan(request.user, pk)
    domain = urlsplit(settings.SITE_URL).hostname or request.get_host().split(":")[0]
    content = plan_ics(
        _display(plan),
        name=plan.title,
        uid_base=f"taper-plan-{plan.pk}-v{plan.current.number}",
        domain=domain,
        now=timezone.now(),
    )
    return _download(
        content, content_type="text/calendar; charset=utf-8", filename=_filename(plan, "ics")
    )


@require_GET
@never_cache
def shared_plan(request: HttpRequest, token: str) -> HttpResponse:
    """A plan its owner shares by public link: read-only, without the owner's name."""
    plan = require_shared_plan(token)
    return render(
        request,
        "tapering/plan_shared.html",
        {"plan": plan, "version": plan.current, "display": _display(plan)},
    )
