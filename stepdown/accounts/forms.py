from __future__ import annotations

from allauth.account.adapter import get_adapter
from django import forms
from django.utils.translation import gettext_lazy as _

KEEP = "keep"
REMOVE = "remove"


class DeleteAccountForm(forms.Form):
    """The member's choice for their posts, their current password and their username typed."""

    posts = forms.ChoiceField(
        label=_("What should happen to your posts?"),
        choices=[
            (KEEP, _("Keep my posts. They stay in their topics, shown as by “former member”.")),
            (
                REMOVE,
                _("Remove my posts. Their text is erased and each shows “This post was removed.”"),
            ),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose what should happen to your posts.")},
    )
    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Please enter your current password.")},
    )
    confirmation = forms.CharField(
        label=_("Type your username to confirm"),
        error_messages={"required": _("Please type your username to confirm.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["confirmation"].help_text = _("Your username is %(username)s.") % {
            "username": user.username
        }

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        # allauth's check: counted against the same failed sign-in limit as the sign-in page, so
        # a borrowed session cannot be used to guess the password here.
        if not get_adapter().reauthenticate(self.user, password):
            raise forms.ValidationError(
                _("That is not your current password, so nothing has been deleted.")
            )
        return password

    def clean_confirmation(self) -> str:
        typed = self.cleaned_data["confirmation"].strip()
        if typed.casefold() != self.user.username.casefold():
            raise forms.ValidationError(
                _("Please type your username, %(username)s, exactly as it is shown.")
                % {"username": self.user.username}
            )
        return typed

    @property
    def keep_posts(self) -> bool:
        return self.cleaned_data["posts"] == KEEP
