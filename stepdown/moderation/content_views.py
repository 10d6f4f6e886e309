"""Moderators' pages for posts and topics: hide and restore, remove and bring back, lock, pin,
move, merge and split, each with a reason kept in the audit log.

Who: the moderators of the category the post or topic is in (``can_moderate_topic``). Anyone
else gets what they would get for the post or topic itself: not found when they may not see
it, a calm refusal when they may. Destructive actions (remove, merge, split) have a page to
confirm; the quick ones (show again, restore, lock, pin) are a button with an optional reason.
Every change shows at once on the topic page, which the moderator is sent back to.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stepdown.accounts.two_factor import has_two_factor
from stepdown.forum import queries as forum_queries
from stepdown.forum.models import Category, Post, Topic
from stepdown.forum.moderation_actions import ModerationError, is_restorable
from stepdown.forum.permissions import can_moderate_category, has_global_role, rights_in
from stepdown.forum.views import refused_page

from . import content_actions
from .forms import HideForm, MergeForm, MoveForm, ReasonForm, RequiredReasonForm, SplitForm
from .permissions import (
    can_moderate_topic,
    post_to_moderate,
    post_visible_to,
    topic_to_moderate,
    topic_visible_to,
)


def post_location(post: Post) -> str:
    """The post's place on its topic's page (works for removed and hidden posts too)."""
    number = forum_queries.page_of_position(post.position)
    query = f"?page={number}" if number > 1 else ""
    return f"{post.topic.get_absolute_url()}{query}#post-{post.pk}"


def _refusal(request: HttpRequest, category: Category, *, back: str) -> HttpResponse:
    user = request.user
    may_with_two_factor = has_global_role(user) or rights_in(user, category).moderates
    if may_with_two_factor and not has_two_factor(user):
        return render(request, "moderation/needs_two_factor.html", status=403)
    return refused_page(
        request,
        title=_("This is for moderators"),
        message=_("Only the moderators of this category can do this."),
        back=back,
        kept=request.POST.get("reason", ""),
    )


def _post_or_refusal(request: HttpRequest, pk: int) -> tuple[Post | None, HttpResponse | None]:
    """The post to moderate, or the response for someone who may not moderate it."""
    post = post_to_moderate(pk)
    if can_moderate_topic(request.user, post.topic):
        return post, None
    if not post_visible_to(request.user, post):
        raise Http404("No such post.")
    return None, _refusal(request, post.topic.category, back=post.get_absolute_url())


def _topic_or_refusal(request: HttpRequest, pk: int) -> tuple[Topic | None, HttpResponse | None]:
    topic = topic_to_moderate(pk)
    if topic.merged_into_id is not None:
        raise Http404("A merged topic lives on in the one it was merged into.")
    if can_moderate_topic(request.user, topic):
        return topic, None
    if not topic_visible_to(request.user, topic):
        raise Http404("No such topic.")
    return None, _refusal(request, topic.category, back=topic.get_absolute_url())


def _reason(request: HttpRequest) -> str:
    form = ReasonForm(request.POST)
    return form.cleaned_data["reason"] if form.is_valid() else ""


def _confirm(request, *, template="moderation/confirm.html", status=200, **context):
    return render(request, template, context, status=status)


# --- Posts ----------------------------------------------------------------------------------


@require_http_methods(["GET"])
@login_required
def post_actions(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything a moderator can do with one post, and its state."""
    post, refused = _post_or_refusal(request, pk)
    if refused is not None:
        return refused
    return render(
        request,
        "moderation/post_actions.html",
        {
            "post": post,
            "topic": post.topic,
            "location": post_location(post),
            "restorable": is_restorable(post),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def post_hide(request: HttpRequest, pk: int) -> HttpResponse:
    post, refused = _post_or_refusal(request, pk)
    if refused is not None:
        return refused
    form = HideForm(request.POST or None)
    context = {
        "title": _("Hide this post"),
        "explanation": _(
            "Hidden, the post is seen only by its author (with your reason) and the moderators. "
            "You can show it again at any time."
        ),
        "subject": content_actions.post_label(post),
        "excerpt": post.body_html,
        "form": form,
        "button": _("Hide the post"),
        "back": post_location(post),
    }
    if request.method == "GET" or not form.is_valid():
        return _confirm(request, status=400 if request.method == "POST" else 200, **context)
    if content_actions.hide_post(post, by=request.user, reason=form.cleaned_data["reason"]):
        messages.success(request, _("The post is hidden. Its author was told."))
    else:
        messages.info(request, _("The post was hidden already."))
    return redirect(post_location(post))


@require_POST
@login_required
def post_unhide(request: HttpRequest, pk: int) -> HttpResponse:
    post, refused = _post_or_refusal(request, pk)
    if refused is not None:
        return refused
    if content_actions.unhide_post(post, by=request.user, reason=_reason(request)):
        messages.success(request, _("The post can be seen by everyone again."))
    return redirect(post_location(post))


@require_http_methods(["GET", "POST"])
@login_required
def post_delete(request: HttpRequest, pk: int) -> HttpResponse:
    post, refused = _post_or_refusal(request, pk)
    if refused is not None:
        return refused
    if post.position == 1:
        return refused_page(
            request,
            title=_("This is the topic's first post"),
            message=_(
                "A topic's first post is removed with the topic. To remove both, remove the "
                "topic; to keep the topic but not this text, hide the post or edit it."
            ),
            back=post_location(post),
            status=400,
            kept=request.POST.get("reason", ""),
        )
    form = RequiredReasonForm(request.POST or None)
    context = {
        "title": _("Remove this post"),
        "explanation": _(
            "Removed, the post shows as “This post was removed” to everyone. Its author is told "
            "your reason. Moderators can bring it back."
        ),
        "subject": content_actions.post_label(post),
        "excerpt": post.body_html,
        "form": form,
        "button": _("Remove the post"),
        "back": post_location(post),
    }
    if request.method == "GET" or not form.is_valid():
        return _confirm(request, status=400 if request.method == "POST" else 200, **context)
    if content_actions.delete_post(post, by=request.user, reason=form.cleaned_data["reason"]):
        messages.success(request, _("The post is removed. Its author was told."))
    return redirect(post_location(post))


@require_POST
@login_required
def post_restore(request: HttpRequest, pk: int) -> HttpResponse:
    post, refused = _post_or_refusal(request, pk)
    if refused is not None:
        return refused
    try:
        restored = content_actions.restore_post(post, by=request.user, reason=_reason(request))
    except ModerationError:
        return refused_page(
            request,
            title=_("This post cannot come back"),
            message=_("Its author deleted their account, and its text went with it."),
            back=post_location(post),
            status=400,
        )
    if restored:
        messages.success(request, _("The post is back."))
    return redirect(post_location(post))


# --- Topics ---------------------------------------------------------------------------------


@require_http_methods(["GET"])
@login_required
def topic_actions(request: HttpRequest, pk: int) -> HttpResponse:
    topic, refused = _topic_or_refusal(request, pk)
    if refused is not None:
        return refused
    return render(
        request,
        "moderation/topic_actions.html",
        {"topic": topic, "form": ReasonForm()},
    )


def _after_topic_change(topic: Topic) -> HttpResponse:
    return redirect(topic.get_absolute_url())


@require_POST
@login_required
def topic_lock(request: HttpRequest, pk: int) -> HttpResponse:
    """Lock (``locked=1``, the default) or unlock (``locked=0``) a topic."""
    topic, refused = _topic_or_refusal(request, pk)
    if refused is not None:
        return refused
    locked = request.POST.get("locked") != "0"
    if content_actions.set_locked(topic, by=request.user, locked=locked, reason=_reason(request)):
        if locked:
            messages.success(request, _("The topic is locked: only moderators can reply."))
        else:
            messages.success(request, _("The topic is open for replies again."))
    return _after_topic_change(topic)


@require_POST
@login_required
def topic_pin(request: HttpRequest, pk: int) -> HttpResponse:
    """Pin (``pinned=1``, the default) or unpin (``pinned=0``) a topic."""
    topic, refused = _topic_or_refusal(request, pk)
    if refused is not None:
        return refused
    pinned = request.POST.get("pinned") != "0"
    if content_actions.set_pinned(topic, by=request.user, pinned=pinned, reason=_reason(request)):
        if pinned:
            messages.success(request, _("The topic is pinned to the top of its category."))
        else:
            messages.success(request, _("The topic is no longer pinned."))
    return _after_topic_change(topic)


@require_http_methods(["GET", "POST"])
@login_required
def topic_delete(request: HttpRequest, pk: int) -> HttpResponse:
    topic, refused = _topic_or_refusal(request, pk)
    if refused is not None:
        return refused
    form = RequiredReasonForm(request.POST or None)
    context = {
        "title": _("Remove this topic"),
        "explanation": _(
            "Removed, the topic leaves every list and page; only moderators still see it, and "
            "can bring it back. Its author is told your reason."
        ),
        "subject": content_actions.topic_label(topic),
        "form": form,
        "button": _("Remove the topic"),
        "back": topic.get_absolute_url(),
    }
    if request.method == "GET" or not form.is_valid():
        return _confirm(request, status=400 if request.method == "POST" else 200, **context)
    if content_actions.delete_topic(topic, by=request.user, reason=form.cleaned_data["reason"]):
        messages.success(request, _("The topic is removed. Its author was told."))
    return _after_topic_change(topic)


@require_POST
@login_required
def topic_restore(request: HttpRequest, pk: int) -> HttpResponse:
    topic, refused = _topic_or_refusal(request, pk)
    if refused is not None:
        return refused
    if content_actions.restore_topic(topic, by=request.user, reason=_reason(request)):
        messages.success(request, _("The topic is back."))
    return _after_topic_change(topic)


def _categories_moderated_by(user, *, besides: Category | None = None) -> list[Category]:
    categories = [c for c in Category.objects.all() if can_moderate_category(user, c)]
    return [c for c in categories if besides is None or c.pk != besides.pk]


def _category_choices(user, **kwargs):
    ids = [c.pk for c in _categories_moderated_by(user, **kwargs)]
    return Category.objects.filter(pk__in=ids)


@require_http_methods(["GET", "POST"])
@login_required
def topic_move(request: HttpRequest, pk: int) -> HttpResponse:
    topic, refused = _topic_or_refusal(request, pk)
    if refused is not None:
        return refused
    choices = _category_choices(request.user, besides=topic.category)
    form = MoveForm(request.POST or None, categories=choices)
    context = {"topic": topic, "form": form}
    if request.method == "GET" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(request, "moderation/topic_move.html", context, status=status)
    destination = form.cleaned_data["category"]
    content_actions.move_topic(
        topic, by=request.user, to=destination, reason=form.cleaned_data["reason"]
    )
    messages.success(
        request, _("The topic is now in %(category)s.") % {"category": destination.name}
    )
    return _after_topic_change(topic)


@require_http_methods(["GET", "POST"])
@login_required
def topic_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge this topic into another: choose it, see both, confirm."""
    topic, refused = _topic_or_refusal(request, pk)
    if refused is not None:
        return refused
    form = MergeForm(request.POST or None)
    context = {"topic": topic, "form": form}
    if request.method == "GET" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(request, "moderation/topic_merge.html", context, status=status)
    into = Topic.objects.select_related("category").filter(pk=form.cleaned_data["into"]).first()
    if into is None or not can_moderate_category(request.user, into.category):
        form.add_error("into", _("There is no topic with that number among those you moderate."))
    elif into.pk == topic.pk:
        form.add_error("into", _("That is this topic. Please give the other one."))
    elif into.merged_into_id is not None or into.is_deleted:
        form.add_error("into", _("That topic was removed or merged. Please choose another."))
    if form.errors:
        return render(request, "moderation/topic_merge.html", context, status=400)
    if request.POST.get("confirm") != "1":
        return render(request, "moderation/topic_merge.html", {**context, "into": into})
    try:
        content_actions.merge_topics(
            topic, into=into, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ModerationError:
        form.add_error("into", _("One of the topics was merged in the meantime."))
        return render(request, "moderation/topic_merge.html", context, status=400)
    messages.success(
        request,
        _("The posts of “%(source)s” are now at the end of this topic.")
        % {"source": topic.full_title},
    )
    return redirect(into.get_absolute_url())


@require_http_methods(["GET", "POST"])
@login_required
def topic_split(request: HttpRequest, pk: int) -> HttpResponse:
    """Move chosen replies (from one page of the topic at a time) into a new topic."""
    topic, refused = _topic_or_refusal(request, pk)
    if refused is not None:
        return refused
    try:
        number = max(1, int(request.GET.get("page") or request.POST.get("page") or 1))
    except ValueError:
        number = 1
    number = min(number, forum_queries.page_count(topic))
    page = forum_queries.topic_page(topic, number, request.user)
    replies = [post for post in page.posts if post.position > 1]
    categories = _category_choices(request.user)
    form = SplitForm(
        request.POST or None,
        posts=replies,
        categories=categories,
        initial={"category": topic.category_id},
    )
    context = {"topic": topic, "form": form, "page": page, "replies": replies}
    if request.method == "GET" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(request, "moderation/topic_split.html", context, status=status)
    try:
        new = content_actions.split_topic(
            topic,
            post_ids=form.cleaned_data["posts"],
            title=form.cleaned_data["title"],
            category=form.cleaned_data["category"],
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ModerationError:
        form.add_error("posts", _("Those replies have moved in the meantime. Please choose again."))
        return render(request, "moderation/topic_split.html", context, status=400)
    messages.success(
        request,
        _("The chosen replies are now the topic “%(title)s”.") % {"title": new.full_title},
    )
    return redirect(new.get_absolute_url())
