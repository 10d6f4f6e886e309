from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .processing import ImageRejected, ProcessedImage, process_image

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
DEFAULT_MAX_SIDE = 2048


def upload_limits() -> dict[str, int]:
    """The limits admins set (STEPDOWN_UPLOAD_MAX_BYTES, _MAX_PIXELS, _MAX_SIDE)."""
    return {
        "max_bytes": getattr(settings, "STEPDOWN_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES),
        "max_pixels": getattr(settings, "STEPDOWN_UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS),
        "max_side": getattr(settings, "STEPDOWN_UPLOAD_MAX_SIDE", DEFAULT_MAX_SIDE),
    }


class UploadForm(forms.Form):
    image = forms.FileField(
        label=_("Image"),
        help_text=_("A JPEG, PNG, WebP or GIF photo or picture."),
        error_messages={"required": _("Please choose an image to add.")},
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        help_text=_(
            "What the image shows, for members who use a screen reader or cannot load images."
        ),
        error_messages={"required": _("Please describe the image in a few words.")},
    )

    def clean_image(self) -> ProcessedImage:
        upload = self.cleaned_data["image"]
        limits = upload_limits()
        too_large = _("This file is too large: at most %(limit)s.") % {
            "limit": filesizeformat(limits["max_bytes"])
        }
        if upload.size > limits["max_bytes"]:
            raise forms.ValidationError(too_large, code="too_large")
        data = upload.read(limits["max_bytes"] + 1)
        try:
            return process_image(data, **limits)
        except ImageRejected as rejected:
            if rejected.code == "too_large":
                raise forms.ValidationError(too_large, code="too_large") from rejected
            messages = {
                "not_image": _(
                    "This file is not an image we can take. Please choose a JPEG, PNG, WebP "
                    "or GIF image."
                ),
                "too_many_pixels": _(
                    "This image has too many pixels (at most %(megapixels)d megapixels). "
                    "Please make it smaller and try again."
                )
                % {"megapixels": max(1, limits["max_pixels"] // 1_000_000)},
                "damaged": _(
                    "This image looks damaged or incomplete, so it could not be read. Please "
                    "try another copy."
                ),
            }
            raise forms.ValidationError(messages[rejected.code], code=rejected.code) from rejected
