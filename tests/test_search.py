"""Search: ranking, query syntax, snippets, filters, paging, permissions and keeping in step.

Every test runs on SQLite (FTS5) and on PostgreSQL (tsvector) alike: `make test` runs both.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from stepdown.accounts.actions import delete_member
from stepdown.forum import actions, approval
from stepdown.forum import moderation_actions as moderation
from stepdown.forum.models import ArticleCard, Post, Topic
from stepdown.search import index
from stepdown.search.backends import PostgreSQLBackend, get_backend
from stepdown.search.models import SearchEntry
from stepdown.search.queries import addresses, readable_categories_for_search
from stepdown.search.query_syntax import QueryProblem, parse
from tests.factories import CategoryFactory, UserFactory, make_topic

pytestmark = pytest.mark.django_db

RESULT_LINK = re.compile(r'<h3 class="topic-row__title"><a href="/p/(\d+)/">')


def search(client, q="", **params):
    return client.get("/search/", {"q": q, **params})


def found(response) -> list[int]:
    """The post ids of the results, in the order shown."""
    assert response.status_code == 200, response.content.decode()[:2000]
    return [int(pk) for pk in RESULT_LINK.findall(response.content.decode())]


def reply(topic, body, author=None):
    return actions.create_reply(topic, author=author or topic.author, body=body)


# --- Ranking and query syntax -------------------------------------------------------------------


def test_search_ranks_title_match_above_body_mention_when_both_match(client, category):
    mention = make_topic(
        category,
        title="A long week",
        body="Groceries, a walk, a call with my sister, and clonazepam at night as usual. "
        "Then the garden, the rain, the neighbours and a film on Sunday evening.",
    )
    titled = make_topic(category, title="Clonazepam crossover", body="Starting next week.")
    assert found(search(client, "clonazepam")) == [titled.first_post_id, mention.first_post_id]


def test_search_ranks_post_saying_the_word_more_first_when_lengths_match(client, category):
    topic = make_topic(category, title="Notes", body="Nothing about it here.")
    once = reply(topic, "Holding at this dose for now, and walking every morning too.")
    often = reply(topic, "Holding helped. Holding longer helped more. Holding is fine.")
    assert found(search(client, "holding")) == [often.pk, once.pk]


def test_search_finds_other_forms_of_a_word(client, category):
    topic = make_topic(category, title="Nights", body="I am sleeping better this month.")
    assert found(search(client, "sleep")) == [topic.first_post_id]


def test_search_phrase_finds_words_only_in_that_order(client, category):
    topic = make_topic(category, title="Notes", body="Nothing to see.")
    in_order = reply(topic, "It was a hard day at work.")
    reply(topic, "The day was hard, then easier.")
    assert found(search(client, '"hard day"')) == [in_order.pk]


def test_search_minus_leaves_out_posts_with_that_word(client, category):
    topic = make_topic(category, title="Notes", body="Nothing to see.")
    kept = reply(topic, "Tinnitus is quieter today.")
    reply(topic, "Tinnitus and alcohol do not mix for me.")
    assert found(search(client, "tinnitus -alcohol")) == [kept.pk]


def test_search_or_finds_posts_with_either_word(client, category):
    topic = make_topic(category, title="Notes", body="Nothing to see.")
    first = reply(topic, "Magnesium helped a little.")
    second = reply(topic, "Chamomile in the evening.")
    reply(topic, "Nothing relevant.")
    assert sorted(found(search(client, "magnesium or chamomile"))) == [first.pk, second.pk]


def test_search_all_words_must_match_when_several_given(client, category):
    topic = make_topic(category, title="Notes", body="Nothing to see.")
    both = reply(topic, "Morning anxiety and evening calm.")
    reply(topic, "Morning walks only.")
    assert found(search(client, "morning anxiety")) == [both.pk]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"unclosed phrase',
        "a AND",
        "NEAR(",
        "*",
        "title:taper",
        "{title body}: taper",
        "((",
        ")",
        "-",
        '""',
        'foo"bar',
        "'; DROP TABLE search_entry; --",
        "taper\x00",
        "or",
        "or or",
        "taper OR",
        "^taper",
        "taper*",
        "NOT taper",
        "a-b-c",
        "!!taper",
        "taper & | !",
        "\ue000taper\ue001",
    ],
)
def test_search_answers_calmly_when_query_is_malformed(client, category, query):
    make_topic(category, title="Taper notes", body="A taper diary.")
    response = search(client, query)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "Please check what you wrote" in response.content.decode()


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=60))
def test_search_backend_never_fails_when_given_any_parsed_text(category, text):
    make_topic(category, title="Taper notes", body="A taper diary.")
    try:
        query = parse(text)
    except QueryProblem:
        return
    get_backend().search(query, readable_category_ids=[category.pk])


def test_search_says_what_to_change_when_query_only_excludes(client, category):
    response = search(client, "-alcohol")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Add a word to look for" in html
    assert 'value="-alcohol"' in html


@pytest.mark.parametrize("length", [201, 1000])
def test_search_asks_for_shorter_query_when_too_long(client, category, length):
    response = search(client, ("word " * 300)[:length])
    assert response.status_code == 400
    assert "Please shorten your search to 200 characters." in response.content.decode()


# --- The page -----------------------------------------------------------------------------------


def test_search_page_shows_empty_form_when_nothing_asked(client, category):
    response = client.get("/search/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="search"' in html and 'name="q"' in html
    assert "Results" not in html and "Please check" not in html


def test_search_asks_for_words_when_only_filters_given(client, category):
    response = search(client, "", category=category.slug)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Type a word or two to look for" in html
    assert f'<option value="{category.slug}" selected>' in html


def test_every_page_has_a_labelled_search_box_in_the_header(client, category):
    html = client.get("/").content.decode()
    header = html.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]
    assert 'role="search"' in header
    assert '<label for="site-search-q"' in header and 'id="site-search-q" name="q"' in header


def test_search_result_shows_title_author_date_snippet_and_permalink(client, category):
    author = UserFactory(username="willow")
    topic = make_topic(category, author=author, title="Week six", body="Body of the topic.")
    post = reply(topic, "Evenings are calmer now that I walk after dinner.")
    html = search(client, "calmer").content.decode()
    result = html.split('class="topic-row search-result"', 1)[1].split("</li>", 1)[0]
    assert f'href="/p/{post.pk}/"' in result and "Week six" in result
    assert 'href="/u/willow/">willow</a>' in result
    assert f'datetime="{post.created_at.isoformat()}' in result or "<time" in result
    assert "Reply #2" in result
    assert "<mark>calmer</mark>" in result


def test_search_snippet_escapes_member_text_when_it_looks_like_html(client, category):
    topic = make_topic(
        category,
        title="Careful",
        body='taper notes <script>alert("x")</script> and 5 &lt; 6 <b onclick="x()">bold</b>',
    )
    html = search(client, "taper").content.decode()
    result = html.split('class="topic-row search-result"', 1)[1].split("</li>", 1)[0]
    assert f'href="/p/{topic.first_post_id}/"' in result
    assert "<script>" not in result and "<b " not in result
    assert "&lt;script&gt;alert" in result
    assert "5 &lt; 6" in result
    assert "<mark>taper</mark>" in result


def test_search_snippet_marks_only_matches_when_text_holds_marker_characters(client, category):
    make_topic(category, title="Markers", body="taper \ue000forged\ue001 highlight")
    html = search(client, "taper").content.decode()
    assert html.count("<mark>") == 1 and "<mark>taper</mark>" in html


def test_search_finds_warned_passage_but_never_shows_it_in_snippet(client, category):
    topic = make_topic(
        category,
        title="Hard week",
        body=":::cw Difficult thoughts\nThe quetiapine nights were frightening.\n:::\n\n"
        "Doing better now.",
    )
    html = search(client, "quetiapine").content.decode()
    assert found(search(client, "quetiapine")) == [topic.first_post_id]
    assert "frightening" not in html and "quetiapine</mark>" not in html


def test_search_finds_shared_article_details_with_first_post(client, category):
    topic = make_topic(
        category,
        title="A review",
        body="Sharing this one.",
        article=actions.ArticleDetails(title="Benzodiazepine withdrawal", authors="Ashton H"),
    )
    assert found(search(client, "ashton")) == [topic.first_post_id]


# --- Filters ------------------------------------------------------------------------------------


def test_search_category_filter_keeps_results_to_that_category(client, category):
    elsewhere = CategoryFactory(slug="elsewhere")
    here = make_topic(category, title="Gabapentin here", body="x")
    make_topic(elsewhere, title="Gabapentin there", body="x")
    assert found(search(client, "gabapentin", category=category.slug)) == [here.first_post_id]


def test_search_author_filter_keeps_results_to_that_member(client, category):
    willow = UserFactory(username="willow")
    mine = make_topic(category, author=willow, title="Propranolol notes", body="x")
    make_topic(category, title="Propranolol too", body="x")
    assert found(search(client, "propranolol", author="Willow")) == [mine.first_post_id]


def test_search_date_filters_keep_results_to_those_days(client, category):
    old = make_topic(category, title="Taper diary old", body="x")
    new = make_topic(category, title="Taper diary new", body="x")
    long_ago = timezone.now() - timedelta(days=40)
    Post.objects.filter(pk=old.first_post_id).update(created_at=long_ago)
    index.refresh_posts([old.first_post_id])
    today = timezone.localdate()
    assert found(search(client, "diary", **{"from": today.isoformat()})) == [new.first_post_id]
    day = timezone.localtime(long_ago).date().isoformat()
    assert found(search(client, "diary", **{"from": day, "to": day})) == [old.first_post_id]
    assert found(search(client, "diary", to=day)) == [old.first_post_id]


def test_search_keeps_values_and_explains_when_date_is_not_a_date(client, category):
    response = search(client, "taper", author="willow", **{"from": "31/02/2025", "to": "soon"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a date like 2025-03-31." in html
    assert 'value="taper"' in html and 'value="willow"' in html
    # A date field cannot show what it does not understand: these come back as text fields.
    assert 'type="text" name="from" value="31/02/2025"' in html
    assert 'type="text" name="to" value="soon"' in html


def test_search_explains_when_to_date_is_before_from_date(client, category):
    response = search(client, "taper", **{"from": "2025-03-10", "to": "2025-03-01"})
    assert response.status_code == 400
    assert "This date is before the “From” date." in response.content.decode()


def test_search_explains_when_author_is_unknown(client, category):
    response = search(client, "taper", author="nobody-here")
    assert response.status_code == 400
    html = response.content.decode()
    assert "No member goes by that name" in html and 'value="nobody-here"' in html


@pytest.mark.parametrize("username", ["willow", "zoë", "a.b+c@d-e_f", "ÅSA"])
def test_search_result_addresses_are_those_reverse_gives(username):
    member_url = addresses("forum:member", "username", "stepdown-hole")
    post_url = addresses("forum:post", "pk", "9876543210")
    assert member_url(username) == reverse("forum:member", kwargs={"username": username})
    assert post_url(12345) == reverse("forum:post", kwargs={"pk": 12345})


# --- Paging and cost ----------------------------------------------------------------------------


def test_search_pages_results_twenty_at_a_time_keeping_the_query(client, category):
    topic = make_topic(category, title="Counting", body="nothing")
    for number in range(25):
        reply(topic, f"Pregabalin note {number}.")
    first = search(client, "pregabalin", category=category.slug)
    assert len(found(first)) == 20
    html = first.content.decode()
    assert "25 posts found." in html
    assert f"?q=pregabalin&amp;category={category.slug}&amp;page=2" in html
    second = search(client, "pregabalin", category=category.slug, page=2)
    assert len(found(second)) == 5
    assert not set(found(first)) & set(found(second))
    beyond = search(client, "pregabalin", page=9)
    assert found(beyond) == found(second)


def test_search_ranks_only_newest_matches_when_more_than_the_limit_match(
    client, category, settings
):
    settings.STEPDOWN_SEARCH_CANDIDATES = 5
    topic = make_topic(category, title="Counting", body="nothing")
    posts = [reply(topic, f"Hydroxyzine note {number}.") for number in range(8)]
    html = search(client, "hydroxyzine").content.decode()
    assert "More than 5 posts match" in html
    assert sorted(found(search(client, "hydroxyzine"))) == sorted(p.pk for p in posts[-5:])


def test_search_ranks_newest_matches_when_they_are_few_among_many_posts(
    client, category, settings, monkeypatch
):
    # Few matches among many older and newer posts: PostgreSQL's walk through the newest posts
    # finds too few, and the GIN index and windows of post ids take over.
    settings.STEPDOWN_SEARCH_CANDIDATES = 2
    monkeypatch.setattr(PostgreSQLBackend, "MAX_GROWTH", 2)
    topic = make_topic(category, title="Counting", body="nothing")
    for number in range(60):
        reply(topic, f"Earlier note {number}.")
    matching = [reply(topic, f"Clorazepate note {number}.") for number in range(3)]
    for number in range(40):
        reply(topic, f"Later note {number}.")
    response = search(client, "clorazepate")
    assert "More than 2 posts match" in response.content.decode()
    assert sorted(found(response)) == [matching[1].pk, matching[2].pk]


@pytest.mark.parametrize("signed_in", [False, True])
def test_search_page_costs_the_same_queries_for_few_or_many_results(
    client, category, signed_in, settings
):
    # What a search costs when it is computed: the empty form asked twice is otherwise a kept
    # page (tests/test_page_cache.py, tests/test_member_pages.py).
    settings.STEPDOWN_PAGE_CACHE_SECONDS = settings.STEPDOWN_MEMBER_PAGE_CACHE_SECONDS = 0
    if signed_in:
        client.force_login(UserFactory())
    topic = make_topic(category, title="Counting", body="nothing")
    for number in range(3):
        reply(topic, f"Melatonin note {number}.")
    _queries(client, "")  # the header keeps a few answers in the cache: warm it
    empty_form = _queries(client, "")  # the page around the results: session, header, categories
    few = _queries(client, "melatonin")
    for number in range(30):
        reply(topic, f"Melatonin note {number}.")
    many = _queries(client, "melatonin")
    assert many == few
    # SQLite: the capped newest matches, the ranked page with its snippets, the page's posts.
    # PostgreSQL: the walk through the newest posts, how far it reached, the ranked page, posts.
    assert few - empty_form == (3 if connection.vendor == "sqlite" else 4)


def _queries(client, q) -> int:
    with CaptureQueriesContext(connection) as context:
        assert search(client, q).status_code == 200
    return len(context.captured_queries)


def test_search_asks_for_a_pause_when_searching_too_fast(client, category, settings):
    settings.STEPDOWN_RATE_LIMITS = {**settings.STEPDOWN_RATE_LIMITS, "search": "2/m/ip"}
    # Searches actually made count (a search asked again while nothing changed is a kept page).
    assert search(client, "dose").status_code == 200
    assert search(client, "sleep").status_code == 200
    response = search(client, "taper")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "You have searched a lot in a short time" in html and 'value="taper"' in html


# --- Permissions --------------------------------------------------------------------------------


@pytest.fixture
def lounge_and_public(category, members_category):
    public = make_topic(category, title="Baclofen in public", body="x")
    lounge = make_topic(members_category, title="Baclofen in the lounge", body="x")
    return public, lounge


def test_search_shows_guests_public_categories_only(client, lounge_and_public):
    public, lounge = lounge_and_public
    response = search(client, "baclofen")
    assert found(response) == [public.first_post_id]
    assert "Baclofen in the lounge" not in response.content.decode()


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_search_shows_members_only_categories_to_signed_in_members(
    client, lounge_and_public, role, request
):
    client.force_login(request.getfixturevalue(role))
    public, lounge = lounge_and_public
    assert sorted(found(search(client, "baclofen"))) == sorted(
        [public.first_post_id, lounge.first_post_id]
    )


def test_search_checks_entries_categories_only_when_searcher_cannot_read_them_all(
    client, lounge_and_public, member
):
    # Reading every category, the index leaves each match's category unchecked; not reading
    # one, it checks. Either way the results are those the searcher may read.
    public, lounge = lounge_and_public
    assert readable_categories_for_search(AnonymousUser())[1] is False
    assert readable_categories_for_search(member)[1] is True
    with CaptureQueriesContext(connection) as guest:
        assert found(search(client, "baclofen")) == [public.first_post_id]
    client.force_login(member)
    with CaptureQueriesContext(connection) as signed_in:
        assert len(found(search(client, "baclofen"))) == 2
    guest_sql = " ".join(q["sql"] for q in guest.captured_queries if "search_entry" in q["sql"])
    member_sql = " ".join(
        q["sql"] for q in signed_in.captured_queries if "search_entry" in q["sql"]
    )
    assert "category_id IN" in guest_sql and "category_id IN" not in member_sql


def test_search_refuses_members_only_category_filter_from_guests(
    client, lounge_and_public, members_category
):
    response = search(client, "baclofen", category=members_category.slug)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a category from the list." in html
    assert "Baclofen in the lounge" not in html and members_category.name not in html


@pytest.mark.parametrize("role", ["guest", "member", "moderator"])
def test_search_never_shows_removed_posts(client, category, role, request):
    if role != "guest":
        client.force_login(request.getfixturevalue(role))
    topic = make_topic(category, title="Notes", body="nothing")
    removed = reply(topic, "Trazodone was a mistake for me.")
    removed.is_deleted = True
    removed.save()
    assert found(search(client, "trazodone")) == []
    assert not SearchEntry.objects.filter(post_id=removed.pk).exists()


def test_search_never_shows_removed_post_when_removed_around_the_index(client, category):
    topic = make_topic(category, title="Notes", body="nothing")
    removed = reply(topic, "Mirtazapine at night.")
    Post.objects.filter(pk=removed.pk).update(is_deleted=True)  # no signal: the index lags
    assert found(search(client, "mirtazapine")) == []


def test_search_hides_topic_from_guests_at_once_when_moved_to_members_only(
    client, category, members_category
):
    topic = make_topic(category, title="Moving day", body="Sertraline and tapering.")
    answer = reply(topic, "Sertraline helped me too.")
    assert sorted(found(search(client, "sertraline"))) == sorted([topic.first_post_id, answer.pk])
    topic.category = members_category
    topic.save()
    assert found(search(client, "sertraline")) == []
    assert set(
        SearchEntry.objects.filter(topic_id=topic.pk).values_list("category_id", flat=True)
    ) == {members_category.pk}


def test_search_follows_move_made_with_update_when_refreshed(client, category, members_category):
    topic = make_topic(category, title="Moving day", body="Venlafaxine notes.")
    Topic.objects.filter(pk=topic.pk).update(category=members_category)
    index.refresh_topic(topic.pk)
    assert found(search(client, "venlafaxine")) == []


def test_search_members_only_content_never_reaches_guests_through_snippets(
    client, members_category, category
):
    make_topic(members_category, title="Private", body="My sister's address is Elm Street.")
    make_topic(category, title="Public", body="Elm trees in the park.")
    html = search(client, "elm").content.decode()
    assert "sister" not in html and "Private" not in html


# --- Keeping in step ----------------------------------------------------------------------------


def test_search_finds_new_reply_at_once(client, category):
    topic = make_topic(category, title="Notes", body="nothing")
    post = reply(topic, "Lorazepam crossover started.")
    assert found(search(client, "lorazepam")) == [post.pk]


def test_search_follows_edit_when_text_changes(client, category, member):
    topic = make_topic(category, author=member, title="Notes", body="nothing")
    post = reply(topic, "Oxazepam today.", author=member)
    actions.edit_post(post, editor=member, body="Temazepam today.")
    assert found(search(client, "oxazepam")) == []
    assert found(search(client, "temazepam")) == [post.pk]


def test_search_follows_new_title_and_tag(client, category):
    topic = make_topic(category, title="Old heading", body="nothing")
    topic.title = "Chlordiazepoxide questions"
    topic.tag = "Question"
    topic.save()
    assert found(search(client, "heading")) == []
    assert found(search(client, "chlordiazepoxide")) == [topic.first_post_id]
    assert "Question" in SearchEntry.objects.get(post_id=topic.first_post_id).title


def test_search_follows_article_card_edit(client, category):
    topic = make_topic(
        category, title="A review", body="x", article=actions.ArticleDetails(title="Old title")
    )
    card = ArticleCard.objects.get(topic=topic)
    card.abstract = "About flurazepam."
    card.save()
    assert found(search(client, "flurazepam")) == [topic.first_post_id]


def test_search_forgets_posts_when_their_topic_is_deleted(client, category):
    topic = make_topic(category, title="Nitrazepam", body="x", replies=2)
    Topic.objects.filter(pk=topic.pk).delete()
    assert found(search(client, "nitrazepam")) == []
    assert not SearchEntry.objects.exists()


def test_search_restores_post_when_unhidden(client, category):
    topic = make_topic(category, title="Notes", body="nothing")
    post = reply(topic, "Bromazepam notes.")
    post.is_deleted = True
    post.save(update_fields=["is_deleted"])
    post.is_deleted = False
    post.save(update_fields=["is_deleted"])
    assert found(search(client, "bromazepam")) == [post.pk]


def test_search_refresh_posts_follows_bulk_hide(client, category):
    topic = make_topic(category, title="Notes", body="nothing")
    posts = [reply(topic, f"Estazolam {n}.") for n in range(3)]
    Post.objects.filter(pk__in=[p.pk for p in posts[:2]]).update(is_deleted=True)
    index.refresh_posts([p.pk for p in posts])
    assert found(search(client, "estazolam")) == [posts[2].pk]
    assert SearchEntry.objects.filter(topic_id=topic.pk).count() == 2


# --- Keeping in step with moderation ---------------------------------------------------------


def test_search_forgets_hidden_post_and_finds_it_again_when_unhidden(client, category):
    topic = make_topic(category, title="Notes", body="nothing")
    post = reply(topic, "Quazepam notes.")
    moderation.hide_post(post, reason="Checking")
    assert found(search(client, "quazepam")) == []
    moderation.unhide_post(post)
    assert found(search(client, "quazepam")) == [post.pk]


def test_search_forgets_removed_reply_and_finds_it_again_when_restored(client, category):
    topic = make_topic(category, title="Notes", body="nothing")
    post = reply(topic, "Loprazolam notes.")
    moderation.delete_post(post)
    assert found(search(client, "loprazolam")) == []
    moderation.restore_post(post)
    assert found(search(client, "loprazolam")) == [post.pk]


def test_search_forgets_removed_topic_and_finds_it_again_when_restored(client, category):
    topic = make_topic(category, title="Ketazolam", body="x", replies=2)
    moderation.delete_topic(topic)
    assert found(search(client, "ketazolam")) == []
    assert not SearchEntry.objects.filter(topic_id=topic.pk).exists()
    moderation.restore_topic(topic)
    assert found(search(client, "ketazolam")) == [topic.first_post_id]
    assert SearchEntry.objects.filter(topic_id=topic.pk).count() == 3


def test_search_hides_topic_from_guests_when_moderator_moves_it_to_members_only(
    client, category, members_category
):
    topic = make_topic(category, title="Prazepam", body="x", replies=1)
    moderation.move_topic(topic, to=members_category)
    assert found(search(client, "prazepam")) == []
    client.force_login(UserFactory())
    assert found(search(client, "prazepam")) == [topic.first_post_id]


def test_search_follows_posts_into_the_topic_they_are_merged_into(client, category):
    source = make_topic(category, title="Side thread", body="Cinolazepam started.")
    moved = reply(source, "Cinolazepam and sleep.")
    target = make_topic(category, title="Main thread", body="y")
    moderation.merge_topics(source, into=target)
    results = found(search(client, "cinolazepam"))
    assert sorted(results) == sorted([source.first_post_id, moved.pk])
    entries = SearchEntry.objects.filter(post_id__in=results)
    assert {entry.topic_id for entry in entries} == {target.pk}
    assert {entry.title for entry in entries} == {""}  # no longer first posts: no title
    assert found(search(client, "side thread")) == []


def test_search_finds_split_off_topic_by_its_new_title(client, category, members_category):
    topic = make_topic(category, title="Long thread", body="x")
    first, second = reply(topic, "One."), reply(topic, "Two.")
    moderation.split_topic(
        topic, post_ids=[first.pk, second.pk], title="Doxepin notes", category=members_category
    )
    assert found(search(client, "doxepin")) == []  # split into a members-only category
    client.force_login(UserFactory())
    assert found(search(client, "doxepin")) == [first.pk]


def test_search_finds_waiting_post_only_once_approved(client, category):
    newcomer = UserFactory(username="newcomer", trust_level=0)
    topic = make_topic(category, author=newcomer, title="Zolpidem question", body="x")
    first = Post.objects.get(pk=topic.first_post_id)
    assert first.approval == "pending"
    assert found(search(client, "zolpidem")) == []
    approval.approve_post(first)
    assert found(search(client, "zolpidem")) == [first.pk]


def test_search_forgets_deleted_members_posts_when_they_are_removed(client, category):
    leaver = UserFactory(username="leaver")
    topic = make_topic(category, title="Notes", body="nothing")
    reply(topic, "Triazolam memories.", author=leaver)
    delete_member(leaver, keep_posts=False)
    assert found(search(client, "triazolam")) == []
    assert not SearchEntry.objects.filter(body__icontains="triazolam").exists()


def test_search_keeps_deleted_members_kept_posts_unsigned(client, category):
    leaver = UserFactory(username="leaver")
    topic = make_topic(category, title="Notes", body="nothing")
    post = reply(topic, "Midazolam memories.", author=leaver)
    delete_member(leaver, keep_posts=True)
    response = search(client, "midazolam")
    assert found(response) == [post.pk]
    assert "former member" in response.content.decode()


def test_search_reindex_command_rebuilds_index_when_entries_were_lost(client, category):
    topic = make_topic(category, title="Alprazolam", body="x", replies=2)
    removed = reply(topic, "Alprazolam removed.")
    Post.objects.filter(pk=removed.pk).update(is_deleted=True)
    SearchEntry.objects.filter(post_id=topic.first_post_id).delete()
    Post.objects.filter(topic=topic, position=2).update(body_html="<p>Alprazolam edited</p>")
    out = _reindex()
    assert "Indexed 4 of 4 posts" in out and "holds 3 posts" in out
    second = Post.objects.get(topic=topic, position=2)
    assert sorted(found(search(client, "alprazolam"))) == [topic.first_post_id, second.pk]
    assert SearchEntry.objects.filter(topic_id=topic.pk).count() == 3
    assert "edited" in SearchEntry.objects.get(post__topic=topic, post__position=2).body


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 triggers")
def test_search_reindex_restores_full_text_triggers_when_a_table_rebuild_dropped_them(
    client, category
):
    with connection.cursor() as cursor:  # as Django's rebuild of an altered table would
        for trigger in ("insert", "update", "delete"):
            cursor.execute(f"DROP TRIGGER search_entry_fts_{trigger}")
    topic = make_topic(category, title="Meprobamate", body="x")
    assert found(search(client, "meprobamate")) == []  # the entry is there, the FTS row not
    _reindex()
    assert found(search(client, "meprobamate")) == [topic.first_post_id]
    reply(topic, "Meprobamate again.")
    assert len(found(search(client, "meprobamate"))) == 2  # the trigger is back


def _reindex() -> str:
    from io import StringIO

    out = StringIO()
    call_command("search_reindex", "--batch-size", "2", stdout=out)
    return out.getvalue()


def test_search_finds_demo_community_when_demo_is_created(client):
    from stepdown.forum.demo import create_demo_community

    create_demo_community()
    assert found(search(client, "benzodiazepines"))
    assert found(search(client, "keeping company")) == []  # the lounge is members-only


def test_search_export_says_how_many_posts_are_indexed(member_client, member, category):
    make_topic(category, author=member, title="Notes", body="x", replies=1)
    data = member_client.get("/account/export/").json()
    assert data["search"] == {"indexed_posts": 2}
