from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stepdown.core.pagination import page_numbers

from . import actions, queries
from .forms import PreferencesForm

PER_PAGE = 30


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(queries.notifications_for(request.user), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "items": page.object_list,
            "numbers": page_numbers(page.number, paginator.num_pages),
        },
    )


@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    """The header's notifications link with its unread count (htmx refreshes it)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    response = render(request, "notifications/_badge.html")
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go where it points."""
    item = actions.mark_read(request.user, pk)
    if item is None:
        raise Http404("No such notification.")
    target = item.url
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = settings.LOGIN_REDIRECT_URL
    return redirect(target)


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = actions.mark_all_read(request.user)
    if count:
        messages.success(request, _("All your notifications are marked read."))
    return redirect("notifications:list")


@require_http_methods(["GET", "POST"])
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PreferencesForm(
        request.POST or None,
        instance=queries.preferences_for(user),
        staff=bool(user.is_moderator or user.is_superuser),
    )
    if request.method == "POST" and form.is_valid():
        actions.save_preferences(user, **form.preference_values())
        messages.success(request, _("Your notification choices are saved."))
        return redirect("notifications:settings")
    return render(
        request,
        "notifications/settings.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
