"""The uploads' part of "Download my data" and of account deletion."""

from __future__ import annotations

from django.core.files.storage import default_storage

from stepdown.core.personal_data import PersonalDataProvider

from .models import Upload


def export_uploads(user) -> dict:
    return {
        "images": [
            {
                "url": upload.url,
                "content_type": upload.content_type,
                "width": upload.width,
                "height": upload.height,
                "uploaded": upload.created.isoformat(),
            }
            for upload in Upload.objects.filter(owner=user).order_by("created")
        ]
    }


def erase_uploads(user, *, keep_posts: bool) -> None:
    """Keeping posts keeps their images (ownerless once the account is gone); else remove them."""
    if keep_posts:
        return
    for upload in Upload.objects.filter(owner=user):
        default_storage.delete(upload.storage_name)
        upload.delete()


PROVIDER = PersonalDataProvider(name="uploads", export=export_uploads, erase=erase_uploads)
