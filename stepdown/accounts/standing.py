"""A member's standing: suspended (may read, may not write) or banned (may not sign in).

Both are fields on the account (``posting_blocked_until``, ``sign_in_blocked_until``), copies of
the moderation app's sanctions kept there so every check is a field read, never a query. The
forum (posts, replies, reactions, edits) and conversations (messages) refuse a suspended member
with ``suspension_message``: a calm sentence saying until when.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import BAN_FOREVER


def is_suspended(user, now: datetime | None = None) -> bool:
    """Whether ``user`` may not post, reply, react, edit or write messages right now."""
    if not user.is_authenticated:
        return False
    until = user.posting_blocked_until
    if until is None:
        return False
    return until > (now or timezone.now())


def is_banned(user, now: datetime | None = None) -> bool:
    """Whether ``user`` may not sign in right now."""
    if not user.is_authenticated:
        return False
    until = user.sign_in_blocked_until
    if until is None:
        return False
    return until > (now or timezone.now())


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y, H:i")


def suspension_message(user) -> str:
    """What a suspended member reads when the forum or messages refuse their writing."""
    until = user.posting_blocked_until
    if until is None or until >= BAN_FOREVER:
        return _(
            "Your account is paused from posting, reacting and sending messages for now. You "
            "can still read everything."
        )
    return _(
        "Your account is paused from posting, reacting and sending messages until %(when)s. "
        "You can still read everything until then."
    ) % {"when": _when(until)}
