"""Pages of private conversations: the inbox, a conversation, starting one, replying,
inviting and leaving. Only current participants see a conversation (404 for anyone else)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stepdown.accounts.blocks import blocks_among
from stepdown.accounts.standing import is_suspended, suspension_message
from stepdown.core import ratelimit, safety
from stepdown.core.pagination import page_numbers
from stepdown.core.text import render_markdown
from stepdown.forum.views import refused_page

from . import actions, queries
from .forms import InviteForm, MessageForm, NewConversationForm
from .models import Participant
from .permissions import can_reply, can_write, require_participation


def _rate_limit(request: HttpRequest) -> ratelimit.Verdict:
    return ratelimit.hit(request, "message")


def _with_retry(response: HttpResponse, verdict: ratelimit.Verdict) -> HttpResponse:
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _preview(request: HttpRequest) -> str:
    """The text as it will look once sent ("Preview" without JavaScript)."""
    body = request.POST.get("body", "")
    return render_markdown(body) if body.strip() else ""


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The member's conversations, latest first, unread ones marked. Three queries for a page
    (the count, the page, the other participants' names), whatever the member's history."""
    paginator = Paginator(queries.inbox(request.user), settings.STEPDOWN_TOPICS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    places = list(page.object_list)
    queries.attach_others(places, request.user)
    return render(
        request,
        "conversations/inbox.html",
        {
            "page": page,
            "places": places,
            "numbers": page_numbers(page.number, paginator.num_pages),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def new_conversation(request: HttpRequest) -> HttpResponse:
    user = request.user
    template = "conversations/new.html"
    if not can_write(user):
        return refused_page(
            request,
            title=_("You cannot write messages"),
            message=suspension_message(user),
            back="/",
            kept=request.POST.get("body", ""),
        )
    if request.method == "GET":
        form = NewConversationForm(author=user, initial={"recipients": request.GET.get("to", "")})
        return render(request, template, {"form": form})
    if "preview" in request.POST:
        form = NewConversationForm(author=user, initial=dict(request.POST.items()))
        return render(request, template, {"form": form, "preview": _preview(request)})
    form = NewConversationForm(request.POST, author=user)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    verdict = _rate_limit(request)
    if not verdict.allowed:
        response = render(
            request,
            template,
            {"form": form, "retry_minutes": verdict.retry_minutes},
            status=429,
        )
        return _with_retry(response, verdict)
    try:
        conversation = actions.start_conversation(
            user,
            form.members,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            submission_key=form.cleaned_data["submission_key"],
        )
    except actions.CannotMessage:  # a block made between the form's check and now
        form.add_error("recipients", _("You can't send messages to this member."))
        return render(request, template, {"form": form}, status=400)
    messages.success(request, _("Your message is sent."))
    safety.show_panel(request, safety.check(form.cleaned_data["body"]))
    return redirect(conversation)


def _page_number(request: HttpRequest, place: Participant) -> int:
    """?page=N, or the page with the member's first unread message (else the last page)."""
    if "page" not in request.GET:
        return queries.first_unread_page(place)
    try:
        return max(1, int(request.GET["page"]))
    except ValueError:
        return 1


def _people(user, place: Participant):
    """Everyone in the conversation, the blocks between them and ``user``, and whether the
    member may reply: two queries."""
    people = queries.participants(place.conversation)
    pairs = blocks_among(user, [person.user_id for person in people])
    others = [p for p in people if p.left_at is None and p.user_id != user.pk]
    return people, pairs, can_reply(user, others, pairs), others


def _is_staff_account(author) -> bool:
    return bool(author.is_moderator or author.is_staff or author.is_superuser)


def _conversation_page(
    request: HttpRequest,
    place: Participant,
    number: int,
    *,
    form: MessageForm,
    status: int = 200,
    **extra,
) -> HttpResponse:
    user = request.user
    conversation = place.conversation
    page = queries.conversation_page(conversation, number)
    people, pairs, may_reply, others = _people(user, place)
    folded_authors = {blocked for blocker, blocked in pairs if blocker == user.pk}
    read_before = place.last_read_position
    for message in page.messages:
        message.is_new = message.position > read_before and message.author_id != user.pk
        message.is_folded = (
            message.author_id in folded_authors
            and message.author is not None
            and not _is_staff_account(message.author)
        )
    if status == 200 and page.messages:
        actions.mark_read(place, position=page.messages[-1].position)
    context = {
        "conversation": conversation,
        "place": place,
        "page": page,
        "messages_shown": page.messages,
        "numbers": page.numbers(),
        "people": people,
        "nobody_else": not others,
        "may_reply": may_reply,
        "suspension_note": suspension_message(user) if is_suspended(user) else "",
        "form": form,
        **extra,
    }
    return render(request, "conversations/conversation.html", context, status=status)


@require_GET
@login_required
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    place = require_participation(request.user, pk)
    number = _page_number(request, place)
    last = queries.page_count(place.conversation)
    if number > last:
        return redirect(f"{place.conversation.get_absolute_url()}?page={last}")
    return _conversation_page(request, place, number, form=MessageForm())


@require_POST
@login_required
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    place = require_participation(user, pk)
    conversation = place.conversation
    last = queries.page_count(conversation)
    if "preview" in request.POST:
        form = MessageForm(initial=dict(request.POST.items()))
        return _conversation_page(request, place, last, form=form, preview=_preview(request))
    _people_all, _pairs, may_reply, others = _people(user, place)
    if not may_reply:
        if is_suspended(user):
            message = suspension_message(user)
        elif not others:
            message = _(
                "Everyone else has left this conversation, so nobody would read a reply. "
                "You can add someone to it."
            )
        else:
            message = _("You can't send messages to this member.")
        return refused_page(
            request,
            title=_("You cannot reply here"),
            message=message,
            back=conversation.get_absolute_url(),
            kept=request.POST.get("body", ""),
        )
    form = MessageForm(request.POST, author=user)
    if not form.is_valid():
        return _conversation_page(request, place, last, form=form, status=400)
    verdict = _rate_limit(request)
    if not verdict.allowed:
        response = _conversation_page(
            request, place, last, form=form, status=429, retry_minutes=verdict.retry_minutes
        )
        return _with_retry(response, verdict)
    message = actions.reply(
        conversation,
        author=user,
        body=form.cleaned_data["body"],
        submission_key=form.cleaned_data["submission_key"],
    )
    messages.success(request, _("Your message is sent."))
    safety.show_panel(request, safety.check(form.cleaned_data["body"]))
    return redirect(queries.message_url(message))


@require_http_methods(["GET", "POST"])
@login_required
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    place = require_participation(user, pk)
    conversation = place.conversation
    people = queries.participants(conversation)
    present = frozenset(person.user_id for person in people if person.left_at is None)
    form = InviteForm(request.POST or None, by=user, present_ids=present)
    context = {"conversation": conversation, "form": form, "people": people}
    template = "conversations/invite.html"
    if request.method == "GET":
        return render(request, template, context)
    if not form.is_valid():
        return render(request, template, context, status=400)
    verdict = _rate_limit(request)
    if not verdict.allowed:
        response = render(
            request, template, {**context, "retry_minutes": verdict.retry_minutes}, status=429
        )
        return _with_retry(response, verdict)
    try:
        actions.invite(conversation, by=user, users=form.members)
    except actions.CannotMessage:
        form.add_error("usernames", _("You can't send messages to this member."))
        return render(request, template, context, status=400)
    names = ", ".join(member.username for member in form.members)
    messages.success(
        request,
        ngettext(
            "%(names)s can now read and write in this conversation.",
            "%(names)s can now read and write in this conversation.",
            len(form.members),
        )
        % {"names": names},
    )
    return redirect(conversation)


@require_http_methods(["GET", "POST"])
@login_required
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    place = require_participation(request.user, pk)
    conversation = place.conversation
    if request.method == "GET":
        return render(request, "conversations/leave.html", {"conversation": conversation})
    actions.leave(conversation, user=request.user)
    messages.success(
        request,
        _("You left “%(subject)s”. It is no longer in your messages.")
        % {"subject": conversation.subject},
    )
    return redirect("conversations:inbox")
