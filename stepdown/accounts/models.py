from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A member. Custom from day one so profile and privacy fields can grow here."""

    is_moderator = models.BooleanField(
        _("moderator"),
        default=False,
        help_text=_("Moderators keep the community safe: they may recommend, lock and pin."),
    )
    # Raised by "Sign out on all devices": part of the hash every session carries, so sessions
    # signed in before the change stop matching and Django signs them out on their next request.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")

    @property
    def public_name(self) -> str:
        return self.username

    # Django stores get_session_auth_hash() in the session at sign-in and compares it on every
    # request (flushing the session when it differs). Django's hash covers the password hash; ours
    # adds session_generation. It works with any session backend (database, cache, Redis). At
    # generation 0 the hash is Django's own, so sessions from before this field stay valid.

    def get_session_auth_hash(self) -> str:
        if not self.session_generation:
            return super().get_session_auth_hash()
        return self._generation_hash(secret=None)

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        if not self.session_generation:
            yield from super().get_session_auth_fallback_hash()
            return
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._generation_hash(secret=secret)

    def _generation_hash(self, *, secret: str | None) -> str:
        return salted_hmac(
            "stepdown.accounts.User.session_auth_hash",
            f"{self.password}\x00{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()
