"""Reads behind the taper pages, each a fixed number of queries however many plans or versions."""

from __future__ import annotations

from django.http import Http404

from .models import PlanVersion, TaperPlan


def member_plans(user) -> list[TaperPlan]:
    """``user``'s plans with their current version's summary, newest first: one query.

    The versions' stored steps are left out; the list shows only the summary columns.
    """
    return list(
        TaperPlan.objects.filter(owner=user)
        .select_related("current")
        .defer("current__snapshot", "current__inputs")
        .order_by("-updated_at", "-pk")
    )


def plan_history(plan: TaperPlan) -> list[PlanVersion]:
    """Every version of ``plan``, newest first, without their stored steps: one query."""
    return list(plan.versions.defer("snapshot", "inputs").order_by("-number"))


def plan_version(plan: TaperPlan, number: int) -> PlanVersion:
    """One version of ``plan`` by its number, or Http404."""
    version = plan.versions.filter(number=number).first()
    if version is None:
        raise Http404("No such version.")
    return version


def drugs_being_tapered(user, *, except_plan: TaperPlan | None = None) -> list[str]:
    """Catalogue ids of the drugs in ``user``'s saved plans (to warn about two at once)."""
    plans = TaperPlan.objects.filter(owner=user, current__isnull=False)
    if except_plan is not None:
        plans = plans.exclude(pk=except_plan.pk)
    found: dict[str, None] = {}
    for drug_id, final_drug_id in plans.values_list("current__drug_id", "current__final_drug_id"):
        found[drug_id] = None
        found[final_drug_id] = None
    return list(found)
