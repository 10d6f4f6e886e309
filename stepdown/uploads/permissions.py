"""Who may add and see uploads.

`can_*` answer with a bool; `require_*` return the object or raise Http404.
"""

from __future__ import annotations

import re

from django.http import Http404

from stepdown.core.text import UPLOAD_NAME_PATTERN

from .models import Upload


def can_upload(user) -> bool:
    """Signed-in, active members may add images."""
    if not user.is_authenticated:
        return False
    return user.is_active


def require_own_upload(user, pk: int) -> Upload:
    """The upload ``pk`` if ``user`` added it; 404 otherwise, so others' uploads do not leak."""
    if not user.is_authenticated:
        raise Http404
    upload = Upload.objects.filter(pk=pk, owner=user).first()
    if upload is None:
        raise Http404
    return upload


def require_served_upload(name: str) -> Upload:
    """The upload stored as ``uploads/<name>``; 404 for any other name.

    Anyone may fetch an image by its unguessable name, as they appear in public posts.
    """
    if not re.fullmatch(UPLOAD_NAME_PATTERN, name):
        raise Http404
    upload = Upload.objects.filter(storage_name=f"uploads/{name}").first()
    if upload is None:
        raise Http404
    return upload
