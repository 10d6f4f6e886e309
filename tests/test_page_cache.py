"""The whole-page cache for guests: what is kept, for whom, and that every change shows at once."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from stepdown.accounts.actions import delete_member
from stepdown.accounts.models import User
from stepdown.core import page_cache
from stepdown.forum import actions, post_articles
from stepdown.forum.models import Category, Post, ReactionKind, Topic
from stepdown.forum.profiles import ProfileChoices, save_profile
from stepdown.moderation import content_actions
from tests.factories import CategoryFactory, UserFactory, make_topic
from tests.redis_server import redis_url  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def guest_get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response


def cache_state(response) -> str:
    return response.get(page_cache.STATUS_HEADER, "")


@pytest.fixture
def author(db):
    return UserFactory(username="river")


@pytest.fixture
def topic(category, author):
    return make_topic(category, author=author, title="Slow and steady", replies=3)


def guest_pages(topic) -> list[str]:
    return [
        "/",
        topic.category.get_absolute_url(),
        topic.get_absolute_url(),
        "/latest/",
        f"/u/{topic.author.username}/",
        f"/c/{topic.category.slug}/feed/",
        f"/t/{topic.pk}/feed/",
    ]


# --- What is kept, and what a kept page costs --------------------------------------------------


def test_guest_page_is_kept_and_served_without_queries_when_nothing_changed(
    client, topic, django_assert_num_queries
):
    for url in guest_pages(topic):
        first = guest_get(client, url)
        assert cache_state(first) == "miss", url
        with django_assert_num_queries(0):
            again = guest_get(client, url)
        assert cache_state(again) == "hit", url
        assert again.content == first.content
        assert again["Content-Type"] == first["Content-Type"]


def test_guest_page_views_write_nothing_to_the_database_when_rendered(client, topic):
    for url in guest_pages(topic):
        with CaptureQueriesContext(connection) as context:
            response = guest_get(client, url)
        assert cache_state(response) == "miss", url
        writes = [q["sql"] for q in context.captured_queries if q["sql"].startswith(WRITES)]
        assert writes == [], url
        # No session (nor any other cookie) is created for a guest.
        assert not response.cookies, url


def test_guest_reads_of_other_pages_write_nothing_either(client, topic):
    for url in [
        "/search/?q=steady",
        topic.first_post.get_absolute_url(),
        "/guidelines/",
        "/taper/equivalence/",
        "/sitemap.xml",
        "/robots.txt",
    ]:
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code in (200, 302), url
        writes = [q["sql"] for q in context.captured_queries if q["sql"].startswith(WRITES)]
        assert writes == [], url
        assert settings.SESSION_COOKIE_NAME not in response.cookies, url


def test_topic_page_deep_in_a_long_topic_is_kept_per_page_when_guests_page_through(
    client, category, settings
):
    settings.STEPDOWN_POSTS_PER_PAGE = 2
    topic = make_topic(category, replies=5)
    first = guest_get(client, topic.get_absolute_url())
    second = guest_get(client, f"{topic.get_absolute_url()}?page=2")
    assert cache_state(second) == "miss"
    assert cache_state(guest_get(client, f"{topic.get_absolute_url()}?page=2")) == "hit"
    assert second.content != first.content


def test_head_request_is_served_from_the_kept_page_when_a_guest_asks(client, topic):
    guest_get(client, topic.get_absolute_url())
    response = client.head(topic.get_absolute_url())
    assert response.status_code == 200
    assert cache_state(response) == "hit"


@pytest.mark.parametrize("query", ["?page=2&utm_source=x", "?q=taper", "?page=abc"])
def test_guest_page_is_not_kept_when_the_query_holds_more_than_a_page_number(client, topic, query):
    url = f"{topic.category.get_absolute_url()}{query}"
    guest_get(client, url)
    assert cache_state(guest_get(client, url)) == "bypass"


def test_htmx_request_is_never_answered_from_the_cache(client, topic):
    guest_get(client, topic.get_absolute_url())
    response = guest_get(client, topic.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert cache_state(response) == "bypass"


def test_cache_is_off_when_its_lifetime_is_zero(client, topic, settings):
    settings.STEPDOWN_PAGE_CACHE_SECONDS = 0
    guest_get(client, topic.get_absolute_url())
    assert cache_state(guest_get(client, topic.get_absolute_url())) == ""


def test_guest_page_headers_ask_browsers_to_check_every_time(client, topic):
    response = guest_get(client, topic.get_absolute_url())
    assert response["Cache-Control"] == "no-cache"
    assert "Cookie" in response["Vary"]
    hit = guest_get(client, topic.get_absolute_url())
    assert hit["Cache-Control"] == "no-cache"
    assert hit["X-Frame-Options"] == "DENY"
    assert hit["Permissions-Policy"] == settings.PERMISSIONS_POLICY
    assert "Cookie" in hit["Vary"]


# --- Members and guests with a session never share a page --------------------------------------


def test_member_pages_are_never_served_to_guests(client, topic):
    # Members' pages are kept for themselves alone (tests/test_member_pages.py).
    member = UserFactory(username="quietwillow")
    client.force_login(member)
    for url in guest_pages(topic):
        for expected in ("miss", "hit"):
            response = client.get(url)
            assert cache_state(response) == expected, url
            assert "private" in response["Cache-Control"], url
    client.logout()
    response = guest_get(client, topic.get_absolute_url())
    assert cache_state(response) == "miss"
    assert b"Signed in as" not in response.content
    assert member.username.encode() not in response.content


def test_guest_with_a_session_or_a_message_gets_a_fresh_page(client, topic):
    url = topic.get_absolute_url()
    guest_get(client, url)
    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session"
    assert cache_state(guest_get(client, url)) == "bypass"
    del client.cookies[settings.SESSION_COOKIE_NAME]
    client.cookies["messages"] = "something"
    assert cache_state(guest_get(client, url)) == "bypass"


def test_kept_pages_never_hold_a_csrf_token_or_a_members_name(client, topic):
    # A member reads every page first: nothing of theirs may reach a guest.
    member = UserFactory(username="quietwillow")
    member_client = client.__class__()
    member_client.force_login(member)
    for url in guest_pages(topic):
        member_client.get(url)
    for url in guest_pages(topic):
        guest_get(client, url)
        kept = guest_get(client, url)
        assert cache_state(kept) == "hit", url
        assert b"csrfmiddlewaretoken" not in kept.content, url
        assert b"Signed in as" not in kept.content, url
        assert b"Sign out" not in kept.content, url
        assert b"quietwillow" not in kept.content, url


# --- Content-Security-Policy nonces and cookies: test-only pages -------------------------------


def nonce_page(request):
    template = engines["django"].from_string(
        '<script nonce="{{ request.csp_nonce }}">var x = 1;</script>'
    )
    return HttpResponse(template.render({}, request))


def token_page(request):
    return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')


def plain_page(request):
    return HttpResponse("<p>plain</p>")


urlpatterns = [
    path(
        "probe/",
        include(
            (
                [
                    path("nonce/", nonce_page, name="nonce"),
                    path("token/", token_page, name="token"),
                    path("plain/", plain_page, name="plain"),
                ],
                "probe",
            )
        ),
    ),
    path("", include("config.urls")),
]


@pytest.fixture
def probe_pages(settings):
    settings.ROOT_URLCONF = __name__
    settings.STEPDOWN_GUEST_CACHED_PAGES = (
        *settings.STEPDOWN_GUEST_CACHED_PAGES,
        "probe:nonce",
        "probe:token",
        "probe:plain",
    )


def test_page_using_a_csp_nonce_is_never_kept(client, probe_pages):
    first = guest_get(client, "/probe/nonce/")
    nonce = first.content.split(b'nonce="')[1].split(b'"')[0].decode()
    assert f"'nonce-{nonce}'" in first["Content-Security-Policy"]
    second = guest_get(client, "/probe/nonce/")
    assert cache_state(second) == "bypass"
    assert second.content != first.content  # a fresh nonce each time


def test_page_with_a_csrf_token_is_never_kept_even_when_the_cookie_exists(client, probe_pages):
    first = guest_get(client, "/probe/token/")
    assert cache_state(first) == "bypass"
    # The browser now has a CSRF cookie; the page must still not be kept for others.
    second = guest_get(client, "/probe/token/")
    assert cache_state(second) == "bypass"


def test_kept_page_csp_has_no_nonce_and_the_page_none_either(client, topic, probe_pages):
    assert cache_state(guest_get(client, "/probe/plain/")) == "miss"
    for url in ["/probe/plain/", *guest_pages(topic)]:
        first = guest_get(client, url)
        kept = guest_get(client, url)
        assert cache_state(kept) == "hit", url
        assert kept["Content-Security-Policy"] == first["Content-Security-Policy"], url
        assert "nonce-" not in kept["Content-Security-Policy"], url
        assert b"nonce=" not in kept.content, url


# --- Every change a guest could see shows at once ----------------------------------------------


def test_guest_sees_a_new_reply_at_once_when_a_member_replies(client, topic, member):
    url = topic.get_absolute_url()
    guest_get(client, url)
    assert cache_state(guest_get(client, url)) == "hit"
    member_client = client.__class__()
    member_client.force_login(member)
    response = member_client.post(f"/t/{topic.pk}/reply/", {"body": "Sending you strength."})
    assert response.status_code == 302
    after = guest_get(client, url)
    assert cache_state(after) == "miss"
    assert b"Sending you strength." in after.content


@pytest.mark.django_db(transaction=True)
def test_generation_changes_when_a_write_commits(category, author):
    topic = make_topic(category, author=author)
    before = page_cache.current_generation()
    actions.create_reply(topic, author=author, body="Committed.")
    assert page_cache.current_generation() != before


def test_generation_stays_when_a_member_signs_in_or_reads(client, topic, member):
    url = topic.get_absolute_url()
    guest_get(client, url)
    reader = client.__class__()
    reader.login(username=member.username, password="a calm river at dawn")
    assert reader.get(url).status_code == 200  # records how far the member read
    actions.save_draft(member, key=f"reply:{topic.pk}", fields={"body": "half a thought"})
    assert cache_state(guest_get(client, url)) == "hit"


def _moderator():
    # Made before the guest's first visit (the people fixture), so only the change counts.
    return User.objects.get(username="mod")


def _new_topic(topic):
    actions.create_topic(topic.category, author=topic.author, title="A brand new topic", body="Hi")
    return "A brand new topic"


def _reply(topic):
    actions.create_reply(topic, author=topic.author, body="A fresh reply")
    return "A fresh reply"


def _edit(topic):
    actions.edit_post(topic.first_post, editor=topic.author, body="Edited words")
    return "Edited words"


def _hide(topic):
    post = topic.posts.get(position=2)
    content_actions.hide_post(post, by=_moderator(), reason="unkind")
    return "-Reply number 1."


def _restore_hidden(topic):
    post = topic.posts.get(position=2)
    moderator = _moderator()
    content_actions.hide_post(post, by=moderator, reason="unkind")
    # (the hidden page is read by the guest in between, in the test below)
    return ("-Reply number 1.", lambda: content_actions.unhide_post(post, by=moderator))


def _delete(topic):
    post = topic.posts.get(position=3)
    content_actions.delete_post(post, by=_moderator(), reason="spam")
    return "-Reply number 2."


def _move(topic):
    elsewhere = Category.objects.get(slug="elsewhere")
    content_actions.move_topic(topic, by=_moderator(), to=elsewhere)
    return "Elsewhere"


def _merge(topic):
    other = Topic.objects.get(title="Another topic")
    content_actions.merge_topics(other, into=topic, by=_moderator())
    return "Merged words"


def _split(topic):
    post = topic.posts.get(position=4)
    content_actions.split_topic(topic, post_ids=[post.pk], title="Split off", by=_moderator())
    return "-Reply number 3."


def _lock(topic):
    content_actions.set_locked(topic, by=_moderator(), locked=True)
    return "Locked"


def _pin(topic):
    content_actions.set_pinned(topic, by=_moderator(), pinned=True)
    return "Pinned"


def _recommend(topic):
    actions.set_recommended(topic.posts.get(position=2), by=_moderator(), recommended=True)
    return "Recommended posts"


def _react(topic):
    actions.set_reaction(
        topic.first_post,
        user=User.objects.get(username="sam"),
        kind=ReactionKind.objects.get(slug="hug"),
    )
    return "Who reacted"


def _article_cards(topic):
    card = {"title": "Tapering outcomes", "doi": "10.1000/x", "link": "https://doi.org/10.1000/x"}
    post_articles.set_article_cards(topic.first_post.pk, [card])
    return "Tapering outcomes"


def _category_edit(topic):
    category = Category.objects.get(pk=topic.category_id)
    category.name = "Renamed in the admin"
    category.save()
    return "Renamed in the admin"


def _profile(topic):
    author = topic.author
    save_profile(
        author,
        choices=ProfileChoices(
            display_name="River Stone",
            about="",
            profile_visibility="everyone",
            show_about=True,
            show_activity=True,
            show_post_count=True,
            show_signature=True,
        ),
    )
    return "River Stone"


def _account_deletion(topic):
    delete_member(topic.author, keep_posts=True)
    return "former member"


CHANGES = {
    "new topic": (_new_topic, "category"),
    "reply": (_reply, "topic"),
    "edit": (_edit, "topic"),
    "hide": (_hide, "topic"),
    "delete": (_delete, "topic"),
    "move": (_move, "topic"),
    "merge": (_merge, "topic"),
    "split": (_split, "topic"),
    "lock": (_lock, "topic"),
    "pin": (_pin, "category"),
    "recommendation": (_recommend, "topic"),
    "reaction": (_react, "topic"),
    "article cards": (_article_cards, "topic"),
    "category edit": (_category_edit, "home"),
    "profile": (_profile, "member"),
    "account deletion": (_account_deletion, "topic"),
}


def _url(topic, page: str) -> str:
    return {
        "home": "/",
        "category": topic.category.get_absolute_url(),
        "topic": topic.get_absolute_url(),
        "member": f"/u/{topic.author.username}/",
    }[page]


@pytest.fixture
def people(topic):
    """Everyone and everything a change needs, made before the guest's first visit."""
    UserFactory(username="mod", is_moderator=True, two_factor=True)
    UserFactory(username="sam")
    CategoryFactory(slug="elsewhere", name="Elsewhere")
    make_topic(topic.category, title="Another topic", body="Merged words")


