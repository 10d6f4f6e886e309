"""Member profiles: who sees which part, the generated initials, and every profile write.

A profile lives on the member (``accounts.User``: display name, about, avatar and the member's
choices). It is the forum's to show and edit because the picture is an upload (uploads sits
between accounts and the forum).

What a viewer sees (``shown_parts``):

- the *personal parts* (picture, display name, about, taper signature) follow
  ``profile_visibility``: everyone, or signed-in members only (the default: a health community
  is private by default). Guests then see the generated initials, never the picture, and a calm
  note asking them to sign in;
- the member's recent topics and posts and their post count follow ``show_activity`` and
  ``show_post_count`` (both on by default); the list only ever holds posts the viewer may read,
  which the forum shows them under the member's name anyway;
- the member always sees all of their own page.

The picture is an ``uploads.Upload`` of the member, square and small, whose audience matches
the profile's: ``public`` when everyone may see the profile, ``members`` otherwise. An upload's
audience never narrows in place (a public address may be cached or copied), so when a member
narrows their profile the picture is stored again under a new address for members and the
public one is deleted.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zlib
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageOps

from stepdown.accounts.models import ProfileVisibility, User
from stepdown.uploads import actions as uploads
from stepdown.uploads.models import Audience, Upload
from stepdown.uploads.processing import ProcessedImage

from . import mentions

AVATAR_SIDE = 256
# Calm tones for the generated initials, each at least 4.5:1 against white text (WCAG AA);
# static/css/stepdown.css has one class per tone (.avatar--tone-N), tests check the contrast.
AVATAR_TONES = 8
_NAME_PARTS = re.compile(r"[\s._+\-]+")
# Control, format (bidi overrides, zero-width joiners), private-use, surrogate and separator
# characters: nothing that could hide or reorder the name beside which it stands.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})


# --- Who sees what ------------------------------------------------------------------------------


def is_own_profile(viewer, member) -> bool:
    return viewer.is_authenticated and viewer.pk == member.pk


def can_see_profile(viewer, member) -> bool:
    """Whether ``viewer`` sees ``member``'s personal parts (picture, display name, about,
    signature): everyone for a public profile, else signed-in members, and always the member."""
    if member.profile_visibility == ProfileVisibility.EVERYONE:
        return True
    return viewer.is_authenticated


@dataclass(frozen=True)
class ShownParts:
    """What one viewer sees of one member's page."""

    own: bool
    personal: bool  # picture, display name (and the sign-in note when False)
    about: bool
    signature: bool
    activity: bool
    post_count: bool

    @property
    def counts_needed(self) -> bool:
        return self.activity or self.post_count


def shown_parts(viewer, member) -> ShownParts:
    """The parts of ``member``'s page that ``viewer`` sees, as the member chose."""
    if is_own_profile(viewer, member):
        return ShownParts(
            own=True, personal=True, about=True, signature=True, activity=True, post_count=True
        )
    personal = can_see_profile(viewer, member)
    return ShownParts(
        own=False,
        personal=personal,
        about=personal and member.show_about,
        signature=personal and member.show_signature,
        activity=member.show_activity,
        post_count=member.show_post_count,
    )


# --- Generated initials -------------------------------------------------------------------------


def initials(username: str) -> str:
    """One or two letters for ``username``: the first of its first two parts ("river_walker"
    gives "RW", "sam" gives "S")."""
    parts = [part for part in _NAME_PARTS.split(username) if part]
    letters = "".join(part[0] for part in parts[:2]) or username[:1] or "?"
    return letters.upper()


def avatar_tone(username: str) -> int:
    """The same calm tone for a name on every page and every server (not Python's hash())."""
    return zlib.crc32(username.lower().encode("utf-8")) % AVATAR_TONES


# --- Checking and squaring ------------------------------------------------------------------------


def clean_display_name(value: str) -> str:
    """``value`` with its spaces collapsed; ValueError when it holds invisible or reordering
    characters."""
    name = " ".join(value.split())
    if any(unicodedata.category(char) in _REFUSED_CATEGORIES for char in name):
        raise ValueError("invisible characters")
    return name


