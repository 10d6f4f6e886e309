"""Two-factor sign-in state, as allauth's MFA app records it."""

from __future__ import annotations

from allauth.mfa.models import Authenticator


def has_two_factor(user) -> bool:
    """True when ``user`` has an authenticator app or a passkey set up (cached per object)."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_stepdown_has_two_factor", None)
    if cached is None:
        cached = Authenticator.objects.filter(
            user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).exists()
        user._stepdown_has_two_factor = cached
    return cached


def needs_two_factor(user) -> bool:
    """Staff roles (moderator, admin) wait for two-factor sign-in before they can act."""
    if not user.is_authenticated:
        return False
    has_role = user.is_moderator or user.is_staff or user.is_superuser
    return bool(has_role) and not has_two_factor(user)
