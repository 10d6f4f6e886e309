"""Crisis resources as data the admins edit (seeded from ``core/crisis.json``).

``core.crisis`` reads them through the provider in ``crisis_data.py`` (registered in
``apps.py``), so every app shows the edited resources without importing this one.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class ResourceKind(models.TextChoices):
    CRISIS = "crisis", _("crisis line (listening, suicide prevention)")
    URGENT = "urgent", _("urgent medical advice")
    EMERGENCY = "emergency", _("emergency services")
    DIRECTORY = "directory", _("directory of helplines")


class CrisisLocale(models.Model):
    """A country or region whose crisis resources the community may show."""

    code = models.CharField(
        _("code"),
        max_length=10,
        unique=True,
        help_text=_("As set in STEPDOWN_CRISIS_LOCALE, e.g. US, UK, INTL."),
    )
    name = models.CharField(_("name"), max_length=100)
    needs_check = models.BooleanField(
        _("needs checking"),
        default=True,
        help_text=_(
            "Ticked until someone has called or visited every resource below and found it "
            "right. The site warns while the chosen locale is unchecked."
        ),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("crisis resources of a locale")
        verbose_name_plural = _("crisis resources")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)


class CrisisResource(models.Model):
    """One helpline or service: how to reach it, when, and where the facts come from."""

    locale = models.ForeignKey(CrisisLocale, on_delete=models.CASCADE, related_name="resources")
    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=ResourceKind.choices)
    call = models.CharField(_("number to call"), max_length=40, blank=True)
    text = models.CharField(_("number to text"), max_length=40, blank=True)
    url = models.URLField(_("web address"), blank=True)
    hours = models.CharField(_("hours"), max_length=60, blank=True)
    source = models.CharField(
        _("source"),
        max_length=300,
        help_text=_("Where these details come from (the organisation's own page)."),
    )

    class Meta:
        ordering = ["locale", "position", "pk"]
        verbose_name = _("crisis resource")
        verbose_name_plural = _("crisis resources")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not (self.call or self.text or self.url):
            raise ValidationError(
                _("Give a number to call or to text, or a web address, so members can reach it.")
            )
