"""Stepdown settings, read from the environment with safe defaults.

Environment:
  STEPDOWN_DATA_DIR      where the SQLite database, secret key, media and mail live (./var)
  STEPDOWN_DEBUG         "1" for Django's debug mode (never in production)
  STEPDOWN_ALLOWED_HOSTS comma-separated host names (127.0.0.1,localhost)
  STEPDOWN_SITE_URL      public address used in emails and share links
  DATABASE_URL           postgres://... switches from the embedded SQLite to PostgreSQL
  REDIS_URL              redis://... puts the cache, sessions, rate limits and locks on Redis
  STEPDOWN_MEDIA_STORAGE "s3" keeps uploads in an S3-compatible bucket (STEPDOWN_S3_*, below)
  EMAIL_URL              smtp://user:pass@host:port (smtp+tls:// or smtps://); otherwise mail is
                         written to the data directory and shown by `stepdown mail`
  SECRET_KEY             overrides the key generated into the data directory
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url

from stepdown.core.media_storage import default_storage_from_environ

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("STEPDOWN_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use SECRET_KEY from the environment, else one generated once into the data directory."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        # O_EXCL: two processes starting together cannot both write a key.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(64))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("STEPDOWN_DEBUG")
ALLOWED_HOSTS = _env_list("STEPDOWN_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
SITE_URL = os.environ.get("STEPDOWN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("STEPDOWN_SITE_NAME", "Stepdown")

INSTALLED_APPS = [
    "stepdown.accounts.admin_config.StepdownAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "stepdown.core",
    "stepdown.accounts",
    "stepdown.notifications",
    "stepdown.uploads",
    "stepdown.forum",
    "stepdown.conversations",
    "stepdown.moderation",
    "stepdown.search",
    "stepdown.tapering",
    "stepdown.journals",
    "stepdown.pages",
    # Background tasks (django-tasks backport of django.tasks, database backend): see TASKS.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # Whole pages for guests (core/page_cache.py), first: a kept page is answered with the
    # headers it was first sent with (its CSP, security headers), without any other work.
    "stepdown.core.page_cache.GuestPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "stepdown.core.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Members' own pages (core/member_pages.py), last: inside the session, CSRF, authentication
    # and message middleware, so a kept page gets their headers and cookies afresh.
    "stepdown.core.member_pages.MemberPageCacheMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "stepdown.core.context_processors.site",
                "csp.context_processors.nonce",
                "stepdown.accounts.context_processors.two_factor",
                "stepdown.notifications.context_processors.notifications",
                "stepdown.conversations.context_processors.conversations",
                "stepdown.pages.context_processors.guidelines",
                "stepdown.moderation.context_processors.warnings",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite: WAL so readers never wait for the writer, IMMEDIATE transactions so a writer takes the
# lock at BEGIN (no upgrade deadlock), and a busy timeout so writers queue instead of failing.
SQLITE_PATH = DATA_DIR / "stepdown.sqlite3"
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            # Each app process keeps its connection between requests: opening one, with the
            # pragmas below and the schema read, cost about 2 ms of every request. Between
            # requests it holds no lock (autocommit; WAL), and `stepdown restore` runs only when
            # no app process does (core/locks.py).
            "CONN_MAX_AGE": 600,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# With REDIS_URL every app process shares one cache: pages, rate limits, locks (core/locks.py)
# and sessions. Sessions are then "cached_db": read from Redis, written through to the database,
# so a Redis restart or eviction signs nobody out and loses no draft held in a session. Without
# Redis the cache is per process, so sessions stay in the database alone (a per-process copy
# would go stale when another process changes the session).
_test_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_worker_redis = "STEPDOWN_TEST_WORKER_REDIS"
if (
    os.environ.get("REDIS_URL")
    and _test_worker.startswith("gw")
    and os.environ.get(_worker_redis) != _test_worker
):
    # `make test` runs the suite in parallel test workers (pytest-xdist). Each worker takes a
    # Redis database of its own (the given one, then the ones below it), so one worker emptying
    # its cache between tests never empties another's. Processes a test starts inherit the
    # already chosen database (and the marker that says so).
    _url, _, _db = os.environ["REDIS_URL"].rstrip("/").rpartition("/")
    if _db.isdigit():
        _db = max(0, int(_db) - int(_test_worker[2:]))
        os.environ["REDIS_URL"] = f"{_url}/{_db}"
        os.environ[_worker_redis] = _test_worker
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("STEPDOWN_CACHE_PREFIX", "stepdown"),
            # A Redis that stops answering slows requests down for seconds, never for ever.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"


def _cache_of_its_own(alias: str, max_entries: int) -> dict:
    """A cache beside the default one, under its own key prefix: in Redis when the default is
    (shared by every app process), else in this process's memory, at most ``max_entries``."""
    config = {
        **CACHES["default"],
        "KEY_PREFIX": CACHES["default"].get("KEY_PREFIX", "stepdown") + "-" + alias,
    }
    if "locmem" in config["BACKEND"]:
        config.update(LOCATION=alias, OPTIONS={"MAX_ENTRIES": max_entries})
    return config


