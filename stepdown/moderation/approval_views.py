"""The approval queue (new members' first posts, posts the safety net held) and the trust page.

Who: the queue and its decisions belong to whoever moderates the post's category (global
moderators and admins everywhere, a category's own moderators there), with two-factor sign-in;
the trust page to global moderators and admins. Anyone else gets what they would get for the
post itself: not found when they may not see it (a waiting post is seen by its author and the
moderators only), a calm refusal when they may.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stepdown.accounts.two_factor import has_two_factor
from stepdown.core.pagination import page_numbers
from stepdown.forum.models import Approval, Category, Post
from stepdown.forum.permissions import (
    can_moderate_category,
    can_read_topic,
    can_see_post,
    has_global_role,
    is_moderator,
    rights_in,
)
from stepdown.forum.views import refused_page

from . import approval, trust
from .approval_forms import ApproveForm, RejectForm, TrustForm
from .models import SafetyAlert
from .permissions import can_sanction
from .views import refuse_sanction, refuse_unless_moderator

QUEUE_TEMPLATE = "moderation/approval_queue.html"


def moderated_category_ids(user) -> list[int] | None:
    """The categories whose waiting posts ``user`` decides (None: all of them)."""
    if is_moderator(user):
        return None
    return [c.pk for c in Category.objects.all() if can_moderate_category(user, c)]


def _has_some_moderator_role(user) -> bool:
    if has_global_role(user):
        return True
    return any(rights_in(user, c).moderates for c in Category.objects.all())


def pending_posts(user):
    """Waiting posts ``user`` decides, oldest first, with their topic, category and author."""
    posts = (
        Post.objects.filter(approval=Approval.PENDING, is_deleted=False)
        .select_related("topic", "topic__category", "author")
        .order_by("created_at", "pk")
    )
    ids = moderated_category_ids(user)
    if ids is not None:
        posts = posts.filter(topic__category_id__in=ids)
    return posts


def _attach_reasons(posts: list[Post]) -> None:
    """Why each post waits: held by the safety net (and for what), or a new member's first
    posts. One query for the page."""
    held = {
        alert.target_id: alert
        for alert in SafetyAlert.objects.filter(
            target_type="post", target_id__in=[p.pk for p in posts], held=True
        )
    }
    for post in posts:
        post.held_alert = held.get(post.pk)


@require_GET
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Waiting posts and topics with their text, oldest first: a fixed number of queries."""
    user = request.user
    if not _has_some_moderator_role(user):
        raise Http404("No such page.")
    if not has_two_factor(user):
        return render(request, "moderation/needs_two_factor.html", status=403)
    paginator = Paginator(pending_posts(user), settings.STEPDOWN_TOPICS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    posts = list(page.object_list)
    _attach_reasons(posts)
    return render(
        request,
        QUEUE_TEMPLATE,
        {
            "page": page,
            "posts": posts,
            "numbers": page_numbers(page.number, paginator.num_pages),
            "approve_form": ApproveForm(),
            "reject_form": RejectForm(),
        },
    )


def _waiting_post(request: HttpRequest, pk: int) -> tuple[Post | None, HttpResponse | None]:
    """The waiting post ``pk`` for a moderator of its category, or the response for anyone
    else (404 when they may not see it, a calm refusal when they may)."""
    post = get_object_or_404(
        Post.objects.select_related("topic", "topic__category", "author"),
        pk=pk,
        is_deleted=False,
    )
    user = request.user
    category = post.topic.category
    if post.author_id == user.pk and can_moderate_category(user, category):
        return None, refused_page(
            request,
            title=_("Another moderator decides"),
            message=_(
                "This post is yours, so another moderator looks at it. You can still edit or "
                "delete it yourself."
            ),
            back=post.get_absolute_url(),
            kept=request.POST.get("reason", ""),
        )
    if can_moderate_category(user, category):
        return post, None
    if not (can_read_topic(user, post.topic) and can_see_post(user, post)):
        raise Http404("No such post.")
    if (has_global_role(user) or rights_in(user, category).moderates) and not has_two_factor(user):
        return None, render(request, "moderation/needs_two_factor.html", status=403)
    return None, refused_page(
        request,
        title=_("This is for moderators"),
        message=_("Only the moderators of this category approve posts."),
        back=post.get_absolute_url(),
        kept=request.POST.get("reason", ""),
    )


def _already_decided(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Another moderator has already decided about this post."))
    return redirect("moderation:approval_queue")


@require_POST
@login_required
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    post, refused = _waiting_post(request, pk)
    if refused is not None:
        return refused
    form = ApproveForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if not approval.approve(post, by=request.user, reason=note):
        return _already_decided(request)
    if post.position == 1:
        messages.success(request, _("The topic is approved: everyone can see it now."))
    else:
        messages.success(request, _("The post is approved: everyone can see it now."))
    return redirect("moderation:approval_queue")


@require_http_methods(["GET", "POST"])
@login_required
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    """Not approving asks for a reason the member reads (a page of its own without
    JavaScript, or the queue's form)."""
    post, refused = _waiting_post(request, pk)
    if refused is not None:
        return refused
    if post.approval != Approval.PENDING:
        return _already_decided(request)
    form = RejectForm(request.POST if request.method == "POST" else None)
    if request.method == "GET" or not form.is_valid():
        _attach_reasons([post])
        status = 400 if form.is_bound else 200
        return render(
            request, "moderation/approval_reject.html", {"post": post, "form": form}, status=status
        )
    if not approval.reject(post, by=request.user, reason=form.cleaned_data["reason"]):
        return _already_decided(request)
    messages.success(
        request,
        _("It is not approved. The member is told why and gets their text back as a draft."),
    )
    return redirect("moderation:approval_queue")


# --- Trust levels ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def member_trust(request: HttpRequest, username: str) -> HttpResponse:
    """A member's trust level, the facts behind it and the thresholds; a moderator may set it."""
    refused = refuse_unless_moderator(request)
    if refused is not None:
        return refused
    member = get_object_or_404(get_user_model(), username=username)
    if request.method == "POST" and not can_sanction(request.user, member):
        return refuse_sanction(
            request, back=reverse("moderation:member_trust", kwargs={"username": member.username})
        )
    form = TrustForm(
        request.POST if request.method == "POST" else None,
        initial={"level": member.trust_level},
    )
    if request.method == "POST" and form.is_valid():
        changed = trust.set_trust_level(
            member,
            level=form.cleaned_data["level"],
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
        if changed:
            messages.success(
                request,
                _("%(name)s is now a %(level)s.")
                % {"name": member.username, "level": member.get_trust_level_display()},
            )
        return redirect("moderation:member_trust", username=member.username)
    return render(
        request,
        "moderation/member_trust.html",
        {
            "member": member,
            "facts": trust.facts_for(member),
            "thresholds": trust.thresholds(),
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )
