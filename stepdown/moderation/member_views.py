"""A member's standing: the moderators' page about a member (warnings with their points,
suspensions and bans, reports and actions about them) and the member's own page of warnings
to read and acknowledge."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import member_actions, queries
from .forms import ReasonForm, SanctionForm, WarningForm
from .models import Sanction, SanctionKind, Warning
from .permissions import can_sanction
from .views import refuse_sanction, refuse_unless_moderator


def _member(username: str):
    member = get_user_model().objects.filter(username=username).first()
    if member is None:
        raise Http404("No such member.")
    return member


def _standing(request, member, *, warning_form=None, sanction_form=None, status=200):
    sanctions = queries.sanctions_of(member)
    for item in sanctions:
        item.in_force = queries.sanction_in_force(item)
    return render(
        request,
        "moderation/member.html",
        {
            "member": member,
            "points": queries.active_points(member),
            "warnings": queries.warnings_of(member),
            "sanctions": sanctions,
            "reports": queries.reports_about(member),
            "entries": queries.audit_entries_about(member),
            "may_sanction": can_sanction(request.user, member),
            "warning_form": warning_form
            or WarningForm(
                initial={"expires_in_days": _default_days()},
            ),
            "sanction_form": sanction_form
            or SanctionForm(initial={"kind": SanctionKind.SUSPENSION}),
        },
        status=status,
    )


def _default_days() -> int | None:
    return getattr(settings, "STEPDOWN_WARNING_DAYS", 90) or None


@require_GET
@login_required
def member(request: HttpRequest, username: str) -> HttpResponse:
    refused = refuse_unless_moderator(request)
    if refused is not None:
        return refused
    return _standing(request, _member(username))


def _refuse_sanction(request, member) -> HttpResponse:
    return refuse_sanction(
        request, back=reverse("moderation:member", kwargs={"username": member.username})
    )


def _sanction_target(request, username: str):
    """The member a moderator may warn, suspend or ban, or the page refusing it."""
    refused = refuse_unless_moderator(request)
    if refused is not None:
        return None, refused
    member = _member(username)
    if not can_sanction(request.user, member):
        return member, _refuse_sanction(request, member)
    return member, None


@require_POST
@login_required
def warn(request: HttpRequest, username: str) -> HttpResponse:
    member, refused = _sanction_target(request, username)
    if refused is not None:
        return refused
    form = WarningForm(request.POST)
    if not form.is_valid():
        return _standing(request, member, warning_form=form, status=400)
    days = form.cleaned_data["expires_in_days"]
    member_actions.issue_warning(
        member,
        by=request.user,
        reason=form.cleaned_data["reason"],
        points=form.cleaned_data["points"],
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    messages.success(
        request,
        _("The warning is sent. %(name)s sees it on every page until they acknowledge it.")
        % {"name": member.username},
    )
    return redirect("moderation:member", username=member.username)


@require_POST
@login_required
def sanction(request: HttpRequest, username: str) -> HttpResponse:
    """Suspend (may read, may not post) or ban (may not sign in) a member."""
    member, refused = _sanction_target(request, username)
    if refused is not None:
        return refused
    form = SanctionForm(request.POST)
    if not form.is_valid():
        return _standing(request, member, sanction_form=form, status=400)
    data = form.cleaned_data
    if data["kind"] == SanctionKind.BAN:
        member_actions.ban_member(
            member, by=request.user, reason=data["reason"], ends_at=form.ends_at()
        )
        messages.success(
            request,
            _(
                "%(name)s is banned: they are signed out and cannot sign in. They were told "
                "by email."
            )
            % {"name": member.username},
        )
    else:
        member_actions.suspend_member(
            member, by=request.user, reason=data["reason"], ends_at=form.ends_at()
        )
        messages.success(
            request,
            _("%(name)s is suspended: they can read but not post. They were told.")
            % {"name": member.username},
        )
    return redirect("moderation:member", username=member.username)


@require_POST
@login_required
def lift(request: HttpRequest, pk: int) -> HttpResponse:
    """End a suspension or ban before its end date."""
    refused = refuse_unless_moderator(request)
    if refused is not None:
        return refused
    sanction = get_object_or_404(Sanction.objects.select_related("member"), pk=pk)
    if not can_sanction(request.user, sanction.member):
        return _refuse_sanction(request, sanction.member)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if member_actions.lift_sanction(sanction, by=request.user, reason=reason):
        messages.success(request, _("It is lifted, from now."))
    else:
        messages.info(request, _("It had ended already."))
    return redirect("moderation:member", username=sanction.member.username)


# --- The member's own page ------------------------------------------------------------------


@require_GET
@login_required
def my_warnings(request: HttpRequest) -> HttpResponse:
    """The member's warnings (to read and acknowledge) and any pause on their account."""
    member = request.user
    return render(
        request,
        "moderation/my_warnings.html",
        {
            "to_acknowledge": queries.warnings_to_acknowledge(member),
            "warnings": queries.warnings_of(member),
            "suspensions": list(queries.sanctions_in_force(member, SanctionKind.SUSPENSION)),
        },
    )


@require_POST
@login_required
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """The member says they have read a warning of theirs (someone else's: not found)."""
    warning = get_object_or_404(Warning, pk=pk, member=request.user)
    member_actions.acknowledge_warning(warning, member=request.user)
    messages.success(request, _("Thank you for reading it."))
    return redirect("moderation:my_warnings")
