"""Who may add and see uploads.

`can_*` answer with a bool; `require_*` return the object or raise Http404.
"""

from __future__ import annotations

import re

from django.http import Http404

from stepdown.accounts.two_factor import has_two_factor
from stepdown.core.text import UPLOAD_NAME_PATTERN

from .models import Audience, Upload


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


def _moderates(user) -> bool:
    # The forum's rule (forum.permissions.is_moderator), which this app sits below: moderators
    # and admins, once they have two-factor sign-in.
    if not (user.is_superuser or user.is_moderator):
        return False
    return has_two_factor(user)


def can_see_upload(user, upload: Upload) -> bool:
    """Public uploads: everyone; members-only: signed-in members; unused: the uploader, so they
    can check it and preview their post, and moderators."""
    # Decided before ``user`` is looked at: a public image's response then does not vary with
    # the session cookie, so shared caches may keep it.
    if upload.audience == Audience.PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if upload.audience == Audience.MEMBERS:
        return True
    if upload.owner_id is not None and upload.owner_id == user.pk:
        return True
    return _moderates(user)


def require_served_upload(user, name: str) -> Upload:
    """The upload stored as ``uploads/<name>`` if ``user`` may see it; 404 otherwise.

    A refused image answers exactly like a missing one, so its existence never leaks.
    """
    if not re.fullmatch(UPLOAD_NAME_PATTERN, name):
        raise Http404
    upload = Upload.objects.filter(storage_name=f"uploads/{name}").first()
    if upload is None:
        raise Http404
    if not can_see_upload(user, upload):
        raise Http404
    return upload
