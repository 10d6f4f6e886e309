"""Reads behind the conversation pages, each a fixed number of queries."""

from __future__ import annotations

import math
from collections import defaultdict

from django.conf import settings
from django.db.models import F, QuerySet

from stepdown.core.pagination import PositionPage

from .models import Conversation, Message, Participant


def per_page() -> int:
    return settings.STEPDOWN_POSTS_PER_PAGE


def page_of_position(position: int) -> int:
    return (max(position, 1) - 1) // per_page() + 1


def page_count(conversation: Conversation) -> int:
    return max(1, math.ceil(conversation.message_count / per_page()))


def message_url(message: Message) -> str:
    """The address of ``message``: its conversation's page that holds it, at the message."""
    number = page_of_position(message.position)
    query = f"?page={number}" if number > 1 else ""
    return f"{message.conversation.get_absolute_url()}{query}#message-{message.position}"


def first_unread_page(place: Participant) -> int:
    """The page a member lands on: the one holding their first unread message, or the last."""
    conversation = place.conversation
    if place.last_read_position < conversation.message_count:
        return page_of_position(place.last_read_position + 1)
    return page_count(conversation)


def unread_count(user) -> int:
    """How many of the member's conversations have messages they have not seen (one query)."""
    if not user.is_authenticated:
        return 0
    return Participant.objects.filter(
        user=user,
        left_at__isnull=True,
        last_read_position__lt=F("conversation__message_count"),
    ).count()


def inbox(user) -> QuerySet[Participant]:
    """The member's current conversations (their places, with each conversation), latest
    activity first. ``place.unread`` is a comparison of two columns already loaded."""
    return (
        Participant.objects.filter(user=user, left_at__isnull=True)
        .select_related("conversation")
        .order_by("-conversation__last_message_at", "-conversation_id")
    )


def attach_others(places: list[Participant], user) -> None:
    """Set ``place.others`` (the other current participants' usernames) and ``place.unread`` on
    a page of the inbox: one query for the whole page."""
    ids = [place.conversation_id for place in places]
    names: dict[int, list[str]] = defaultdict(list)
    if ids:
        rows = (
            Participant.objects.filter(conversation_id__in=ids, left_at__isnull=True)
            .exclude(user=user)
            .order_by("joined_at", "pk")
            .values_list("conversation_id", "user__username")
        )
        for conversation_id, username in rows:
            names[conversation_id].append(username)
    for place in places:
        place.others = names[place.conversation_id]
        place.unread = place.last_read_position < place.conversation.message_count


def participants(conversation: Conversation) -> list[Participant]:
    """Everyone who takes or took part, with their accounts, in the order they joined."""
    return list(
        Participant.objects.filter(conversation=conversation)
        .select_related("user")
        .order_by("joined_at", "pk")
    )


class ConversationPage(PositionPage):
    """One page of a conversation."""

    @property
    def messages(self) -> list[Message]:
        return self.items


def conversation_page(conversation: Conversation, number: int) -> ConversationPage:
    """One page of messages by position range, with their authors (one query)."""
    size = per_page()
    messages = list(
        Message.objects.filter(
            conversation=conversation,
            position__gt=(number - 1) * size,
            position__lte=number * size,
        )
        .select_related("author")
        .order_by("position")
    )
    for message in messages:
        message.conversation = conversation
    return ConversationPage(number=number, count=page_count(conversation), items=messages)
