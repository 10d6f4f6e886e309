from __future__ import annotations

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import STAFF_KINDS, URGENT_KINDS, Delivery, Kind, Preferences


def _time_zones() -> list[tuple[str, str]]:
    return [("", _("The site's time"))] + [
        (name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())
    ]


class PreferencesForm(forms.ModelForm):
    """Per-kind delivery (one radio group per kind), email rhythm, quiet hours, following."""

    time_zone = forms.ChoiceField(label=_("Your time zone"), required=False, choices=())

    class Meta:
        model = Preferences
        fields = [
            "email_frequency",
            "quiet_start",
            "quiet_end",
            "time_zone",
            "follow_started",
            "follow_replied",
        ]
        widgets = {
            "email_frequency": forms.RadioSelect,
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {
            "email_frequency": _(
                "For the kinds set to “Here and by email”. A summary gathers everything new "
                "since the last one."
            ),
            "quiet_start": _("No email goes out in these hours; it waits until they end."),
        }

    def __init__(self, *args, staff: bool = False, **kwargs):
        """``staff``: a moderator or admin, offered the kinds only they receive."""
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = _time_zones()
        self.kinds = [kind for kind in Kind if staff or kind not in STAFF_KINDS]
        for kind in self.kinds:
            urgent = kind in URGENT_KINDS
            self.fields[f"delivery_{kind.value}"] = forms.ChoiceField(
                label=kind.label,
                choices=[c for c in Delivery.choices if not (urgent and c[0] == Delivery.OFF)],
                widget=forms.RadioSelect,
                initial=self.instance.delivery_for(kind.value),
                help_text=_(
                    "Always shown here, and emailed as they happen even with a daily or weekly "
                    "summary (quiet hours still hold): a member may be in crisis."
                )
                if urgent
                else "",
            )

    def kind_fields(self):
        return [self[f"delivery_{kind.value}"] for kind in self.kinds]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("quiet_start"), cleaned.get("quiet_end")
        if (start is None) != (end is None):
            self.add_error(
                "quiet_end" if start else "quiet_start",
                _("Please give both the start and the end of your quiet hours, or neither."),
            )
        elif start is not None and start == end:
            self.add_error("quiet_end", _("Quiet hours need an end different from their start."))
        return cleaned

    def preference_values(self) -> dict:
        data = self.cleaned_data
        return {
            "delivery": {
                **self.instance.delivery,
                **{kind.value: data[f"delivery_{kind.value}"] for kind in self.kinds},
            },
            **{name: data[name] for name in self.Meta.fields},
        }
