"""Turning "river, sam" into members to write to, with a clear word for every name that can't be.

Used by the new-conversation and invite forms; ``actions`` checks blocks again when it writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stepdown.accounts.blocks import blocks_among

from .permissions import may_message

_SEPARATORS = re.compile(r"[,;\n]+")


def max_recipients() -> int:
    """How many members one conversation may name (others than the author); setting."""
    return getattr(settings, "STEPDOWN_CONVERSATION_MAX_RECIPIENTS", 10)


def max_participants() -> int:
    """How many members may take part in one conversation at once, its author included."""
    return max_recipients() + 1


def split_names(text: str) -> list[str]:
    """The names in "river, @sam; Ash": stripped, "@" dropped, repeats (any case) left out."""
    names: list[str] = []
    seen: set[str] = set()
    for piece in _SEPARATORS.split(text or ""):
        name = piece.strip().lstrip("@").strip()
        if name and name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    return names


@dataclass
class Resolution:
    members: list = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _join(names: list[str]) -> str:
    return ", ".join(names)


def resolve(
    author, text: str, *, present_ids: frozenset[int] = frozenset(), room: int
) -> Resolution:
    """The active members named in ``text`` that ``author`` may write to, or the problems.

    ``present_ids``: members already in the conversation (an invitation); ``room``: how many more
    may join. Two queries at most: the names, then the blocks between the author and them.
    """
    result = Resolution()
    names = split_names(text)
    if not names:
        result.problems.append(_("Please name at least one member to write to."))
        return result
    if any(name.lower() == author.username.lower() for name in names):
        result.problems.append(
            _("You are part of the conversation already, so leave out your own name.")
        )
        names = [name for name in names if name.lower() != author.username.lower()]
        if not names:
            return result
    if room <= 0:
        result.problems.append(
            _("This conversation has as many members as it can take (%(limit)d).")
            % {"limit": max_participants()}
        )
        return result
    if len(names) > room:
        result.problems.append(
            ngettext(
                "You can add at most %(count)d member here; you named %(named)d.",
                "You can add at most %(count)d members here; you named %(named)d.",
                room,
            )
            % {"count": room, "named": len(names)}
        )
        return result
    lookup = reduce(or_, (Q(username__iexact=name) for name in names))
    found = list(get_user_model().objects.filter(lookup, is_active=True).order_by("username"))
    by_name = {member.username.lower(): member for member in found}
    unknown = [name for name in names if name.lower() not in by_name]
    if unknown:
        result.problems.append(
            ngettext(
                "We couldn't find a member named %(names)s. Please check the spelling; "
                "separate names with commas.",
                "We couldn't find members named %(names)s. Please check the spelling; "
                "separate names with commas.",
                len(unknown),
            )
            % {"names": _join(unknown)}
        )
    members = [by_name[name.lower()] for name in names if name.lower() in by_name]
    already = [member.username for member in members if member.pk in present_ids]
    if already:
        result.problems.append(
            ngettext(
                "%(names)s is in this conversation already.",
                "%(names)s are in this conversation already.",
                len(already),
            )
            % {"names": _join(already)}
        )
    members = [member for member in members if member.pk not in present_ids]
    pairs = blocks_among(author, [member.pk for member in members])
    blocked_by_me = [m.username for m in members if (author.pk, m.pk) in pairs]
    refused = [
        m.username
        for m in members
        if m.username not in blocked_by_me and not may_message(author, m.pk, pairs)
    ]
    if blocked_by_me:
        result.problems.append(
            ngettext(
                "You have blocked %(names)s. To write to them, unblock them first "
                "(Messages, Blocked members).",
                "You have blocked %(names)s. To write to them, unblock them first "
                "(Messages, Blocked members).",
                len(blocked_by_me),
            )
            % {"names": _join(blocked_by_me)}
        )
    if refused:
        # Never say why: the member who blocked is not told about, nor revealed by, the block.
        result.problems.append(
            ngettext(
                "You can't send messages to this member: %(names)s.",
                "You can't send messages to these members: %(names)s.",
                len(refused),
            )
            % {"names": _join(refused)}
        )
    if not result.problems:
        result.members = members
    return result
