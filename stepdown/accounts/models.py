from collections.abc import Iterator
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class ProfileVisibility(models.TextChoices):
    """Who sees the personal parts of a member's profile: picture, display name, about, taper
    signature (on their page and beside their posts)."""

    EVERYONE = "everyone", _("Everyone, guests included")
    MEMBERS = "members", _("Signed-in members only")


DISPLAY_NAME_MAX_LENGTH = 50
ABOUT_MAX_LENGTH = 1000


# What sign_in_blocked_until holds for a ban without an end date.
BAN_FOREVER = datetime(9999, 12, 31, tzinfo=UTC)


class TrustLevel(models.IntegerChoices):
    NEW = 0, _("new member")
    BASIC = 1, _("basic member")
    MEMBER = 2, _("member")
    TRUSTED = 3, _("trusted member")


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

    # The profile (edited at /account/profile/, shown on /u/<name>/). The username stays the
    # name everywhere (mentions, links, quotes); a display name only stands beside it.
    display_name = models.CharField(
        _("display name"), max_length=DISPLAY_NAME_MAX_LENGTH, blank=True, default=""
    )
    about = models.TextField(_("about"), blank=True, default="")
    about_html = models.TextField(blank=True, default="", editable=False)
    # Storage name of the member's square picture (an uploads.Upload of theirs), or "" for the
    # generated initials.
    avatar = models.CharField(max_length=255, blank=True, default="", editable=False)
    # Privacy by default: the personal parts go to signed-in members only until the member
    # chooses everyone; what they wrote is listed on their page to whoever may read it.
    profile_visibility = models.CharField(
        _("who sees your profile"),
        max_length=10,
        choices=ProfileVisibility.choices,
        default=ProfileVisibility.MEMBERS,
    )
    show_about = models.BooleanField(_("show your about text"), default=True)
    show_activity = models.BooleanField(_("show your recent topics and posts"), default=True)
    show_post_count = models.BooleanField(_("show how many posts you wrote"), default=True)
    show_signature = models.BooleanField(_("show your taper signature"), default=True)

    # --- Moderation and trust (issue 7); written only by the moderation app's actions ---
    # Discourse-like trust levels: 0 new (first posts wait for approval, no links or images),
    # 1 basic, 2 member, 3 trusted (their reports can hide a post). Raised with time and approved
    # posts, or set by a moderator.
    trust_level = models.PositiveSmallIntegerField(
        _("trust level"), choices=TrustLevel.choices, default=TrustLevel.NEW
    )
    # A suspension: may read, may not post, message or react until then. Kept here (a copy of the
    # moderation app's sanctions) so every permission check is a field read, not a query.
    posting_blocked_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    # A ban: may not sign in until then (BAN_FOREVER for a ban without an end).
    sign_in_blocked_until = models.DateTimeField(_("banned until"), null=True, blank=True)
    # Community guidelines accepted at registration (and again when they change).
    rules_accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    rules_version = models.CharField(max_length=20, blank=True, default="", editable=False)
    adult_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")

    @property
    def public_name(self) -> str:
        return self.username

    @property
    def avatar_url(self) -> str:
        return settings.MEDIA_URL + self.avatar if self.avatar else ""

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


class Block(models.Model):
    """One member's choice not to hear from another: no messages, mentions or notifications
    from ``blocked`` reach ``blocker``. The blocked member is not told."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="block_not_self"
            ),
        ]
        verbose_name = _("block")
        verbose_name_plural = _("blocks")

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"