@pytest.mark.parametrize("change", list(CHANGES))
def test_guest_sees_each_kind_of_change_at_once(client, topic, people, change):
    make_change, page = CHANGES[change]
    url = _url(topic, page)
    before = guest_get(client, url)
    assert cache_state(guest_get(client, url)) == "hit"
    expected = make_change(topic)
    after = guest_get(client, url)
    assert cache_state(after) == "miss"
    assert after.content != before.content
    text = after.content.decode()
    if expected.startswith("-"):
        assert expected[1:] not in text
    else:
        assert expected in text


def test_guest_sees_a_hidden_post_come_back_at_once_when_restored(client, topic, people):
    url = topic.get_absolute_url()
    gone, restore = _restore_hidden(topic)
    assert gone[1:] not in guest_get(client, url).content.decode()
    assert cache_state(guest_get(client, url)) == "hit"
    restore()
    after = guest_get(client, url)
    assert cache_state(after) == "miss"
    assert gone[1:] in after.content.decode()


def test_guest_page_changes_when_written_around_the_models_by_update_or_delete(client, topic):
    url = topic.get_absolute_url()
    other = make_topic(topic.category, title="Soon gone")
    guest_get(client, url)
    Post.objects.filter(topic=topic, position=2).update(body_html="<p>Changed in bulk</p>")
    assert b"Changed in bulk" in guest_get(client, url).content
    guest_get(client, url)
    Topic.objects.filter(pk=topic.pk).update(title="Retitled in bulk")
    assert b"Retitled in bulk" in guest_get(client, url).content
    listing = topic.category.get_absolute_url()
    assert b"Soon gone" in guest_get(client, listing).content
    Topic.objects.filter(pk=other.pk).delete()
    assert b"Soon gone" not in guest_get(client, listing).content


