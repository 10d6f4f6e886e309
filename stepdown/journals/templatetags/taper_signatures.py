"""Taper signatures under forum posts: one query per page, whatever the number of posts.

The forum never imports the journals (layer rule); its topic template asks through this library:

    {% load taper_signatures %}
    {% taper_signatures posts as signatures %}
    ...
    {% with line=signatures|signature_for:post.author_id %}{% if line %}{{ line }}{% endif %}
    {% endwith %}

The stored facts (``Journal.signature``) are kept current by the journal actions, and are None
unless the member opted in and consents, so a single read of the page's authors is enough.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django import template
from django.utils import timezone

from ..models import Journal
from ..signature import format_signature

register = template.Library()


@register.simple_tag
def taper_signatures(posts: Iterable) -> dict[int, str]:
    """{author id: signature line} for the authors of ``posts`` who show a signature."""
    author_ids = {post.author_id for post in posts if getattr(post, "author_id", None)}
    if not author_ids:
        return {}
    stored = Journal.objects.filter(owner_id__in=author_ids, signature__isnull=False).values_list(
        "owner_id", "signature"
    )
    day = timezone.localdate()
    lines = {owner_id: format_signature(data, today=day) for owner_id, data in stored}
    return {owner_id: line for owner_id, line in lines.items() if line}


@register.filter
def signature_for(signatures: Mapping[int, str] | None, author_id: int | None) -> str:
    """The signature line of ``author_id`` from ``taper_signatures``, or ""."""
    if not signatures or author_id is None:
        return ""
    return signatures.get(author_id, "")
