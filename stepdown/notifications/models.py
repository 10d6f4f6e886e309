"""Follows, notifications and each member's notification preferences.

Generic on purpose (DESIGN.md): a notification is a recipient, an actor, a kind, a line of plain
text and an address, so any app above this one can notify without this app knowing its models.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    REPLY = "reply", _("Replies in topics you follow")
    NEW_TOPIC = "new_topic", _("New topics in categories and by members you follow")
    MENTION = "mention", _("Mentions of you")
    QUOTE = "quote", _("Quotes of your posts")
    REACTION = "reaction", _("Reactions to your posts")
    MESSAGE = "message", _("Private messages")
    MODERATION = "moderation", _("Notes from moderators")
    SAFETY = "safety", _("Safety-net alerts (moderators only)")


# Kinds that cannot be turned off (at least "here only") and are emailed as they happen whatever
# the member's email rhythm, unless they chose no email at all; quiet hours still hold. Only the
# safety net's alerts to moderators: a member may be in crisis (``moderation.safety``).
URGENT_KINDS = frozenset({Kind.SAFETY})
# Kinds only moderators and admins receive: not offered in other members' settings.
STAFF_KINDS = frozenset({Kind.SAFETY})


class Delivery(models.TextChoices):
    EMAIL = "email", _("Here and by email")
    APP = "app", _("Here only")
    OFF = "off", _("Off")


# What a new member gets until they choose: mentions, messages and moderators' notes by email
# (in the member's email rhythm), the rest only here.
DEFAULT_DELIVERY = {
    Kind.REPLY: Delivery.APP,
    Kind.NEW_TOPIC: Delivery.APP,
    Kind.MENTION: Delivery.EMAIL,
    Kind.QUOTE: Delivery.APP,
    Kind.REACTION: Delivery.APP,
    Kind.MESSAGE: Delivery.EMAIL,
    Kind.MODERATION: Delivery.EMAIL,
    Kind.SAFETY: Delivery.EMAIL,
}


class EmailFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("As it happens")
    DAILY = "daily", _("A daily summary")
    WEEKLY = "weekly", _("A weekly summary")
    NONE = "none", _("Never")


class Target(models.TextChoices):
    TOPIC = "topic", _("topic")
    CATEGORY = "category", _("category")
    MEMBER = "member", _("member")


class Follow(models.Model):
    """A member following a topic, a category or another member (or muting one, so following
    by default never adds it back)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    target_type = models.CharField(max_length=10, choices=Target.choices)
    target_id = models.PositiveBigIntegerField()
    muted = models.BooleanField(
        default=False, help_text=_("Stopped following: not followed again automatically.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "target_type", "target_id"], name="follow_once")
        ]
        indexes = [models.Index(fields=["target_type", "target_id"], name="follow_target")]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.target_type}:{self.target_id}"


class Notification(models.Model):
    """Something a member should know about, shown in their list (and maybe emailed).

    Unread notifications of one kind about one thing (``group_key``, e.g. ``topic:12``) gather
    into one line with a ``count``, so a busy topic is one calm line, not twenty.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=500)
    group_key = models.CharField(max_length=60, blank=True)
    count = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Whether (and when) this goes out by email: pending until sent or summarised.
    email_pending = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-updated_at"], name="notification_list"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["recipient"],
                condition=models.Q(email_pending=True),
                name="notification_email_pending",
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.text


class Preferences(models.Model):
    """How one member wants to hear about things. Missing row: the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preferences",
    )
    # Kind -> Delivery, for the kinds the member changed; the rest follow DEFAULT_DELIVERY.
    delivery = models.JSONField(default=dict, blank=True)
    email_frequency = models.CharField(
        _("email"),
        max_length=10,
        choices=EmailFrequency.choices,
        default=EmailFrequency.DAILY,
    )
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    follow_started = models.BooleanField(_("follow topics I start"), default=True)
    follow_replied = models.BooleanField(_("follow topics I reply to"), default=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"

    def delivery_for(self, kind: str) -> str:
        return delivery_for(self.delivery, kind)


def delivery_for(chosen: dict, kind: str) -> str:
    """How a member hears of ``kind``, given the deliveries they chose (``Preferences.delivery``;
    empty for one who never chose): their choice, else the default; an urgent kind is never off.
    """
    delivery = chosen.get(kind) or DEFAULT_DELIVERY.get(kind, Delivery.APP)
    if kind in URGENT_KINDS and delivery == Delivery.OFF:
        return Delivery.APP
    return delivery
