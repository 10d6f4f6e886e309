import pytest
from django.core.cache import caches

from tests.factories import CategoryFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is the production hasher; tests only need a hasher, not a slow one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _sessions_in_the_database(settings):
    # With REDIS_URL, sessions are "cached_db" (read from Redis). The query counts the tests
    # assert include the session read, so every pass reads sessions from the database;
    # tests/test_deploy.py checks the Redis-backed sessions across two real app processes.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rate limits and cached pages live in the cache (Redis in the PostgreSQL pass): each test
    # starts from an empty one so no test sees another's state.
    for alias in ("default", "pages", "member-pages", "fragments"):
        caches[alias].clear()
    yield
    for alias in ("default", "pages", "member-pages", "fragments"):
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _no_warnings_yet(_empty_cache):
    # Each test starts with an empty database, so no member has a warning to acknowledge: the
    # cached set the warning banner reads (moderation.queries.warned_member_ids) says so, as on
    # a running site where it is already cached. Issuing or acknowledging a warning updates it.
    from stepdown.moderation.queries import WARNED_MEMBERS_KEY, WARNED_MEMBERS_SECONDS

    caches["default"].set(WARNED_MEMBERS_KEY, frozenset(), WARNED_MEMBERS_SECONDS)


@pytest.fixture
def members_pages_rendered(settings):
    """Every page rendered for members: for tests that count what rendering a page costs
    (a member's page asked for again is otherwise served from their kept pages,
    core/member_pages.py, tested in tests/test_member_pages.py)."""
    settings.STEPDOWN_MEMBER_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def member(db):
    return UserFactory(username="member")


@pytest.fixture
def other_member(db):
    return UserFactory(username="other")


@pytest.fixture
def moderator(db):
    return UserFactory(username="moderator", is_moderator=True, two_factor=True)


@pytest.fixture
def category(db):
    return CategoryFactory(slug="research", name="Research and articles")


@pytest.fixture
def members_category(db):
    return CategoryFactory(slug="lounge", name="Members' lounge", read_access="members")


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client