@pytest.mark.parametrize(
    ("sql", "changes"),
    [
        ('UPDATE "accounts_user" SET "last_login" = %s WHERE "accounts_user"."id" = %s', False),
        ('UPDATE "accounts_user" SET "display_name" = %s WHERE "accounts_user"."id" = %s', True),
        ('UPDATE "accounts_user" SET "avatar" = %s, "last_login" = %s WHERE "id" = %s', True),
        ('DELETE FROM "accounts_user" WHERE "accounts_user"."id" IN (%s)', True),
        ('INSERT INTO "forum_topicread" ("user_id") VALUES (%s)', False),
        ('INSERT OR IGNORE INTO "forum_reaction" ("post_id") VALUES (%s)', True),
        ('UPDATE "forum_post" SET "article_cards" = %s WHERE "id" = %s', True),
        ('UPDATE "django_session" SET "session_data" = %s', False),
        ('INSERT INTO "a_table_added_later" ("x") VALUES (%s)', True),
        ('SELECT "forum_post"."id" FROM "forum_post"', False),
        ('WITH moved AS (SELECT 1) UPDATE "forum_topic" SET "title" = %s', True),
        ("WITH recent AS (SELECT 1) SELECT * FROM recent", False),
    ],
)
def test_write_watcher_tells_writes_guests_could_see_from_the_others(sql, changes):
    assert page_cache.changes_guest_pages(sql) is changes


