"""Forms of the approval queue, the safety alerts and the trust page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from stepdown.accounts.models import TrustLevel

TEXT_LIMIT = _("Please keep this to %(limit_value)d characters (it has %(show_value)d).")


class ApproveForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the log (optional)"),
        required=False,
        max_length=1000,
        error_messages={"max_length": TEXT_LIMIT},
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is not approved (the member reads this)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Kind and specific, e.g. “Please leave out the link to the pharmacy: see "
            "guideline 3.” The member gets their text back as a draft."
        ),
        error_messages={
            "required": _("Please tell the member why, in a sentence: they will read it."),
            "max_length": TEXT_LIMIT,
        },
    )


class HandleAlertForm(forms.Form):
    note = forms.CharField(
        label=_("What you did (for the log, optional)"),
        required=False,
        max_length=1000,
        error_messages={"max_length": TEXT_LIMIT},
    )


class TrustForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Trust level"), choices=TrustLevel.choices, coerce=int, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Why (for the log)"),
        max_length=1000,
        error_messages={
            "required": _("Please say why, for the other moderators."),
            "max_length": TEXT_LIMIT,
        },
    )
