"""Every write of uploads."""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .models import Upload
from .processing import ProcessedImage


def store_upload(owner, *, image: ProcessedImage) -> Upload:
    """Store a processed image under an unguessable name and record it for ``owner``.

    The file goes through Django's default storage (local disk or S3-compatible), under
    ``uploads/YYYY/MM/<uuid>.<ext>``. If recording fails the file is removed again.
    """
    now = timezone.now()
    wanted = f"uploads/{now:%Y/%m}/{uuid.uuid4().hex}.{image.extension}"
    name = default_storage.save(wanted, ContentFile(image.data))
    try:
        with transaction.atomic():
            return Upload.objects.create(
                owner=owner,
                storage_name=name,
                content_type=image.content_type,
                width=image.width,
                height=image.height,
                bytes=len(image.data),
            )
    except BaseException:
        default_storage.delete(name)
        raise
