"""Whole pages for guests, kept in the cache and dropped on every change a guest could see.

What is cached: the answer to a GET or HEAD of a page named in
``settings.STEPDOWN_GUEST_CACHED_PAGES`` (URL names: the home page, categories, topics, Latest,
member pages, feeds, search) from a browser that sends no session cookie and no message cookie,
is not an htmx request, and asks at most ``?page=N`` (a search: its words and filters, each at
most once, ``STEPDOWN_CACHED_PAGE_PARAMS``). Only a 200 that sets no cookie, holds no CSRF token
and used no CSP nonce is kept, so a kept page is the same for every guest. Members' pages are
kept for each of them alone by ``core/member_pages.py``; both are marked ``private``.

Where: the ``pages`` cache (Redis when ``REDIS_URL`` is set, so every app process shares the
pages; otherwise each process keeps its own). The key is the scheme, host, language, path, page
number and build (static manifest and version), and each entry holds the *generation* it was
rendered under.

When a kept page goes: whenever the generation changes, which it does after every database write
that could change what a guest sees. :func:`watch_writes` sits on every database connection and
looks at each INSERT, UPDATE and DELETE: a write to any table not in ``_INVISIBLE_TABLES``
(read state, drafts, notifications, conversations: members' own, see ``reach``) nor in
``_UNSHOWN_TABLES`` (sessions, the task queue) changes the generation once its transaction
commits. Watching the SQL, not model signals,
means queryset ``.update()`` and ``.delete()``, raw SQL, the admin and code written later are all
covered without anyone remembering to call anything. A new table is watched by default.

The generation is a random token, never a counter, so a lost update or an evicted key can never
bring an old page back: it lives in the ``pages`` cache with Redis, else in a file in the data
directory that every process on the machine reads (one small read per request). Ordering: a page
is rendered after reading the generation, and the generation changes after the write commits,
so a page rendered from data older than a write is always under an older generation than the
one that write leaves. Pages also expire after ``STEPDOWN_PAGE_CACHE_SECONDS`` (60), which
bounds how stale "5 minutes ago" may read; 0 turns the cache off.

Headers: kept pages get ``Cache-Control: no-cache`` (browsers and proxies ask again every time,
so a guest sees a new reply at once: the speed comes from this server-side cache), members'
``private, no-cache``. The middleware runs first, so a kept page is answered with every header
it was first sent with (CSP, security headers, Vary), untouched by any other middleware; a page
is kept only when its CSP has no nonce, so the replayed CSP always matches the replayed HTML.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import threading
import time
from functools import cache, cached_property, lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language_from_request

logger = logging.getLogger(__name__)

CACHE_ALIAS = "pages"
GENERATION_KEY = "page-cache:generation"
GENERATION_FILE = "page-cache-generation"
# Set on every answer to a cacheable page, for benchmarks and for curious admins.
STATUS_HEADER = "X-Page-Cache"
_MESSAGE_COOKIE = "messages"  # django.contrib.messages' cookie storage
_PAGE_QUERY = re.compile(r"(?:page=[0-9]{1,9})?")
_MAX_QUERY = 300  # longer query strings are answered fresh, never kept

# Tables whose rows show on no cached page, a guest's or a member's: writing them changes none.
# (A member's session is part of their pages' key instead: core/member_pages.py.)
_UNSHOWN_TABLES = (
    "django_session",
    "django_tasks",  # the background queue
    "django_admin_log",
)
# Tables whose rows only members see (their own drafts, notifications, read state, ...): writing
# them changes members' cached pages but no guest's. Everything else (forum, accounts.User,
# journals' signatures, moderation sanctions, sites, ...) changes both, tables added later too.
_INVISIBLE_TABLES = (
    "account_",  # allauth's addresses and confirmations (not accounts_user)
    "mfa_",
    "accounts_block",
    "conversations_",
    "notifications_",
    "uploads_",  # who may see an image; posts and profiles name the images
    "tapering_",  # plans; a shown taper signature is stored on journals_journal
    "journals_entry",
    "journals_dose",
    "journals_consentrecord",
    "forum_topicread",
    "forum_readmarker",
    "forum_categoryread",
    "forum_draft",
    "forum_articlelookup",  # the cards shown are copied onto forum_post
    "forum_mention",  # mentions are linked in the post's stored HTML
    "forum_postrevision",  # the history page is not cached; the post's edited_at is
    "moderation_report",
    "moderation_auditentry",
    "moderation_safetyalert",
    "moderation_warning",
)
# Member rows change on every sign-in; only these columns are never shown.
_USER_TABLE = "accounts_user"
_INVISIBLE_USER_COLUMNS = frozenset({"last_login", "password", "session_generation"})

_WRITE = re.compile(
    r"\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+[\"`]?(\w+)",
    re.IGNORECASE,
)
_WRITE_WORD = re.compile(r"\b(?:INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
_SET_COLUMN = re.compile(r"[\"`]?(\w+)[\"`]?\s*=\s*(?:%s|\?)")

_local = threading.local()


# --- The generations --------------------------------------------------------------------------


def _new_token() -> str:
    return f"{time.time_ns():016x}-{secrets.token_hex(6)}"  # one length: 29 characters


def _pages():
    return caches[CACHE_ALIAS]


def _shared() -> bool:
    """True when the pages cache is shared by every app process (Redis)."""
    return isinstance(_pages(), RedisCache)


class Generation:
    """One generation: a random token in the shared ``pages`` cache (Redis), else in a file of
    the data directory that every process on the machine reads. ``GUESTS`` changes with every
    write a guest could see; ``MEMBERS`` with those and with every write only members see
    (``core/member_pages.py``)."""

    def __init__(self, cache_key: str, file_suffix: str) -> None:
        self.cache_key = cache_key
        self.file_suffix = file_suffix

    @cached_property
    def file(self) -> Path:
        configured = getattr(settings, "STEPDOWN_PAGE_CACHE_GENERATION_FILE", None)
        path = Path(configured or Path(settings.DATA_DIR) / GENERATION_FILE)
        return path.with_name(path.name + self.file_suffix)

    def forget_file(self) -> None:
        self.__dict__.pop("file", None)  # settings changed: find the file again

    def _write_file(self, token: str) -> None:
        # Overwritten in place with one small write (a new file renamed over it cost about a
        # millisecond of every write transaction). Never truncated, so never empty; tokens all
        # have one length. A reader catching the write halfway reads a mix of the old token and
        # the new one: a value nothing was kept under before this write committed, so at worst
        # a miss.
        descriptor = os.open(self.file, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            os.write(descriptor, token.encode())
        finally:
            os.close(descriptor)

    def from_file(self) -> str:
        try:
            token = self.file.read_text()
        except FileNotFoundError:
            token = ""
        if not token:
            token = _new_token()
            self._write_file(token)
        return token

    def current(self) -> str | None:
        if _shared():
            return _pages().get(self.cache_key)
        return self.from_file()

    def start(self) -> str:
        """Set a first generation in the shared cache (or take the one another process set)."""
        store = _pages()
        generation = _new_token()
        if not store.add(self.cache_key, generation, timeout=None):
            generation = store.get(self.cache_key) or generation
        return generation

    def bump(self) -> None:
        try:
            if _shared():
                _pages().set(self.cache_key, _new_token(), timeout=None)
            else:
                self._write_file(_new_token())
        except Exception:  # a cache that is down must not undo a member's write
            logger.warning("Could not change the page cache generation", exc_info=True)


GUESTS = Generation(GENERATION_KEY, "")
MEMBERS = Generation("page-cache:members-generation", "-members")
EVERYONE = (GUESTS, MEMBERS)  # members see everything guests see
MEMBERS_ONLY = (MEMBERS,)


def current_generation() -> str | None:
    """The generation guests' cached pages must carry to be served (None: not set yet)."""
    return GUESTS.current()


