"""Reads behind the account pages."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.http import Http404
from django.utils import timezone

from stepdown.core.personal_data import export_personal_data

from .models import User

EXPORT_FORMAT = "stepdown-personal-data/1"


def require_active_member(username: str) -> User:
    """The active member named exactly ``username``, or 404 (unknown and inactive alike)."""
    member = User.objects.filter(username=username, is_active=True).first()
    if member is None:
        raise Http404("No such member.")
    return member


def _when(value) -> str | None:
    return value.isoformat() if value else None


def member_data_export(user: User) -> dict[str, Any]:
    """Everything Stepdown holds about ``user``, as JSON-able data for their download.

    The account section (profile and email addresses) comes from here; every other section from
    the apps' personal-data providers (``forum``, later ``journals``, ...).
    """
    addresses = EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "site": {"name": settings.SITE_NAME, "url": settings.SITE_URL},
        "account": {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "is_moderator": user.is_moderator,
            "profile": {
                "display_name": user.display_name,
                "about": user.about,
                "picture": f"{settings.SITE_URL}{user.avatar_url}" if user.avatar else None,
                "profile_visibility": user.profile_visibility,
                "show_about": user.show_about,
                "show_activity": user.show_activity,
                "show_post_count": user.show_post_count,
                "show_signature": user.show_signature,
            },
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in addresses
            ],
        },
        **export_personal_data(user),
    }
