from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    """Who may fetch an upload: the widest audience of the posts it appears in."""

    UNUSED = "unused", _("Not in a post yet: only the member who added it")
    MEMBERS = "members", _("In members-only posts: signed-in members")
    PUBLIC = "public", _("In a public post: everyone")


# Narrowest first: an upload's audience only ever moves up this list.
AUDIENCE_ORDER = (Audience.UNUSED, Audience.MEMBERS, Audience.PUBLIC)


class Upload(models.Model):
    """One re-encoded image in the default storage, named ``uploads/YYYY/MM/<uuid>.<ext>``.

    ``content_type`` is what the image was re-encoded as; it is sent when the file is served, so
    the browser never has to guess a type from the name or the bytes.

    ``audience`` says who may fetch it (permissions.can_see_upload): ``unused`` until a post of
    its owner shows it, then the widest audience of any such post. It never narrows: a page
    that showed the image to guests may be cached or copied, so taking it back would only break
    it. Uploads still unused after ``STEPDOWN_UPLOAD_UNUSED_DAYS`` are removed by
    ``stepdown cleanup_uploads``.
    """

    # Kept (without an owner) when a member deletes their account but keeps their posts, so the
    # images in those posts still show; removed with the posts otherwise (personal_data.py).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="uploads"
    )
    storage_name = models.CharField(max_length=255, unique=True)
    content_type = models.CharField(max_length=50)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    bytes = models.PositiveIntegerField(help_text=_("Size of the stored file."))
    created = models.DateTimeField(auto_now_add=True)
    audience = models.CharField(
        _("who may see it"), max_length=10, choices=Audience.choices, default=Audience.UNUSED
    )
    first_used_at = models.DateTimeField(_("first shown in a post"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["audience", "created"], name="upload_audience_created")]

    def __str__(self) -> str:
        return self.storage_name

    @property
    def url(self) -> str:
        return settings.MEDIA_URL + self.storage_name