def bump() -> None:
    """Forget every cached page, guests' and members', now."""
    GUESTS.bump()
    MEMBERS.bump()


# --- Watching writes --------------------------------------------------------------------------


def reach(sql: object) -> tuple[Generation, ...]:
    """The generations this SQL statement changes: both when a guest could see the change,
    ``MEMBERS`` alone when only members could (their drafts, notifications, read state, ...),
    none for reads and for tables no page shows (sessions, the task queue, the admin log)."""
    if not isinstance(sql, str):
        return EVERYONE  # composed SQL: assume so
    match = _WRITE.match(sql)
    if match is None:
        if sql.lstrip()[:4].upper() == "WITH":  # a common table expression may write
            return EVERYONE if _WRITE_WORD.search(sql) is not None else ()
        return ()  # reads, savepoints, schema changes (migrations end with a bump)
    table = match.group(1).lower()
    if table.startswith(_UNSHOWN_TABLES):
        return ()
    if table.startswith(_INVISIBLE_TABLES):
        return MEMBERS_ONLY
    if table == _USER_TABLE and sql.lstrip()[:6].upper() == "UPDATE":
        assignments = sql.split(" SET ", 1)[-1].split(" WHERE ", 1)[0]
        columns = set(_SET_COLUMN.findall(assignments))
        if columns and columns <= _INVISIBLE_USER_COLUMNS:
            return ()
    return EVERYONE


