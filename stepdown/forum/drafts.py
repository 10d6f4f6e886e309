"""Drafts: what a member is writing, kept on the server so a closed tab, a crash, another device
or an expired session never loses it.

A composer is named by a key: ``reply:<topic id>`` or ``topic:<category id>``. The browser saves
the composer's fields a moment after each pause in typing (and once more as the page closes);
the server saves them too whenever a submission fails, and keeps a signed-out submission in the
session until the member signs in again. Posting deletes the draft.

An edit of a post (``edit:<post id>``) has no saved draft, but a signed-out submission of the
edit form is held in the session the same way and fills the form again after sign-in.
"""

from __future__ import annotations

from django.conf import settings

from .models import Category, Draft, Post, Topic

# Text fields of the reply and new-topic forms that a draft keeps; nothing else is stored.
DRAFT_FIELDS = (
    "body",
    "tag",
    "title",
    "article_lookup",
    "article_title",
    "article_authors",
    "article_source",
    "article_published",
    "article_doi",
    "article_url",
    "article_abstract",
)
# The edit form's text fields, held across sign-in (``edit_key``).
EDIT_FIELDS = ("body", "reason")
# Where a signed-out submission waits in the session for the member to sign in again.
PENDING_SESSION_KEY = "stepdown_pending_drafts"


def reply_key(topic: Topic) -> str:
    return f"reply:{topic.pk}"


def topic_key(category: Category) -> str:
    return f"topic:{category.pk}"


def edit_key(post: Post) -> str:
    return f"edit:{post.pk}"


def draft_fields(data, names: tuple[str, ...] = DRAFT_FIELDS) -> dict[str, str]:
    """The draftable text fields of ``data`` (a QueryDict or dict), capped in length;
    ``names``: which fields (the reply and new-topic forms' by default).

    Over-long text is kept whole up to twice the posting limit, so a member who pasted too much
    still has all of it to trim; beyond that nothing is a real draft.
    """
    cap = settings.STEPDOWN_BODY_MAX_LENGTH * 2
    fields = {}
    for name in names:
        value = data.get(name)
        if isinstance(value, str) and value.strip():
            fields[name] = value[:cap]
    return fields


def draft_for(user, key: str) -> Draft | None:
    """The member's saved draft for the composer ``key``, if any (one query)."""
    if not user.is_authenticated:
        return None
    return Draft.objects.filter(user=user, key=key).first()


def keep_pending(session, key: str, fields: dict[str, str]) -> None:
    """Hold a signed-out member's submission in their session until they sign in again."""
    if not fields:
        return
    pending = dict(session.get(PENDING_SESSION_KEY, {}))
    pending[key] = fields
    session[PENDING_SESSION_KEY] = pending


def take_pending(session, key: str) -> dict[str, str] | None:
    """The submission held for ``key`` (removed from the session), or None."""
    pending = dict(session.get(PENDING_SESSION_KEY, {}))
    fields = pending.pop(key, None)
    if fields is not None:
        if pending:
            session[PENDING_SESSION_KEY] = pending
        else:
            session.pop(PENDING_SESSION_KEY, None)
    return fields
