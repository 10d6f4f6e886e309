"""New versions of a saved plan: resuming after a hold, and re-planning from the dose taken.

Both start a new generator run from a dose the member is on, reusing the earlier choices (method,
supply, target, holds still ahead) where they still fit.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from .catalogue import load_catalogue
from .errors import PlanError
from .models import PlanMethod, PlanVersion
from .plan_inputs import PlanInputs, Supply
from .snapshot import step_in_effect


class CannotResume(PlanError):
    """The held dose cannot be continued as one drug (e.g. held part-way through a switch)."""

    code = "cannot_resume"


def dose_taken_on(version: PlanVersion, on: date) -> tuple[str, dict[str, str]]:
    """The drug and the mg per dose time the plan has on ``on`` (doses above zero only).

    During a crossover two drugs are taken; the drug the taper continues with (the newer one,
    later in the day's order) is returned with its doses.
    """
    step = step_in_effect(version.snapshot, on)
    taken = [dose for dose in step["doses"] if Decimal(dose["mg"]) > 0]
    if not taken:
        return version.final_drug_id, {}
    drugs = list(dict.fromkeys(dose["drug_id"] for dose in taken))
    drug = version.final_drug_id if version.final_drug_id in drugs else drugs[0]
    return drug, {dose["time"]: dose["mg"] for dose in taken if dose["drug_id"] == drug}


def resume_inputs(
    version: PlanVersion, *, held_since: date, cut: str, interval_days: int, start: date
) -> PlanInputs:
    """Input for the version that resumes from the dose held at, with the new pace.

    Raises ``CannotResume`` when there is nothing to resume from or the hold fell part-way
    through a switch to diazepam (then "Re-plan" lets the member enter what they take).
    """
    before = PlanInputs.from_json(version.inputs)
    step = step_in_effect(version.snapshot, held_since)
    taken = [dose for dose in step["doses"] if Decimal(dose["mg"]) > 0]
    if not taken:
        raise CannotResume(_("This plan had already reached zero on the day it was put on hold."))
    drugs = {dose["drug_id"] for dose in taken}
    if len(drugs) > 1:
        raise CannotResume(
            _(
                "This plan was put on hold part-way through the switch to diazepam. Use "
                "“Re-plan from today’s dose” and enter the doses you take now."
            )
        )
    (drug,) = drugs
    method, supply = before.method, before.supply
    if drug != before.drug_id:  # the switch to diazepam is complete: taper diazepam directly
        reference = load_catalogue().drug(drug)
        method = PlanMethod.PROPORTIONAL
        strengths = tuple(format(s.normalize(), "f") for s in reference.tablet_strengths_mg)
        supply = Supply(kind="tablet", strengths=strengths, split="halves")
    return PlanInputs(
        drug_id=drug,
        doses={dose["time"]: dose["mg"] for dose in taken},
        method=method,
        cut=cut,
        interval_days=interval_days,
        start_date=start,
        supply=supply,
        holds=tuple((on, days) for on, days in before.holds if on >= start),
        target_mg=before.target_mg,
        crossover_stage_days=before.crossover_stage_days,
    )


def cut_unit(method: str) -> str:
    """What the cut is measured in for a method: mg for a fixed amount, otherwise %."""
    return "mg" if method == PlanMethod.FIXED_AMOUNT else "%"
