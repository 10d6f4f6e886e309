"""The community guidelines: which version is current, and the member's acceptance of it.

Members accept the guidelines (and confirm they are 18 or older) when they register
(``signup_form.SignupForm``); the time and the version they accepted are kept on the account.
When ``settings.STEPDOWN_RULES_VERSION`` changes, signed-in members whose accepted version is
older see a gentle banner asking them to read and accept again; it never stops them reading.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

DEFAULT_RULES_VERSION = "1"


def current_version() -> str:
    return str(getattr(settings, "STEPDOWN_RULES_VERSION", DEFAULT_RULES_VERSION))


def needs_to_accept(user) -> bool:
    """A signed-in member who has not accepted the current guidelines (no query)."""
    if not user.is_authenticated:
        return False
    return user.rules_version != current_version()


def accept_guidelines(user, *, adult_confirmed: bool = False) -> None:
    """Record that ``user`` accepts the current guidelines (and, at registration, that they
    confirmed they are 18 or older: kept from the first time). Repeating it changes nothing
    but the time."""
    now = timezone.now()
    user.rules_accepted_at = now
    user.rules_version = current_version()
    fields = ["rules_accepted_at", "rules_version"]
    if adult_confirmed and user.adult_confirmed_at is None:
        user.adult_confirmed_at = now
        fields.append("adult_confirmed_at")
    with transaction.atomic():
        user.save(update_fields=fields)
