"""Reads about follows and notifications, each a fixed number of queries."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Follow, Notification, Preferences


def unread_count(user) -> int:
    """How many unread notifications the member has (one indexed count)."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(user) -> QuerySet[Notification]:
    """The member's notifications, newest first, with their actors."""
    return Notification.objects.filter(recipient=user).select_related("actor")


def followers(target_type: str, target_ids) -> list[int]:
    """Ids of members following any of ``target_ids`` of ``target_type`` (not muted)."""
    ids = [target_ids] if isinstance(target_ids, int) else list(target_ids)
    return list(
        Follow.objects.filter(target_type=target_type, target_id__in=ids, muted=False)
        .values_list("user_id", flat=True)
        .distinct()
    )


def follow_states(target_type: str, target_id: int) -> dict[int, bool]:
    """Every member with a follow row for one target: their id -> muted (stopped following).
    Those not muted are its followers; a member with either row is never followed again by
    default. One query."""
    return dict(
        Follow.objects.filter(target_type=target_type, target_id=target_id).values_list(
            "user_id", "muted"
        )
    )


def is_following(user, *, target_type: str, target_id: int) -> bool:
    if not user.is_authenticated:
        return False
    return Follow.objects.filter(
        user=user, target_type=target_type, target_id=target_id, muted=False
    ).exists()


def followed_ids(user, *, target_type: str, target_ids) -> set[int]:
    """Which of ``target_ids`` the member follows: one query for a whole page of them."""
    if not user.is_authenticated:
        return set()
    return set(
        Follow.objects.filter(
            user=user, target_type=target_type, target_id__in=list(target_ids), muted=False
        ).values_list("target_id", flat=True)
    )


def preferences_for(user) -> Preferences:
    """The member's preferences, or the defaults (unsaved) when they never chose."""
    return Preferences.objects.filter(user=user).first() or Preferences(user=user)
