from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Upload(models.Model):
    """One re-encoded image in the default storage, named ``uploads/YYYY/MM/<uuid>.<ext>``.

    ``content_type`` is what the image was re-encoded as; it is sent when the file is served, so
    the browser never has to guess a type from the name or the bytes.
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

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.storage_name

    @property
    def url(self) -> str:
        return settings.MEDIA_URL + self.storage_name
