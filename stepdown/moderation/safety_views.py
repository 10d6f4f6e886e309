"""The safety alerts page: what the safety net noticed, crisis first, and "handled".

For global moderators and admins with two-factor sign-in (alerts reach into private messages
and journals). An alert shows the member, where (a post links to it; a private message or a
journal note stays private), the list's phrases that matched (never for a journal note) and a
way to reach out: "Send a message".
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from stepdown.core import safety as safety_net
from stepdown.core.pagination import page_numbers
from stepdown.forum.models import Approval, Post

from . import safety
from .approval_forms import HandleAlertForm
from .models import SafetyAlert
from .views import refuse_unless_moderator


def _attach_posts(alerts: list[SafetyAlert]) -> None:
    """The posts the page's alerts point at (one query), to link to them."""
    ids = [a.target_id for a in alerts if a.target_type == safety_net.POST and a.target_id]
    posts = Post.objects.select_related("topic").in_bulk(ids) if ids else {}
    for alert in alerts:
        post = posts.get(alert.target_id) if alert.target_type == safety_net.POST else None
        alert.post = post
        alert.waiting = post is not None and post.approval == Approval.PENDING


@require_GET
@login_required
def alerts(request: HttpRequest) -> HttpResponse:
    """Open alerts first (crisis before rule, newest first), then handled ones."""
    refused = refuse_unless_moderator(request)
    if refused is not None:
        return refused
    found = SafetyAlert.objects.select_related("author", "handled_by").order_by(
        "-status",
        "kind",
        "-created_at",
        "-pk",  # "open" > "handled"; "crisis" < "rule"
    )
    paginator = Paginator(found, settings.STEPDOWN_TOPICS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    shown = list(page.object_list)
    _attach_posts(shown)
    return render(
        request,
        "moderation/safety_alerts.html",
        {
            "page": page,
            "alerts": shown,
            "numbers": page_numbers(page.number, paginator.num_pages),
            "form": HandleAlertForm(),
            "post_type": safety_net.POST,
            "message_type": safety_net.MESSAGE,
            "journal_type": safety_net.JOURNAL_NOTE,
        },
    )


@require_POST
@login_required
def handle(request: HttpRequest, pk: int) -> HttpResponse:
    refused = refuse_unless_moderator(request)
    if refused is not None:
        return refused
    alert = get_object_or_404(SafetyAlert, pk=pk)
    form = HandleAlertForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if safety.handle_alert(alert, by=request.user, note=note):
        messages.success(request, _("The alert is marked as handled. Thank you for looking."))
    else:
        messages.info(request, _("Another moderator has already handled this alert."))
    return redirect("moderation:safety_alerts")
