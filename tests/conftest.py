import pytest
from django.core.cache import cache

from tests.factories import CategoryFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is the production hasher; tests only need a hasher, not a slow one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rate limits and cached pages live in the cache (Redis in the PostgreSQL pass): each test
    # starts from an empty one so no test sees another's state.
    cache.clear()
    yield
    cache.clear()


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