_SAVE_OPTIONS: dict[str, dict] = {
    "image/jpeg": {"format": "JPEG", "quality": 85, "optimize": True},
    "image/png": {"format": "PNG", "optimize": True},
    "image/webp": {"format": "WEBP", "quality": 85},
}


def square_avatar(image: ProcessedImage, *, side: int = AVATAR_SIDE) -> ProcessedImage:
    """``image`` (already cleaned by ``uploads.processing``: upright, no metadata) cropped to
    its centre square and scaled to ``side`` pixels, in the same format."""
    options = _SAVE_OPTIONS[image.content_type]
    with Image.open(io.BytesIO(image.data)) as source:
        source.load()
        squared = ImageOps.fit(source, (min(side, *source.size),) * 2, Image.Resampling.LANCZOS)
    squared.info = {}  # nothing but the pixels travels on
    buffer = io.BytesIO()
    squared.save(buffer, **options)
    return ProcessedImage(
        data=buffer.getvalue(),
        content_type=image.content_type,
        extension=image.extension,
        width=squared.width,
        height=squared.height,
    )


# --- Writes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileChoices:
    display_name: str
    about: str
    profile_visibility: str
    show_about: bool
    show_activity: bool
    show_post_count: bool
    show_signature: bool


def _audience_for(visibility: str) -> str:
    if visibility == ProfileVisibility.EVERYONE:
        return Audience.PUBLIC
    return Audience.MEMBERS


def _avatar_upload(member: User) -> Upload | None:
    if not member.avatar:
        return None
    return Upload.objects.filter(storage_name=member.avatar, owner=member).first()


def _stored_again(upload: Upload) -> Upload | None:
    """A copy of ``upload``'s file under a new, unguessable name (same owner); None when the
    file is gone (the picture is then dropped, back to initials)."""
    try:
        with default_storage.open(upload.storage_name, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    image = ProcessedImage(
        data=data,
        content_type=upload.content_type,
        extension=upload.storage_name.rsplit(".", 1)[-1],
        width=upload.width,
        height=upload.height,
    )
    return uploads.store_upload(upload.owner, image=image)


def _delete_after_commit(upload: Upload | None) -> None:
    if upload is not None:
        transaction.on_commit(lambda: uploads.delete_upload(upload))


def save_profile(
    member: User,
    *,
    choices: ProfileChoices,
    new_avatar: ProcessedImage | None = None,
    remove_avatar: bool = False,
) -> User:
    """Save ``member``'s profile: the text (about rendered once, here, by the posting
    renderer), the choices, and the picture.

    ``new_avatar`` (cleaned by ``uploads.processing``) becomes the picture, squared; the old
    one is deleted. ``remove_avatar`` goes back to the generated initials. The picture's upload
    follows the profile's audience (see the module's docstring). Files are deleted only once
    the change is committed.
    """
    audience = _audience_for(choices.profile_visibility)
    old = _avatar_upload(member)
    fresh: Upload | None = None
    if new_avatar is not None:
        fresh = uploads.store_upload(member, image=square_avatar(new_avatar))
    elif old is not None and not remove_avatar and old.audience != audience:
        if audience == Audience.MEMBERS:  # narrowing: a new address, the public one goes
            fresh = _stored_again(old)
            remove_avatar = fresh is None
    try:
        with transaction.atomic():
            kept = fresh or (None if remove_avatar else old)
            if kept is not None:
                uploads.record_use([kept.storage_name], audience=audience, owner_id=member.pk)
            if old is not None and old is not kept:
                _delete_after_commit(old)
            member.display_name = choices.display_name
            member.about = choices.about
            member.about_html = mentions.render_body(choices.about).html if choices.about else ""
            member.avatar = kept.storage_name if kept is not None else ""
            member.profile_visibility = choices.profile_visibility
            member.show_about = choices.show_about
            member.show_activity = choices.show_activity
            member.show_post_count = choices.show_post_count
            member.show_signature = choices.show_signature
            member.save(
                update_fields=[
                    "display_name",
                    "about",
                    "about_html",
                    "avatar",
                    "profile_visibility",
                    "show_about",
                    "show_activity",
                    "show_post_count",
                    "show_signature",
                ]
            )
    except BaseException:
        if fresh is not None:
            uploads.delete_upload(fresh)
        raise
    return member