# Whole pages for guests (core/page_cache.py) in a cache of their own, so pages never push rate
# limit counters out (at most 400 pages per process without Redis, about 20 MB).
CACHES["pages"] = _cache_of_its_own("pages", 400)
# Members' own pages (core/member_pages.py): at most 150 pages per process without Redis (a
# topic page is about 100 KB, so about 15 MB).
CACHES["member-pages"] = _cache_of_its_own("member-pages", 150)
# Rendered posts of topic pages (forum/post_fragments.py), shared by readers who see the same
# HTML, and members' category rights (forum/permissions.py): at most 4,000 entries per process
# without Redis, about 20 MB. They go with the guest pages' generation, at once, when anything
# shown changes.
CACHES["fragments"] = _cache_of_its_own("fragments", 4000)
# Seconds a rendered post is kept at most; 0: render every post every time.
STEPDOWN_FRAGMENT_CACHE_SECONDS = int(os.environ.get("STEPDOWN_FRAGMENT_CACHE_SECONDS", "600"))
# Seconds a guest page is kept at most (it goes at once when anything shown changes); 0: off.
STEPDOWN_PAGE_CACHE_SECONDS = int(os.environ.get("STEPDOWN_PAGE_CACHE_SECONDS", "60"))
# Seconds a member's own page is kept at most (it goes at once when anything they could see
# changes); 0: off.
STEPDOWN_MEMBER_PAGE_CACHE_SECONDS = int(os.environ.get("STEPDOWN_MEMBER_PAGE_CACHE_SECONDS", "60"))
# Without Redis, the pages' generation is this file, read by every process (one per test worker
# when the tests run in parallel, so one worker's writes never drop another's pages).
STEPDOWN_PAGE_CACHE_GENERATION_FILE = DATA_DIR / "-".join(
    filter(None, ["page-cache-generation", os.environ.get("PYTEST_XDIST_WORKER", "")])
)
# The pages kept for guests, by URL name.
STEPDOWN_GUEST_CACHED_PAGES = (
    "forum:home",
    "forum:category",
    "forum:topic",
    "forum:latest",
    "forum:member",
    "forum:category_feed",
    "forum:topic_feed",
    "search:search",
)
# Query parameters a kept page may be asked with besides ?page=N, each at most once: a search's
# words and filters (popular searches are asked again and again; any other parameter is not kept).
STEPDOWN_CACHED_PAGE_PARAMS = {"search:search": ("q", "category", "author", "from", "to", "page")}

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "forum:home"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_USERNAME_MIN_LENGTH = 3
# Names that are addresses under /u/ (member pages live at /u/<username>/) or would mislead.
ACCOUNT_USERNAME_BLACKLIST = ["suggest", "admin", "moderator", "moderators", "staff", "stepdown"]
# Security notices (password changed, email added or changed, ...) go to the member's addresses.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = urlsplit(SITE_URL).scheme or "http"
ACCOUNT_ADAPTER = "stepdown.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "stepdown.accounts.login_form.LoginForm",
    # Guidelines and 18+ boxes, recorded on the account; a honeypot against scripts.
    "signup": "stepdown.accounts.signup_form.SignupForm",
}
# Changing the email address: the new address is confirmed before it replaces the old one, and
# the old one is told (ACCOUNT_EMAIL_NOTIFICATIONS). Sensitive changes ask for the password again.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300

