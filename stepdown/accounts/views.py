from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import actions, queries
from .forms import DeleteAccountForm
from .two_factor import has_two_factor


@require_GET
@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    # Category moderators are not staff, so the site-wide prompt does not name them; ask here.
    moderates = has_two_factor(user) is False and user.moderated_categories.exists()
    return render(request, "accounts/account.html", {"category_moderator_needs_2fa": moderates})


@require_GET
@login_required
@never_cache
def export(request: HttpRequest) -> HttpResponse:
    """The member's data as a JSON download (kept out of every cache: it may hold health data)."""
    data = queries.member_data_export(request.user)
    filename = f"{slugify(settings.SITE_NAME) or 'stepdown'}-my-data-{timezone.localdate()}.json"
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_POST
@login_required
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    actions.sign_out_everywhere(request.user)
    # This device stays signed in, with a fresh session key and the new hash.
    update_session_auth_hash(request, request.user)
    messages.success(
        request,
        _("You are signed out on every other device. This one stays signed in."),
    )
    return redirect("accounts:account")


@require_http_methods(["GET", "POST"])
@login_required
def delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        actions.delete_member(request.user, keep_posts=form.keep_posts)
        logout(request)
        return redirect("accounts:deleted")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/delete.html", {"form": form}, status=status)


@require_GET
def deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/deleted.html")
