"""Members' own kept pages (core/member_pages.py): kept for one member's browser session alone,
served with fresh tokens and keys, and dropped by every change that member could see."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from stepdown.conversations import actions as conversation_actions
from stepdown.core import page_cache
from stepdown.forum import actions
from stepdown.forum.models import Post
from stepdown.notifications.actions import notify
from stepdown.notifications.models import Kind
from tests.factories import UserFactory, make_topic
from tests.redis_server import redis_url  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
SUBMISSION_KEY = re.compile(r'name="submission_key" value="([0-9a-f]{32})"')


def state(response) -> str:
    return response.get(page_cache.STATUS_HEADER, "")


def browser(user, **kwargs) -> Client:
    """A browser of its own, signed in as ``user``."""
    client = Client(**kwargs)
    client.force_login(user)
    return client


def settled(client: Client, url: str):
    """Ask until the page is kept (a first page sets the CSRF cookie; reading it marks the
    topic read, which drops the page rendered with that write): the kept answer."""
    for _ in range(4):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        if state(response) == "hit":
            return response
    raise AssertionError("the page was never served from the cache")


def without_tokens(content: bytes) -> str:
    text = CSRF.sub("csrf", content.decode())
    return SUBMISSION_KEY.sub("key", text)


@pytest.fixture
def reader(db):
    return UserFactory(username="quietwillow")


@pytest.fixture
def author(db):
    return UserFactory(username="river")


@pytest.fixture
def topic(category, author):
    return make_topic(category, author=author, title="Slow and steady", replies=3)


# --- What is kept and what a kept page costs ---------------------------------------------------


def test_a_members_page_is_kept_for_them_and_served_without_the_view(
    reader, topic, django_assert_max_num_queries
):
    client = browser(reader)
    url = topic.get_absolute_url()
    first = client.get(url)
    assert state(first) == "miss"
    kept = settled(client, url)
    with django_assert_max_num_queries(2):  # the session and the member: nothing else
        again = client.get(url)
    assert state(again) == "hit"
    assert "private" in again["Cache-Control"]
    assert "Cookie" in again["Vary"]
    assert again["Content-Security-Policy"] == kept["Content-Security-Policy"]
    assert without_tokens(again.content) == without_tokens(kept.content)
    assert b"quietwillow" in again.content  # their own header


def test_a_kept_page_has_a_fresh_csrf_token_and_fresh_submission_keys_that_work(reader, topic):
    client = browser(reader, enforce_csrf_checks=True)
    url = topic.get_absolute_url()
    one = settled(client, url)
    two = client.get(url)
    assert state(two) == "hit"
    tokens = [CSRF.findall(page.content.decode()) for page in (one, two)]
    keys = [SUBMISSION_KEY.findall(page.content.decode()) for page in (one, two)]
    assert tokens[0] and keys[0] and len(keys[0]) == len(keys[1])
    assert tokens[0][0] != tokens[1][0]  # masked afresh for every page served
    assert not set(keys[0]) & set(keys[1])  # two tabs never share a key
    # Both tabs post: both replies are stored, neither swallowed as a repeat of the other.
    before = Post.objects.filter(topic=topic).count()
    for page_tokens, page_keys, body in zip(
        tokens, keys, ("From tab one.", "From tab two."), strict=True
    ):
        response = client.post(
            f"/t/{topic.pk}/reply/",
            {"body": body, "submission_key": page_keys[0], "csrfmiddlewaretoken": page_tokens[0]},
        )
        assert response.status_code == 302, response.status_code
    assert Post.objects.filter(topic=topic).count() == before + 2


def test_no_one_else_ever_gets_a_members_kept_page(reader, author, topic):
    url = topic.get_absolute_url()
    settled(browser(reader), url)
    other = browser(author).get(url)
    assert state(other) == "miss"
    assert b"quietwillow" not in other.content
    # The same member on another device (another session) gets a page of their own.
    device = browser(reader).get(url)
    assert state(device) == "miss"
    guest = Client().get(url)
    assert state(guest) == "miss"
    assert b"quietwillow" not in guest.content


def test_a_page_with_a_message_waiting_is_neither_served_nor_kept(reader, topic):
    client = browser(reader)
    url = topic.get_absolute_url()
    settled(client, url)
    client.cookies["messages"] = "waiting"
    assert state(client.get(url)) == "bypass"


@pytest.mark.parametrize("query", ["?page=1x", "?q=anything", "?page=1&next=/"])
def test_other_queries_and_htmx_are_never_kept(reader, topic, query):
    client = browser(reader)
    url = topic.get_absolute_url()
    for _ in range(3):
        assert state(client.get(url + query)) == "bypass"
        assert state(client.get(url, HTTP_HX_REQUEST="true")) == "bypass"


def test_the_setting_turns_it_off(reader, topic, settings):
    settings.STEPDOWN_MEMBER_PAGE_CACHE_SECONDS = 0
    client = browser(reader)
    for _ in range(3):
        assert state(client.get(topic.get_absolute_url())) == "bypass"


# --- Every change the member could see drops it -------------------------------------------------


def _reply_elsewhere(reader, author, topic):
    actions.create_reply(topic, author=author, body="A new reply everyone can read.")
    return "A new reply everyone can read."


def _notification(reader, author, topic):
    notify([reader.pk], kind=Kind.MENTION, actor=author, text="river waved", url="/latest/")
    return 'class="count-badge"'


def _message(reader, author, topic):
    conversation_actions.start_conversation(
        author, [reader], subject="Hello there", body="How are you doing?"
    )
    return "Messages <span"


def _draft(reader, author, topic):
    client = browser(reader)
    response = client.post(
        f"/t/{topic.pk}/reply/draft/", {"body": "Half a thought, kept.", "autosave": "1"}
    )
    assert response.status_code == 200, response.status_code
    return "Half a thought, kept."


@pytest.mark.parametrize(
    "change", [_reply_elsewhere, _notification, _message, _draft], ids=lambda f: f.__name__
)
def test_every_change_the_member_could_see_drops_their_page(reader, author, topic, change):
    client = browser(reader)
    url = topic.get_absolute_url()
    kept = settled(client, url)
    shows = change(reader, author, topic)
    assert shows not in kept.content.decode()
    response = client.get(url)
    assert state(response) == "miss"
    assert shows in response.content.decode()


def test_writes_only_members_see_leave_guests_pages_kept(reader, author, topic):
    url = topic.get_absolute_url()
    guest = Client()
    guest.get(url)
    assert state(guest.get(url)) == "hit"
    _draft(reader, author, topic)
    _notification(reader, author, topic)
    assert state(guest.get(url)) == "hit"
    actions.create_reply(topic, author=author, body="Everyone sees this.")
    assert state(guest.get(url)) == "miss"


def test_reading_marks_the_topic_read_and_the_next_page_is_kept(reader, author, topic):
    client = browser(reader)
    url = topic.get_absolute_url()
    settled(client, url)
    actions.create_reply(topic, author=author, body="Something new to read.")
    first = client.get(url)
    assert state(first) == "miss"
    assert b"New since you last read this topic" in first.content
    # Reading wrote the member's read state: the page rendered with that write goes.
    second = client.get(url)
    assert state(second) == "miss"
    assert b"New since you last read this topic" not in second.content
    assert state(client.get(url)) == "hit"


def test_with_redis_the_kept_pages_are_shared_and_dropped_the_same(
    reader,
    author,
    topic,
    settings,
    redis_url,  # noqa: F811 - the fixture
):
    from django.core.cache import caches

    settings.CACHES = {
        **settings.CACHES,
        **{
            alias: {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": f"stepdown-test-{alias}",
            }
            for alias in ("pages", "member-pages")
        },
    }
    caches["pages"].clear()
    caches["member-pages"].clear()
    client = browser(reader)
    url = topic.get_absolute_url()
    settled(client, url)
    assert caches["pages"].get(page_cache.MEMBERS.cache_key)
    # Another app process (a second browser of the same session) is served the kept page.
    twin = Client()
    twin.cookies = client.cookies
    assert state(twin.get(url)) == "hit"
    shows = _notification(reader, author, topic)
    response = client.get(url)
    assert state(response) == "miss"
    assert shows in response.content.decode()
    caches["pages"].clear()
    caches["member-pages"].clear()


@pytest.mark.parametrize(
    ("sql", "reach"),
    [
        ('INSERT INTO "forum_post" ("body") VALUES (%s)', page_cache.EVERYONE),
        ('UPDATE "forum_draft" SET "fields" = %s WHERE "id" = %s', page_cache.MEMBERS_ONLY),
        ('INSERT INTO "notifications_notification" ("text") VALUES (%s)', page_cache.MEMBERS_ONLY),
        ('UPDATE "forum_topicread" SET "position" = %s', page_cache.MEMBERS_ONLY),
        ('DELETE FROM "accounts_block" WHERE "id" = %s', page_cache.MEMBERS_ONLY),
        ('UPDATE "django_session" SET "session_data" = %s', ()),
        ('INSERT INTO "search_entry" ("body") VALUES (%s)', page_cache.EVERYONE),
        ('INSERT INTO "django_tasks_database_dbtaskresult" ("id") VALUES (%s)', ()),
        ('UPDATE "accounts_user" SET "last_login" = %s WHERE "id" = %s', ()),
        ('UPDATE "accounts_user" SET "display_name" = %s WHERE "id" = %s', page_cache.EVERYONE),
        ('SELECT * FROM "forum_post"', ()),
    ],
)
def test_each_write_reaches_the_pages_that_could_show_it(sql, reach):
    assert page_cache.reach(sql) == reach
