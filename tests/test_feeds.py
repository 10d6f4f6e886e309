"""Feeds and discovery: Atom feeds (read by a real feed parser), sitemap.xml, robots.txt,
canonical, OpenGraph and description tags. Public content only, everywhere."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.test import Client

from stepdown.forum import actions
from stepdown.forum.models import Post
from tests.factories import CategoryFactory, UserFactory, make_topic

pytestmark = pytest.mark.django_db

SITE = "https://forum.example.org"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def world(category, members_category):
    """A public topic with a removed reply, and a members-only topic."""
    author = UserFactory(username="rowan")
    public = make_topic(
        category,
        author=author,
        title="Holding at 5 mg",
        body="Week **three** of the hold.\n\n:::cw Hard night\nThe hidden part.\n:::",
        replies=2,
    )
    removed = actions.create_reply(public, author=author, body="Taken down by a moderator.")
    Post.objects.filter(pk=removed.pk).update(is_deleted=True)
    secret = make_topic(
        members_category, author=author, title="Lounge secret", body="Members-only words."
    )
    return {"public": public, "secret": secret}


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


# --- Atom feeds -----------------------------------------------------------------------------------


def test_category_feed_is_valid_atom_with_the_newest_topics(client, category, world):
    make_topic(category, title="A newer topic", body="Fresh start.")
    feed = parse(client.get("/c/research/feed/"))
    assert feed.feed.title == "Research and articles · Stepdown"
    assert feed.feed.link == f"{SITE}/c/research/"
    titles = [entry.title for entry in feed.entries]
    assert titles == ["A newer topic", "Holding at 5 mg"]
    entry = feed.entries[1]
    assert entry.link == f"{SITE}{world['public'].get_absolute_url()}"
    assert entry.author == "rowan"
    assert "Week three of the hold." in entry.summary
    assert (
        "The hidden part." not in entry.summary and "[Content warning: Hard night]" in entry.summary
    )
    assert entry.published_parsed and entry.updated_parsed


def test_topic_feed_is_valid_atom_with_posts_and_no_removed_ones(client, world):
    topic = world["public"]
    feed = parse(client.get(f"/t/{topic.pk}/feed/"))
    assert feed.feed.title == "Holding at 5 mg · Stepdown"
    assert feed.feed.link == f"{SITE}{topic.get_absolute_url()}"
    assert [entry.title for entry in feed.entries] == [
        "Reply #3 by rowan",
        "Reply #2 by rowan",
        "rowan started the topic",
    ]
    links = {entry.link for entry in feed.entries}
    assert f"{SITE}/p/{topic.first_post_id}/" in links
    assert "Taken down" not in client.get(f"/t/{topic.pk}/feed/").content.decode()


def test_topic_feed_escapes_what_members_wrote(client, category):
    topic = make_topic(category, title="<b>Bold</b> & brave", body="Less < more & <i>tags</i>")
    feed = parse(client.get(f"/t/{topic.pk}/feed/"))
    assert feed.feed.title == "<b>Bold</b> & brave · Stepdown"
    assert "<i>" not in feed.entries[0].summary


@pytest.mark.parametrize("role", ["guest", "member"])
def test_members_only_feeds_are_404_even_for_members(client, member, world, role):
    if role == "member":
        client.force_login(member)
    assert client.get("/c/lounge/feed/").status_code == 404
    assert client.get(f"/t/{world['secret'].pk}/feed/").status_code == 404
    assert client.get("/c/nowhere/feed/").status_code == 404
    assert client.get("/t/999999/feed/").status_code == 404


def test_feeds_never_carry_members_only_content(client, category, world):
    for url in ["/c/research/feed/", f"/t/{world['public'].pk}/feed/"]:
        body = client.get(url).content.decode()
        assert "Lounge secret" not in body and "Members-only words" not in body


def test_feed_of_a_topic_whose_first_post_was_removed_has_no_summary(client, category):
    topic = make_topic(category, title="Gone quiet", body="Removed words.")
    Post.objects.filter(pk=topic.first_post_id).update(is_deleted=True)
    body = client.get("/c/research/feed/").content.decode()
    assert "Gone quiet" in body and "Removed words" not in body


def test_feeds_answer_get_only(client, world):
    assert client.post("/c/research/feed/").status_code in (403, 405)


# --- Sitemap and robots.txt -----------------------------------------------------------------------


def locations(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    return [loc.text for loc in root.iterfind(".//s:loc", SITEMAP_NS)]


def test_sitemap_index_lists_each_section_on_the_site_address(client, world):
    assert locations(client.get("/sitemap.xml")) == [
        f"{SITE}/sitemap-home.xml",
        f"{SITE}/sitemap-categories.xml",
        f"{SITE}/sitemap-topics.xml",
    ]


def test_sitemap_lists_home_public_categories_and_topics_with_lastmod(client, world):
    assert locations(client.get("/sitemap-home.xml")) == [f"{SITE}/"]
    assert locations(client.get("/sitemap-categories.xml")) == [f"{SITE}/c/research/"]
    topics = client.get("/sitemap-topics.xml")
    assert locations(topics) == [f"{SITE}{world['public'].get_absolute_url()}"]
    lastmod = world["public"].last_activity_at.date().isoformat()
    assert f"<lastmod>{lastmod}</lastmod>" in topics.content.decode()


def test_sitemap_never_lists_members_only_content(client, world):
    every = "".join(
        client.get(url).content.decode()
        for url in ["/sitemap.xml", "/sitemap-categories.xml", "/sitemap-topics.xml"]
    )
    assert "/c/lounge/" not in every and f"/t/{world['secret'].pk}/" not in every


def test_sitemap_is_paginated_by_the_framework(client, category, monkeypatch):
    from stepdown.forum.sitemaps import TopicSitemap

    monkeypatch.setattr(TopicSitemap, "limit", 2)
    author = UserFactory()
    for number in range(5):
        actions.create_topic(category, author=author, title=f"Topic {number}", body="x")
    assert locations(client.get("/sitemap.xml"))[2:] == [
        f"{SITE}/sitemap-topics.xml",
        f"{SITE}/sitemap-topics.xml?p=2",
        f"{SITE}/sitemap-topics.xml?p=3",
    ]
    assert len(locations(client.get("/sitemap-topics.xml?p=3"))) == 1
    assert client.get("/sitemap-topics.xml?p=4").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_robots_txt_opens_the_forum_and_closes_private_areas(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for private in [
        "/account/",
        "/accounts/",
        "/notifications/",
        "/messages/",
        "/journal/",
        "/taper/plans/",
        "/compose/",
        "/u/suggest/",
        "/admin/",
    ]:
        assert f"Disallow: {private}" in lines
    assert "Allow: /" in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    assert not any(line in ("Disallow: /", "Disallow: /c/", "Disallow: /t/") for line in lines)


# --- Canonical, OpenGraph and description tags ----------------------------------------------------


def head(html: str) -> str:
    return html.split("</head>", 1)[0]


def test_public_topic_page_has_canonical_opengraph_and_feed_tags(client, world):
    topic = world["public"]
    html = head(client.get(topic.get_absolute_url()).content.decode())
    url = topic.get_absolute_url()
    assert f'<link rel="canonical" href="{SITE}{url}">' in html
    assert f'<meta property="og:url" content="{SITE}{url}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Holding at 5 mg">' in html
    assert '<meta property="og:site_name" content="Stepdown">' in html
    description = "Week three of the hold. [Content warning: Hard night]"
    assert f'<meta property="og:description" content="{description}">' in html
    assert f'<meta name="description" content="{description}">' in html
    assert (
        f'<link rel="alternate" type="application/atom+xml" title="Holding at 5 mg" '
        f'href="/t/{topic.pk}/feed/">' in html
    )


def test_later_topic_pages_are_canonical_with_their_page_number(client, category, settings):
    settings.STEPDOWN_POSTS_PER_PAGE = 2
    topic = make_topic(category, title="Long", body="The first words.", replies=4)
    url = topic.get_absolute_url()
    html = head(client.get(f"{url}?page=2").content.decode())
    assert f'<link rel="canonical" href="{SITE}{url}?page=2">' in html
    assert f'<meta property="og:url" content="{SITE}{url}?page=2">' in html
    assert 'content="The first words."' in html  # from the first post, on another page
    first = head(client.get(url).content.decode())
    assert f'<link rel="canonical" href="{SITE}{url}">' in first


def test_topic_page_reads_the_first_post_once_only_when_it_is_on_another_page(
    client, category, settings, django_assert_num_queries
):
    settings.STEPDOWN_POSTS_PER_PAGE = 2
    topic = make_topic(category, replies=4)
    with django_assert_num_queries(5):  # as ever: the first post is on the page
        client.get(topic.get_absolute_url())
    with django_assert_num_queries(6):  # the first post's text for the description
        client.get(f"{topic.get_absolute_url()}?page=2")


def test_public_category_page_has_canonical_opengraph_and_feed_tags(client, world):
    html = head(client.get("/c/research/").content.decode())
    assert f'<link rel="canonical" href="{SITE}/c/research/">' in html
    assert f'<meta property="og:url" content="{SITE}/c/research/">' in html
    assert '<meta property="og:type" content="website">' in html
    assert '<meta property="og:title" content="Research and articles">' in html
    assert '<meta property="og:description" content="A place to talk.">' in html
    assert 'type="application/atom+xml" title="Research and articles" href="/c/research/feed/"' in (
        html
    )


def test_later_category_pages_are_canonical_with_their_page_number(client, category, settings):
    settings.STEPDOWN_TOPICS_PER_PAGE = 1
    for number in range(2):
        make_topic(category, title=f"Topic {number}")
    html = head(client.get("/c/research/?page=2").content.decode())
    assert f'<link rel="canonical" href="{SITE}/c/research/?page=2">' in html


def canonical_of(html: str) -> str:
    [href] = re.findall(r'<link rel="canonical" href="([^"]+)">', head(html))
    return href


def test_canonical_links_are_the_sitemap_addresses_whatever_host_the_page_was_reached_by(
    client, world
):
    topic = world["public"]
    sitemap = set(locations(client.get("/sitemap-topics.xml")))
    sitemap |= set(locations(client.get("/sitemap-categories.xml")))
    for url in [topic.get_absolute_url(), "/c/research/"]:
        for host in ["testserver", "localhost"]:
            html = client.get(url, HTTP_HOST=host).content.decode()
            canonical = canonical_of(html)
            assert canonical == f"{SITE}{url}" and canonical in sitemap
            assert f'<meta property="og:url" content="{canonical}">' in html


def test_members_only_pages_carry_no_discovery_tags(member_client, world):
    for url in ["/c/lounge/", world["secret"].get_absolute_url()]:
        response = member_client.get(url)
        assert response.status_code == 200
        html = head(response.content.decode())
        assert 'rel="canonical"' not in html and "og:" not in html
        assert "application/atom+xml" not in html and 'name="description"' not in html


def test_members_only_topic_never_appears_in_any_feed_or_sitemap(client, category, world):
    secret = world["secret"]
    urls = [
        "/c/research/feed/",
        f"/t/{world['public'].pk}/feed/",
        "/sitemap.xml",
        "/sitemap-home.xml",
        "/sitemap-categories.xml",
        "/sitemap-topics.xml",
        "/robots.txt",
    ]
    for url in urls:
        body = client.get(url).content.decode()
        assert secret.title not in body, url
        assert not re.search(rf"/t/{secret.pk}/", body), url
        assert "lounge" not in body, url


def test_discovery_tags_use_the_site_address_not_the_request_host(world):
    response = Client(HTTP_HOST="localhost").get("/c/research/")
    assert f'content="{SITE}/c/research/"' in response.content.decode()
    assert "http://localhost" not in response.content.decode()


def test_other_category_in_the_same_forum_is_not_in_the_feed(client, world):
    other = CategoryFactory(slug="news", name="News")
    make_topic(other, title="Elsewhere")
    assert "Elsewhere" not in client.get("/c/research/feed/").content.decode()
