"""The Latest and Unread streams, "jump to first unread post", and marking things read."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from stepdown.core.pagination import page_numbers

from . import actions, unread
from .permissions import require_category, require_topic


def _stream(request: HttpRequest, template: str, topics) -> HttpResponse:
    paginator = Paginator(topics, settings.STEPDOWN_TOPICS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        template,
        {
            "page": page,
            "topics": page.object_list,
            "numbers": page_numbers(page.number, paginator.num_pages),
        },
    )


@require_GET
def latest(request: HttpRequest) -> HttpResponse:
    """Every topic the reader may read, most recently active first (guests too)."""
    return _stream(request, "forum/latest.html", unread.latest_topics(request.user))


@require_GET
@login_required
def unread_stream(request: HttpRequest) -> HttpResponse:
    """The member's topics with posts they have not read, most recently active first."""
    return _stream(request, "forum/unread.html", unread.unread_topics(request.user))


@require_GET
def first_unread(request: HttpRequest, pk: int) -> HttpResponse:
    """Jump to the member's first unread post of a topic (the last post when all are read)."""
    topic = require_topic(request.user, pk)
    if topic.merged_into_id is not None:  # merged: its posts live in the other topic now
        topic = require_topic(request.user, topic.merged_into_id)
    target = unread.first_unread(request.user, topic)
    query = f"?page={target.page}" if target.page > 1 else ""
    anchor = f"#post-{target.post_id}" if target.post_id else ""
    return redirect(f"{topic.get_absolute_url()}{query}{anchor}")


@require_POST
@login_required
def mark_category_read(request: HttpRequest, slug: str) -> HttpResponse:
    category = require_category(request.user, slug)
    actions.mark_category_read(request.user, category)
    messages.success(
        request,
        _("Everything in %(category)s is marked as read.") % {"category": category.name},
    )
    return redirect(category)


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    actions.mark_all_topics_read(request.user)
    messages.success(request, _("Everything is marked as read."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("forum:unread")
    return redirect(back)