# --- Shared through Redis ----------------------------------------------------------------------


def test_pages_and_generation_are_shared_through_redis_when_it_is_the_cache(
    client,
    topic,
    settings,
    redis_url,  # noqa: F811
    django_assert_num_queries,
):
    from django.core.cache import caches

    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "stepdown-test-pages",
        },
    }
    caches["pages"].clear()
    url = topic.get_absolute_url()
    assert cache_state(guest_get(client, url)) == "miss"
    with django_assert_num_queries(0):
        assert cache_state(guest_get(client, url)) == "hit"
    assert caches["pages"].get(page_cache.GENERATION_KEY)
    _reply(topic)
    after = guest_get(client, url)
    assert cache_state(after) == "miss"
    assert b"A fresh reply" in after.content
    caches["pages"].clear()


# --- Searches ------------------------------------------------------------------------------------


def test_a_search_asked_again_is_kept_until_a_post_could_change_it(client, topic):
    url = "/search/?q=melatonin&page=1"
    first = guest_get(client, url)
    assert cache_state(first) == "miss"
    assert b"<mark>" not in first.content  # nothing found yet
    again = guest_get(client, url)
    assert cache_state(again) == "hit"
    assert again.content == first.content
    actions.create_reply(topic, author=topic.author, body="Melatonin helped me sleep.")
    after = guest_get(client, url)
    assert cache_state(after) == "miss"
    assert b"<mark>Melatonin</mark>" in after.content


