"""allauth's registration form, with the community guidelines, 18+ and a honeypot.

- Two required boxes: "I have read and accept the community guidelines" and "I am 18 or
  older". Both are recorded on the account (``guidelines.accept_guidelines``).
- A honeypot: a text field people never see (visually hidden and hidden from screen readers,
  out of the tab order, no autofill, labelled "leave this empty"). Scripts that fill every
  field get a calm, generic refusal and no account is made; the message names nothing, so it
  teaches a script nothing.
"""

from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .guidelines import accept_guidelines

HONEYPOT_FIELD = "website"
RULE_FIELDS = ("accept_guidelines", "adult")
HONEYPOT_REFUSAL = _(
    "We could not create an account from this form. Please try again in a moment; if it keeps "
    "happening, please write to the community's admins."
)


class SignupForm(AllauthSignupForm):
    accept_guidelines = forms.BooleanField(
        label=_("I have read and accept the community guidelines"),
        error_messages={
            "required": _(
                "Please read the community guidelines and tick the box to accept them: they "
                "keep this a safe place for everyone."
            )
        },
    )
    adult = forms.BooleanField(
        label=_("I am 18 or older"),
        error_messages={
            "required": _("Stepdown is for adults: please confirm that you are 18 or older.")
        },
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean(self):
        cleaned = super().clean()
        if (self.data.get(HONEYPOT_FIELD) or "").strip():
            raise ValidationError(HONEYPOT_REFUSAL, code="honeypot")
        return cleaned

    # Parts of the form the template lays out itself (the boxes link to the guidelines).
    def account_fields(self) -> list:
        skip = {HONEYPOT_FIELD, *RULE_FIELDS}
        return [field for field in self.visible_fields() if field.name not in skip]

    def rule_fields(self) -> list:
        return [self[name] for name in RULE_FIELDS]

    def honeypot(self):
        return self[HONEYPOT_FIELD]

    def signup(self, request, user) -> None:
        accept_guidelines(user, adult_confirmed=True)
