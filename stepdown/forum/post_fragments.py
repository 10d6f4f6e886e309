"""Posts on topic pages, rendered once and shared by every reader who would see the same HTML.

Rendering ``forum/_post.html`` was most of the time a topic page took (twenty posts, each with
its reactions, share panel and actions). What a reader sees of a post depends on the post and on
a few facts about the reader, gathered in :class:`Reader`: signed in or not (display names,
pictures and signatures follow profile visibility), and whether they may reply, react (and
their reaction), edit the post, see its edit history, report it (not their own), recommend
it, or moderate.

The template is given those facts and nothing else about the reader: no user, no request, no
context processors (``forum/_post_batch.html`` passes ``post.reader`` as ``reader``, which the
avatar and display-name tags read too). So the key can be proved complete: it holds every
``Reader`` field, the post, the topic, the language, time zone and day (taper signatures count
days), the site address, the release, and the guest page cache's *generation*
(``core.page_cache``), which every database write that could change what a page shows replaces
at once (post text, reactions, authors, cards, moderation state, reaction kinds). Readers with
equal facts share entries: a page that fifty members read costs one rendering per post, not
fifty. A new control in ``_post.html`` that depends on the reader needs a new ``Reader`` field;
nothing else reaches the template.

The forms in a post carry a CSRF token, which belongs to the reader: posts are rendered with a
placeholder in its place, and each reader's own token goes in as the page is put together.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, fields

from django.conf import settings
from django.core.cache import caches
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from stepdown.core import page_cache

from . import queries
from .models import Post

logger = logging.getLogger(__name__)

CACHE_ALIAS = "fragments"
# Made once per process; never reach a reader (each gets their own token in the first's place,
# and the second only splits a batch). Only letters and digits, so escaping leaves them as they are.
_CSRF_PLACEHOLDER = "csrfplaceholder" + secrets.token_hex(16)
_SEPARATOR = "postseparator" + secrets.token_hex(16)


def _fragments():
    return caches[CACHE_ALIAS]


@dataclass(frozen=True)
class Reader:
    """All that ``forum/_post.html`` knows of the member reading a post. Every field is part of
    the post's cache key, and the template is given nothing else about the reader (not the
    user, not the request), so two readers with equal ``Reader`` values get the same HTML."""

    is_authenticated: bool
    may_reply: bool
    may_react: bool
    my_reaction: int | None  # the kind of their reaction, when they may react
    may_edit: bool
    may_see_history: bool
    own: bool
    may_recommend: bool
    may_moderate: bool


def reader_of(post: Post, view: dict) -> Reader:
    """The reader of the topic page ``view`` describes, as far as ``post`` goes."""
    user = view["user"]
    may_react = post.pk in view["may_react"]
    own = bool(user.is_authenticated and post.author_id == user.pk)
    return Reader(
        is_authenticated=bool(user.is_authenticated),
        may_reply=bool(view["may_reply"]),
        may_react=may_react,
        my_reaction=getattr(post, "my_reaction", None) if may_react else None,
        may_edit=post.pk in view["may_edit"],
        # permissions.can_see_history (the author, the category's moderators), from what the
        # view already knows, without a query per post.
        may_see_history=own or bool(view["may_moderate"]),
        own=own,
        may_recommend=post.pk in view["may_recommend"],
        may_moderate=bool(view["may_moderate"]),
    )


_READER_FIELDS = tuple(field.name for field in fields(Reader))


def _key_of(reader: Reader) -> str:
    """Every field of ``reader``, compactly: "1", "0", or "-value-"."""
    values = (getattr(reader, name) for name in _READER_FIELDS)
    return "".join(str(int(v)) if isinstance(v, bool) else f"-{v}-" for v in values)


def _shared_part(view: dict, generation: str) -> str:
    """The part of every key that is the same for every post of one page."""
    parts = (
        generation,
        page_cache.build_token(),
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        timezone.localdate().isoformat(),
        view["site_root"],
        str(view["topic"].pk),
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _render(posts: list[Post], view: dict) -> dict[int, str]:
    """Render ``posts`` with ``forum/_post.html``, the placeholder in the token's place.

    One template run for all of them (``forum/_post_batch.html``), so the taper signatures of
    their authors cost one query (the journals app shows them through its template tag).
    """
    queries.attach_reactions(posts, view["user"])
    batch = get_template("forum/_post_batch.html").render(
        {
            "posts": posts,
            "topic": view["topic"],
            "reaction_kinds": view["reaction_kinds"],
            "site_root": view["site_root"],
            "separator": _SEPARATOR,
            "csrf_token": _CSRF_PLACEHOLDER,
        }
    )
    pieces = batch.split(_SEPARATOR)[:-1]  # the text after the last separator is empty
    return {post.pk: piece for post, piece in zip(posts, pieces, strict=True)}


def render_posts(request, posts: list[Post], view: dict) -> list[SafeString]:
    """The HTML of each of ``posts`` for the reader of ``request``, in order.

    ``view``: what the topic page decided for this reader (``user``, ``topic``, ``may_reply``,
    ``may_react``, ``may_edit``, ``may_recommend``, ``may_moderate``, ``reaction_kinds``,
    ``site_root``). Each post must carry ``my_reaction`` (:func:`queries.attach_my_reactions`).
    """
    if not posts:
        return []
    for post in posts:
        post.reader = reader_of(post, view)
    store = _fragments()
    seconds = settings.STEPDOWN_FRAGMENT_CACHE_SECONDS
    keys: dict[int, str] = {}  # post id -> cache key
    html: dict[int, str] = {}  # post id -> its HTML, placeholder and all
    if seconds > 0:
        try:
            shared = _shared_part(view, page_cache.generation_now())
            keys = {post.pk: f"post:{post.pk}:{shared}:{_key_of(post.reader)}" for post in posts}
            found = store.get_many(list(keys.values()))
            html = {pk: found[key] for pk, key in keys.items() if key in found}
        except Exception:  # a cache that is down costs speed, never the page
            logger.warning("Could not read rendered posts from the cache", exc_info=True)
            keys = {}
    missing = [post for post in posts if post.pk not in html]
    if missing:
        rendered = _render(missing, view)
        html.update(rendered)
        if keys:
            try:
                store.set_many({keys[pk]: piece for pk, piece in rendered.items()}, seconds)
            except Exception:
                logger.warning("Could not keep rendered posts in the cache", exc_info=True)
    pieces = [html[post.pk] for post in posts]
    if any(_CSRF_PLACEHOLDER in piece for piece in pieces):
        # Only then: asking for a token marks the answer as one no guest page cache may keep.
        token = get_token(request)
        pieces = [piece.replace(_CSRF_PLACEHOLDER, token) for piece in pieces]
    # Each piece is the output of our own escaping template (forum/_post.html), kept as it was.
    return [mark_safe(piece) for piece in pieces]  # noqa: S308  # nosec B308 B703
