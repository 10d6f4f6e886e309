"""Who may see a member's item (a taper plan, a journal): one vocabulary for every tool."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sharing(models.TextChoices):
    PRIVATE = "private", _("Only me")
    MEMBERS = "members", _("Signed-in members")
    LINK = "link", _("Anyone with a secret link (you can switch it off at any time)")


def new_share_token() -> str:
    """An unguessable link token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)
