"""Rendered posts shared between readers: each reader still sees their own page, at once."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from stepdown.core import page_cache
from stepdown.forum import post_fragments
from stepdown.forum.models import Post, Reaction, ReactionKind
from tests.factories import UserFactory, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(category, other_member):
    return make_topic(category, author=other_member, title="Week two", replies=4)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_html(page: str, post: Post) -> str:
    """The <article> of ``post`` in a topic page."""
    match = re.search(rf'<article class="post[^"]*" id="post-{post.pk}".*?</article>', page, re.S)
    assert match, f"post {post.pk} not on the page"
    return match.group(0)


@pytest.fixture
def rendered(monkeypatch) -> list[int]:
    """The ids of the posts rendered afresh (not taken from the cache), in order."""
    done: list[int] = []
    render = post_fragments._render

    def counting(posts, view):
        done.extend(post.pk for post in posts)
        return render(posts, view)

    monkeypatch.setattr(post_fragments, "_render", counting)
    return done


def test_second_reader_gets_kept_posts_without_rendering_them(topic, member, category):
    url = topic.get_absolute_url()
    third = signed_in(UserFactory(username="third"))
    signed_in(member).get(url)
    with CaptureQueriesContext(connection) as first_view:
        third.get(url)
    # The kept posts need neither the reactions with their members nor the signatures.
    sql = [q["sql"] for q in first_view.captured_queries]
    assert not any('"journals_journal"' in s for s in sql)
    assert not any('INNER JOIN "accounts_user"' in s and '"forum_reaction"' in s for s in sql)


def test_each_reader_sees_their_own_actions_and_reaction(topic, member, other_member):
    url = topic.get_absolute_url()
    own_post = topic.first_post  # by other_member
    kind = ReactionKind.objects.get(slug="hug")
    Reaction.objects.create(post=own_post, user=member, kind=kind)

    as_member = post_html(signed_in(member).get(url).content.decode(), own_post)
    as_author = post_html(signed_in(other_member).get(url).content.decode(), own_post)
    as_third = post_html(signed_in(UserFactory()).get(url).content.decode(), own_post)
    as_guest = post_html(Client().get(url).content.decode(), own_post)

    assert 'aria-pressed="true"' in as_member and "Report" in as_member
    assert f"/p/{own_post.pk}/edit/" not in as_member
    assert f"/p/{own_post.pk}/edit/" in as_author and "Report" not in as_author
    assert 'aria-pressed="true"' not in as_third and 'class="reaction-button"' in as_third
    assert 'class="reaction-button"' not in as_guest and "Report" not in as_guest


def test_forms_in_kept_posts_carry_each_readers_token(topic, member):
    url = topic.get_absolute_url()
    signed_in(UserFactory()).get(url)  # keeps the posts
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    page = client.get(url).content.decode()
    html = post_html(page, topic.first_post)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert "placeholder" not in page
    answer = client.post(
        f"/p/{topic.first_post.pk}/react/", {"kind": "thanks", "csrfmiddlewaretoken": token}
    )
    assert answer.status_code == 302
    assert Reaction.objects.get(user=member).kind.slug == "thanks"


def test_a_change_shows_at_once_to_readers_of_kept_posts(topic, member, other_member):
    url = topic.get_absolute_url()
    reader = signed_in(member)
    reader.get(url)
    post = topic.first_post
    # An edit by the author, through the site.
    signed_in(other_member).post(f"/p/{post.pk}/edit/", {"body": "Edited: magnesium helps me."})
    assert "Edited: magnesium helps me." in post_html(reader.get(url).content.decode(), post)
    # A reaction by someone else changes the counts and who reacted.
    third = UserFactory(username="juniper")
    signed_in(third).post(f"/p/{post.pk}/react/", {"kind": "like"})
    assert "juniper" in post_html(reader.get(url).content.decode(), post)
    # A change made outside any view (the admin, a script) too.
    Post.objects.filter(pk=post.pk).update(is_recommended=True)
    assert "post--recommended" in post_html(reader.get(url).content.decode(), post)
    # The author's new display name.
    other_member.display_name = "Sky in spring"
    other_member.save()
    assert "Sky in spring" in post_html(reader.get(url).content.decode(), post)


def test_readers_with_the_same_rights_share_posts(topic, member, rendered):
    url = topic.get_absolute_url()
    other = signed_in(UserFactory())
    signed_in(member).get(url)
    assert len(rendered) == 5
    other.get(url)
    assert len(rendered) == 5  # nothing rendered again
    page_cache.bump()  # as any write anyone could see does
    other.get(url)
    assert len(rendered) == 10


@override_settings(STEPDOWN_FRAGMENT_CACHE_SECONDS=0)
@pytest.mark.usefixtures("members_pages_rendered")
def test_turned_off_every_post_is_rendered_every_time(topic, member, rendered):
    url = topic.get_absolute_url()
    reader = signed_in(member)
    page = reader.get(url).content.decode()
    assert post_html(page, topic.first_post)
    with CaptureQueriesContext(connection) as again:
        reader.get(url)
    assert len(rendered) == 10
    # Nor are the member's rights kept: asked again.
    assert any("viewer_group_read" in query["sql"] for query in again.captured_queries)


@pytest.mark.usefixtures("members_pages_rendered")
def test_kept_posts_cost_fewer_queries_than_fresh_ones(topic, member):
    url = topic.get_absolute_url()
    reader = signed_in(member)
    reader.get(url)  # reads the topic: later views write nothing
    page_cache.bump()  # forgets the kept posts
    with CaptureQueriesContext(connection) as fresh:
        reader.get(url)
    with CaptureQueriesContext(connection) as kept:
        reader.get(url)
    # Kept: the posts (no reactions with their members, no signatures) and the member's
    # category rights, all three queries.
    assert len(kept.captured_queries) == len(fresh.captured_queries) - 3


@override_settings(STEPDOWN_FRAGMENT_CACHE_SECONDS=0)
def test_readers_with_equal_facts_get_the_same_html(topic, category):
    """Nothing about a reader but their ``Reader`` facts reaches a post's HTML."""
    url = topic.get_absolute_url()
    alice = UserFactory(username="alice", display_name="Alice A")
    bob = UserFactory(username="bob", display_name="Bob B")
    pages = [signed_in(reader).get(url).content.decode() for reader in (alice, bob)]

    def posts_only(page):
        html = "".join(post_html(page, post) for post in Post.objects.filter(topic=topic))
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    assert posts_only(pages[0]) == posts_only(pages[1])
    assert "alice" not in posts_only(pages[0]) and "bob" not in posts_only(pages[1])


def test_a_cache_that_is_down_costs_speed_not_the_page(topic, member, monkeypatch, caplog):
    class Down:
        def get_many(self, keys):
            raise ConnectionError("cache down")

        def set_many(self, values, timeout):
            raise ConnectionError("cache down")

    monkeypatch.setattr(post_fragments, "_fragments", lambda: Down())
    response = signed_in(member).get(topic.get_absolute_url())
    assert response.status_code == 200
    assert post_html(response.content.decode(), topic.first_post)
    assert "Could not read rendered posts from the cache" in caplog.text