def changes_guest_pages(sql: object) -> bool:
    """Whether this SQL statement may change something a guest sees."""
    return GUESTS in reach(sql)


def _bump_after_commit() -> None:
    for generation in _take_dirty():
        generation.bump()


def _take_dirty() -> tuple[Generation, ...]:
    dirty = getattr(_local, "dirty", ())
    _local.dirty = ()
    return tuple(dirty)


def _mark_dirty(generations: tuple[Generation, ...]) -> None:
    dirty = getattr(_local, "dirty", ())
    _local.dirty = tuple(dict.fromkeys((*dirty, *generations)))


def _changed(connection, generations: tuple[Generation, ...]) -> None:
    if not connection.in_atomic_block:
        if connection.get_autocommit():
            for generation in generations:
                generation.bump()  # the statement has committed already
        else:
            _mark_dirty(generations)
        return
    # Inside a transaction: the generation changes once it commits (once per transaction).
    # Until then this thread's next page lookup changes it too, for code that reads its own
    # uncommitted writes (tests run inside a transaction that never commits).
    _mark_dirty(generations)
    if not any(func is _bump_after_commit for _ids, func, _robust in connection.run_on_commit):
        connection.on_commit(_bump_after_commit, robust=True)


def watch_writes(execute, sql, params, many, context):
    """A database execute wrapper (installed on every connection by CoreConfig.ready)."""
    result = execute(sql, params, many, context)
    generations = reach(sql)
    if generations:
        _changed(context["connection"], generations)
    return result


def install(connection, **kwargs) -> None:
    """Put :func:`watch_writes` on a connection (``connection_created`` receiver)."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def bump_on_signal(**kwargs) -> None:
    """A signal receiver for ``post_migrate`` and ``setting_changed``: pages may differ now."""
    build_token.cache_clear()
    _cached_page_names.cache_clear()
    _page_params.cache_clear()
    _url_name.cache_clear()
    GUESTS.forget_file()
    MEMBERS.forget_file()
    bump()


# --- Serving ----------------------------------------------------------------------------------


@cache
def build_token() -> str:
    """What changes with a new release: the static manifest (file names in pages), version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("stepdown")
    except PackageNotFoundError:  # pragma: no cover - always installed
        release = "?"
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    try:  # the same on every app server of one release
        return f"{release}:{hashlib.sha256(manifest.read_bytes()).hexdigest()[:16]}"
    except OSError:
        return release


@cache
def _cached_page_names() -> frozenset[str]:
    return frozenset(getattr(settings, "STEPDOWN_GUEST_CACHED_PAGES", ()))


@lru_cache(maxsize=4096)
def _url_name(path_info: str, urlconf: str) -> str | None:
    """The URL name of a path (remembered: the URLconf does not change while serving)."""
    try:
        return resolve(path_info).view_name
    except Resolver404:
        return None


def page_url_name(request: HttpRequest) -> str | None:
    name = _url_name(request.path_info, settings.ROOT_URLCONF)
    return name if name in _cached_page_names() else None


@cache
def _page_params() -> dict[str, frozenset[str]]:
    configured = getattr(settings, "STEPDOWN_CACHED_PAGE_PARAMS", {})
    return {name: frozenset(params) for name, params in configured.items()}


def query_may_share(request: HttpRequest) -> bool:
    """Whether the query string is one a kept page may answer: at most ``page=N``, or for the
    pages named in ``STEPDOWN_CACHED_PAGE_PARAMS`` (search) each of their parameters at most
    once and nothing else (any other parameter, say one added to bypass the cache, is not)."""
    query = request.META.get("QUERY_STRING", "")
    if _PAGE_QUERY.fullmatch(query) is not None:
        return True
    allowed = _page_params().get(_url_name(request.path_info, settings.ROOT_URLCONF) or "")
    if not allowed or len(query) > _MAX_QUERY:
        return False
    names = [pair.partition("=")[0] for pair in query.split("&")]
    return set(names) <= allowed and len(set(names)) == len(names)


