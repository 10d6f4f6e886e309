"""The safety net's moderation side: the admins' phrase list, and alerts for the moderators.

``core.safety`` matches text and shows the author the gentle panel; this module gives it its
phrases and records what it finds (both registered in ``apps.py``):

- ``active_phrases``: the active ``SafetyPhrase`` rows, kept in the cache (shared by every
  process with Redis) and cleared when an admin saves or deletes one (signals connected in
  ``apps.py``: cache invalidation only). Without Redis, each process's copy also expires after
  ``CACHE_SECONDS``.
- ``raise_alert``: a ``SafetyAlert`` row, an audit entry when the post is held, and a
  high-priority notification (kind "safety") to every global moderator and admin once it commits.

Moderators get a high-priority alert: a notification of the kind "safety" (``Kind.SAFETY``, in
``URGENT_KINDS``) that cannot be turned off, and is emailed as it happens even to a moderator
with a daily or weekly summary (only the alert lines; the rest wait for the summary), unless
they chose no email at all; their quiet hours still hold, since moderators are volunteers, not
an emergency service, and the author sees the crisis lines at once, which is what helps in the
moment. Open alerts lead the moderators' dashboard and the safety-alerts page, crisis ones first.

Privacy: an alert names the member and where (a post, a private message, a journal note). A
journal note's alert never carries its text or the phrases it matched: moderators learn only
that it happened, and may reach out by message. A message's alert carries the list's phrases
that matched, not the message.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from stepdown.core import safety
from stepdown.forum.models import Post
from stepdown.notifications import actions as notifications
from stepdown.notifications.models import Kind

from . import audit
from .models import PhraseKind, SafetyAlert, SafetyPhrase

CACHE_KEY = "moderation:safety-phrases:v1"
CACHE_SECONDS = 300


def _load_phrases() -> tuple[safety.Phrase, ...]:
    rows = SafetyPhrase.objects.filter(active=True).values_list("kind", "phrase")
    return tuple(safety.Phrase(kind=kind, phrase=phrase) for kind, phrase in rows)


def active_phrases() -> tuple[safety.Phrase, ...]:
    """The phrases the safety net looks for (``core.safety``'s registered source)."""
    phrases = cache.get(CACHE_KEY)
    if phrases is None:
        phrases = _load_phrases()
        cache.set(CACHE_KEY, phrases, CACHE_SECONDS)
    return phrases


def forget_phrases(**kwargs) -> None:
    """A phrase was saved or deleted: the next check reads the list again."""
    cache.delete(CACHE_KEY)


def alert_recipients(*, exclude: int | None = None) -> list[int]:
    """Global moderators and admins with an active account (those who see every alert)."""
    members = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_moderator=True) | Q(is_superuser=True))
    )
    if exclude is not None:
        members = members.exclude(pk=exclude)
    return list(members.values_list("pk", flat=True))


def target_label(target_type: str, target_id: int | None) -> str:
    """Where the alert points, in words that carry nothing private."""
    if target_type == safety.POST and target_id is not None:
        post = Post.objects.select_related("topic").filter(pk=target_id).first()
        if post is not None:
            return _("Post #%(n)d in “%(title)s”") % {
                "n": post.position,
                "title": post.topic.full_title,
            }
    if target_type == safety.MESSAGE:
        return _("A private message")
    if target_type == safety.JOURNAL_NOTE:
        return _("A journal note")
    return _("A post")


def _alert_text(kind: str, target_type: str, name: str) -> str:
    if target_type == safety.JOURNAL_NOTE:
        return _(
            "Safety net: a journal note by %(name)s matched crisis phrases. Its text stays "
            "private; you could reach out with a message."
        ) % {"name": name}
    where = _("a private message") if target_type == safety.MESSAGE else _("a post")
    if kind == PhraseKind.CRISIS:
        return _(
            "Safety net: %(where)s by %(name)s may be about suicide or self-harm. Please check "
            "in with them."
        ) % {"where": where, "name": name}
    return _("Safety net: %(where)s by %(name)s may be about buying or selling medicines.") % {
        "where": where,
        "name": name,
    }


def raise_alert(
    match: safety.SafetyMatch,
    *,
    author,
    target_type: str,
    target_id: int | None,
    held: bool,
) -> SafetyAlert:
    """Record what the safety net found and tell the moderators (``core.safety``'s registered
    handler; runs inside the write's transaction)."""
    kind = match.first_kind
    private = target_type == safety.JOURNAL_NOTE
    alert = SafetyAlert.objects.create(
        kind=kind,
        author=author,
        target_type=target_type,
        target_id=target_id,
        matched=[] if private else match.phrases(),
        held=held,
    )
    if held:
        audit.record(
            actor=None,
            action="post.hold",
            target_type=target_type,
            target_id=target_id,
            target_label=target_label(target_type, target_id),
            member=author,
            reason=_("The safety net held it for review."),
            details={"alert": alert.pk, "kinds": list(match.kinds)},
        )
    name = author.username if author is not None else _("a former member")
    text = _alert_text(kind, target_type, name)
    url = reverse("moderation:safety_alerts") + f"#alert-{alert.pk}"
    recipients = alert_recipients(exclude=author.pk if author is not None else None)
    transaction.on_commit(
        lambda: notifications.notify(recipients, kind=Kind.SAFETY, actor=None, text=text, url=url),
        robust=True,
    )
    return alert


def handle_alert(alert: SafetyAlert, *, by, note: str = "") -> bool:
    """A moderator looked at the alert (and reached out, or found nothing to do). False when
    someone had handled it already."""
    with transaction.atomic():
        locked = SafetyAlert.objects.select_for_update().get(pk=alert.pk)
        if locked.status == SafetyAlert.Status.HANDLED:
            return False
        locked.status = SafetyAlert.Status.HANDLED
        locked.handled_by = by
        locked.handled_at = timezone.now()
        locked.save(update_fields=["status", "handled_by", "handled_at"])
        audit.record(
            actor=by,
            action="safety.handle",
            target_type=locked.target_type,
            target_id=locked.target_id,
            target_label=target_label(locked.target_type, locked.target_id),
            member=locked.author,
            reason=note.strip(),
            details={"alert": locked.pk, "kind": locked.kind},
        )
    alert.status = locked.status
    return True
