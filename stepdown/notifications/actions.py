"""Every write about follows and notifications goes through these functions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import F, FilteredRelation, Q, QuerySet
from django.utils import timezone

from stepdown.accounts.models import User

from .models import (
    URGENT_KINDS,
    Delivery,
    EmailFrequency,
    Follow,
    Notification,
    Preferences,
    delivery_for,
)

# The rhythm of a member who never chose one (no Preferences row).
_DEFAULT_EMAIL_FREQUENCY = Preferences._meta.get_field("email_frequency").default


def follow(user, *, target_type: str, target_id: int) -> Follow:
    """Follow a topic, category or member; repeatable, and it lifts an earlier mute."""
    try:
        with transaction.atomic():
            item, created = Follow.objects.get_or_create(
                user=user, target_type=target_type, target_id=target_id
            )
    except IntegrityError:  # a concurrent request created it first
        item = Follow.objects.get(user=user, target_type=target_type, target_id=target_id)
    if item.muted:
        item.muted = False
        item.save(update_fields=["muted"])
    return item


def unfollow(user, *, target_type: str, target_id: int) -> None:
    """Stop following; kept as a mute so following by default never adds it back."""
    Follow.objects.update_or_create(
        user=user, target_type=target_type, target_id=target_id, defaults={"muted": True}
    )


def follow_by_default(user, *, target_type: str, target_id: int) -> None:
    """Follow unless the member stopped following this before (then leave it be)."""
    if Follow.objects.filter(user=user, target_type=target_type, target_id=target_id).exists():
        return  # following already, or muted: no write (and no write lock on SQLite)
    try:
        with transaction.atomic():
            Follow.objects.get_or_create(user=user, target_type=target_type, target_id=target_id)
    except IntegrityError:
        pass


def _recipients(
    user_ids: Iterable[int], actor, *, despite_blocks: bool = False
) -> dict[int, tuple[dict, str]]:
    """Active members among ``user_ids``, without the actor and (unless ``despite_blocks``)
    those who blocked the actor, in id order, each with the deliveries and email rhythm they
    chose (``Preferences``; the defaults for a member who never chose): one query."""
    ids = {pk for pk in user_ids if pk is not None}
    if actor is not None:
        ids.discard(actor.pk)
    if not ids:
        return {}
    members = User.objects.filter(pk__in=ids, is_active=True)
    if actor is not None and not despite_blocks:
        # A join on the member's block of the actor (one row at most: block_once), kept when
        # there is none: cheaper to build than a NOT EXISTS subquery.
        block = FilteredRelation("blocks_made", condition=Q(blocks_made__blocked=actor))
        members = members.annotate(block_of_actor=block).filter(block_of_actor__isnull=True)
    chosen = "notification_preferences"
    rows = members.order_by("pk").values_list(
        "pk", chosen, f"{chosen}__delivery", f"{chosen}__email_frequency"
    )
    return {
        pk: (delivery, frequency) if saved is not None else ({}, _DEFAULT_EMAIL_FREQUENCY)
        for pk, saved, delivery, frequency in rows
    }


def notify(
    user_ids: Iterable[int],
    *,
    kind: str,
    actor,
    text: str,
    url: str,
    group_key: str = "",
    despite_blocks: bool = False,
) -> list[Notification]:
    """Tell each member in ``user_ids`` about something, as their preferences say.

    Never the actor themselves, never a member who blocked the actor (unless ``despite_blocks``:
    a moderator's message, which a block does not stop), never an inactive account,
    nothing for a kind the member turned off (an urgent kind, ``URGENT_KINDS``, cannot be turned
    off and is emailed as it happens whatever the rhythm). An unread notification with the same
    ``kind`` and ``group_key`` is brought up to date (``count`` + 1) instead of adding a line. A
    fixed number of queries however many members are told. Once it commits, email is queued
    (``emails``).
    """
    recipients = _recipients(user_ids, actor, despite_blocks=despite_blocks)
    if not recipients:
        return []
    deliveries = {}
    immediate = []  # members told by email "as it happens"
    for pk, (chosen, frequency) in recipients.items():
        delivery = delivery_for(chosen, kind)
        if delivery == Delivery.OFF:
            continue
        emails = delivery == Delivery.EMAIL and frequency != EmailFrequency.NONE
        deliveries[pk] = emails
        if emails and (frequency == EmailFrequency.IMMEDIATE or kind in URGENT_KINDS):
            immediate.append(pk)
    if not deliveries:
        return []
    now = timezone.now()
    touched: list[Notification] = []
    with transaction.atomic():
        existing = {}
        if group_key:
            existing = {
                item.recipient_id: item
                for item in Notification.objects.select_for_update().filter(
                    recipient_id__in=deliveries,
                    kind=kind,
                    group_key=group_key,
                    read_at__isnull=True,
                )
            }
        text, url = text[:300], url[:500]
        # Gathered lines: one UPDATE for those to email and one for the rest (bulk_update would
        # build a CASE per field and line, the slowest part of posting a reply).
        changes = {"count": F("count") + 1, "text": text, "url": url, "actor": actor}
        changes["updated_at"] = now
        for emails in (True, False):
            ids = [i.pk for i in existing.values() if bool(deliveries[i.recipient_id]) is emails]
            if ids:
                extra = {"email_pending": True} if emails else {}
                Notification.objects.filter(pk__in=ids).update(**changes, **extra)
        for item in existing.values():
            item.count += 1
            item.text, item.url, item.actor, item.updated_at = text, url, actor, now
            item.email_pending = item.email_pending or deliveries[item.recipient_id]
        touched.extend(existing.values())
        fresh = [
            Notification(
                recipient_id=pk,
                actor=actor,
                kind=kind,
                text=text,
                url=url,
                group_key=group_key,
                email_pending=emails,
                updated_at=now,
            )
            for pk, emails in deliveries.items()
            if pk not in existing
        ]
        touched.extend(Notification.objects.bulk_create(fresh))
        by_email = sum(deliveries.values())
        if by_email:
            # robust: the notification stands even if the queue cannot be reached (logged).
            queue = partial(_queue_email, immediate, digests=by_email > len(immediate))
            transaction.on_commit(queue, robust=True)
    return touched


def _queue_email(immediate: list[int], *, digests: bool) -> None:
    from .tasks import queue_email

    queue_email(immediate, digests=digests)


def mark_read(user, notification_id: int) -> Notification | None:
    """Mark one of the member's own notifications read; None if it is not theirs."""
    item = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if item is not None and item.read_at is None:
        item.read_at = timezone.now()
        item.save(update_fields=["read_at"])
    return item


def mark_all_read(user) -> int:
    """Mark every unread notification of the member read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def mark_read_for_url(user, url: str) -> int:
    """Mark read the member's unread notifications pointing at ``url`` (they went there)."""
    return Notification.objects.filter(recipient=user, url=url, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def unread_pointing_at(
    user, *, urls: Iterable[str] = (), prefixes: Iterable[str] = (), kinds: Iterable[str] = ()
) -> QuerySet[Notification]:
    """The member's unread notifications (of ``kinds``; every kind when empty) pointing at one
    of ``urls`` or at an address starting with one of ``prefixes``.

    Lazy, so a caller can ask whether any exist inside a query it makes anyway (``Exists``) and
    write nothing when none do. It reads the member's unread lines only (a partial index).
    """
    where = Q(url__in=list(urls))
    for prefix in prefixes:
        where |= Q(url__startswith=prefix)
    items = Notification.objects.filter(where, recipient=user, read_at__isnull=True)
    kinds = list(kinds)
    return items.filter(kind__in=kinds) if kinds else items


def mark_read_pointing_at(
    user, *, urls: Iterable[str] = (), prefixes: Iterable[str] = (), kinds: Iterable[str] = ()
) -> int:
    """Mark read the member's unread notifications ``unread_pointing_at`` finds (they read
    what those point at); returns how many. One statement."""
    return unread_pointing_at(user, urls=urls, prefixes=prefixes, kinds=kinds).update(
        read_at=timezone.now()
    )


def mark_emailed(
    user_id: int, items: Sequence[Notification], *, at: datetime, digest: bool = False
) -> int:
    """Record that an email with ``items`` went out to the member; return how many were marked.

    Called after sending, in one transaction. An item that changed since it was read for the email
    (another reply gathered into it) stays pending, for the next email. A summary moves the
    member's ``last_digest_at`` on (also when there was nothing to send).
    """
    with transaction.atomic():
        seen = {item.pk: (item.updated_at, item.count) for item in items}
        current = Notification.objects.select_for_update().filter(
            pk__in=list(seen), recipient_id=user_id, email_pending=True
        )
        unchanged = [
            pk
            for pk, updated_at, count in current.values_list("pk", "updated_at", "count")
            if seen[pk] == (updated_at, count)
        ]
        done = 0
        if unchanged:
            done = Notification.objects.filter(pk__in=unchanged).update(
                email_pending=False, emailed_at=at
            )
        if digest:
            Preferences.objects.update_or_create(user_id=user_id, defaults={"last_digest_at": at})
    return done


def drop_read_from_email(user_id: int) -> int:
    """The member already read these in the app: no email needed for them."""
    return Notification.objects.filter(
        recipient_id=user_id, email_pending=True, read_at__isnull=False
    ).update(email_pending=False)


def stop_email(user) -> Preferences:
    """Stop all notification email (one-click unsubscribe): rhythm "never", nothing pending."""
    with transaction.atomic():
        prefs, _created = Preferences.objects.get_or_create(user=user)
        if prefs.email_frequency != EmailFrequency.NONE:
            prefs.email_frequency = EmailFrequency.NONE
            prefs.save(update_fields=["email_frequency"])
        Notification.objects.filter(recipient=user, email_pending=True).update(email_pending=False)
    return prefs


def save_preferences(user, **values) -> Preferences:
    """Store the member's notification preferences (fields of Preferences).

    Choosing no email at all also drops what was waiting to be emailed, as unsubscribing does.
    """
    with transaction.atomic():
        prefs, _created = Preferences.objects.get_or_create(user=user)
        for name, value in values.items():
            setattr(prefs, name, value)
        prefs.save()
        if prefs.email_frequency == EmailFrequency.NONE:
            Notification.objects.filter(recipient=user, email_pending=True).update(
                email_pending=False
            )
    return prefs
