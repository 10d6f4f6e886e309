"""The taper tools' part of a member's data export and account deletion.

Registered with ``stepdown.core.personal_data`` in ``TaperingConfig.ready()``. Saved plans are
health data: the export holds every plan with every version (input and generated steps), and
deleting the account deletes them all, whatever the member chose for their forum posts.
"""

from __future__ import annotations

from typing import Any

from stepdown.core.personal_data import PersonalDataProvider

from .actions import delete_plans_of
from .models import PlanVersion, TaperPlan


def _when(value) -> str | None:
    return value.isoformat() if value else None


def export_taper_data(user) -> dict[str, Any]:
    """Every plan ``user`` saved, with all its versions, oldest first."""
    plans = list(TaperPlan.objects.filter(owner=user).order_by("created_at", "pk"))
    versions: dict[int, list[PlanVersion]] = {plan.pk: [] for plan in plans}
    for version in PlanVersion.objects.filter(plan__owner=user).order_by("plan_id", "number"):
        versions[version.plan_id].append(version)
    return {
        "plans": [
            {
                "title": plan.title,
                "status": plan.status,
                "on_hold_since": _when(plan.held_since),
                "sharing": plan.sharing,
                "created_at": _when(plan.created_at),
                "updated_at": _when(plan.updated_at),
                "versions": [
                    {
                        "number": version.number,
                        "reason": version.reason,
                        "created_at": _when(version.created_at),
                        "drug": version.drug_id,
                        "method": version.method,
                        "start_date": _when(version.start_date),
                        "projected_end_date": _when(version.projected_end_date),
                        "inputs": version.inputs,
                        "plan": version.snapshot,
                    }
                    for version in versions[plan.pk]
                ],
            }
            for plan in plans
        ]
    }


def erase_taper_data(user, *, keep_posts: bool) -> None:
    """Delete every plan of ``user`` (plans are never kept, whatever ``keep_posts`` says)."""
    delete_plans_of(user)


provider = PersonalDataProvider(name="tapering", export=export_taper_data, erase=erase_taper_data)
