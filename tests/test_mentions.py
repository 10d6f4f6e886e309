"""@mentions (rendering, lookup, stored rows), member pages and mention suggestions."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stepdown.core.text import mention_candidates, render_markdown, sanitise_html
from stepdown.forum import actions
from stepdown.forum.mentions import (
    MAX_MENTIONS_PER_POST,
    render_body,
    store_mentions,
    unknown_names,
)
from stepdown.forum.models import Mention, Post
from tests.factories import UserFactory, make_topic
from tests.security.html_safety import unsafe_parts
from tests.security.xss_payloads import PAYLOADS

SAM = {"sam": "/u/sam/"}


def mention_links(html: str) -> list[tuple[str, str]]:
    """(href, text) of every mention link in ``html``."""
    return re.findall(r'<a href="([^"]*)" class="mention"[^>]*>([^<]*)</a>', html)


# --- Rendering (core.text) -----------------------------------------------------------------------


def test_render_markdown_links_mention_to_profile_when_name_is_given():
    html = render_markdown("Thank you @sam, that helped.", mentions=SAM)
    assert mention_links(html) == [("/u/sam/", "@sam")]
    assert 'rel="nofollow ugc noopener"' in html
    assert html.endswith(", that helped.</p>\n")


def test_render_markdown_leaves_mention_as_plain_text_when_name_is_unknown():
    html = render_markdown("Hello @nobody and @sam.", mentions=SAM)
    assert "Hello @nobody and " in html
    assert mention_links(html) == [("/u/sam/", "@sam")]


def test_render_markdown_links_no_mention_when_no_names_are_given():
    assert render_markdown("Hello @sam") == "<p>Hello @sam</p>\n"


def test_render_markdown_matches_mentions_case_insensitively_keeping_what_was_typed():
    html = render_markdown("@SAM and @Sam", mentions={"Sam": "/u/Sam/"})
    assert mention_links(html) == [("/u/Sam/", "@SAM"), ("/u/Sam/", "@Sam")]


@pytest.mark.parametrize(
    ("text", "after"),
    [
        ("@sam.", "."),
        ("@sam,", ","),
        ("@sam!", "!"),
        ("@sam?", "?"),
        ("@sam's", "'s"),
        ("@sam:", ":"),
        ("@sam)", ")"),
        ("@sam-", "-"),
        ("@sam_", "_"),
    ],
)
def test_render_markdown_leaves_trailing_punctuation_out_of_the_mention(text, after):
    html = render_markdown(text, mentions=SAM)
    assert mention_links(html) == [("/u/sam/", "@sam")]
    link = '<a href="/u/sam/" class="mention" rel="nofollow ugc noopener">@sam</a>'
    assert html == f"<p>{link}{after}</p>\n"


def test_render_markdown_prefers_the_longer_name_when_a_member_has_it():
    html = render_markdown("@sam. and @sam.", mentions={"sam": "/u/sam/", "sam.": "/u/sam./"})
    assert mention_links(html) == [("/u/sam./", "@sam."), ("/u/sam./", "@sam.")]


@pytest.mark.parametrize(
    "text",
    [
        "`@sam`",
        "```\n@sam\n```",
        "    @sam in indented code",
        "me@example.org",
        "sam@example.org",
        "write to first_@example.org",
        "@sam@example.org",
        "[ask @sam](https://example.org/)",
        "[ask](https://example.org/@sam)",
        "<https://example.org/@sam>",
        "https://example.org/@sam",
        "example.org/@sam",
        "![@sam](https://example.org/a.png)",
        "\\@sam",
        "&#64;sam",
        "x.@sam",
        "a+@sam",
        "@" + "s" * 151,
    ],
)
def test_render_markdown_makes_no_mention_inside_code_links_and_addresses(text):
    names = {"sam": "/u/sam/", "example.org": "/u/example.org/", "s" * 150: "/u/long/"}
    html = render_markdown(text, mentions=names)
    assert 'class="mention"' not in html
    assert mention_candidates(text) == set()


def test_render_markdown_links_mentions_inside_emphasis_headings_tables_and_quotes():
    text = "_@sam_ **@sam** __@sam__\n\n# @sam\n\n> @sam\n\n| who |\n|---|\n| @sam |\n\n- @sam"
    html = render_markdown(text, mentions=SAM)
    assert len(mention_links(html)) == 7
    assert '<em><a href="/u/sam/"' in html and '<strong><a href="/u/sam/"' in html


def test_render_markdown_escapes_whatever_follows_a_mention():
    html = render_markdown('@sam<script>alert(1)</script> @sam"><b>', mentions=SAM)
    assert mention_links(html) == [("/u/sam/", "@sam"), ("/u/sam/", "@sam")]
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>" not in html


def test_render_markdown_links_unicode_names():
    html = render_markdown("Danke @ZOË!", mentions={"zoë": "/u/Zo%C3%AB/"})
    assert mention_links(html) == [("/u/Zo%C3%AB/", "@ZOË")]


def test_sanitise_html_keeps_only_the_mention_class_on_links():
    kept = sanitise_html('<a class="mention" href="/u/sam/">@sam</a>')
    assert 'class="mention"' in kept
    for other in ("evil", "mention evil", "button"):
        cleaned = sanitise_html(f'<a class="{other}" href="/u/sam/">x</a>')
        assert "class=" not in cleaned, other
    assert "class=" not in sanitise_html('<p class="mention">x</p>')


def test_mention_candidates_lists_lower_cased_names_with_and_without_trailing_punctuation():
    text = "Hi @Sam. @river_walker, @Zoë and `@hidden` me@example.org"
    assert mention_candidates(text) == {"sam.", "sam", "river_walker", "zoë"}
    assert mention_candidates("") == set()


MENTION_PAYLOADS = [p for p in PAYLOADS if p.family == "mention"]
HOSTILE_NAMES = {
    name: f"/u/{name}/" for name in ("sam", "x", "svg", "img", "javascript", "a" * 150)
}


@pytest.mark.parametrize("payload", MENTION_PAYLOADS, ids=range(len(MENTION_PAYLOADS)))
def test_render_markdown_keeps_nothing_active_when_mentions_meet_hostile_text(payload):
    html = render_markdown(payload.text, mentions=HOSTILE_NAMES)
    assert unsafe_parts(html) == [], payload
    assert sanitise_html(html) == html, payload


def test_mention_payloads_are_in_the_xss_corpus():
    assert len(MENTION_PAYLOADS) >= 20


# --- render_body, unknown_names, store_mentions -------------------------------------------------


@pytest.mark.django_db
def test_render_body_links_active_members_with_one_query(django_assert_num_queries):
    sam = UserFactory(username="sam")
    river = UserFactory(username="River_Walker")
    UserFactory(username="gone", is_active=False)
    with django_assert_num_queries(1):
        rendered = render_body("@river_walker and @sam, also @Gone and @nobody. @SAM again")
    assert rendered.mentioned == [river, sam]
    assert rendered.unknown == ["Gone", "nobody"]
    assert mention_links(rendered.html) == [
        ("/u/River_Walker/", "@river_walker"),
        ("/u/sam/", "@sam"),
        ("/u/sam/", "@SAM"),
    ]
    assert "@Gone and @nobody." in rendered.html


@pytest.mark.django_db
def test_render_body_makes_no_query_when_text_names_nobody(django_assert_num_queries):
    with django_assert_num_queries(0):
        rendered = render_body("No names here, just `@code` and me@example.org.")
    assert rendered.mentioned == [] and rendered.unknown == []


@pytest.mark.django_db
def test_render_body_lists_each_unknown_name_once_as_first_typed():
    rendered = render_body("@Nobody, @nobody and @NOBODY; @someone.")
    assert rendered.unknown == ["Nobody", "someone"]


@pytest.mark.django_db
def test_render_body_looks_up_at_most_the_limit_and_leaves_the_rest_plain(
    django_assert_num_queries,
):
    UserFactory(username="late")
    names = [f"name{n}" for n in range(MAX_MENTIONS_PER_POST)]
    text = " ".join(f"@{name}" for name in names) + " @late"
    with django_assert_num_queries(1):
        rendered = render_body(text)
    assert rendered.skipped == ["late"]
    assert rendered.mentioned == []
    assert len(rendered.unknown) == MAX_MENTIONS_PER_POST
    assert 'class="mention"' not in rendered.html and "@late" in rendered.html


@pytest.mark.django_db
def test_unknown_names_lists_names_no_active_member_has():
    UserFactory(username="sam")
    UserFactory(username="asleep", is_active=False)
    assert unknown_names("@sam @asleep @ghost `@code`") == ["asleep", "ghost"]
    assert unknown_names("") == []


@pytest.mark.django_db
def test_store_mentions_adds_named_members_but_never_the_author(category):
    author = UserFactory(username="author")
    sam, river = UserFactory(username="sam"), UserFactory(username="river")
    post = make_topic(category, author=author).first_post
    added = store_mentions(post, [sam, author, river, sam])
    assert added == [sam, river]
    assert set(Mention.objects.filter(post=post).values_list("user__username", flat=True)) == {
        "sam",
        "river",
    }
    assert store_mentions(post, [sam, river]) == []  # again: nothing new, nothing doubled
    assert Mention.objects.filter(post=post).count() == 2


@pytest.mark.django_db
def test_store_mentions_follows_an_edit_removing_and_adding(category):
    author = UserFactory(username="author")
    sam, river, ash = (UserFactory(username=n) for n in ("sam", "river", "ash"))
    post = make_topic(category, author=author).first_post
    other_post = actions.create_reply(post.topic, author=author, body="x")
    store_mentions(other_post, [sam])
    store_mentions(post, render_body("@sam and @river").mentioned)
    added = store_mentions(post, render_body("@river and @ash").mentioned)
    assert added == [ash]
    assert set(Mention.objects.filter(post=post).values_list("user__username", flat=True)) == {
        "river",
        "ash",
    }
    # Another post's mentions are its own.
    assert list(Mention.objects.filter(post=other_post).values_list("user", flat=True)) == [sam.pk]
    store_mentions(post, [])
    assert not Mention.objects.filter(post=post).exists()


@pytest.mark.django_db
def test_account_export_lists_posts_the_member_was_mentioned_in(client, category):
    sam = UserFactory(username="sam")
    post = make_topic(category, title="Week two", body="@sam hello").first_post
    store_mentions(post, [sam])
    client.force_login(sam)
    data = client.get("/account/export/").json()
    assert [m["topic"] for m in data["forum"]["mentioned_in"]] == ["Week two"]
    assert data["forum"]["mentioned_in"][0]["url"].endswith(f"/p/{post.pk}/")


@pytest.mark.django_db
def test_account_deletion_takes_mentions_of_and_by_the_member(category):
    from stepdown.forum.personal_data import erase_forum_data

    sam, river = UserFactory(username="sam"), UserFactory(username="river")
    by_river = make_topic(category, author=river).first_post
    by_sam = make_topic(category, author=sam).first_post
    store_mentions(by_river, [sam])
    store_mentions(by_sam, [river])
    erase_forum_data(sam, keep_posts=False)
    assert not Mention.objects.exists()


@pytest.mark.django_db
def test_account_deletion_keeping_posts_keeps_the_mentions_they_make(category):
    from stepdown.forum.personal_data import erase_forum_data

    sam, river = UserFactory(username="sam"), UserFactory(username="river")
    by_sam = make_topic(category, author=sam).first_post
    store_mentions(by_sam, [river])
    erase_forum_data(sam, keep_posts=True)
    assert list(Mention.objects.values_list("user", flat=True)) == [river.pk]


# --- Member page ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_member_page_shows_name_joined_month_and_posts(client, category):
    rowan = UserFactory(username="rowan")
    type(rowan).objects.filter(pk=rowan.pk).update(date_joined=datetime(2024, 3, 9, tzinfo=UTC))
    topic = make_topic(category, author=rowan, title="Week six", body="Mornings are **hard**.")
    actions.create_reply(topic, author=rowan, body="Evenings are easier & calmer.")
    html = client.get("/u/rowan/").content.decode()
    assert "<h1>rowan</h1>" in html
    assert "March 2024" in html
    assert re.search(r"<dt>Posts</dt><dd>2</dd>", html)
    assert re.search(r"<dt>Topics started</dt><dd>1</dd>", html)
    assert "Week six" in html and f'href="/p/{topic.first_post_id}/"' in html
    assert "Mornings are hard." in html
    assert "Evenings are easier &amp; calmer." in html  # once escaped, not twice
    assert "example.org" not in html  # no email address


@pytest.mark.django_db
def test_member_page_hides_content_warned_passages_in_excerpts(client, category):
    rowan = UserFactory(username="rowan")
    make_topic(category, author=rowan, body="Before.\n\n:::cw Hard night\nThe hidden part.\n:::")
    html = client.get("/u/rowan/").content.decode()
    assert "The hidden part." not in html
    assert "[Content warning: Hard night]" in html


@pytest.mark.django_db
def test_member_page_lists_members_only_topics_to_members_but_not_to_guests(
    client, category, members_category, other_member
):
    rowan = UserFactory(username="rowan")
    make_topic(category, author=rowan, title="Open to all")
    make_topic(members_category, author=rowan, title="Lounge secret")
    guest_html = client.get("/u/rowan/").content.decode()
    assert "Open to all" in guest_html and "Lounge secret" not in guest_html
    assert re.search(r"<dt>Posts</dt><dd>1</dd>", guest_html)
    assert "/c/lounge/" not in guest_html
    client.force_login(other_member)
    member_html = client.get("/u/rowan/").content.decode()
    assert "Open to all" in member_html and "Lounge secret" in member_html
    assert re.search(r"<dt>Posts</dt><dd>2</dd>", member_html)


@pytest.mark.django_db
def test_member_page_leaves_out_removed_posts(client, category):
    rowan = UserFactory(username="rowan")
    topic = make_topic(category, author=rowan, title="Kept")
    removed = actions.create_reply(topic, author=rowan, body="Taken down by a moderator.")
    Post.objects.filter(pk=removed.pk).update(is_deleted=True)
    html = client.get("/u/rowan/").content.decode()
    assert "Taken down" not in html and re.search(r"<dt>Posts</dt><dd>1</dd>", html)


@pytest.mark.django_db
def test_member_page_says_so_when_there_is_nothing_to_show(client):
    UserFactory(username="quiet")
    html = client.get("/u/quiet/").content.decode()
    assert "Nothing by quiet to show here yet." in html


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["nobody", "asleep", "ROWAN"])
def test_member_page_is_404_for_unknown_or_inactive_members(client, username):
    UserFactory(username="rowan")
    UserFactory(username="asleep", is_active=False)
    assert client.get(f"/u/{username}/").status_code == 404


@pytest.mark.django_db
def test_member_page_pages_through_posts(client, category, settings):
    settings.STEPDOWN_POSTS_PER_PAGE = 5
    rowan = UserFactory(username="rowan")
    make_topic(category, author=rowan, title="Long", replies=11)
    first = client.get("/u/rowan/").content.decode()
    assert first.count('class="topic-row"') == 5 and 'href="?page=3"' in first
    last = client.get("/u/rowan/?page=3").content.decode()
    assert last.count('class="topic-row"') == 2 and "Started the topic" in last
    assert client.get("/u/rowan/?page=99").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("posts", [1, 30])
def test_member_page_query_count_does_not_grow_with_history(
    client, category, members_category, django_assert_num_queries, posts
):
    rowan = UserFactory(username="rowan")
    topic = make_topic(category, author=rowan, replies=posts - 1)
    make_topic(members_category, author=rowan)
    assert topic.posts.count() == posts
    with django_assert_num_queries(3):  # the member, the counts, one page of posts with topics
        response = client.get("/u/rowan/")
    assert response.status_code == 200


@pytest.mark.django_db
def test_topic_page_links_present_authors_to_their_member_page(client, category):
    rowan = UserFactory(username="rowan")
    asleep = UserFactory(username="asleep")
    topic = make_topic(category, author=rowan)
    actions.create_reply(topic, author=asleep, body="x")
    former = actions.create_reply(topic, author=rowan, body="y")
    Post.objects.filter(pk=former.pk).update(author=None)
    type(asleep).objects.filter(pk=asleep.pk).update(is_active=False)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert '<strong><a href="/u/rowan/" class="post__author-link">rowan</a></strong>' in html
    assert "<strong>asleep</strong>" in html and 'href="/u/asleep/"' not in html
    assert "<strong>former member</strong>" in html


# --- Suggestions ---------------------------------------------------------------------------------

SUGGEST = "/u/suggest/"


def suggested(response) -> list[str]:
    return re.findall(r'data-username="([^"]*)"', response.content.decode())


@pytest.mark.django_db
def test_suggest_sends_guests_to_sign_in(client):
    UserFactory(username="other")
    response = client.get(SUGGEST, {"q": "oth"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_suggest_lists_active_members_whose_name_starts_with_the_prefix(member_client):
    for name in ("other", "Otherwise", "brother", "oth", "asleep_other"):
        UserFactory(username=name)
    UserFactory(username="otherly", is_active=False)
    response = member_client.get(SUGGEST, {"q": "OTH"})
    assert response.status_code == 200
    assert suggested(response) == ["oth", "other", "Otherwise"]
    assert "example.org" not in response.content.decode()  # no email addresses
    assert response["Cache-Control"] == "private, no-store"
    assert "3 members found." in response.content.decode()


@pytest.mark.django_db
def test_suggest_leaves_out_the_searcher(client):
    me = UserFactory(username="otto")
    UserFactory(username="ottilie")
    client.force_login(me)
    assert suggested(client.get(SUGGEST, {"q": "ott"})) == ["ottilie"]


@pytest.mark.django_db
def test_suggest_shows_at_most_eight(member_client):
    for number in range(10):
        UserFactory(username=f"river{number}")
    assert len(suggested(member_client.get(SUGGEST, {"q": "riv"}))) == 8


@pytest.mark.django_db
def test_suggest_accepts_a_leading_at_sign_and_treats_wildcards_literally(member_client):
    UserFactory(username="sam_b")
    UserFactory(username="samxb")
    assert suggested(member_client.get(SUGGEST, {"q": "@sam_"})) == ["sam_b"]


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "<script>", "a b", "%", "x" * 151])
def test_suggest_lists_nobody_for_an_empty_or_impossible_prefix(member_client, prefix):
    UserFactory(username="anyone")
    response = member_client.get(SUGGEST, {"q": prefix})
    assert response.status_code == 200 and suggested(response) == []
    assert "<script>" not in response.content.decode()


@pytest.mark.django_db
def test_suggest_asks_the_database_once(member_client):
    for number in range(12):
        UserFactory(username=f"river{number}")
    member_client.get(SUGGEST)  # a first request settles the session
    with CaptureQueriesContext(connection) as baseline:
        member_client.get(SUGGEST, {"q": ""})
    with CaptureQueriesContext(connection) as searched:
        member_client.get(SUGGEST, {"q": "riv"})
    assert len(searched) - len(baseline) == 1
