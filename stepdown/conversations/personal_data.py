"""Conversations' part of "Download my data" and of account deletion.

Export: every conversation the member took part in, with the messages they could read there
(all of it while they take part; up to the moment they left otherwise) and always their own
messages, as written; and the members they blocked.

Deletion: with "keep my posts" their messages stay, shown as by "former member"; otherwise each
keeps its place but its text is erased ("This message was removed."). Either way their places
in conversations go with the account, and a conversation nobody else takes or took part in goes
entirely.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q

from stepdown.accounts.models import Block
from stepdown.core.personal_data import PersonalDataProvider

from .models import Conversation, Message, Participant


def _when(value) -> str | None:
    return value.isoformat() if value else None


def export_conversations(user) -> dict[str, Any]:
    places = list(
        Participant.objects.filter(user=user)
        .select_related("conversation")
        .order_by("conversation__created_at", "pk")
    )
    ids = [place.conversation_id for place in places]
    everyone: dict[int, list[str]] = {}
    for conversation_id, username in (
        Participant.objects.filter(conversation_id__in=ids)
        .order_by("joined_at", "pk")
        .values_list("conversation_id", "user__username")
    ):
        everyone.setdefault(conversation_id, []).append(username)
    left = {place.conversation_id: place.left_at for place in places if place.left_at}
    # Their own messages, everything where they still take part, and where they left, what was
    # written until then.
    readable = Q(author=user) | Q(conversation_id__in=[pk for pk in ids if pk not in left])
    for pk, when in left.items():
        readable |= Q(conversation_id=pk, created_at__lte=when)
    readable &= Q(conversation_id__in=ids)
    by_conversation: dict[int, list[dict[str, Any]]] = {}
    for message in (
        Message.objects.filter(readable, is_removed=False)
        .select_related("author")
        .order_by("conversation_id", "position")
    ):
        by_conversation.setdefault(message.conversation_id, []).append(
            {
                "position": message.position,
                "author": message.author.username if message.author else None,
                "mine": message.author_id == user.pk,
                "written_at": _when(message.created_at),
                "text": message.body_markdown,
            }
        )
    return {
        "conversations": [
            {
                "subject": place.conversation.subject,
                "started_at": _when(place.conversation.created_at),
                "participants": everyone.get(place.conversation_id, []),
                "joined_at": _when(place.joined_at),
                "left_at": _when(place.left_at),
                "url": f"{settings.SITE_URL}{place.conversation.get_absolute_url()}",
                "messages": by_conversation.get(place.conversation_id, []),
            }
            for place in places
        ],
        "blocked_members": [
            {"username": block.blocked.username, "since": _when(block.created_at)}
            for block in Block.objects.filter(blocker=user)
            .select_related("blocked")
            .order_by("created_at", "pk")
        ],
    }


def erase_conversations(user, *, keep_posts: bool) -> None:
    """Runs inside the account deletion's transaction, before the user row goes (which takes
    the member's places with it and leaves their kept messages without an author)."""
    if not keep_posts:
        Message.objects.filter(author=user).update(
            body_markdown="", body_html="", is_removed=True, author=None, submission_key=""
        )
    ids = list(Participant.objects.filter(user=user).values_list("conversation_id", flat=True))
    shared = set(
        Participant.objects.filter(conversation_id__in=ids)
        .exclude(user=user)
        .values_list("conversation_id", flat=True)
    )
    Conversation.objects.filter(pk__in=set(ids) - shared).delete()


provider = PersonalDataProvider(
    name="conversations", export=export_conversations, erase=erase_conversations
)
