"""Notifications' part of "Download my data" and of account deletion."""

from __future__ import annotations

from stepdown.core.personal_data import PersonalDataProvider

from .models import Follow, Notification, Preferences


def export_notifications(user) -> dict:
    prefs = Preferences.objects.filter(user=user).first()
    return {
        "follows": [
            {"type": item.target_type, "id": item.target_id, "muted": item.muted}
            for item in Follow.objects.filter(user=user).order_by("pk")
        ],
        "notifications": [
            {
                "kind": item.kind,
                "text": item.text,
                "url": item.url,
                "count": item.count,
                "at": item.updated_at.isoformat(),
                "read": item.read_at is not None,
            }
            for item in Notification.objects.filter(recipient=user).order_by("pk")
        ],
        "preferences": None
        if prefs is None
        else {
            "delivery": prefs.delivery,
            "email_frequency": prefs.email_frequency,
            "quiet_start": prefs.quiet_start.isoformat() if prefs.quiet_start else None,
            "quiet_end": prefs.quiet_end.isoformat() if prefs.quiet_end else None,
            "time_zone": prefs.time_zone,
            "follow_started": prefs.follow_started,
            "follow_replied": prefs.follow_replied,
        },
    }


def erase_notifications(user, *, keep_posts: bool) -> None:
    """Everything here is about the member alone: it all goes (keep_posts changes nothing).

    Follows of the member by others are removed too: nobody follows a former member.
    """
    from .models import Target

    Follow.objects.filter(user=user).delete()
    Follow.objects.filter(target_type=Target.MEMBER, target_id=user.pk).delete()
    Notification.objects.filter(recipient=user).delete()
    Preferences.objects.filter(user=user).delete()


provider = PersonalDataProvider(
    name="notifications", export=export_notifications, erase=erase_notifications
)
