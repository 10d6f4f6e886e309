"""Taper plans for the permission matrix (tests/test_permissions_matrix.py).

The matrix's world has no plans; these helpers make them on first use, owned by its `member`,
and remember them on the world, so each case's URL points at a plan in the state it needs.
"""

from tests.tapering_web.conftest import make_plan


def _plan(world, sharing: str, held: bool = False):
    key = f"_taper_plan_{sharing}_{held}"
    if not hasattr(world, key):
        from django.utils import timezone

        from stepdown.tapering import actions

        plan = make_plan(world.users["member"], sharing=sharing if sharing != "private" else None)
        if held:
            plan = actions.hold_plan(plan, since=timezone.localdate())
        setattr(world, key, plan)
    return getattr(world, key)


def taper_plan_url(world, page: str = "", *, sharing: str = "private", held: bool = False) -> str:
    return f"/taper/plans/{_plan(world, sharing, held).pk}/{page}"


def shared_link_url(world, *, revoked: bool = False) -> str:
    plan = _plan(world, "link")
    token = plan.share_token
    if revoked:
        from stepdown.tapering import actions

        actions.set_sharing(plan, sharing="private")
    return f"/taper/shared/{token}/"


def taper_owner(status: int, guest: int = 302) -> dict:
    """The plan's owner (`member`) gets ``status``; everyone else 404, guests sign in first."""
    return {"guest": guest, "member": status, "other": 404, "moderator": 404, "admin": 404}


NEW_PLAN = {
    "drug": "clonazepam",
    "night": "1",
    "method": "proportional",
    "cut": "10",
    "interval_days": "14",
    "start_date": "2027-01-04",
    "supply": "exact",
    "split": "whole",
    "target_mg": "0",
    "save": "1",
}
