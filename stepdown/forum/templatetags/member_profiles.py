"""Avatars and display names beside members' names, as each member chose.

    {% load member_profiles %}
    {% avatar post.author %}                   a 40 px avatar (large=True: the member page's)
    {% display_name_for post.author as shown %} the display name this reader may see, or ""

Neither reads the database: they use the member row the page already selected. The picture
shows to whoever may see the member's profile; everyone else sees the generated initials.
Both are decorative beside the username (aria-hidden), which is always shown as text.
"""

from __future__ import annotations

from django import template

from ..profiles import avatar_tone, can_see_profile, initials

register = template.Library()


def _viewer(context):
    """Who reads: the request's member, or ``reader`` (a ``post_fragments.Reader``, which
    holds all a kept post may know of its reader), or the ``user`` in the context."""
    request = context.get("request")
    return context.get("reader") or getattr(request, "user", None) or context.get("user")


@register.inclusion_tag("forum/_avatar.html", takes_context=True)
def avatar(context, member, large: bool = False) -> dict:
    if member is None:
        return {"member": None}
    viewer = _viewer(context)
    picture = member.avatar_url if viewer is not None and can_see_profile(viewer, member) else ""
    return {
        "member": member,
        "picture": picture,
        "initials": initials(member.username),
        "tone": avatar_tone(member.username),
        "large": large,
    }


@register.simple_tag(takes_context=True)
def display_name_for(context, member) -> str:
    if member is None or not member.display_name:
        return ""
    viewer = _viewer(context)
    if viewer is None or not can_see_profile(viewer, member):
        return ""
    return member.display_name