@pytest.mark.parametrize(
    "query",
    ["q=taper&nocache=1", "q=taper&q=dose", "q=" + "taper+" * 60, "q=taper&next=/"],
)
def test_a_search_with_anything_else_in_its_address_is_answered_fresh(client, topic, query):
    for _ in range(2):
        assert cache_state(client.get(f"/search/?{query}")) == "bypass"


def test_a_members_search_never_shows_a_guest_what_only_members_read(
    client, topic, members_category
):
    make_topic(members_category, title="Lounge melatonin chat", body="Melatonin in the lounge.")
    member = UserFactory(username="quietwillow")
    signed = Client()
    signed.force_login(member)
    url = "/search/?q=melatonin"
    for expected in ("miss", "hit"):
        response = signed.get(url)
        assert cache_state(response) == expected
        assert b"Lounge melatonin chat" in response.content
    for expected in ("miss", "hit"):
        response = guest_get(client, url)
        assert cache_state(response) == expected
        assert b"Lounge melatonin chat" not in response.content


def test_without_redis_each_generation_is_a_file_overwritten_in_place(settings, tmp_path):
    settings.CACHES = {  # each process's own memory, as without REDIS_URL
        **settings.CACHES,
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    settings.STEPDOWN_PAGE_CACHE_GENERATION_FILE = tmp_path / "generation"
    for generation in page_cache.EVERYONE:
        generation.file.write_text("")  # an empty file is no generation: a first one is set
        first = generation.current()
        assert first and generation.file.read_text() == first
        inode = generation.file.stat().st_ino
        generation.bump()
        second = generation.current()
        assert second != first and len(second) == len(first) == 29
        assert generation.file.stat().st_ino == inode  # the same file, written over
    assert page_cache.GUESTS.file != page_cache.MEMBERS.file
    assert page_cache.GUESTS.current() != page_cache.MEMBERS.current()
