"""Pages about one post: reactions, who reacted, editing, edit history and reverting."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stepdown.accounts.standing import is_suspended, suspension_message
from stepdown.core import safety

from . import actions, approval, drafts, queries
from .composer_views import preview_html
from .forms import EditForm
from .models import PostRevision, ReactionKind
from .permissions import (
    can_edit_post,
    can_react,
    can_reply,
    can_revert_post,
    can_see_history,
    edit_window_minutes,
    edit_window_open,
    is_own_post,
    require_visible_post,
)
from .views import refused_page


@require_POST
def react(request: HttpRequest, pk: int) -> HttpResponse:
    """Give, change or take back one's reaction to a post, then return to the post."""
    post = require_visible_post(request.user, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(post.get_absolute_url())
    if not can_react(request.user, post):
        if is_suspended(request.user):
            message = suspension_message(request.user)
        elif is_own_post(request.user, post):
            message = _("Reactions are for other members' posts, not your own.")
        elif post.topic.is_locked:
            message = _("This topic is locked, so it takes no new reactions.")
        else:
            message = _("You cannot react to this post.")
        return refused_page(
            request,
            title=_("You cannot react here"),
            message=message,
            back=post.get_absolute_url(),
        )
    if request.POST.get("remove") == "1":
        # Taking a reaction back works whatever became of its kind (an admin may have retired
        # it since).
        actions.set_reaction(post, user=request.user, kind=None)
        messages.success(request, _("Your reaction is taken back."))
        return redirect(post)
    kind = ReactionKind.objects.filter(slug=request.POST.get("kind", ""), active=True).first()
    if kind is None:
        return refused_page(
            request,
            title=_("Unknown reaction"),
            message=_("That reaction is not offered any more. Please choose another."),
            back=post.get_absolute_url(),
            status=400,
        )
    actions.set_reaction(post, user=request.user, kind=kind)
    messages.success(request, _("You reacted with “%(label)s”.") % {"label": _(kind.label)})
    return redirect(post)


@require_GET
def who_reacted(request: HttpRequest, pk: int) -> HttpResponse:
    post = require_visible_post(request.user, pk)
    queries.attach_reactions([post], request.user)
    return render(request, "forum/reactions.html", {"post": post, "topic": post.topic})


def _hold_edit_for_sign_in(request: HttpRequest, post) -> HttpResponse:
    """A signed-out edit (the session ended while the member wrote): keep the text in the
    session for after sign-in, when the edit form opens with it, not yet saved."""
    edit_url = reverse("forum:edit_post", kwargs={"pk": post.pk})
    fields = drafts.draft_fields(request.POST, drafts.EDIT_FIELDS)
    if fields:
        drafts.keep_pending(request.session, drafts.edit_key(post), fields)
        messages.info(
            request,
            _(
                "You were signed out, so your changes are not saved yet. Your text is kept: "
                "sign in and it will be waiting for you."
            ),
        )
    return redirect_to_login(edit_url)


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = require_visible_post(request.user, pk)
    user = request.user
    if not user.is_authenticated:
        if request.method == "POST":
            return _hold_edit_for_sign_in(request, post)
        return redirect_to_login(request.get_full_path())
    held = None  # an edit sent while signed out, back after sign-in (taken from the session)
    if request.method == "GET":
        held = drafts.take_pending(request.session, drafts.edit_key(post))
    typed = request.POST.get("body") if request.method == "POST" else (held or {}).get("body")
    if not can_edit_post(user, post):
        if is_suspended(user):
            return refused_page(
                request,
                title=_("You cannot edit this post now"),
                message=suspension_message(user),
                back=post.get_absolute_url(),
                kept=typed or "",
            )
        if is_own_post(user, post) and not edit_window_open(post):
            # Too late to edit: say so, and keep every word so it can be posted as a reply.
            kept = typed if typed is not None else post.body_markdown
            return render(
                request,
                "forum/edit_closed.html",
                {
                    "post": post,
                    "topic": post.topic,
                    "kept_body": kept,
                    "window_minutes": edit_window_minutes(),
                    "may_reply": can_reply(user, post.topic),
                },
                status=403,
            )
        return refused_page(
            request,
            title=_("You cannot edit this post"),
            message=_("Members edit their own posts; moderators edit any post."),
            back=post.get_absolute_url(),
            kept=typed or "",
        )
    if request.method == "POST" and "preview" in request.POST:
        # "Preview" without JavaScript: the same page, the text kept, the post as it would look.
        return render(
            request,
            "forum/edit.html",
            {
                "post": post,
                "topic": post.topic,
                "form": EditForm(initial=dict(request.POST.items())),
                "preview": preview_html(request.POST.get("body", "")),
            },
        )
    initial = {"body": post.body_markdown}
    if held:
        initial.update(held)
        messages.info(
            request,
            _(
                "Welcome back. Here is the edit you wrote before signing in: it is not saved "
                "yet. Check it and save it when you are ready."
            ),
        )
    form = EditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and _links_allowed(user, form):
        before = post.body_markdown
        actions.edit_post(
            post,
            editor=user,
            body=form.cleaned_data["body"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("Your changes are saved."))
        if is_own_post(user, post):
            safety.show_panel(request, approval.added_matches(before, form.cleaned_data["body"]))
        return redirect(post)
    return render(
        request,
        "forum/edit.html",
        {"post": post, "topic": post.topic, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _links_allowed(user, form) -> bool:
    """New members add no links or images by editing either (``approval.link_refusal``)."""
    refusal = approval.link_refusal(user, form.cleaned_data["body"])
    if refusal:
        form.add_error("body", refusal)
    return not refusal


@require_GET
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """A post's earlier versions, for its author and the category's moderators
    (``can_see_history``); other readers of the post are told how often it was edited."""
    post = require_visible_post(request.user, pk)
    if not can_see_history(request.user, post):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        edits = max(0, PostRevision.objects.filter(post=post).count() - 1)
        if edits:
            edited = ngettext(
                "This post was edited %(count)d time.",
                "This post was edited %(count)d times.",
                edits,
            ) % {"count": edits}
        else:
            edited = _("This post has not been edited.")
        return refused_page(
            request,
            title=_("The edit history is not shown to you"),
            message=" ".join(
                [
                    edited,
                    _(
                        "Earlier versions of a post are shown only to its author and the "
                        "moderators, as they may hold words the author took back or a "
                        "moderator removed."
                    ),
                ]
            ),
            back=post.get_absolute_url(),
        )
    revisions = queries.post_revisions(post)
    return render(
        request,
        "forum/history.html",
        {
            "post": post,
            "topic": post.topic,
            "changes": queries.revision_changes(revisions),
            "latest": revisions[-1].number if revisions else None,
            "may_revert": can_revert_post(request.user, post),
        },
    )


@require_POST
def revert(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    post = require_visible_post(request.user, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("forum:post_history", kwargs={"pk": post.pk}))
    if not can_revert_post(request.user, post):
        return refused_page(
            request,
            title=_("You cannot revert this post"),
            message=_("Moderators restore earlier versions of a post."),
            back=reverse("forum:post_history", kwargs={"pk": post.pk}),
        )
    revision = PostRevision.objects.filter(post=post, number=number).first()
    if revision is None:
        raise Http404("No such revision.")
    actions.revert_post(post, revision=revision, by=request.user)
    messages.success(
        request,
        _("The post shows revision %(number)d again, kept as a new revision.") % {"number": number},
    )
    return redirect("forum:post_history", pk=post.pk)
