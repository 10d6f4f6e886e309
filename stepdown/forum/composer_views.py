"""The composer: starting a topic, replying, live preview and drafts.

Nothing a member writes is lost: drafts are saved on the server while they type (composer.js)
and whenever a submission fails; a submission that arrives after the session has ended is held
in the session and comes back after sign-in; a repeated submission posts once.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stepdown.core import ratelimit, safety

from . import actions, approval, article_lookup, drafts, mentions, quotes
from .forms import ReplyForm, TopicForm
from .models import Approval, Draft
from .permissions import (
    can_post_in_category,
    can_reply,
    posting_refusal,
    require_category,
    require_topic,
)
from .views import refused_page


def preview_html(body: str) -> str:
    """The body as it will look once posted: the very renderer that stores posts, mentions
    linked."""
    return mentions.render_body(body).html


def _saved_label(draft: Draft | None) -> str:
    if draft is None:
        return ""
    when = formats.time_format(timezone.localtime(draft.updated_at), "H:i")
    return _("Draft saved at %(time)s") % {"time": when}


def _restore(request: HttpRequest, key: str, initial: dict) -> Draft | None:
    """Fill ``initial`` from what the member was writing: a submission held across sign-in
    first (saved as their draft), else their saved draft. Returns the draft."""
    pending = drafts.take_pending(request.session, key)
    if pending:
        messages.info(
            request,
            _(
                "Welcome back. Here is what you wrote before signing in: it is not posted yet. "
                "Check it and post it when you are ready."
            ),
        )
        draft = actions.save_draft(request.user, key=key, fields=pending)
    else:
        draft = drafts.draft_for(request.user, key)
    if draft is not None:
        initial.update(draft.fields)
    return draft


def _hold_for_sign_in(request: HttpRequest, key: str, composer_url: str) -> HttpResponse:
    """A signed-out submission: keep the text in the session and ask the member to sign in."""
    fields = drafts.draft_fields(request.POST)
    if fields:
        drafts.keep_pending(request.session, key, fields)
        messages.info(
            request,
            _(
                "You were signed out, so nothing was posted yet. Your text is kept: sign in and "
                "it will be waiting for you."
            ),
        )
    return redirect_to_login(composer_url)


def _preview_of(request: HttpRequest) -> str | None:
    """The rendered preview when the member pressed "Preview" (works without JavaScript)."""
    if request.method == "POST" and "preview" in request.POST:
        return preview_html(request.POST.get("body", ""))
    return None


def _rate_limited(request, template, context, action) -> HttpResponse | None:
    verdict = ratelimit.hit(request, action)
    if verdict.allowed:
        return None
    response = render(
        request, template, {**context, "retry_minutes": verdict.retry_minutes}, status=429
    )
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _unknown_mentions_note(request: HttpRequest, body: str) -> None:
    """After posting: say which @names matched no member (they stay plain text, nobody told)."""
    unknown = mentions.unknown_names(body)
    if unknown:
        names = ", ".join(f"@{name}" for name in unknown)
        messages.info(
            request,
            _(
                "No member is called %(names)s, so that stayed plain text and nobody was told. "
                "You can edit your post to fix a name."
            )
            % {"names": names},
        )


def _links_allowed(request: HttpRequest, form) -> bool:
    """Members below trust level basic post no links or images yet: said on the text field,
    which keeps what they wrote."""
    refusal = approval.link_refusal(request.user, form.cleaned_data["body"])
    if refusal:
        form.add_error("body", refusal)
    return not refusal


def _after_posting(request: HttpRequest, state: str, *, posted: str, texts: list[str]) -> None:
    """Tell the member what became of their post, and show the safety panel on the next page
    when it matched a safety phrase."""
    match = safety.check("\n".join(texts))
    held = bool(match) and state == Approval.PENDING and safety.holds_posts()
    if held:
        messages.info(
            request,
            _(
                "Thank you. Your post waits for a moderator before others see it; only you "
                "can see it until then."
            ),
        )
    elif state == Approval.PENDING:
        messages.info(
            request,
            _(
                "Thanks — a moderator will look at your first posts soon; only you can see it "
                "until then."
            ),
        )
    else:
        messages.success(request, posted)
    safety.show_panel(request, match, held=held)


def _stopped_at_the_door(
    request, *, key, composer_url, allowed, title, refusal, back
) -> HttpResponse | None:
    """Sign-in for guests (a submission is held for after it), a calm refusal with the text
    kept for members who may not write here; None when the composer may open."""
    if not request.user.is_authenticated:
        if request.method == "POST":
            return _hold_for_sign_in(request, key, composer_url)
        return redirect_to_login(request.get_full_path())
    if not allowed():
        return refused_page(
            request,
            title=title,
            message=refusal(),
            back=back,
            kept=request.POST.get("body", ""),
        )
    return None


@require_http_methods(["GET", "POST"])
def new_topic(request: HttpRequest, slug: str) -> HttpResponse:
    category = require_category(request.user, slug)
    key = drafts.topic_key(category)
    stopped = _stopped_at_the_door(
        request,
        key=key,
        composer_url=reverse("forum:new_topic", kwargs={"slug": category.slug}),
        allowed=lambda: can_post_in_category(request.user, category),
        title=_("You cannot start a topic here"),
        refusal=lambda: posting_refusal(request.user, category),
        back=category.get_absolute_url(),
    )
    if stopped is not None:
        return stopped
    context = {
        "category": category,
        "lookup_enabled": article_lookup.lookup_enabled(),
        "draft_url": reverse("forum:new_topic_draft", kwargs={"slug": category.slug}),
    }
    template = "forum/new_topic.html"
    if request.method == "GET":
        initial: dict = {}
        draft = _restore(request, key, initial)
        form = TopicForm(initial=initial)
        return render(request, template, {**context, "form": form, "draft": draft})

    fields = drafts.draft_fields(request.POST)
    if "lookup" in request.POST or "preview" in request.POST:
        # Show the form again with the card filled or the preview shown; nothing is posted.
        values = {name: request.POST.get(name, "") for name in TopicForm.base_fields}
        draft = actions.save_draft(request.user, key=key, fields=fields)
        extra, status = {}, 200
        if "lookup" in request.POST:
            extra, status = _lookup_article(request, values)
        response = render(
            request,
            template,
            {
                **context,
                **extra,
                "form": TopicForm(initial=values),
                "draft": draft,
                "preview": _preview_of(request),
            },
            status=status,
        )
        if status == 429:
            response["Retry-After"] = extra["retry_after"]
        return response

    form = TopicForm(request.POST)
    if form.is_valid() and _links_allowed(request, form):
        limited = _rate_limited(request, template, {**context, "form": form}, "new_topic")
        if limited:
            actions.save_draft(request.user, key=key, fields=fields)
            return limited
        topic = actions.create_topic(
            category,
            author=request.user,
            title=form.cleaned_data["title"],
            tag=form.cleaned_data["tag"],
            body=form.cleaned_data["body"],
            article=form.article(),
            submission_key=form.cleaned_data["submission_key"],
            draft_key=key,
        )
        _after_posting(
            request,
            topic.approval,
            posted=_("Your topic is posted."),
            texts=[form.cleaned_data["title"], form.cleaned_data["body"]],
        )
        _unknown_mentions_note(request, form.cleaned_data["body"])
        return redirect(topic)
    draft = actions.save_draft(request.user, key=key, fields=fields)
    return render(request, template, {**context, "form": form, "draft": draft}, status=400)


def _lookup_article(request: HttpRequest, values: dict) -> tuple[dict, int]:
    """ "Fill in from DOI or PubMed link": fill ``values`` from the article's record."""
    verdict = ratelimit.hit(request, "article_lookup")
    if not verdict.allowed:
        note = _(
            "You have looked up many articles in a short time. Please try again in about "
            "%(minutes)d minutes, or type the details in."
        ) % {"minutes": verdict.retry_minutes}
        return {"lookup_note": note, "retry_after": str(verdict.retry_after)}, 429
    try:
        card = article_lookup.lookup(values["article_lookup"])
    except article_lookup.ArticleLookupError as error:
        if error.reason == "unrecognised":
            note = _(
                "That doesn't look like a DOI or a PubMed link. A DOI starts with 10. "
                "(e.g. 10.3390/neurolint13040059); you can also type the details in."
            )
        else:
            note = _(
                "We couldn't fetch the details just now. Nothing you wrote is lost; "
                "you can type them in below, or try again later."
            )
        return {"lookup_note": note}, 200
    values.update(article_lookup.form_fields(card))
    note = _("The article's details are filled in below. Please check them before posting.")
    return {"lookup_note": note, "lookup_found": True}, 200


