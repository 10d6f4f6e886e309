"""The uploads' part of "Download my data" and of account deletion."""

from __future__ import annotations

from stepdown.core.personal_data import PersonalDataProvider

from .actions import delete_upload
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
    """Keeping posts keeps their images (ownerless once the account is gone); else remove them.
    The profile picture (``user.avatar``) goes either way."""
    uploads = Upload.objects.filter(owner=user)
    if keep_posts:
        uploads = uploads.filter(storage_name=user.avatar) if user.avatar else uploads.none()
    for upload in uploads:
        delete_upload(upload)


PROVIDER = PersonalDataProvider(name="uploads", export=export_uploads, erase=erase_uploads)
