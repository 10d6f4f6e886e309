"""Unread tracking: new activity on listings, jump to first unread, mark read, the streams."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stepdown.core import page_cache
from stepdown.forum import actions
from stepdown.forum.models import CategoryRead, ReadMarker, Topic, TopicRead
from stepdown.notifications.models import Follow
from tests.factories import PASSWORD, CategoryFactory, UserFactory, make_topic

PER_PAGE = 20  # settings.STEPDOWN_POSTS_PER_PAGE


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def reply(topic, author, times=1):
    for number in range(times):
        actions.create_reply(topic, author=author, body=f"More news {number}.")
    topic.refresh_from_db()


def post_at(topic, position):
    return topic.posts.get(position=position)


def read_position(member, topic):
    row = TopicRead.objects.filter(user=member, topic=topic).first()
    return row.last_read_position if row else 0


# --- New activity on listings ---------------------------------------------------------------


def test_category_page_marks_topic_new_when_member_never_opened_it(member, other_member, category):
    make_topic(category, author=other_member, title="Week one")
    html = text_of(signed_in(member).get(category.get_absolute_url()))
    assert "New topic" in html
    assert "new posts" not in html


def test_category_page_counts_new_posts_when_others_replied_after_member_read(
    member, other_member, category
):
    topic = make_topic(category, author=other_member, title="Week one", replies=2)
    client = signed_in(member)
    client.get(topic.get_absolute_url())
    reply(topic, other_member, times=2)
    html = text_of(client.get(category.get_absolute_url()))
    assert "2 new posts" in html
    assert f'href="/unread/{topic.pk}/"' in html
    assert "New topic" not in html


def test_category_page_shows_no_marker_when_member_read_everything(member, other_member, category):
    topic = make_topic(category, author=other_member, replies=3)
    client = signed_in(member)
    client.get(topic.get_absolute_url())
    html = text_of(client.get(category.get_absolute_url()))
    assert "New topic" not in html and "new post" not in html
    assert "/unread/" not in html.split("<main", 1)[1].split("</main>")[0]


def test_activity_before_member_joined_counts_as_read(member, other_member, category):
    make_topic(category, author=other_member)
    member.date_joined = timezone.now()
    member.save(update_fields=["date_joined"])
    html = text_of(signed_in(member).get(category.get_absolute_url()))
    assert "New topic" not in html


def test_activity_older_than_unread_days_counts_as_read(member, other_member, category, settings):
    settings.STEPDOWN_UNREAD_DAYS = 30
    member.date_joined = timezone.now() - timedelta(days=400)
    member.save(update_fields=["date_joined"])
    old = make_topic(category, author=other_member, title="From last year")
    Topic.objects.filter(pk=old.pk).update(last_activity_at=timezone.now() - timedelta(days=31))
    make_topic(category, author=other_member, title="From this week")
    html = text_of(signed_in(member).get("/unread/"))
    assert "From this week" in html
    assert "From last year" not in html


def test_home_shows_new_activity_only_for_categories_with_unread_topics(
    member, other_member, category
):
    quiet = CategoryFactory(slug="quiet", name="Quiet corner")
    make_topic(category, author=other_member)
    read = make_topic(quiet, author=other_member)
    client = signed_in(member)
    client.get(read.get_absolute_url())
    html = text_of(client.get("/"))
    assert html.count("New activity") == 1
    row = html.split('class="category-row category-row--new"', 1)[1]
    assert row.split("</li>")[0].count(category.name) == 1


def test_home_shows_no_new_activity_when_member_wrote_the_only_posts(member, category):
    topic = make_topic(category, author=member)
    reply(topic, member)
    assert "New activity" not in text_of(signed_in(member).get("/"))


# --- Reading a topic ------------------------------------------------------------------------


def test_topic_page_records_last_position_shown_when_member_reads(member, other_member, category):
    topic = make_topic(category, author=other_member, replies=PER_PAGE + 4)
    client = signed_in(member)
    client.get(topic.get_absolute_url())
    assert read_position(member, topic) == PER_PAGE
    client.get(f"{topic.get_absolute_url()}?page=2")
    assert read_position(member, topic) == PER_PAGE + 5


def test_topic_page_never_moves_read_position_back_when_earlier_page_is_read(
    member, other_member, category
):
    topic = make_topic(category, author=other_member, replies=2 * PER_PAGE)
    client = signed_in(member)
    client.get(f"{topic.get_absolute_url()}?page=3")
    client.get(topic.get_absolute_url())
    assert read_position(member, topic) == 2 * PER_PAGE + 1


def test_topic_page_marks_first_post_member_had_not_read(member, other_member, category):
    topic = make_topic(category, author=other_member, replies=2)
    client = signed_in(member)
    client.get(topic.get_absolute_url())
    reply(topic, other_member, times=2)
    html = client.get(topic.get_absolute_url()).content.decode()
    divider = html.index("New since you last read this topic")
    assert html.index(f'id="post-{post_at(topic, 3).pk}"') < divider
    assert divider < html.index(f'id="post-{post_at(topic, 4).pk}"')
    # Read now: seen again, the page has no divider.
    assert "New since you last read" not in client.get(topic.get_absolute_url()).content.decode()


def test_own_reply_marks_topic_read_up_to_it(member, other_member, category):
    topic = make_topic(category, author=other_member, replies=3)
    client = signed_in(member)
    response = client.post(f"/t/{topic.pk}/reply/", {"body": "Thank you all."})
    assert response.status_code == 302
    topic.refresh_from_db()
    assert read_position(member, topic) == topic.last_position
    assert "new post" not in text_of(client.get(category.get_absolute_url()))


def test_own_new_topic_is_not_new_to_its_author(member, category):
    client = signed_in(member)
    client.post(f"/c/{category.slug}/new/", {"title": "My taper", "body": "Day one."})
    assert Topic.objects.filter(title="My taper").exists()
    html = text_of(client.get(category.get_absolute_url()))
    assert "New topic" not in html


# --- Jump to first unread post --------------------------------------------------------------


def test_first_unread_jumps_to_page_and_post_of_first_unread_across_pages(
    member, other_member, category
):
    topic = make_topic(category, author=other_member, replies=PER_PAGE + 10)
    client = signed_in(member)
    client.get(topic.get_absolute_url())  # posts 1-20 read
    response = client.get(f"/unread/{topic.pk}/")
    first_unread = post_at(topic, PER_PAGE + 1)
    assert response.status_code == 302
    assert response["Location"] == f"{topic.get_absolute_url()}?page=2#post-{first_unread.pk}"


def test_first_unread_finds_new_reply_after_mark_all_read(member, other_member, category):
    topic = make_topic(category, author=other_member, replies=2 * PER_PAGE + 5)
    client = signed_in(member)
    client.post("/unread/read-all/")
    reply(topic, other_member)
    response = client.get(f"/unread/{topic.pk}/")
    newest = post_at(topic, topic.last_position)
    assert response["Location"] == f"{topic.get_absolute_url()}?page=3#post-{newest.pk}"


def test_first_unread_goes_to_last_post_when_member_read_everything(member, other_member, category):
    topic = make_topic(category, author=other_member, replies=PER_PAGE + 2)
    client = signed_in(member)
    client.get(f"{topic.get_absolute_url()}?page=2")
    response = client.get(f"/unread/{topic.pk}/")
    last = post_at(topic, topic.last_position)
    assert response["Location"] == f"{topic.get_absolute_url()}?page=2#post-{last.pk}"


def test_first_unread_starts_guests_at_first_post(client, other_member, category):
    topic = make_topic(category, author=other_member, replies=PER_PAGE + 2)
    response = client.get(f"/unread/{topic.pk}/")
    assert response["Location"] == f"{topic.get_absolute_url()}#post-{topic.first_post_id}"


def test_first_unread_works_for_topic_titled_unread(member, other_member, category):
    topic = make_topic(category, author=other_member, title="Unread")
    client = signed_in(member)
    assert client.get(topic.get_absolute_url()).status_code == 200
    response = client.get(f"/unread/{topic.pk}/")
    assert response["Location"] == f"/t/{topic.pk}/unread-topic/#post-{topic.first_post_id}"


def test_first_unread_hides_members_only_topic_from_guests(client, other_member, members_category):
    topic = make_topic(members_category, author=other_member)
    assert client.get(f"/unread/{topic.pk}/").status_code == 404


# --- Mark read ------------------------------------------------------------------------------


def test_mark_category_read_clears_markers_in_that_category_only(member, other_member, category):
    elsewhere = CategoryFactory(slug="elsewhere", name="Elsewhere")
    make_topic(category, author=other_member, title="Here")
    make_topic(elsewhere, author=other_member, title="There")
    client = signed_in(member)
    response = client.post(f"/c/{category.slug}/read/")
    assert response["Location"] == category.get_absolute_url()
    assert CategoryRead.objects.filter(user=member, category=category).count() == 1
    assert "New topic" not in text_of(client.get(category.get_absolute_url()))
    assert "New topic" in text_of(client.get(elsewhere.get_absolute_url()))
    html = text_of(client.get("/unread/"))
    assert "There" in html and ">Here<" not in html


def test_mark_all_read_clears_markers_everywhere_until_new_activity(member, other_member, category):
    elsewhere = CategoryFactory(slug="elsewhere", name="Elsewhere")
    first = make_topic(category, author=other_member, title="Here")
    make_topic(elsewhere, author=other_member, title="There")
    client = signed_in(member)
    assert text_of(client.get("/")).count("New activity") == 2
    response = client.post("/unread/read-all/", {"next": "/"})
    assert response["Location"] == "/"
    assert ReadMarker.objects.filter(user=member).count() == 1
    assert "New activity" not in text_of(client.get("/"))
    assert "all caught up" in text_of(client.get("/unread/"))
    reply(first, other_member)
    html = text_of(client.get("/unread/"))
    assert "1 new post" in html and "Here" in html and "There" not in html


def test_mark_all_read_is_one_write_however_many_topics(member, other_member, category):
    for number in range(5):
        make_topic(category, author=other_member, title=f"Topic {number}")
    client = signed_in(member)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        client.post("/unread/read-all/")
    writes = [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(writes) == 1 and "forum_readmarker" in writes[0]


def test_mark_all_read_returns_only_to_pages_of_this_site(member):
    client = signed_in(member)
    response = client.post("/unread/read-all/", {"next": "https://elsewhere.example/"})
    assert response["Location"] == "/unread/"


def test_mark_read_needs_sign_in(client, category):
    assert client.post("/unread/read-all/").status_code == 302
    assert client.post(f"/c/{category.slug}/read/").status_code == 302
    assert not ReadMarker.objects.exists() and not CategoryRead.objects.exists()


# --- Guests ---------------------------------------------------------------------------------


def test_guest_sees_no_unread_markers_and_reading_writes_nothing(client, other_member, category):
    topic = make_topic(category, author=other_member, replies=3)
    for url in ["/", category.get_absolute_url(), "/latest/", topic.get_absolute_url()]:
        with CaptureQueriesContext(connection) as queries:
            html = text_of(client.get(url))
        assert "New topic" not in html and "New activity" not in html and "new post" not in html
        assert "Mark all read" not in html and "Mark this category read" not in html
        writes = [q["sql"] for q in queries if not q["sql"].lstrip().startswith("SELECT")]
        assert writes == [], url
    assert not TopicRead.objects.exclude(user=other_member).exists()


# --- Streams --------------------------------------------------------------------------------


def test_latest_lists_readable_topics_by_last_activity(client, other_member, category):
    older = make_topic(category, author=other_member, title="Older topic")
    make_topic(category, author=other_member, title="Newer topic")
    reply(older, other_member)
    html = text_of(client.get("/latest/"))
    assert html.index("Older topic") < html.index("Newer topic")
    assert f'href="{category.get_absolute_url()}"' in html


def test_latest_leaves_out_members_only_topics_for_guests(
    client, other_member, category, members_category
):
    make_topic(category, author=other_member, title="Open to all")
    make_topic(members_category, author=other_member, title="Lounge secret")
    html = text_of(client.get("/latest/"))
    assert "Open to all" in html
    assert "Lounge secret" not in html and "/c/lounge/" not in html


def test_latest_shows_members_only_topics_to_members(
    member, other_member, category, members_category
):
    make_topic(members_category, author=other_member, title="Lounge talk")
    assert "Lounge talk" in text_of(signed_in(member).get("/latest/"))


def test_unread_stream_lists_only_topics_with_posts_member_has_not_read(
    member, other_member, category, members_category
):
    read = make_topic(category, author=other_member, title="Already read")
    make_topic(category, author=other_member, title="Never opened")
    make_topic(members_category, author=other_member, title="Lounge news")
    client = signed_in(member)
    client.get(read.get_absolute_url())
    html = text_of(client.get("/unread/"))
    assert "Never opened" in html and "Lounge news" in html
    assert "Already read" not in html
    assert "Mark all read" in html


def test_unread_stream_asks_guests_to_sign_in(client):
    response = client.get("/unread/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_unread_stream_pages_through_many_unread_topics(member, other_member, category):
    for number in range(35):
        make_topic(category, author=other_member, title=f"Topic {number:02}")
    client = signed_in(member)
    first = text_of(client.get("/unread/"))
    second = text_of(client.get("/unread/?page=2"))
    assert "Topic 34" in first and "Topic 05" in first and "Topic 04" not in first
    assert "Topic 04" in second and "Topic 00" in second


def test_site_nav_links_streams(client, member):
    guest_nav = text_of(client.get("/")).split('class="site-nav"')[1].split("</nav>")[0]
    assert 'href="/latest/"' in guest_nav and 'href="/unread/"' not in guest_nav
    member_nav = text_of(signed_in(member).get("/")).split('class="site-nav"')[1].split("</nav>")[0]
    assert 'href="/unread/"' in member_nav


# --- Personal data ---------------------------------------------------------------------------


def test_export_lists_members_read_state(member, other_member, category, settings):
    topic = make_topic(category, author=other_member, title="Week one", replies=2)
    client = signed_in(member)
    client.get(topic.get_absolute_url())
    client.post(f"/c/{category.slug}/read/")
    client.post("/unread/read-all/")
    reading = json.loads(client.get("/account/export/").content)["forum"]["reading"]
    assert reading["topics"] == [
        {
            "topic": "Week one",
            "url": f"{settings.SITE_URL}{topic.get_absolute_url()}",
            "read_up_to_post": 3,
            "updated_at": TopicRead.objects.get(user=member).updated_at.isoformat(),
        }
    ]
    assert reading["categories_read_before"][0]["category"] == category.name
    assert (
        reading["all_read_before"]
        == ReadMarker.objects.get(user=member).all_read_before.isoformat()
    )


def test_account_deletion_removes_read_state_and_only_the_members(member, other_member, category):
    topic = make_topic(category, author=member, replies=1)
    for reader in (member, other_member):
        client = signed_in(reader)
        client.get(topic.get_absolute_url())
        client.post(f"/c/{category.slug}/read/")
        client.post("/unread/read-all/")
    response = signed_in(member).post(
        "/account/delete/",
        {"posts": "keep", "password": PASSWORD, "confirmation": "member"},
    )
    assert response.status_code == 302
    for model in (TopicRead, CategoryRead, ReadMarker):
        assert list(model.objects.values_list("user_id", flat=True)) == [other_member.pk]


# --- Cost: constant queries whatever the member's history ------------------------------------


READ_TABLES = ("forum_topicread", "forum_readmarker", "forum_categoryread")


def history(member, category, *, read: int, followed: int):
    """``read`` topics the member has read (and follows) plus more follows, made in bulk."""
    now = timezone.now()
    topics = Topic.objects.bulk_create(
        Topic(
            category=category, title=f"Old {n}", slug="old", last_activity_at=now, last_position=3
        )
        for n in range(read)
    )
    TopicRead.objects.bulk_create(
        TopicRead(user=member, topic=topic, last_read_position=2, updated_at=now)
        for topic in topics
    )
    target_ids = [topic.pk for topic in topics] + [10**6 + n for n in range(followed - read)]
    Follow.objects.bulk_create(
        Follow(user=member, target_type="topic", target_id=target_id) for target_id in target_ids
    )


def queries_of(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return [q["sql"] for q in queries]


def test_pages_cost_the_same_queries_for_short_and_long_history(
    other_member, category, django_assert_num_queries
):
    few = UserFactory(username="few")
    many = UserFactory(username="many")
    topic = make_topic(category, author=other_member, replies=PER_PAGE + 3)
    history(few, category, read=3, followed=3)
    history(many, category, read=300, followed=10_000)
    make_topic(category, author=other_member, title="Fresh")
    few_client, many_client = signed_in(few), signed_in(many)
    for url in ["/", category.get_absolute_url(), "/latest/", "/unread/"]:
        expected = len(queries_of(few_client, url))
        with django_assert_num_queries(expected):
            many_client.get(url)
    # The topic page, first visit: the read state is read, then the one upsert. Its posts are
    # rendered afresh for both members (a new generation: forum/post_fragments.py would share
    # them otherwise).
    page_cache.bump()
    expected = len(queries_of(few_client, topic.get_absolute_url()))
    page_cache.bump()
    with django_assert_num_queries(expected):
        many_client.get(topic.get_absolute_url())
    # Again: already read, so nothing is written.
    page_cache.bump()
    with django_assert_num_queries(expected - 1):
        many_client.get(topic.get_absolute_url())


def forum_queries(client, url) -> list[str]:
    return [sql for sql in queries_of(client, url) if re.search(r'FROM "forum_', sql)]


@pytest.mark.usefixtures("members_pages_rendered")
def test_unread_state_adds_no_query_to_listings(member, other_member, category):
    topic = make_topic(category, author=other_member, replies=2)
    client, guest = signed_in(member), Client()
    for url in ["/", category.get_absolute_url(), "/latest/"]:
        # The member's listing carries their read state in the same queries a guest's makes
        # (once their category rights are kept: see the next test for what that costs).
        client.get(url)
        member_sql = forum_queries(client, url)
        assert len(member_sql) == len(forum_queries(guest, url)), url
        assert any("forum_topicread" in sql for sql in member_sql), url
    reading = [
        sql
        for sql in queries_of(client, topic.get_absolute_url())
        if any(table in sql for table in READ_TABLES)
    ]
    assert len(reading) == 2  # the read state, and recording this page as read