@require_http_methods(["GET", "POST"])
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    topic = require_topic(request.user, pk, details=False)
    key = drafts.reply_key(topic)
    stopped = _stopped_at_the_door(
        request,
        key=key,
        composer_url=reverse("forum:reply", kwargs={"pk": topic.pk}),
        allowed=lambda: can_reply(request.user, topic),
        title=_("You cannot reply here"),
        refusal=lambda: posting_refusal(request.user, topic.category, topic),
        back=topic.get_absolute_url(),
    )
    if stopped is not None:
        return stopped
    context = {
        "topic": topic,
        "category": topic.category,
        "draft_url": reverse("forum:reply_draft", kwargs={"pk": topic.pk}),
    }
    template = "forum/reply.html"
    if request.method == "GET":
        initial: dict = {}
        draft = _restore(request, key, initial)
        # ?quote=<post id>: add that post, quoted, to what the member is writing.
        quoted = quotes.quoted_post(request.user, topic, request.GET.get("quote"))
        if quoted is not None:
            before = initial.get("body", "").rstrip()
            quote = quotes.quote_markdown(quoted)
            initial["body"] = f"{before}\n\n{quote}" if before else quote
        return render(
            request, template, {**context, "form": ReplyForm(initial=initial), "draft": draft}
        )

    fields = drafts.draft_fields(request.POST)
    if "preview" in request.POST:
        draft = actions.save_draft(request.user, key=key, fields=fields)
        form = ReplyForm(initial=dict(request.POST.items()))
        return render(
            request,
            template,
            {**context, "form": form, "draft": draft, "preview": _preview_of(request)},
        )
    form = ReplyForm(request.POST)
    if form.is_valid() and _links_allowed(request, form):
        limited = _rate_limited(request, template, {**context, "form": form}, "reply")
        if limited:
            actions.save_draft(request.user, key=key, fields=fields)
            return limited
        post = actions.create_reply(
            topic,
            author=request.user,
            body=form.cleaned_data["body"],
            submission_key=form.cleaned_data["submission_key"],
            draft_key=key,
        )
        _after_posting(
            request,
            post.approval,
            posted=_("Your reply is posted."),
            texts=[form.cleaned_data["body"]],
        )
        _unknown_mentions_note(request, form.cleaned_data["body"])
        return redirect(post)
    draft = actions.save_draft(request.user, key=key, fields=fields)
    return render(request, template, {**context, "form": form, "draft": draft}, status=400)


