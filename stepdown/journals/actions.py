"""Every write to a journal goes through these functions.

Consent is checked here as well as in the views: no entry is ever written without the member's
current consent. The stored signature is recomputed by every action that could change it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from django.db import transaction

from stepdown.core import safety
from stepdown.core.sharing import new_share_token

from .consent import CONSENT_VERSION
from .models import ConsentAction, ConsentRecord, Dose, Entry, Journal, Sharing
from .queries import all_rows, consent_given, has_consent
from .signature import compute_signature
from .symptoms import clean_ratings, symptom_score


class ConsentRequired(Exception):
    """The member has not given (or has withdrawn) consent to keep a journal."""


@dataclass(frozen=True)
class DoseInput:
    drug_id: str
    mg: Decimal
    taken_at: time | None = None


@dataclass(frozen=True)
class EntryInput:
    doses: tuple[DoseInput, ...] = ()
    no_dose_taken: bool = False
    symptoms: Mapping[str, int] | None = None
    sleep_hours: Decimal | None = None
    sleep_quality: int | None = None
    is_window: bool = False
    is_wave: bool = False
    notes: str = ""


def grant_consent(user, *, wording_version: str = CONSENT_VERSION) -> Journal:
    """Record the member's consent and open their journal (kept private until they share it)."""
    with transaction.atomic():
        ConsentRecord.objects.create(
            owner=user, action=ConsentAction.GRANTED, wording_version=wording_version
        )
        journal, _created = Journal.objects.get_or_create(owner=user)
        _refresh_signature(journal)
    return journal


def withdraw_consent(user) -> None:
    """Record the withdrawal; stop sharing and the signature. Entries stay until deleted.

    Repeating it changes nothing: a withdrawal is only recorded while consent is given.
    """
    with transaction.atomic():
        if not has_consent(user):
            return
        latest = ConsentRecord.objects.filter(owner=user).order_by("-at", "-pk").first()
        ConsentRecord.objects.create(
            owner=user,
            action=ConsentAction.WITHDRAWN,
            wording_version=latest.wording_version if latest else CONSENT_VERSION,
        )
        Journal.objects.filter(owner=user).update(
            sharing=Sharing.PRIVATE, share_token=None, signature_enabled=False, signature=None
        )


def save_entry(journal: Journal, *, day: date, data: EntryInput) -> Entry:
    """Create or replace the member's entry for ``day`` (one per day), doses and all."""
    if not consent_given(journal.owner_id):
        raise ConsentRequired
    ratings = clean_ratings(data.symptoms or {})
    with transaction.atomic():
        before = Entry.objects.filter(journal=journal, day=day).values_list("notes", flat=True)
        earlier_notes = next(iter(before), "")
        entry, _created = Entry.objects.update_or_create(
            journal=journal,
            day=day,
            defaults={
                "no_dose_taken": data.no_dose_taken and not data.doses,
                "symptoms": ratings,
                "symptom_score": symptom_score(ratings),
                "sleep_hours": data.sleep_hours,
                "sleep_quality": data.sleep_quality,
                "is_window": data.is_window,
                "is_wave": data.is_wave,
                "notes": data.notes,
            },
        )
        entry.doses.all().delete()
        Dose.objects.bulk_create(
            Dose(entry=entry, drug_id=d.drug_id, mg=d.mg, taken_at=d.taken_at, position=n)
            for n, d in enumerate(data.doses)
        )
        _refresh_signature(journal)
        if data.notes != earlier_notes:
            _alert_about_note(journal, entry, data.notes)
    return entry


def note_matches(notes: str) -> safety.SafetyMatch:
    """The crisis phrases a journal note matches (the safety net; rule phrases are about what
    members share with others, and a private note shares nothing)."""
    return safety.check(notes, kinds=(safety.CRISIS,))


def _alert_about_note(journal: Journal, entry: Entry, notes: str) -> None:
    """A changed note with crisis words: the moderators learn that it happened, never what
    it says (the alert carries no text and no phrases)."""
    match = note_matches(notes)
    if match:
        safety.raise_alert(
            match, author=journal.owner, target_type=safety.JOURNAL_NOTE, target_id=entry.pk
        )


def delete_entry(journal: Journal, *, day: date) -> bool:
    """Delete the entry for ``day``; True if there was one."""
    with transaction.atomic():
        deleted, _counts = Entry.objects.filter(journal=journal, day=day).delete()
        _refresh_signature(journal)
    return bool(deleted)


def set_sharing(journal: Journal, *, sharing: str) -> Journal:
    """Who may see the chart: only the member, signed-in members, or anyone with the link."""
    if sharing != Sharing.PRIVATE and not consent_given(journal.owner_id):
        raise ConsentRequired
    journal.sharing = sharing
    if sharing != Sharing.LINK:
        journal.share_token = None
    elif not journal.share_token:
        journal.share_token = new_share_token()
    with transaction.atomic():
        journal.save(update_fields=["sharing", "share_token"])
    return journal


def regenerate_share_link(journal: Journal) -> Journal:
    """Replace the public link; the old one stops working at once."""
    if journal.sharing != Sharing.LINK:
        return journal
    journal.share_token = new_share_token()
    with transaction.atomic():
        journal.save(update_fields=["share_token"])
    return journal


def set_signature(
    journal: Journal, *, enabled: bool, fields: Iterable[str], drug_id: str = ""
) -> Journal:
    """The member's signature choice: on or off, which fields, which drug (default: the first)."""
    if enabled and not consent_given(journal.owner_id):
        raise ConsentRequired
    journal.signature_enabled = enabled
    journal.signature_fields = list(fields)
    journal.signature_drug_id = drug_id
    with transaction.atomic():
        journal.save(update_fields=["signature_enabled", "signature_fields", "signature_drug_id"])
        _refresh_signature(journal)
    return journal


def delete_journal(user) -> None:
    """Erase the member's journal: entries, doses, sharing, signature and consent records."""
    with transaction.atomic():
        Journal.objects.filter(owner=user).delete()
        ConsentRecord.objects.filter(owner=user).delete()


def _refresh_signature(journal: Journal) -> None:
    """Recompute the stored signature from the entries (None without consent or when off)."""
    signature = None
    if journal.signature_enabled and consent_given(journal.owner_id):
        signature = compute_signature(journal, all_rows(journal))
    journal.signature = signature
    Journal.objects.filter(pk=journal.pk).update(signature=signature)
