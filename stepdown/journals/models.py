"""Dose and symptom journals: health data, private to their owner unless they choose otherwise."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stepdown.core.sharing import Sharing

__all__ = ["Sharing"]  # re-exported: the apps' modules import it from here


class SignatureField(models.TextChoices):
    DRUG = "drug", _("Drug")
    START_DOSE = "start_dose", _("Start dose")
    CURRENT_DOSE = "current_dose", _("Current dose")
    PERCENT = "percent", _("Percent reduced")
    DAYS = "days", _("Days since the start")


class ConsentAction(models.TextChoices):
    GRANTED = "granted", _("Consent given")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")


class SleepQuality(models.IntegerChoices):
    VERY_POOR = 1, _("Very poor")
    POOR = 2, _("Poor")
    FAIR = 3, _("Fair")
    GOOD = 4, _("Good")
    VERY_GOOD = 5, _("Very good")


class ConsentRecord(models.Model):
    """One act of giving or withdrawing consent to keep a journal: a log, never edited."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_consents"
    )
    action = models.CharField(_("action"), max_length=10, choices=ConsentAction.choices)
    wording_version = models.CharField(_("wording version"), max_length=20)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["owner", "-at"], name="consent_latest")]
        verbose_name = _("journal consent record")
        verbose_name_plural = _("journal consent records")

    def __str__(self) -> str:
        return f"{self.action} {self.wording_version} {self.at:%Y-%m-%d}"


class Journal(models.Model):
    """A member's journal settings: sharing and signature. Created when consent is first given."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal"
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    sharing = models.CharField(
        _("who may see the chart"), max_length=10, choices=Sharing.choices, default=Sharing.PRIVATE
    )
    # Set only while sharing is LINK; a new one replaces it, clearing it switches the link off.
    share_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    signature_enabled = models.BooleanField(_("show a taper signature"), default=False)
    signature_fields = models.JSONField(_("signature fields"), default=list, blank=True)
    signature_drug_id = models.CharField(_("signature drug"), max_length=40, blank=True)
    # Denormalised: recomputed by the actions whenever entries, the signature choice or consent
    # change; None when nothing is shown. The forum reads it for every author of a topic page in
    # one query (templatetags/taper_signatures.py).
    signature = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("journal")
        verbose_name_plural = _("journals")

    def __str__(self) -> str:
        return f"journal of {self.owner_id}"


class Entry(models.Model):
    """One day in a journal: doses actually taken, symptoms, sleep, notes. One per day."""

    journal = models.ForeignKey(Journal, on_delete=models.CASCADE, related_name="entries")
    day = models.DateField(_("day"))
    no_dose_taken = models.BooleanField(_("no benzodiazepine taken this day"), default=False)
    # {symptom id: 0–4} for the symptoms rated (see symptoms.py); unrated ones are left out.
    symptoms = models.JSONField(_("symptom ratings"), default=dict, blank=True)
    symptom_score = models.PositiveSmallIntegerField(_("symptom score"), default=0)
    sleep_hours = models.DecimalField(
        _("hours of sleep"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    sleep_quality = models.PositiveSmallIntegerField(
        _("sleep quality"), choices=SleepQuality.choices, null=True, blank=True
    )
    is_window = models.BooleanField(_("window"), default=False)
    is_wave = models.BooleanField(_("wave"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["journal", "day"], name="journal_entry_one_per_day")
        ]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")

    def __str__(self) -> str:
        return f"{self.journal_id} {self.day}"


class Dose(models.Model):
    """One dose actually taken: any value, up-doses included."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="doses")
    drug_id = models.CharField(_("drug"), max_length=40)  # an id from the tapering catalogue
    mg = models.DecimalField(_("mg"), max_digits=9, decimal_places=4)
    taken_at = models.TimeField(_("time of day"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("dose")
        verbose_name_plural = _("doses")

    def __str__(self) -> str:
        return f"{self.drug_id} {self.mg} mg"
