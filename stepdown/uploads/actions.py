"""Every write of uploads."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .models import AUDIENCE_ORDER, Audience, Upload
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


def record_use(storage_names: Iterable[str], *, audience: str, owner_id: int | None) -> int:
    """Record that a post of member ``owner_id`` shows the uploads ``storage_names`` to readers.

    ``audience`` is "public" or "members". Only existing uploads of that member count (``None``:
    uploads left by a deleted account whose posts were kept), so nobody can publish someone
    else's image by pasting its address. An upload's audience only widens: a members-only use
    never narrows a public one. Repeatable; returns how many uploads were widened.
    """
    if audience not in (Audience.MEMBERS, Audience.PUBLIC):
        raise ValueError(f"an upload is used by 'members' or 'public', not {audience!r}")
    names = set(storage_names)
    if not names:
        return 0
    narrower = AUDIENCE_ORDER[: AUDIENCE_ORDER.index(Audience(audience))]
    uploads = Upload.objects.filter(storage_name__in=names, owner_id=owner_id)
    with transaction.atomic():
        # Conditional updates, so two posts saved at once both end at the wider audience.
        uploads.filter(first_used_at__isnull=True).update(first_used_at=timezone.now())
        return uploads.filter(audience__in=narrower).update(audience=audience)


def delete_upload(upload: Upload) -> None:
    """Remove ``upload``: its file first, then its record.

    Stopped in between, what is left is a record without a file (served as 404, removed by the
    next run), never a file that nothing points to any more.
    """
    default_storage.delete(upload.storage_name)
    upload.delete()


def delete_unused_uploads(*, added_before: datetime, dry_run: bool = False) -> list[Upload]:
    """Remove the uploads added before ``added_before`` that no post has ever shown.

    Returns them, oldest first; with ``dry_run`` only says which they are. Each is checked again
    under a lock just before it goes, so an image put in a post meanwhile stays.
    """
    candidates = list(
        Upload.objects.filter(audience=Audience.UNUSED, created__lt=added_before).order_by(
            "created", "pk"
        )
    )
    if dry_run:
        return candidates
    removed = []
    for candidate in candidates:
        with transaction.atomic():
            upload = (
                Upload.objects.select_for_update()
                .filter(pk=candidate.pk, audience=Audience.UNUSED)
                .first()
            )
            if upload is None:
                continue
            delete_upload(upload)
        removed.append(candidate)
    return removed
