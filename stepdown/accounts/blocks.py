"""Reads about blocks: one member's choice not to hear from another.

A block is one-way (``Block.blocker`` does not hear from ``Block.blocked``) and never told to
the blocked member. The apps above use these reads: conversations refuse messages across a
block (either way), notifications leave the blocker out, and conversation pages fold away what
a blocked member wrote. Writes are ``accounts.actions.block_member`` / ``unblock_member``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from .models import Block


def has_blocked(blocker, blocked) -> bool:
    """Whether ``blocker`` has blocked ``blocked`` (one query)."""
    if blocker is None or blocked is None or not blocker.is_authenticated:
        return False
    return Block.objects.filter(blocker=blocker, blocked=blocked).exists()


def blocked_ids(user) -> set[int]:
    """Ids of the members ``user`` has blocked (one query)."""
    if not user.is_authenticated:
        return set()
    return set(Block.objects.filter(blocker=user).values_list("blocked_id", flat=True))


def blocks_between(a, b) -> set[tuple[int, int]]:
    """The blocks between two members, either way, as (blocker id, blocked id) pairs."""
    return blocks_among(a, [b.pk])


def blocks_among(user, member_ids: Iterable[int]) -> set[tuple[int, int]]:
    """The blocks between ``user`` and any of ``member_ids``, either way, as (blocker id,
    blocked id) pairs: a whole list of recipients checked with one query."""
    ids = [pk for pk in member_ids if pk is not None and pk != user.pk]
    if not ids or not user.is_authenticated:
        return set()
    return set(
        Block.objects.filter(
            Q(blocker=user, blocked_id__in=ids) | Q(blocked=user, blocker_id__in=ids)
        ).values_list("blocker_id", "blocked_id")
    )


def blocks_made(user) -> QuerySet[Block]:
    """The member's blocks, newest first, with the blocked members."""
    return Block.objects.filter(blocker=user).select_related("blocked").order_by("-created_at")
