"""Who may see and write in a conversation.

Only the current participants see a conversation: anyone else (a guest, another member, a
moderator, a member who left) gets a 404, so a conversation's existence never leaks. A member
who leaves no longer sees it at all, old messages included, until someone invites them back;
then they see the whole conversation again, as every newly invited member does. Moderators read
a message only through a report of it (stepdown.moderation).

Blocks (stepdown.accounts.blocks): nobody starts a conversation with, or invites, a member when
either of the two has blocked the other; staff (moderators and admins with two-factor sign-in)
may still write to a member who blocked them.
"""

from __future__ import annotations

from django.http import Http404

from stepdown.accounts.standing import is_suspended
from stepdown.accounts.two_factor import has_two_factor
from stepdown.forum.permissions import is_moderator

from .models import Message, Participant


def is_staff_member(user) -> bool:
    """Moderators and admins, once they have two-factor sign-in: blocks do not stop their
    messages (a member may need to hear from the moderators)."""
    if not user.is_authenticated:
        return False
    if is_moderator(user):
        return True
    return bool(user.is_staff) and has_two_factor(user)


def require_participation(user, pk: int) -> Participant:
    """The member's current place in conversation ``pk`` (with the conversation), or 404."""
    if not user.is_authenticated:
        raise Http404("No such conversation.")
    place = (
        Participant.objects.select_related("conversation")
        .filter(conversation_id=pk, user=user, left_at__isnull=True)
        .first()
    )
    if place is None:
        raise Http404("No such conversation.")
    return place


def require_message(user, pk: int) -> Message:
    """A message ``user`` may see: not removed, in a conversation they take part in now."""
    if not user.is_authenticated:
        raise Http404("No such message.")
    message = (
        Message.objects.select_related("conversation", "author")
        .filter(
            pk=pk,
            is_removed=False,
            conversation__participants__user=user,
            conversation__participants__left_at__isnull=True,
        )
        .first()
    )
    if message is None:
        raise Http404("No such message.")
    return message


def can_write(user) -> bool:
    """Signed-in, active members write messages; not while suspended."""
    if not (user.is_authenticated and user.is_active):
        return False
    return not is_suspended(user)


def may_message(sender, recipient_id: int, blocked_pairs: set[tuple[int, int]]) -> bool:
    """Whether ``sender`` may start a conversation with, or invite, member ``recipient_id``.

    ``blocked_pairs`` holds (blocker, blocked) id pairs between the sender and the recipients
    (``accounts.blocks.blocks_among``), so a whole list is checked with one query.
    """
    if (sender.pk, recipient_id) in blocked_pairs:
        return False
    if (recipient_id, sender.pk) in blocked_pairs:
        return is_staff_member(sender)
    return True


def can_reply(user, others: list[Participant], blocked_pairs: set[tuple[int, int]]) -> bool:
    """A current participant replies while someone else is still there to read it and not
    every one of them is cut off from them by a block (either way)."""
    if not can_write(user):
        return False
    return any(may_message(user, place.user_id, blocked_pairs) for place in others)