def _guest_may_share(request: HttpRequest) -> bool:
    """A request whose answer is the same for every guest: no session, no messages, no htmx."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and _MESSAGE_COOKIE not in request.COOKIES
        and "HTTP_HX_REQUEST" not in request.META
        and "HTTP_AUTHORIZATION" not in request.META
        and query_may_share(request)
    )


def page_key(request: HttpRequest, *more: str, prefix: str = "page-cache:") -> str | None:
    """The key of a kept page: scheme, host, language, path, query, build and ``more``."""
    try:
        host = request.get_host()
    except Exception:  # DisallowedHost: the page itself answers that
        return None
    if "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE:
        language = get_language_from_request(request)
    else:
        language = settings.LANGUAGE_CODE
    parts = "\n".join(
        (
            request.scheme or "",
            host,
            language,
            request.path,
            request.META.get("QUERY_STRING", ""),
            build_token(),
            *more,
        )
    )
    return prefix + hashlib.sha256(parts.encode()).hexdigest()


def _settle_own_writes() -> None:
    """Change the generations now if this thread wrote in a transaction not yet committed."""
    for generation in _take_dirty():
        generation.bump()


def lookup(key: str, store, generations: tuple[Generation, ...]) -> tuple[tuple, object]:
    """The current value of each of ``generations`` and the entry kept under ``key`` in
    ``store`` (None if none): one round trip to Redis when the generations are shared."""
    _settle_own_writes()
    if _shared():
        names = [generation.cache_key for generation in generations]
        if store is _pages():
            found = store.get_many([*names, key])
            entry = found.get(key)
        else:
            found = _pages().get_many(names)
            entry = store.get(key)
        current = tuple(found.get(name) for name in names)
        if None in current:
            return tuple(generation.start() for generation in generations), None
        return current, entry
    return tuple(generation.from_file() for generation in generations), store.get(key)


def generation_now() -> str:
    """The generation as of now, this thread's own writes counted: what anything rendered from
    the database now (whole pages, or fragments of them such as ``forum.post_fragments``) must
    be kept under, so that the next write a reader could see leaves it behind."""
    _settle_own_writes()
    if _shared():
        return _pages().get(GENERATION_KEY) or GUESTS.start()
    return GUESTS.from_file()


def replayable(request: HttpRequest, response: HttpResponse) -> bool:
    """A whole page that may be answered again as it is: a GET's complete 200 that sets no
    cookie, says nothing of caching itself and used no CSP nonce (never replay a nonce)."""
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Cache-Control")
        and not getattr(request, "_csp_nonce", None)
    )


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        replayable(request, response)
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(getattr(request, "user", None), "is_authenticated", False)
        and b"csrfmiddlewaretoken" not in response.content
    )


def kept_headers(response: HttpResponse) -> list[tuple[str, str]]:
    """The headers a kept page is answered with again (not whether it came from the cache)."""
    return [(name, value) for name, value in response.headers.items() if name != STATUS_HEADER]


def replay(status: int, headers: list[tuple[str, str]], content: bytes) -> HttpResponse:
    """A kept page answered again, marked as a hit."""
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response.headers[name] = value
    response.headers[STATUS_HEADER] = "hit"
    return response


class GuestPageCacheMiddleware:
    """Serve and keep whole pages for guests (see the module's docstring).

    First in MIDDLEWARE: a kept page is the response as every other middleware left it (CSP and
    security headers included) and is answered without running any of them, nor a query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.STEPDOWN_PAGE_CACHE_SECONDS
        if seconds <= 0 or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if page_url_name(request) is None:
            return self.get_response(request)
        if not _guest_may_share(request):
            response = self.get_response(request)
            patch_cache_control(response, private=True, no_cache=True)
            # A member's page may come from their own cache (core/member_pages.py), which says so.
            response.headers.setdefault(STATUS_HEADER, "bypass")
            return response
        key = page_key(request)
        if key is None:
            return self.get_response(request)
        try:
            (generation,), entry = lookup(key, _pages(), (GUESTS,))
        except Exception:  # the cache is down: serve from the database
            logger.warning("The page cache did not answer", exc_info=True)
            return self.get_response(request)
        if entry is not None and entry[0] == generation:
            return replay(*entry[1:])
        response = self.get_response(request)
        if _storable(request, response):
            headers = [*kept_headers(response), ("Cache-Control", "no-cache")]
            try:
                _pages().set(
                    key, (generation, response.status_code, headers, response.content), seconds
                )
            except Exception:
                logger.warning("Could not keep a page in the cache", exc_info=True)
            response.headers["Cache-Control"] = "no-cache"
            response.headers[STATUS_HEADER] = "miss"
        else:
            patch_cache_control(response, private=True, no_cache=True)
            response.headers[STATUS_HEADER] = "bypass"
        return response
