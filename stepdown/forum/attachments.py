"""Tell the uploads app which images a post shows, and to whom.

An image a member adds is visible only to them until one of their posts shows it; then to the
readers of that post's category (guests too in a public category, signed-in members in a
members-only one), never fewer later (uploads.actions.record_use). Called by the forum's
actions each time a post's text is saved (a new post, an edit, a revert).
"""

from __future__ import annotations

import re

from django.conf import settings

from stepdown.core.text import is_upload_src
from stepdown.uploads.actions import record_use
from stepdown.uploads.models import Audience

from .models import Access, Post, Topic

# Addresses in the stored HTML, as nh3 writes attributes (always double-quoted). A link to an
# upload counts like the image itself: it is an address readers of the post follow.
_ADDRESS = re.compile(r'\s(?:src|href)="([^"]*)"')
_AUDIENCE_OF_CATEGORY = {Access.PUBLIC: Audience.PUBLIC, Access.MEMBERS: Audience.MEMBERS}


def upload_names_in(html: str) -> set[str]:
    """The storage names (``uploads/YYYY/MM/<uuid>.<ext>``) of the uploads ``html`` shows."""
    prefix = len(settings.MEDIA_URL)
    return {src[prefix:] for src in _ADDRESS.findall(html) if is_upload_src(src)}


def record_uploads(post: Post) -> None:
    """Record that ``post`` shows its uploads to the readers of its category."""
    if post.is_deleted:
        return
    names = upload_names_in(post.body_html)
    if not names:
        return  # most posts: no query at all
    read_access = (
        Topic.objects.filter(pk=post.topic_id).values_list("category__read_access", flat=True).get()
    )
    # A category whose access we do not know shows its images to the narrower audience.
    audience = _AUDIENCE_OF_CATEGORY.get(read_access, Audience.MEMBERS)
    record_use(names, audience=audience, owner_id=post.author_id)
