"""Blocking: the list of members one has blocked, and block / unblock with a confirm step.

The blocked member is never told; nothing on their side changes except that they cannot start a
conversation with the member who blocked them, nor add them to one.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import actions, blocks
from .models import Block
from .queries import require_active_member


def _back(request: HttpRequest) -> str:
    """Where to go after (un)blocking: ``next`` when it is on this site, else the list."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("accounts:blocked")


@require_GET
@login_required
def blocked(request: HttpRequest) -> HttpResponse:
    """The members the reader blocked, each with an Unblock button (one query)."""
    return render(
        request, "accounts/blocked.html", {"blocks": list(blocks.blocks_made(request.user))}
    )


@require_http_methods(["GET", "POST"])
@login_required
def block(request: HttpRequest, username: str) -> HttpResponse:
    """GET: what blocking does, and a Block button (or, when blocked, Unblock). POST: block."""
    member = require_active_member(username)
    context = {"member": member, "next": _back(request)}
    if member.pk == request.user.pk:
        return render(request, "accounts/block.html", {**context, "is_self": True}, status=400)
    if request.method == "GET":
        existing = Block.objects.filter(blocker=request.user, blocked=member).first()
        return render(request, "accounts/block.html", {**context, "existing": existing})
    actions.block_member(request.user, member)
    messages.success(
        request,
        _(
            "You blocked %(name)s. You won't hear from them, and they can't start a "
            "conversation with you. They are not told."
        )
        % {"name": member.username},
    )
    return redirect(context["next"])


@require_POST
@login_required
def unblock(request: HttpRequest, username: str) -> HttpResponse:
    member = require_active_member(username)
    if actions.unblock_member(request.user, member):
        messages.success(
            request,
            _("You unblocked %(name)s. You can hear from each other again.")
            % {"name": member.username},
        )
    return redirect(_back(request))
