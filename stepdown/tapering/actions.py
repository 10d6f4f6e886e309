"""Every write to saved taper plans goes through these functions."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import F

from stepdown.core.sharing import new_share_token

from .models import PlanStatus, PlanVersion, Sharing, TaperPlan, VersionReason
from .plan_display import drug_name
from .plan_inputs import PlanInputs
from .plan_types import Plan
from .snapshot import plan_snapshot

TITLE_MAX_LENGTH = 120


def default_title(inputs: PlanInputs) -> str:
    """ "Clonazepam from 2027-01-04": what a plan is called when the member names it nothing."""
    return f"{drug_name(inputs.drug_id)} · {inputs.start_date.isoformat()}"[:TITLE_MAX_LENGTH]


def _add_version(plan: TaperPlan, *, inputs: PlanInputs, generated: Plan, reason: str):
    locked = TaperPlan.objects.select_for_update().get(pk=plan.pk)
    version = PlanVersion.objects.create(
        plan=locked,
        number=locked.version_count + 1,
        reason=reason,
        drug_id=generated.drug_id,
        final_drug_id=generated.final_drug_id,
        method=str(generated.method),
        start_date=generated.start_date,
        projected_end_date=generated.projected_end_date,
        inputs=inputs.to_json(),
        snapshot=plan_snapshot(generated),
    )
    TaperPlan.objects.filter(pk=plan.pk).update(
        current=version,
        version_count=F("version_count") + 1,
        status=PlanStatus.ACTIVE,
        held_since=None,
    )
    return version


def create_plan(owner, *, inputs: PlanInputs, generated: Plan, title: str = "") -> TaperPlan:
    """Save a generated plan for ``owner`` as version 1 of a new, private plan."""
    with transaction.atomic():
        plan = TaperPlan.objects.create(
            owner=owner, title=(title.strip() or default_title(inputs))[:TITLE_MAX_LENGTH]
        )
        _add_version(plan, inputs=inputs, generated=generated, reason=VersionReason.CREATED)
    plan.refresh_from_db()
    return plan


def resume_plan(plan: TaperPlan, *, inputs: PlanInputs, generated: Plan) -> PlanVersion:
    """End a hold with a new version (usually slower) starting from the dose held at."""
    with transaction.atomic():
        version = _add_version(
            plan, inputs=inputs, generated=generated, reason=VersionReason.RESUMED
        )
    plan.refresh_from_db()
    return version


def replan(plan: TaperPlan, *, inputs: PlanInputs, generated: Plan) -> PlanVersion:
    """A new version from the dose the member actually takes now; earlier versions stay."""
    with transaction.atomic():
        version = _add_version(
            plan, inputs=inputs, generated=generated, reason=VersionReason.REPLANNED
        )
    plan.refresh_from_db()
    return version


def hold_plan(plan: TaperPlan, *, since: date) -> TaperPlan:
    """Pause the plan at the dose taken on ``since``; holding a held plan changes nothing."""
    if plan.status == PlanStatus.ON_HOLD:
        return plan
    with transaction.atomic():
        TaperPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.ON_HOLD, held_since=since)
    plan.refresh_from_db()
    return plan


def set_sharing(plan: TaperPlan, *, sharing: str) -> TaperPlan:
    """Choose who may see the plan. Leaving "link" revokes the link; choosing it makes one."""
    token = plan.share_token
    if sharing == Sharing.LINK:
        token = token or new_share_token()
    else:
        token = None
    with transaction.atomic():
        TaperPlan.objects.filter(pk=plan.pk).update(sharing=sharing, share_token=token)
    plan.refresh_from_db()
    return plan


def regenerate_share_link(plan: TaperPlan) -> TaperPlan:
    """A new public link; the old one stops working at once."""
    with transaction.atomic():
        TaperPlan.objects.filter(pk=plan.pk).update(
            sharing=Sharing.LINK, share_token=new_share_token()
        )
    plan.refresh_from_db()
    return plan


def delete_plan(plan: TaperPlan) -> None:
    """Delete the plan with every version; links to it stop working."""
    with transaction.atomic():
        TaperPlan.objects.filter(pk=plan.pk).update(current=None)
        TaperPlan.objects.filter(pk=plan.pk).delete()


def delete_plans_of(owner) -> None:
    """Delete every plan ``owner`` has (account deletion)."""
    with transaction.atomic():
        TaperPlan.objects.filter(owner=owner).update(current=None)
        TaperPlan.objects.filter(owner=owner).delete()
