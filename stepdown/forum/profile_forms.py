"""The profile form: display name, about, picture and the member's choices of what is shown."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from stepdown.accounts.models import (
    ABOUT_MAX_LENGTH,
    DISPLAY_NAME_MAX_LENGTH,
    ProfileVisibility,
)
from stepdown.uploads.forms import UploadForm
from stepdown.uploads.processing import ProcessedImage

from .approval import link_refusal
from .profiles import ProfileChoices, clean_display_name


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        required=False,
        max_length=DISPLAY_NAME_MAX_LENGTH,
        help_text=_(
            "Optional. Shown beside your username, which stays your name in mentions and links."
        ),
    )
    about = forms.CharField(
        label=_("About you"),
        required=False,
        max_length=ABOUT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Optional, a few lines (Markdown, up to %(limit)d characters). Please leave out "
            "contact details and anything you would not want others to know."
        )
        % {"limit": ABOUT_MAX_LENGTH},
    )
    avatar = forms.FileField(
        label=_("New picture"),
        required=False,
        help_text=_(
            "Optional. A JPEG, PNG, WebP or GIF image; it is cropped to a square, made small, "
            "and stored without its hidden details (camera, place). Without a picture, your "
            "initials are shown."
        ),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    remove_avatar = forms.BooleanField(
        label=_("Remove my picture and show my initials"), required=False
    )
    profile_visibility = forms.ChoiceField(
        label=_("Who sees your picture, display name, about and taper signature"),
        choices=ProfileVisibility.choices,
        widget=forms.RadioSelect,
        help_text=_("Guests see your username and the posts they may read either way."),
    )
    show_about = forms.BooleanField(label=_("Show your about text"), required=False)
    show_activity = forms.BooleanField(
        label=_("List your recent topics and posts on your page"), required=False
    )
    show_post_count = forms.BooleanField(
        label=_("Show how many posts you wrote and topics you started"), required=False
    )
    show_signature = forms.BooleanField(
        label=_("Show your taper signature on your page (when you have one)"), required=False
    )

    def __init__(self, *args, member=None, **kwargs):
        """``member``: whose profile it is (new members may not add links or images yet)."""
        super().__init__(*args, **kwargs)
        self.member = member

    def clean_about(self) -> str:
        about = self.cleaned_data["about"]
        if self.member is not None and about.strip() != self.member.about.strip():
            refusal = link_refusal(self.member, about)
            if refusal:
                raise forms.ValidationError(refusal, code="links")
        return about

    def clean_display_name(self) -> str:
        try:
            return clean_display_name(self.cleaned_data["display_name"])
        except ValueError as error:
            raise forms.ValidationError(
                _("Please use letters, numbers, spaces and punctuation only."),
                code="invisible",
            ) from error

    def clean_avatar(self) -> ProcessedImage | None:
        chosen = self.cleaned_data.get("avatar")
        if not chosen:
            return None
        # The uploads form checks and cleans the image, with its limits and its messages.
        checked = UploadForm(data={"description": "avatar"}, files={"image": chosen})
        if not checked.is_valid():
            raise forms.ValidationError(checked.errors["image"])
        return checked.cleaned_data["image"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("avatar") and cleaned.get("remove_avatar"):
            self.add_error(
                "remove_avatar",
                _("Please either choose a new picture or remove your picture, not both."),
            )
        return cleaned

    @staticmethod
    def initial_for(member) -> dict:
        return {
            "display_name": member.display_name,
            "about": member.about,
            "profile_visibility": member.profile_visibility,
            "show_about": member.show_about,
            "show_activity": member.show_activity,
            "show_post_count": member.show_post_count,
            "show_signature": member.show_signature,
        }

    def choices(self) -> ProfileChoices:
        data = self.cleaned_data
        return ProfileChoices(
            display_name=data["display_name"],
            about=data["about"].strip(),
            profile_visibility=data["profile_visibility"],
            show_about=data["show_about"],
            show_activity=data["show_activity"],
            show_post_count=data["show_post_count"],
            show_signature=data["show_signature"],
        )
