"""Who may see and change saved taper plans.

Plans are private by default. The owner chooses per plan: only me, signed-in members, or anyone
with the link (an unguessable token). `can_*` answer with a bool; `require_*` return the plan or
raise Http404, so nobody learns that a plan they may not see exists.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from .models import Sharing, TaperPlan


def _plans() -> QuerySet[TaperPlan]:
    return TaperPlan.objects.select_related("owner", "current")


def is_owner(user, plan: TaperPlan) -> bool:
    if not user.is_authenticated:
        return False
    return plan.owner_id == user.pk


def can_view_plan(user, plan: TaperPlan) -> bool:
    """The owner always; other signed-in members when the plan is shared with members."""
    if is_owner(user, plan):
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    return plan.sharing == Sharing.MEMBERS


def can_change_plan(user, plan: TaperPlan) -> bool:
    """Only the owner holds, resumes, re-plans, shares or deletes a plan."""
    if not user.is_active:
        return False
    return is_owner(user, plan)


def require_visible_plan(user, pk: int) -> TaperPlan:
    plan = _plans().filter(pk=pk).first()
    if plan is None or not can_view_plan(user, plan):
        raise Http404("No such plan.")
    return plan


def require_own_plan(user, pk: int) -> TaperPlan:
    plan = _plans().filter(pk=pk).first()
    if plan is None or not can_change_plan(user, plan):
        raise Http404("No such plan.")
    return plan


def require_shared_plan(token: str) -> TaperPlan:
    """The plan behind a public link, while its owner keeps link sharing on with this token."""
    if not token or len(token) > 64:
        raise Http404("No such plan.")
    plan = _plans().filter(share_token=token, sharing=Sharing.LINK).first()
    if plan is None or not plan.owner.is_active:
        raise Http404("No such plan.")
    return plan
