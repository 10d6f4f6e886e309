"""Whole pages for signed-in members, each member's own, dropped on every change they could see.

A member reading a topic, going back to it or paging through it asks for the same page again and
again; rendering it (their controls on every post, their draft, counts and read position) costs
far more than serving it. So the pages guests get from ``core/page_cache.py`` are kept for
members too, one copy per member and browser session:

What is kept: the answer to a GET of a page named in ``STEPDOWN_GUEST_CACHED_PAGES`` asking at
most ``?page=N``, from a signed-in member, not htmx, with no message waiting (cookie or session),
when it is a 200 that sets no cookie of its own, changed nothing in the session (a page that
shows something once, such as the safety panel after a post, changes it) and used no CSP nonce.

The key: everything a guest page's key holds (scheme, host, language, path, page, build), the
member, their session key and the session's contents, their cookies (but the CSRF cookie) and
the ``Accept-Language`` header (the crisis locale a visitor chose, their browser's region). A page
is never served to anybody but the browser session it was rendered for.

When a kept page goes: whenever either generation changes. The guests' generation changes with
every write a guest could see (a reply anywhere, an edit, a member's new name, ...); the
members' generation with those and with every write to what only members see: drafts,
notifications, messages, read state, follows, blocks, warnings, reports (``page_cache.reach``).
Both are read before the page is rendered and changed after a write commits, so a page rendered
before a write is never served after it. Reading a page may itself write (the member's read
state, their notifications about the posts shown): that write changes the members' generation,
so the page rendered with it is served no more, and the next one, rendered with nothing left to
mark, is kept. A page served from the cache runs no view at all, and needs no write: nothing
has changed since one was rendered that wrote what it had to. Pages also expire after
``STEPDOWN_MEMBER_PAGE_CACHE_SECONDS`` (60; 0 turns this cache off), which bounds relative times
and time-driven changes (an edit window that closes, a suspension that ends: the server checks
those again on every POST, whatever a page shows).

What must differ on every page served is put in fresh: the CSRF token (kept as a placeholder and
replaced by a newly masked token of the member's own secret) and each form's
``submission_key`` (a new random key per form, as ``forum.forms.ReplyForm`` renders one: two
tabs never share a key, so one never swallows the other's reply).

Where: the ``member-pages`` cache (Redis when ``REDIS_URL`` is set, else each process's memory,
at most 150 pages). This middleware is the last one, inside the session, CSRF,
authentication and message middleware, so a kept page gets every header those add afresh.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import uuid

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import _does_token_match, get_token

from . import page_cache

logger = logging.getLogger(__name__)

CACHE_ALIAS = "member-pages"
_SESSION_MESSAGES = "_messages"  # django.contrib.messages' session storage
# Placeholders kept in a stored page where the fresh values go (random, so no text can forge one).
_CSRF_PLACEHOLDER = b"csrfplaceholder" + secrets.token_hex(16).encode()
_KEY_PLACEHOLDER = b"submissionplaceholder" + secrets.token_hex(16).encode()
# How Django renders {% csrf_token %} and a form's hidden submission key (forum.forms).
_CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")([A-Za-z0-9]{64})(")')
_KEY_INPUT = re.compile(rb'(name="submission_key" value=")([0-9a-f]{32})(")')


def _store():
    return caches[CACHE_ALIAS]


def _may_reuse(request: HttpRequest) -> bool:
    """A member's GET that a kept page may answer: nothing waiting to be shown once."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    return (
        user is not None
        and user.is_authenticated
        and session is not None
        and session.session_key is not None
        and page_cache._MESSAGE_COOKIE not in request.COOKIES
        and _SESSION_MESSAGES not in session
        and "HTTP_HX_REQUEST" not in request.META
        and "HTTP_AUTHORIZATION" not in request.META
        and page_cache.query_may_share(request)
    )


def _cookies(request: HttpRequest) -> dict[str, str]:
    """The cookies a page may depend on: all but the CSRF cookie, whose tokens are put in
    fresh on every page served (a browser's first page sets it)."""
    return {
        name: value for name, value in request.COOKIES.items() if name != settings.CSRF_COOKIE_NAME
    }


def _key(request: HttpRequest) -> str | None:
    session = request.session
    return page_cache.page_key(
        request,
        str(request.user.pk),
        session.session_key or "",
        json.dumps(dict(session.items()), sort_keys=True, default=str),
        json.dumps(_cookies(request), sort_keys=True),
        request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
        prefix="member-page:",
    )


def _storable(request: HttpRequest, response: HttpResponse, user_pk) -> bool:
    return (
        page_cache.replayable(request, response)
        and not request.session.modified
        and getattr(request.user, "pk", None) == user_pk  # nobody signed in or out meanwhile
    )


def _with_placeholders(content: bytes, csrf_secret: str | None) -> bytes | None:
    """``content`` with the CSRF tokens and submission keys made placeholders (None: a token
    that is not a masked token of the member's own secret, and the page is never kept)."""
    tokens = {match.group(2).decode() for match in _CSRF_INPUT.finditer(content)}
    if tokens and (
        csrf_secret is None or not all(_does_token_match(t, csrf_secret) for t in tokens)
    ):
        return None
    content = _CSRF_INPUT.sub(rb"\g<1>" + _CSRF_PLACEHOLDER + rb"\g<3>", content)
    return _KEY_INPUT.sub(rb"\g<1>" + _KEY_PLACEHOLDER + rb"\g<3>", content)


def _fresh(request: HttpRequest, content: bytes) -> bytes:
    """A kept page with fresh values where its placeholders are."""
    if _CSRF_PLACEHOLDER in content:
        content = content.replace(_CSRF_PLACEHOLDER, get_token(request).encode())
    if _KEY_PLACEHOLDER in content:
        pieces = content.split(_KEY_PLACEHOLDER)
        content = pieces[0] + b"".join(uuid.uuid4().hex.encode() + piece for piece in pieces[1:])
    return content


class MemberPageCacheMiddleware:
    """Serve and keep members' own pages (see the module's docstring). Last in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = getattr(settings, "STEPDOWN_MEMBER_PAGE_CACHE_SECONDS", 0)
        if (
            seconds <= 0
            or request.method not in ("GET", "HEAD")
            or page_cache.page_url_name(request) is None
            or not _may_reuse(request)
        ):
            return self.get_response(request)
        key = _key(request)
        if key is None:
            return self.get_response(request)
        store = _store()
        try:
            generations, entry = page_cache.lookup(key, store, page_cache.EVERYONE)
        except Exception:  # the cache is down: serve from the database
            logger.warning("The member page cache did not answer", exc_info=True)
            return self.get_response(request)
        if entry is not None and tuple(entry[:2]) == generations:
            _guests, _members, status, headers, content = entry
            return page_cache.replay(status, headers, _fresh(request, content))
        user_pk = request.user.pk
        response = self.get_response(request)
        if not _storable(request, response, user_pk):
            response.headers[page_cache.STATUS_HEADER] = "bypass"
            return response
        content = _with_placeholders(response.content, request.META.get("CSRF_COOKIE"))
        if content is not None:
            headers = page_cache.kept_headers(response)
            try:
                store.set(key, (*generations, response.status_code, headers, content), seconds)
            except Exception:
                logger.warning("Could not keep a member's page in the cache", exc_info=True)
        response.headers[page_cache.STATUS_HEADER] = "miss"
        return response