# --- Rate limits and brute force --------------------------------------------------------------
# "amount/period/per": per is "ip" (the address) or "user" (the member), "key" (the account being
# signed in to). Periods: s, m, h, d. Counters live in the cache (Redis when REDIS_URL is set).
# Sign-in failures lock the account after 5 failures in 15 minutes and the address after 20;
# a password reset by email unlocks the account at once.
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("STEPDOWN_RL_LOGIN_FAILED", "20/15m/ip,5/15m/key"),
    "login": os.environ.get("STEPDOWN_RL_LOGIN", "30/m/ip"),
    "signup": os.environ.get("STEPDOWN_RL_SIGNUP", "5/h/ip"),
    "reset_password": os.environ.get("STEPDOWN_RL_RESET_PASSWORD", "10/h/ip,3/h/key"),
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    "confirm_email": "1/3m/key",
}
STEPDOWN_RATE_LIMITS = {
    "new_topic": os.environ.get("STEPDOWN_RL_NEW_TOPIC", "5/10m/user,20/h/ip"),
    "reply": os.environ.get("STEPDOWN_RL_REPLY", "20/5m/user,60/5m/ip"),
    "report": os.environ.get("STEPDOWN_RL_REPORT", "10/h/user,30/h/ip"),
    "message": os.environ.get("STEPDOWN_RL_MESSAGE", "20/10m/user,60/10m/ip"),
    "journal": os.environ.get("STEPDOWN_RL_JOURNAL", "60/10m/user"),
    "taper_plan": os.environ.get("STEPDOWN_RL_TAPER_PLAN", "30/10m/user"),
    "article_lookup": os.environ.get("STEPDOWN_RL_ARTICLE_LOOKUP", "20/10m/user,60/h/ip"),
    "upload": os.environ.get("STEPDOWN_RL_UPLOAD", "20/h/user,60/h/ip"),
    # Draft saves and live previews: sent by the composer as a member pauses while typing.
    "composer": os.environ.get("STEPDOWN_RL_COMPOSER", "600/10m/user,1200/10m/ip"),
    # Searches (each one ranks up to STEPDOWN_SEARCH_CANDIDATES posts): generous for people.
    "search": os.environ.get("STEPDOWN_RL_SEARCH", "30/m/user,60/m/ip"),
}
# Behind a reverse proxy, the number of proxies that add to X-Forwarded-For (0: use the socket).
STEPDOWN_TRUSTED_PROXY_COUNT = int(os.environ.get("STEPDOWN_TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = STEPDOWN_TRUSTED_PROXY_COUNT

# --- Two-factor sign-in -------------------------------------------------------------------------
# Optional for members; moderators and admins act as such only once it is set up.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = SITE_NAME
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("STEPDOWN_FROM_EMAIL", f"{SITE_NAME} <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MAIL_DIR = DATA_DIR / "mail"
if os.environ.get("EMAIL_URL"):
    _email = urlsplit(os.environ["EMAIL_URL"])
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = _email.scheme in {"smtp+tls", "submission"}
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = MAIL_DIR
# Notification email (stepdown/notifications/emails.py, sent by `stepdown worker`). "As it happens"
# waits STEPDOWN_EMAIL_GATHER_SECONDS, so a burst of replies makes one email; daily and weekly
# summaries go out from STEPDOWN_DIGEST_HOUR o'clock in each member's time zone (weekly: Mondays).
STEPDOWN_EMAIL_GATHER_SECONDS = int(os.environ.get("STEPDOWN_EMAIL_GATHER_SECONDS", "60"))
STEPDOWN_DIGEST_HOUR = int(os.environ.get("STEPDOWN_DIGEST_HOUR", "8"))

# --- Sessions, cookies, security ------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
_https = SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
CSRF_TRUSTED_ORIGINS = [SITE_URL]
CSRF_FAILURE_VIEW = "stepdown.pages.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if _https:
    SECURE_SSL_REDIRECT = _env_bool("STEPDOWN_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("STEPDOWN_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("STEPDOWN_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _env_bool("STEPDOWN_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a commitment browsers keep for months; the admin opts in with
        # STEPDOWN_HSTS_PRELOAD=1, so `check --deploy` does not nag about it otherwise.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    if _env_bool("STEPDOWN_BEHIND_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): only this site's own files; inline script or style only
# with the per-response nonce; no framing, plugins or <base> tricks; forms post only here.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # data: for the two-factor QR code, which allauth renders inline as an SVG image.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "frame-src": [NONE],
    }
}
# Powerful browser features the forum never uses are switched off; passkeys and "Copy link" stay.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=(), browsing-topics=(), "
    "publickey-credentials-get=(self), publickey-credentials-create=(self), "
    "clipboard-write=(self)"
)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("STEPDOWN_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Images never put in a post are removed by `stepdown cleanup_uploads` after this many days.
STEPDOWN_UPLOAD_UNUSED_DAYS = int(os.environ.get("STEPDOWN_UPLOAD_UNUSED_DAYS", "7"))
# Uploaded images (stepdown/uploads): the largest file taken, in bytes (8 MB); the most pixels
# (width x height) a file may declare, refused from its header before any pixel is decoded;
# and the longest side kept, in pixels (larger images are scaled down to fit). Pillow's own
# decompression-bomb limit (about 89 million pixels) still applies above the pixel limit.
STEPDOWN_UPLOAD_MAX_BYTES = int(os.environ.get("STEPDOWN_UPLOAD_MAX_BYTES", str(8 * 1024 * 1024)))
STEPDOWN_UPLOAD_MAX_PIXELS = int(os.environ.get("STEPDOWN_UPLOAD_MAX_PIXELS", "40000000"))
STEPDOWN_UPLOAD_MAX_SIDE = int(os.environ.get("STEPDOWN_UPLOAD_MAX_SIDE", "2048"))
# `stepdown serve` collects static files with hashed names (STEPDOWN_STATIC_MANIFEST=1) and serves
# them through WhiteNoise; elsewhere (tests, a checkout without collected files) the finders serve.
# The manifest is replaced in one step (core/static_storage.py), for processes serving meanwhile.
_STATIC_MANIFEST = STATIC_ROOT / "staticfiles.json"
_USE_MANIFEST = _env_bool("STEPDOWN_STATIC_MANIFEST") or (not DEBUG and _STATIC_MANIFEST.exists())
STORAGES = {
    # Uploads: the data directory's media/, or an S3-compatible bucket with
    # STEPDOWN_MEDIA_STORAGE=s3 (STEPDOWN_S3_BUCKET, ...: see stepdown/core/media_storage.py).
    # Either way they are served by uploads.views.serve_upload at MEDIA_URL, never by the bucket.
    "default": default_storage_from_environ(os.environ),
    "staticfiles": {
        "BACKEND": (
            "stepdown.core.static_storage.StaticFilesStorage"
            if _USE_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not _USE_MANIFEST
WHITENOISE_AUTOREFRESH = DEBUG

# --- Taper tools and journals ------------------------------------------------------------------
# Which crisis lines the journal's red-flag panel shows first (stepdown/core/crisis.json).
STEPDOWN_CRISIS_LOCALE = os.environ.get("STEPDOWN_CRISIS_LOCALE", "US")

# --- New members, community guidelines and the safety net (issue 7) ------------------------
# A new member's first posts wait for a moderator (trust level "new" and fewer approved posts
# than this; 0 turns approval off). New members post no links or images until trust level 1.
STEPDOWN_APPROVAL_FIRST_POSTS = int(os.environ.get("STEPDOWN_APPROVAL_FIRST_POSTS", "2"))
# Trust levels rise with approved posts AND days since joining (`stepdown update_trust` daily,
# and on each approval), never with a warning in force; moderators may set any level.
# 0 posts for "trusted" means moderators alone give it.
STEPDOWN_TRUST_BASIC_POSTS = int(os.environ.get("STEPDOWN_TRUST_BASIC_POSTS", "2"))
STEPDOWN_TRUST_BASIC_DAYS = int(os.environ.get("STEPDOWN_TRUST_BASIC_DAYS", "1"))
STEPDOWN_TRUST_MEMBER_POSTS = int(os.environ.get("STEPDOWN_TRUST_MEMBER_POSTS", "10"))
STEPDOWN_TRUST_MEMBER_DAYS = int(os.environ.get("STEPDOWN_TRUST_MEMBER_DAYS", "14"))
STEPDOWN_TRUST_TRUSTED_POSTS = int(os.environ.get("STEPDOWN_TRUST_TRUSTED_POSTS", "50"))
STEPDOWN_TRUST_TRUSTED_DAYS = int(os.environ.get("STEPDOWN_TRUST_TRUSTED_DAYS", "90"))
# The guidelines' version: raising it asks every member to read and accept them again.
STEPDOWN_RULES_VERSION = os.environ.get("STEPDOWN_RULES_VERSION", "1")
# A post matching a safety phrase: "keep" it (moderators are alerted) or "hold" it for review.
STEPDOWN_SAFETY_HOLD = os.environ.get("STEPDOWN_SAFETY_HOLD", "keep")

# --- Reports, warnings (issue 7) ------------------------------------------------------------
# A post is hidden (until a moderator looks) once this many trusted members reported it and
# their reports are still open; 0 turns automatic hiding off.
STEPDOWN_AUTO_HIDE_REPORTS = int(os.environ.get("STEPDOWN_AUTO_HIDE_REPORTS", "3"))
# How long a warning counts, by default, in days (moderators may choose; 0: never expires).
STEPDOWN_WARNING_DAYS = int(os.environ.get("STEPDOWN_WARNING_DAYS", "90"))

# --- Article cards from a DOI or PubMed id --------------------------------------------------
# The only requests Stepdown makes to other sites: public hosts on this list, https, 3 s, 512 KB.
STEPDOWN_ARTICLE_LOOKUP = os.environ.get("STEPDOWN_ARTICLE_LOOKUP", "1") != "0"
STEPDOWN_ARTICLE_LOOKUP_HOSTS = ("api.crossref.org", "eutils.ncbi.nlm.nih.gov")
STEPDOWN_ARTICLE_LOOKUP_TIMEOUT = float(os.environ.get("STEPDOWN_ARTICLE_LOOKUP_TIMEOUT", "3"))
STEPDOWN_ARTICLE_LOOKUP_MAX_BYTES = 512 * 1024
# Cards under posts: at most this many DOI / PubMed links of one post are looked up and shown.
STEPDOWN_POST_ARTICLE_CARDS_MAX = int(os.environ.get("STEPDOWN_POST_ARTICLE_CARDS_MAX", "3"))

# --- Background tasks ---------------------------------------------------------------------------
# Follow-up work (article cards under posts, notification email) is queued as rows in the database
# (django-tasks-db: no broker) by actions, after their transaction commits, and run by
# `stepdown worker` (`make run` starts one beside the server). Queued rows survive a crash of the
# server or the worker; a task a crashed worker left running is queued again when a worker
# starts after STEPDOWN_TASK_RUNNING_TIMEOUT seconds, so every task is written to be repeatable.
# The test suite keeps this backend (tasks are queued, not run); tests that want the queue run
# the worker in-process (`run_queued_tasks` in tests/test_post_articles.py), and tests that want
# tasks run at once switch to django_tasks.backends.immediate.ImmediateBackend with `settings`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("STEPDOWN_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
STEPDOWN_TASK_RUNNING_TIMEOUT = int(os.environ.get("STEPDOWN_TASK_RUNNING_TIMEOUT", "900"))

# --- Forum ----------------------------------------------------------------------------------
STEPDOWN_POSTS_PER_PAGE = 20
STEPDOWN_TOPICS_PER_PAGE = 30
STEPDOWN_TITLE_MAX_LENGTH = 200
STEPDOWN_BODY_MAX_LENGTH = 50_000
# Authors edit their posts for this many minutes after posting (a day); moderators any time.
STEPDOWN_EDIT_WINDOW_MINUTES = int(os.environ.get("STEPDOWN_EDIT_WINDOW_MINUTES", str(60 * 24)))
# Search ranks every match up to this many; beyond it, the most recent this many (stepdown/search).
STEPDOWN_SEARCH_CANDIDATES = int(os.environ.get("STEPDOWN_SEARCH_CANDIDATES", "1000"))
# Private conversations: how many members one may name (the author not counted).
STEPDOWN_CONVERSATION_MAX_RECIPIENTS = int(
    os.environ.get("STEPDOWN_CONVERSATION_MAX_RECIPIENTS", "10")
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("STEPDOWN_LOG_LEVEL", "WARNING")},
}
