"""Every write about conversations goes through these functions.

Each message takes the next position in its conversation under the conversation's row lock
(PostgreSQL; SQLite's IMMEDIATE transaction takes the write lock at BEGIN), so two messages never
share a place. The other current participants are told through ``notifications.notify``, which
leaves out those who blocked the author, inactive accounts and members who turned messages off.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stepdown.accounts.blocks import blocks_among
from stepdown.core import safety
from stepdown.core.text import render_markdown
from stepdown.notifications import actions as notifications
from stepdown.notifications.models import Kind

from .models import Conversation, Message, Participant
from .permissions import can_write, is_staff_member, may_message
from .queries import message_url


class CannotMessage(Exception):
    """The author may not write to (one of) these members: a block, or an inactive account."""


def _name(user) -> str:
    return user.username if user is not None else _("former member")


def _check_recipients(author, members) -> None:
    if not can_write(author):
        raise CannotMessage("the author cannot write")
    pairs = blocks_among(author, [member.pk for member in members])
    for member in members:
        if member.pk == author.pk or not member.is_active:
            raise CannotMessage(f"cannot write to {member.pk}")
        if not may_message(author, member.pk, pairs):
            raise CannotMessage(f"cannot write to {member.pk}")


def _already_submitted(author, submission_key: str) -> Message | None:
    if not submission_key:
        return None
    return (
        Message.objects.select_related("conversation")
        .filter(author=author, submission_key=submission_key)
        .first()
    )


def _append(conversation: Conversation, *, author, body: str, now, submission_key: str) -> Message:
    """Add a message at the end of ``conversation`` (locked by the caller); the author has read
    everything up to it."""
    conversation.message_count += 1
    conversation.last_message_at = now
    conversation.save(update_fields=["message_count", "last_message_at"])
    message = Message.objects.create(
        conversation=conversation,
        position=conversation.message_count,
        author=author,
        body_markdown=body,
        body_html=render_markdown(body),
        submission_key=submission_key,
    )
    Participant.objects.filter(conversation=conversation, user=author).update(
        last_read_position=conversation.message_count
    )
    message.conversation = conversation
    # The safety net: crisis or sourcing words alert the moderators (never with the text).
    safety.raise_alert(
        safety.check(body), author=author, target_type=safety.MESSAGE, target_id=message.pk
    )
    return message


def start_conversation(
    author, recipients, *, subject: str, body: str, submission_key: str = ""
) -> Conversation:
    """Start a conversation of ``author`` with ``recipients`` (members), its first message
    ``body``. Raises CannotMessage when a block (either way) or an inactive account stands
    between the author and a recipient. A repeated submission returns the first conversation.
    """
    earlier = _already_submitted(author, submission_key)
    if earlier is not None:
        return earlier.conversation
    members = list({member.pk: member for member in recipients}.values())
    if not members:
        raise CannotMessage("nobody to write to")
    _check_recipients(author, members)
    now = timezone.now()
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                subject=subject, created_by=author, last_message_at=now
            )
            Participant.objects.bulk_create(
                [Participant(conversation=conversation, user=author, joined_at=now)]
                + [
                    Participant(
                        conversation=conversation, user=member, invited_by=author, joined_at=now
                    )
                    for member in members
                ]
            )
            message = _append(
                conversation, author=author, body=body, now=now, submission_key=submission_key
            )
    except IntegrityError:
        earlier = _already_submitted(author, submission_key)
        if earlier is None:
            raise
        return earlier.conversation
    notifications.notify(
        [member.pk for member in members],
        kind=Kind.MESSAGE,
        actor=author,
        despite_blocks=is_staff_member(author),
        text=_("%(name)s started a conversation with you: “%(subject)s”")
        % {"name": _name(author), "subject": subject},
        url=message_url(message),
        group_key=f"conversation:{conversation.pk}",
    )
    return conversation


def reply(conversation: Conversation, *, author, body: str, submission_key: str = "") -> Message:
    """Add ``author``'s message at the end of ``conversation`` and tell the other current
    participants. The caller has checked that the author takes part (permissions)."""
    earlier = _already_submitted(author, submission_key)
    if earlier is not None:
        return earlier
    try:
        with transaction.atomic():
            locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
            earlier = _already_submitted(author, submission_key)
            if earlier is not None:
                return earlier
            message = _append(
                locked, author=author, body=body, now=timezone.now(), submission_key=submission_key
            )
            others = list(
                Participant.objects.filter(conversation=locked, left_at__isnull=True)
                .exclude(user=author)
                .values_list("user_id", flat=True)
            )
    except IntegrityError:
        earlier = _already_submitted(author, submission_key)
        if earlier is None:
            raise
        return earlier
    notifications.notify(
        others,
        kind=Kind.MESSAGE,
        actor=author,
        despite_blocks=is_staff_member(author),
        text=_("%(name)s wrote in “%(subject)s”")
        % {"name": _name(author), "subject": locked.subject},
        url=message_url(message),
        group_key=f"conversation:{locked.pk}",
    )
    return message


def invite(conversation: Conversation, *, by, users) -> list[Participant]:
    """Bring ``users`` into ``conversation`` (invited by ``by``, a participant); they see the
    whole conversation, earlier messages included. A member who left comes back. Raises
    CannotMessage across a block, like starting a conversation."""
    members = [member for member in {m.pk: m for m in users}.values()]
    _check_recipients(by, members)
    now = timezone.now()
    with transaction.atomic():
        existing = {
            place.user_id: place
            for place in Participant.objects.select_for_update().filter(
                conversation=conversation, user__in=members
            )
        }
        places = []
        for member in members:
            place = existing.get(member.pk)
            if place is None:
                place = Participant.objects.create(
                    conversation=conversation, user=member, invited_by=by, joined_at=now
                )
            elif place.left_at is not None:
                place.left_at, place.joined_at, place.invited_by = None, now, by
                place.save(update_fields=["left_at", "joined_at", "invited_by"])
            places.append(place)
    latest = conversation.messages.order_by("-position").first()
    notifications.notify(
        [member.pk for member in members],
        kind=Kind.MESSAGE,
        actor=by,
        despite_blocks=is_staff_member(by),
        text=_("%(name)s added you to the conversation “%(subject)s”")
        % {"name": _name(by), "subject": conversation.subject},
        url=message_url(latest) if latest else conversation.get_absolute_url(),
        group_key=f"conversation:{conversation.pk}",
    )
    return places


def leave(conversation: Conversation, *, user) -> None:
    """``user`` leaves: the conversation goes from their list and they see no more of it (nor
    hear about it) unless invited back. Their messages stay for the others. Repeatable."""
    Participant.objects.filter(conversation=conversation, user=user, left_at__isnull=True).update(
        left_at=timezone.now()
    )


def mark_read(place: Participant, *, position: int) -> None:
    """The member has seen the messages up to ``position``; only ever moves forward. Reaching
    the latest message also marks the member's notification about it read."""
    if position <= place.last_read_position:
        return
    Participant.objects.filter(pk=place.pk, last_read_position__lt=position).update(
        last_read_position=position
    )
    place.last_read_position = position
    conversation = place.conversation
    if position >= conversation.message_count:
        latest = Message(conversation=conversation, position=conversation.message_count)
        notifications.mark_read_for_url(place.user_id, message_url(latest))
