"""Private conversations between two or more members.

A conversation has participants and messages. Messages are numbered 1, 2, 3, ... in their
conversation (``Message.position``, never reused), so a page of a conversation is a range of
positions, and "unread" is a comparison: a participant has read up to ``last_read_position``;
the conversation's latest message is ``message_count`` (removed messages keep their place, so
the count is always the latest position).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Conversation(models.Model):
    subject = models.CharField(_("subject"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="conversations_started",
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    last_message_at = models.DateTimeField(_("last message"))
    # Messages ever written here, removed ones included: the position of the latest message.
    message_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("conversations:conversation", kwargs={"pk": self.pk})


class Participant(models.Model):
    """A member's place in a conversation. Leaving keeps the row (``left_at``), so an invitation
    back and the member's data export know they were there."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversation_places"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    joined_at = models.DateTimeField(_("joined"))
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    # The position of the latest message this member has seen (0: none yet).
    last_read_position = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="participant_once")
        ]
        indexes = [
            models.Index(
                fields=["user"],
                condition=models.Q(left_at__isnull=True),
                name="participant_current",
            )
        ]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"

    @property
    def is_current(self) -> bool:
        return self.left_at is None


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    # 1-based place in the conversation: the page holding a message is arithmetic.
    position = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="conversation_messages",
    )
    body_markdown = models.TextField(_("text"))
    # Rendered by stepdown.core.text.render_markdown when saved: what the page shows.
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    # Erased with its author's account: the place stays, shown as "This message was removed."
    is_removed = models.BooleanField(_("removed"), default=False)
    # The composer's random key: the same submission twice (double click, retry) posts once.
    submission_key = models.CharField(max_length=36, blank=True, default="", editable=False)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "position"], name="message_position_unique"
            ),
            models.UniqueConstraint(
                fields=["author", "submission_key"],
                condition=~models.Q(submission_key=""),
                name="message_submission_once",
            ),
        ]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"#{self.position} in {self.conversation_id}"
