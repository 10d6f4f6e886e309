"""Reports of posts, topics, members and messages, and the moderators' work on them.

A report names its target by type and id (``target_type``, ``target_id``) rather than by foreign
keys to four apps, so a removed target leaves the report readable. ``target_author`` is the
member whose content was reported, kept for the queue and, later, a member's history and the
automatic hiding of content many trusted members report (issue 7).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetType(models.TextChoices):
    POST = "post", _("post")
    TOPIC = "topic", _("topic")
    MEMBER = "member", _("member")
    MESSAGE = "message", _("message")


class Reason(models.TextChoices):
    AT_RISK = "at_risk", _("Someone may be at risk of harm")
    UNKIND = "unkind", _("Unkind, harassing or abusive")
    SOURCING = "sourcing", _("Offers or asks for drugs or prescriptions")
    DANGEROUS_ADVICE = "dangerous_advice", _("Advice that could be dangerous")
    PRIVACY = "privacy", _("Shares someone's contact or personal details")
    SPAM = "spam", _("Spam or advertising")
    OTHER = "other", _("Something else")


class Status(models.TextChoices):
    OPEN = "open", _("open")
    CLAIMED = "claimed", _("being looked at")
    RESOLVED = "resolved", _("resolved")


OPEN_STATUSES = (Status.OPEN, Status.CLAIMED)


class Outcome(models.TextChoices):
    """What the moderator did about a report when resolving it (one step: the action is
    carried out with the resolution)."""

    NO_ACTION = "none", _("Nothing needed doing")
    HIDE = "hide", _("Hide the post")
    UNHIDE = "unhide", _("Show the post again")
    DELETE = "delete", _("Remove it")
    LOCK = "lock", _("Lock the topic")
    WARN = "warn", _("Warn the member")
    SUSPEND = "suspend", _("Suspend the member from posting")


class Report(models.Model):
    # Null once the reporter deleted their account: the report stays for the moderators.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_filed",
    )
    target_type = models.CharField(_("what"), max_length=10, choices=TargetType.choices)
    target_id = models.PositiveBigIntegerField()
    target_author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_received",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    details = models.TextField(_("details"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(_("note"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)

    class Meta:
        constraints = [
            # One open report per member and thing: reporting it again changes nothing.
            models.UniqueConstraint(
                fields=["reporter", "target_type", "target_id"],
                condition=models.Q(status__in=["open", "claimed"]),
                name="report_once_while_open",
            )
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="report_queue"),
            models.Index(fields=["target_type", "target_id"], name="report_target"),
        ]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.target_type}:{self.target_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ReportNote(models.Model):
    """A moderator's note on a report, for the other moderators (what they found, asked, ...)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("report note")
        verbose_name_plural = _("report notes")

    def __str__(self) -> str:
        return f"note on report {self.report_id}"


class AuditEntry(models.Model):
    """One moderator (or automatic) action: who, what, when, why. Never edited or deleted.

    ``target_label`` keeps a readable name of the target as it was ("Reply #4 in “Week six”"),
    so the log reads well after the target changed or went.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty for automatic actions (reports, the safety net)."),
    )
    action = models.CharField(_("action"), max_length=40, db_index=True)
    target_type = models.CharField(_("what"), max_length=20)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    # The member the action concerned (the author of a hidden post, a warned member ...).
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("why"), blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"


class Warning(models.Model):
    """A formal warning: points, a reason the member reads and acknowledges, an expiry."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="warnings"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"))
    points = models.PositiveSmallIntegerField(_("points"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # What the warning was about, if anything (a post, a message ...).
    target_type = models.CharField(max_length=20, blank=True)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")

    def __str__(self) -> str:
        return f"warning to {self.member_id} ({self.points})"


class SanctionKind(models.TextChoices):
    SUSPENSION = "suspension", _("suspension (may read, may not post)")
    BAN = "ban", _("ban (may not sign in)")


class Sanction(models.Model):
    """A suspension or ban with an end date (none: until lifted). The member's
    ``posting_blocked_until`` / ``sign_in_blocked_until`` mirror the ones in force."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions"
    )
    kind = models.CharField(max_length=12, choices=SanctionKind.choices)
    reason = models.TextField(_("reason"))
    starts_at = models.DateTimeField(auto_now_add=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("suspension or ban")
        verbose_name_plural = _("suspensions and bans")

    def __str__(self) -> str:
        return f"{self.kind} of {self.member_id}"


class PhraseKind(models.TextChoices):
    CRISIS = "crisis", _("crisis (self-harm, suicide)")
    RULE = "rule", _("rule (e.g. sourcing drugs)")


class SafetyPhrase(models.Model):
    """A phrase the safety net looks for in posts, messages and journal notes (admins edit)."""

    kind = models.CharField(max_length=10, choices=PhraseKind.choices)
    phrase = models.CharField(
        _("phrase"),
        max_length=200,
        help_text=_("Matched as whole words, ignoring case; * at the end matches any ending."),
    )
    active = models.BooleanField(default=True)
    note = models.CharField(_("note for moderators"), max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "phrase"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "phrase"], name="safety_phrase_once")
        ]
        verbose_name = _("safety phrase")
        verbose_name_plural = _("safety phrases")

    def __str__(self) -> str:
        return f"{self.kind}: {self.phrase}"


class SafetyAlert(models.Model):
    """The safety net noticed something: moderators see it first in their dashboard."""

    class Status(models.TextChoices):
        OPEN = "open", _("needs a look")
        HANDLED = "handled", _("handled")

    kind = models.CharField(max_length=10, choices=PhraseKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where: a post, a message or a journal note (journal notes are private: the alert says a
    # note matched, never its text).
    target_type = models.CharField(max_length=20)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    matched = models.JSONField(default=list, blank=True)
    held = models.BooleanField(default=False, help_text=_("The content waits for review."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"], name="safety_alert_open")]
        verbose_name = _("safety alert")
        verbose_name_plural = _("safety alerts")

    def __str__(self) -> str:
        return f"{self.kind} alert on {self.target_type}:{self.target_id}"
