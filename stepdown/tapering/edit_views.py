"""Pages of the taper tools that write: new plan (preview and save), re-plan, hold and resume,
sharing and deletion. All are for signed-in members and, for a saved plan, its owner only."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from stepdown.core import ratelimit

from . import actions, queries
from .errors import TaperInputError
from .forms import DrugForm, PlanForm, ResumeForm, SharingForm, add_taper_error, initial_from_inputs
from .models import Sharing, TaperPlan
from .permissions import require_own_plan
from .plan_display import display_plan
from .plan_inputs import PlanInputs, generate
from .replanning import cut_unit, dose_taken_on, resume_inputs
from .snapshot import plan_snapshot

logger = logging.getLogger(__name__)


def _generate(form, inputs: PlanInputs, other_tapers):
    """Run the generator; its errors become form errors, keeping what was typed."""
    try:
        return generate(inputs, other_tapers)
    except TaperInputError as error:
        add_taper_error(form, error)
    except (ArithmeticError, ValueError, OverflowError):
        logger.exception("The plan generator failed on input it should have refused")
        form.add_error(
            None,
            _("Stepdown could not make a plan from this input. Please check the numbers."),
        )
    return None


def _limited(request: HttpRequest) -> int:
    """Minutes to wait when the member generates plans faster than the site allows, else 0."""
    verdict = ratelimit.hit(request, "taper_plan")
    return 0 if verdict.allowed else verdict.retry_minutes


def _plan_form_page(request, *, plan: TaperPlan | None, initial: dict, default_drug: str):
    """New plan and re-plan: choose the drug, fill in, preview, save."""
    drug_id = request.POST.get("drug") if request.method == "POST" else None
    drug_id = drug_id or request.GET.get("drug") or default_drug
    drug_form = DrugForm({"drug": drug_id} if drug_id else None)
    if request.method == "GET" and not drug_form.is_valid():
        status = 400 if drug_form.is_bound else 200
        context = {"drug_form": drug_form, "plan": plan}
        return render(request, "tapering/plan_choose_drug.html", context, status=status)
    form = PlanForm(request.POST or None, drug_id=drug_id, initial=initial)
    preview = retry_minutes = None
    if request.method == "POST" and form.is_valid():
        retry_minutes = _limited(request)
        if retry_minutes:
            form.add_error(None, _("Please take a short pause before making more plans."))
        inputs = form.inputs()
        others = queries.drugs_being_tapered(request.user, except_plan=plan)
        generated = None if retry_minutes else _generate(form, inputs, others)
        if generated is not None and "save" in request.POST:
            if plan is None:
                plan = actions.create_plan(
                    request.user, inputs=inputs, generated=generated, title=inputs.title
                )
                messages.success(request, _("Your plan is saved. Only you can see it."))
            else:
                actions.replan(plan, inputs=inputs, generated=generated)
                messages.success(
                    request, _("The new version of your plan is saved; the old one is kept.")
                )
            return redirect(plan)
        if generated is not None:
            preview = display_plan(plan_snapshot(generated), today=timezone.localdate())
    status = 200
    if request.method == "POST" and form.errors:
        status = 429 if retry_minutes else 400
    context = {
        "form": form,
        "plan": plan,
        "drug_name": dict(form.fields["drug"].choices).get(drug_id, drug_id),
        "drug_form": DrugForm(initial={"drug": drug_id}, auto_id="switch_%s"),
        "preview": preview,
    }
    return render(request, "tapering/plan_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def plan_new(request: HttpRequest) -> HttpResponse:
    return _plan_form_page(request, plan=None, initial={}, default_drug="")


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def plan_replan(request: HttpRequest, pk: int) -> HttpResponse:
    """A new version from the doses the member actually takes today (prefilled from the plan)."""
    plan = require_own_plan(request.user, pk)
    today = timezone.localdate()
    drug, doses = dose_taken_on(plan.current, today)
    before = PlanInputs.from_json(plan.current.inputs)
    initial = initial_from_inputs(before, start=today, doses=doses)
    if drug != before.drug_id:
        initial.update(supply="tablet", strengths=[], other_strengths="", split="halves")
        initial["method"] = "proportional"
    return _plan_form_page(request, plan=plan, initial=initial, default_drug=drug)


@require_POST
@login_required
def plan_hold(request: HttpRequest, pk: int) -> HttpResponse:
    plan = require_own_plan(request.user, pk)
    actions.hold_plan(plan, since=timezone.localdate())
    messages.success(
        request,
        _("Your plan is on hold: stay at your current dose for as long as you need."),
    )
    return redirect(plan)


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def plan_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Resume a held plan from the held dose, at the same or a slower pace, from a chosen day."""
    plan = require_own_plan(request.user, pk)
    if not plan.is_on_hold:
        messages.info(request, _("This plan is not on hold."))
        return redirect(plan)
    before = PlanInputs.from_json(plan.current.inputs)
    unit = cut_unit(before.method)
    initial = {
        "cut": before.cut,
        "interval_days": before.interval_days,
        "start_date": timezone.localdate(),
    }
    form = ResumeForm(request.POST or None, previous=before, unit=unit, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            inputs = resume_inputs(
                plan.current,
                held_since=plan.held_since,
                cut=form.cleaned_data["cut"],
                interval_days=form.cleaned_data["interval_days"],
                start=form.cleaned_data["start_date"],
            )
        except TaperInputError as error:
            add_taper_error(form, error)
        else:
            others = queries.drugs_being_tapered(request.user, except_plan=plan)
            generated = _generate(form, inputs, others)
            if generated is not None and "save" in request.POST:
                actions.resume_plan(plan, inputs=inputs, generated=generated)
                messages.success(request, _("Your plan is resumed. The earlier version is kept."))
                return redirect(plan)
            if generated is not None:
                preview = display_plan(plan_snapshot(generated), today=timezone.localdate())
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "tapering/plan_resume.html",
        {"plan": plan, "form": form, "preview": preview, "unit": unit},
        status=status,
    )


@require_POST
@login_required
def plan_sharing(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose who sees the plan, or replace its public link with a new one."""
    plan = require_own_plan(request.user, pk)
    if "regenerate" in request.POST:
        actions.regenerate_share_link(plan)
        messages.success(request, _("The plan has a new link. The old link no longer works."))
        return redirect(plan)
    form = SharingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose who may see this plan."))
        return redirect(plan)
    actions.set_sharing(plan, sharing=form.cleaned_data["sharing"])
    notes = {
        Sharing.PRIVATE: _("Only you can see this plan now. Any earlier link no longer works."),
        Sharing.MEMBERS: _("Signed-in members can now see this plan. Guests cannot."),
        Sharing.LINK: _("Anyone with the link can now see this plan, without your name."),
    }
    messages.success(request, notes[form.cleaned_data["sharing"]])
    return redirect(plan)


@require_http_methods(["GET", "POST"])
@login_required
def plan_delete(request: HttpRequest, pk: int) -> HttpResponse:
    plan = require_own_plan(request.user, pk)
    if request.method == "POST":
        actions.delete_plan(plan)
        messages.success(request, _("The plan is deleted, with all its versions."))
        return redirect("tapering:plan_list")
    return render(request, "tapering/plan_delete.html", {"plan": plan})
