"""`stepdown bench-data` makes a consistent forum: a fast smoke test (benchmarks are no tests)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Max, Min

from stepdown.forum import actions, counters
from stepdown.forum.models import Category, Post, Reaction, Topic
from tests.factories import UserFactory, make_topic

pytestmark = pytest.mark.django_db


def bench_data(**options) -> str:
    out = StringIO()
    defaults = {"members": 12, "topics": 6, "posts": 90, "posts_in_long_topic": 45}
    call_command("bench_data", **(defaults | options), stdout=out)
    return out.getvalue()


def test_bench_data_makes_members_topics_and_posts_as_asked(db):
    output = bench_data()
    assert "Made 12 members" in output
    assert Topic.objects.count() == 6
    assert Post.objects.count() == 90
    assert Topic.objects.aggregate(top=Max("last_position"))["top"] == 45
    assert Reaction.objects.exists()


def test_bench_data_keeps_positions_and_counters_consistent(db):
    bench_data()
    for topic in Topic.objects.annotate(
        rows=Count("posts"), low=Min("posts__position"), high=Max("posts__position")
    ):
        assert (topic.low, topic.high, topic.rows) == (1, topic.last_position, topic.last_position)
        assert topic.first_post.position == 1 and topic.first_post.author_id == topic.author_id
        assert topic.last_post.position == topic.last_position
        assert topic.last_activity_at == topic.last_post.created_at
        before = (topic.reply_count, topic.last_post_id)
        counters.recount_topic(topic)
        assert (topic.reply_count, topic.last_post_id) == before
    for category in Category.objects.all():
        before = (category.topic_count, category.post_count, category.last_post_id)
        counters.recount_category(category)
        assert (category.topic_count, category.post_count, category.last_post_id) == before
    # Posts are numbered in time order across topics.
    times = list(Post.objects.order_by("pk").values_list("created_at", flat=True))
    assert times == sorted(times)


def test_bench_data_pages_open_for_guests_and_bench_members(client, settings):
    settings.STEPDOWN_POSTS_PER_PAGE = 20
    bench_data()
    long_topic = Topic.objects.order_by("-last_position").first()
    for url in [
        "/",
        long_topic.category.get_absolute_url(),
        long_topic.get_absolute_url(),
        f"{long_topic.get_absolute_url()}?page=3",
        "/latest/",
        f"/u/{long_topic.author.username}/",
    ]:
        assert client.get(url).status_code == 200, url
    page_three = client.get(f"{long_topic.get_absolute_url()}?page=3").content.decode()
    assert '<ol class="post-list" start="41">' in page_three
    out = StringIO()
    call_command("bench_data", sign_in=2, stdout=out)
    keys = out.getvalue().split()
    assert len(keys) == 2
    client.cookies[settings.SESSION_COOKIE_NAME] = keys[0]
    assert b"Signed in as bench" in client.get(long_topic.get_absolute_url()).content


def test_bench_data_forum_takes_new_posts_after_it(db):
    bench_data()
    topic = Topic.objects.first()
    reply = actions.create_reply(topic, author=topic.author, body="After the benchmark data.")
    assert reply.position == topic.last_position + 1
    assert make_topic(Category.objects.first(), title="A new topic").first_post is not None


def test_bench_data_refuses_a_forum_with_content_unless_forced(category):
    make_topic(category, author=UserFactory(username="realperson"))
    with pytest.raises(CommandError, match="members of its own"):
        bench_data()
    assert Post.objects.count() == 1
    bench_data(force=True)
    assert Post.objects.count() == 91


@pytest.mark.parametrize("options", [{"posts": 3, "topics": 6}, {"members": 0}, {"topics": 0}])
def test_bench_data_refuses_numbers_that_make_no_forum(db, options):
    with pytest.raises(CommandError):
        bench_data(**options)


def test_bench_data_builds_the_search_index_when_search_is_installed(db):
    if "stepdown.search" not in settings.INSTALLED_APPS:
        pytest.skip("no search app")
    from stepdown.search.models import SearchEntry

    bench_data()
    assert SearchEntry.objects.count() == Post.objects.count()