def _draft_endpoint(request, *, key: str, allowed: bool, composer_url: str) -> HttpResponse:
    """Save (or discard) a composer's draft: a quiet JSON answer for composer.js's autosave,
    a redirect back to the composer with a message for the plain "Save draft" button."""
    autosave = request.POST.get("autosave") == "1"  # composer.js (fetch or sendBeacon)
    if not request.user.is_authenticated:
        if autosave:
            note = _("Not saved: you are signed out. Your text is still here; posting keeps it.")
            return JsonResponse({"saved": False, "label": note}, status=401)
        return _hold_for_sign_in(request, key, composer_url)
    if not allowed:
        if autosave:
            return JsonResponse(
                {"saved": False, "label": _("Drafts are not kept here.")}, status=403
            )
        return refused_page(
            request,
            title=_("You cannot write here"),
            message=_("This place takes no new posts from you, so no draft is kept."),
            back=composer_url,
            kept=request.POST.get("body", ""),
        )
    verdict = ratelimit.hit(request, "composer")
    if not verdict.allowed:
        note = _("Not saved just now. Your text is still here.")
        if autosave:
            return JsonResponse({"saved": False, "label": note}, status=429)
        messages.warning(request, note)
        return redirect(composer_url)
    if request.POST.get("discard") == "1":
        actions.discard_draft(request.user, key=key)
        if autosave:
            return JsonResponse({"saved": False, "label": ""})
        messages.success(request, _("Your draft is discarded."))
        return redirect(composer_url)
    if autosave and actions.already_posted(request.user, request.POST.get("submission_key", "")):
        # An autosave that left before its form was posted and arrived after: the text is in
        # the post, and the draft the post discarded stays discarded.
        return JsonResponse({"saved": False, "label": ""})
    draft = actions.save_draft(request.user, key=key, fields=drafts.draft_fields(request.POST))
    if autosave:
        return JsonResponse({"saved": draft is not None, "label": _saved_label(draft)})
    if draft is None:
        messages.info(request, _("There was nothing to save yet."))
    else:
        messages.success(
            request,
            _("Your draft is saved. It will be here when you come back, on any device."),
        )
    return redirect(composer_url)


@require_POST
def reply_draft(request: HttpRequest, pk: int) -> HttpResponse:
    topic = require_topic(request.user, pk, details=False)
    return _draft_endpoint(
        request,
        key=drafts.reply_key(topic),
        allowed=can_reply(request.user, topic),
        composer_url=reverse("forum:reply", kwargs={"pk": topic.pk}),
    )


@require_POST
def new_topic_draft(request: HttpRequest, slug: str) -> HttpResponse:
    category = require_category(request.user, slug)
    return _draft_endpoint(
        request,
        key=drafts.topic_key(category),
        allowed=can_post_in_category(request.user, category),
        composer_url=reverse("forum:new_topic", kwargs={"slug": category.slug}),
    )


@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The live preview's fragment (htmx): the text through the same renderer as posts."""
    if not request.user.is_authenticated:
        return HttpResponse(_("Sign in to preview."), status=403, content_type="text/plain")
    verdict = ratelimit.hit(request, "composer")
    if not verdict.allowed:
        response = render(
            request, "forum/_preview.html", {"preview": None, "paused": True}, status=429
        )
        response["Retry-After"] = str(verdict.retry_after)
        return response
    body = request.POST.get("body", "")
    return render(
        request,
        "forum/_preview.html",
        {"preview": preview_html(body) if body.strip() else ""},
    )
