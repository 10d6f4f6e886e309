"""@mentions in posts: which members a text names, its HTML with their names linked, and the
``Mention`` rows kept for notifications.

``core.text`` finds the ``@name``s (never in code, links or e-mail addresses; see the pattern
there) and links the ones it is given; this module looks the names up, in one query for the whole
text: active members only, case-insensitively (``@Sam`` and ``@sam`` are the same member). A name
no active member has stays plain text, as typed, and is listed in ``unknown`` so the composer can
say so; nothing the member wrote is changed or lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse

from stepdown.core.text import MentionMatch, find_mentions, render_markdown

from .models import Mention, Post

# Names looked up per text; later ones stay plain text (listed in ``RenderedBody.skipped``), so
# one post can neither notify a crowd nor send an unbounded query.
MAX_MENTIONS_PER_POST = 50


@dataclass(frozen=True)
class RenderedBody:
    """A post's text rendered with its mentions linked, and what the mentions came to.

    ``mentioned``: the members named, in the order first named (the author too, if they named
    themselves). ``unknown``: names as typed (first spelling, no repeats) that no active member
    has. ``skipped``: names past ``MAX_MENTIONS_PER_POST``, left as plain text and not looked up.
    """

    html: str
    mentioned: list = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Resolved:
    members: dict[str, object]  # lower-cased username -> member, for each name that was found
    mentioned: list
    unknown: list[str]
    skipped: list[str]


def member_url(member) -> str:
    """The member page a mention links to."""
    return reverse("forum:member", kwargs={"username": member.username})


def _distinct_names(matches: list[MentionMatch]) -> list[MentionMatch]:
    seen: dict[str, MentionMatch] = {}
    for match in matches:
        seen.setdefault(match.longest.lower(), match)
    return list(seen.values())


def _members_named(matches: list[MentionMatch]) -> dict[str, object]:
    """Active members with any of the names ``matches`` may stand for: one query.

    The lower-cased comparison runs in the database; SQLite's ``lower()`` folds ASCII only, so the
    names are also compared exactly as typed (which is how autocomplete writes them).
    """
    if not matches:
        return {}
    lowered = {name for match in matches for name in match.candidates()}
    as_typed = {name for match in matches for name in (match.longest, match.typed)}
    members = (
        get_user_model()
        .objects.annotate(lowered_username=Lower("username"))
        .filter(Q(lowered_username__in=lowered) | Q(username__in=as_typed), is_active=True)
        .order_by("pk")
    )
    found: dict[str, object] = {}
    for member in members:
        found.setdefault(member.username.lower(), member)
    return found


def _resolve(body: str) -> _Resolved:
    names = _distinct_names(find_mentions(body))
    typed_order = list(dict.fromkeys(match.typed.lower() for match in names))
    looked_up = set(typed_order[:MAX_MENTIONS_PER_POST])
    wanted = [match for match in names if match.typed.lower() in looked_up]
    skipped = _first_spellings(m.typed for m in names if m.typed.lower() not in looked_up)
    found = _members_named(wanted)
    members: dict[str, object] = {}
    mentioned: dict[int, object] = {}
    unknown: list[str] = []
    for match in wanted:
        name = next((n for n in match.candidates() if n in found), None)
        if name is None:
            unknown.append(match.typed)
            continue
        member = found[name]
        members[name] = member
        mentioned.setdefault(member.pk, member)
    return _Resolved(
        members=members,
        mentioned=list(mentioned.values()),
        unknown=_first_spellings(unknown),
        skipped=skipped,
    )


def _first_spellings(names: Iterable[str]) -> list[str]:
    firsts: dict[str, str] = {}
    for name in names:
        firsts.setdefault(name.lower(), name)
    return list(firsts.values())


def render_body(body: str) -> RenderedBody:
    """Render ``body`` with the active members it names linked to their pages (one query)."""
    resolved = _resolve(body)
    links = {name: member_url(member) for name, member in resolved.members.items()}
    return RenderedBody(
        html=render_markdown(body, mentions=links),
        mentioned=resolved.mentioned,
        unknown=resolved.unknown,
        skipped=resolved.skipped,
    )


def unknown_names(body: str) -> list[str]:
    """The names in ``body``, as typed, that no active member has (one query, no rendering)."""
    return _resolve(body).unknown


def store_mentions(post: Post, users: Iterable, *, new_post: bool = False) -> list:
    """Make ``post``'s Mention rows match ``users``: add the new, remove the ones no longer named.

    The post's own author is never stored. Returns the members newly mentioned (whom a
    notification would tell), in the order given. A ``new_post`` (just inserted, in the
    caller's transaction) has no rows yet: nothing is read, and nothing written unless it
    names someone.
    """
    wanted: dict[int, object] = {}
    for user in users:
        if user.pk != post.author_id:
            wanted.setdefault(user.pk, user)
    if new_post:
        added = list(wanted.values())
        if added:
            Mention.objects.bulk_create([Mention(post=post, user_id=user.pk) for user in added])
        return added
    with transaction.atomic():
        stored = set(Mention.objects.filter(post=post).values_list("user_id", flat=True))
        gone = stored - set(wanted)
        if gone:
            Mention.objects.filter(post=post, user_id__in=gone).delete()
        added = [user for pk, user in wanted.items() if pk not in stored]
        Mention.objects.bulk_create(
            [Mention(post=post, user_id=user.pk) for user in added], ignore_conflicts=True
        )
    return added
