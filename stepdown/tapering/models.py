"""Saved taper plans: a member's plan, its versions (each a generated schedule), and sharing.

A ``TaperPlan`` is what the member sees in their list; every time it is resumed after a hold or
re-planned from the dose actually taken, a new ``PlanVersion`` is added and the old ones stay as
history. Each version keeps the generator's input as typed (``inputs``) and the steps exactly as
they were shown when saved (``snapshot``), so a saved plan never changes under the member when
the catalogue or the generator is updated.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stepdown.core.sharing import Sharing

__all__ = ["Sharing"]  # re-exported: the apps' modules import it from here


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ON_HOLD = "on_hold", _("On hold")


class PlanMethod(models.TextChoices):
    # The values are ``stepdown.tapering.plan_types.Method``'s.
    PROPORTIONAL = "proportional", _("Proportional: cut a percentage of the current dose")
    FIXED_AMOUNT = "fixed_amount", _("Fixed amount: cut the same number of mg each time")
    CROSSOVER_TO_DIAZEPAM = (
        "crossover_to_diazepam",
        _("Crossover: switch to diazepam one dose time at a time, then taper"),
    )
    LIQUID_TITRATION = "liquid_titration", _("Liquid titration: measure the dose as a liquid")
    DAILY_MICRO_TAPER = "daily_micro_taper", _("Daily micro-taper: small cuts every day")


class VersionReason(models.TextChoices):
    CREATED = "created", _("First plan")
    RESUMED = "resumed", _("Resumed after a hold")
    REPLANNED = "replanned", _("Re-planned from the dose taken")


class TaperPlan(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="taper_plans"
    )
    title = models.CharField(_("title"), max_length=120)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE
    )
    held_since = models.DateField(_("on hold since"), null=True, blank=True)
    sharing = models.CharField(
        _("who may see this plan"),
        max_length=10,
        choices=Sharing.choices,
        default=Sharing.PRIVATE,
    )
    # Set only while sharing is "link"; a new token makes every earlier link stop working.
    share_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    current = models.ForeignKey(
        "PlanVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    version_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="taperplan_owner_recent")]
        verbose_name = _("taper plan")
        verbose_name_plural = _("taper plans")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tapering:plan_detail", kwargs={"pk": self.pk})

    @property
    def is_on_hold(self) -> bool:
        return self.status == PlanStatus.ON_HOLD


class PlanVersion(models.Model):
    plan = models.ForeignKey(TaperPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    reason = models.CharField(max_length=10, choices=VersionReason.choices)
    drug_id = models.CharField(_("drug"), max_length=40)
    final_drug_id = models.CharField(max_length=40)  # diazepam after a crossover
    method = models.CharField(_("method"), max_length=30, choices=PlanMethod.choices)
    start_date = models.DateField(_("start date"))
    projected_end_date = models.DateField(_("projected end date"))
    inputs = models.JSONField()  # the generator's input, as the member gave it
    snapshot = models.JSONField()  # the generated steps and warnings, as shown when saved
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planversion_number_unique")
        ]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.number}"
