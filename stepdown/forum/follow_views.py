"""Follow and stop following a topic, a category or a member (POST; back where the member was)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stepdown.accounts.queries import require_active_member
from stepdown.notifications import actions as notifications
from stepdown.notifications.models import Target

from .permissions import require_category, require_topic


def _set_follow(request, *, target_type: str, target_id: int, name: str, back: str):
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    if request.POST.get("follow") == "0":
        notifications.unfollow(request.user, target_type=target_type, target_id=target_id)
        messages.success(request, _("You no longer follow %(name)s.") % {"name": name})
    else:
        notifications.follow(request.user, target_type=target_type, target_id=target_id)
        messages.success(
            request,
            _("You follow %(name)s. Choose how you hear about it in your notification choices.")
            % {"name": name},
        )
    return redirect(back)


@require_POST
def follow_topic(request: HttpRequest, pk: int) -> HttpResponse:
    topic = require_topic(request.user, pk)
    return _set_follow(
        request,
        target_type=Target.TOPIC,
        target_id=topic.pk,
        name=f"“{topic.full_title}”",
        back=topic.get_absolute_url(),
    )


@require_POST
def follow_category(request: HttpRequest, slug: str) -> HttpResponse:
    category = require_category(request.user, slug)
    return _set_follow(
        request,
        target_type=Target.CATEGORY,
        target_id=category.pk,
        name=category.name,
        back=category.get_absolute_url(),
    )


@require_POST
def follow_member(request: HttpRequest, username: str) -> HttpResponse:
    member = require_active_member(username)
    if request.user.is_authenticated and member.pk == request.user.pk:
        messages.info(request, _("You are always with yourself."))
        return redirect("forum:member", username=member.username)
    return _set_follow(
        request,
        target_type=Target.MEMBER,
        target_id=member.pk,
        name=member.username,
        back=reverse("forum:member", kwargs={"username": member.username}),
    )
