from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A member. Custom from day one so profile and privacy fields can grow here."""

    is_moderator = models.BooleanField(
        _("moderator"),
        default=False,
        help_text=_("Moderators keep the community safe: they may recommend, lock and pin."),
    )

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")

    @property
    def public_name(self) -> str:
        return self.username
