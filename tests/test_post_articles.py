"""Article cards under posts: DOI and PubMed links found in the text, looked up in the background.

Responses are the recorded files in tests/fixtures/article_lookup/, injected by replacing
safe_fetch.fetch (as tests/test_article_lookup.py does); nothing here reaches the network. Most
tests run the task at once with Django's immediate backend; the queue tests keep the database
backend and run the worker in-process (``run_queued_tasks``).
"""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from stepdown.core import safe_fetch
from stepdown.core.task_queue import requeue_abandoned_tasks
from stepdown.forum import actions, post_articles
from stepdown.forum.models import ArticleLookup, Post
from stepdown.forum.post_articles import find_identifiers
from stepdown.forum.tasks import fill_post_article_cards
from tests.factories import UserFactory, make_topic
from tests.task_queue import run_queued_tasks

FIXTURES = Path(__file__).parent / "fixtures" / "article_lookup"
DOI = "10.3390/neurolint13040059"
PMID = "34842777"
CROSSREF = f"https://api.crossref.org/works/{DOI}"
TITLE = "Benzodiazepines: Uses, Dangers, and Clinical Considerations"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def recorded(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def keys(markdown: str, **kwargs) -> list[str]:
    return [identifier.key for identifier in find_identifiers(markdown, **kwargs)]


class FakeServices:
    """Crossref and PubMed answering from the recorded files; every URL asked is kept."""

    def __init__(self):
        self.asked: list[str] = []
        self.failure: Exception | None = None
        self.crossref = json.loads(recorded("crossref_neurolint13040059.json"))

    def fetch(self, url, **kwargs):
        self.asked.append(url)
        if self.failure is not None:
            raise self.failure
        if url == CROSSREF:
            return json.dumps(self.crossref).encode()
        if url.startswith("https://eutils.ncbi.nlm.nih.gov/") and f"id={PMID}" in url:
            return recorded("pubmed_34842777.xml")
        raise safe_fetch.FetchNotFound(404)


@pytest.fixture
def services(monkeypatch):
    fake = FakeServices()
    monkeypatch.setattr(safe_fetch, "fetch", fake.fetch)
    return fake


@pytest.fixture
def immediate_tasks(settings):
    """Tasks run as soon as they are queued (after the transaction commits)."""
    settings.TASKS = IMMEDIATE


@pytest.fixture
def topic(category):
    return make_topic(category, title="Articles that helped me")


@pytest.fixture
def reply(topic, django_capture_on_commit_callbacks):
    """Post a reply through the real action, running what it queues after commit."""

    def post(body, *, author=None):
        with django_capture_on_commit_callbacks(execute=True):
            created = actions.create_reply(topic, author=author or topic.author, body=body)
        created.refresh_from_db()
        return created

    return post


@pytest.fixture
def edit(django_capture_on_commit_callbacks):
    def change(post, body):
        with django_capture_on_commit_callbacks(execute=True):
            actions.edit_post(post, editor=post.author, body=body)
        post.refresh_from_db()
        return post

    return change


@pytest.fixture
def in_test_transaction(monkeypatch):
    # The worker closes connections between tasks; inside a test's transaction it must not.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


# --- Finding identifiers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "markdown",
    [
        f"Worth reading: https://doi.org/{DOI}",
        f"Worth reading: https://dx.doi.org/{DOI}.",
        f"Worth reading: [the review](https://doi.org/{DOI})",
        f"Worth reading: <https://doi.org/{DOI}>",
        f"The review ({DOI}) says so.",
        f"DOI: {DOI.upper()}, page 3",
        "https://doi.org/10.3390%2Fneurolint13040059",
        f"**{DOI}**",
    ],
)
def test_find_identifiers_finds_the_doi_when_written_in_any_common_form(markdown):
    assert keys(markdown) == [f"doi:{DOI}"]


@pytest.mark.parametrize(
    "markdown",
    [
        f"See https://pubmed.ncbi.nlm.nih.gov/{PMID}/ for the abstract.",
        f"[PubMed](https://www.ncbi.nlm.nih.gov/pubmed/{PMID})",
        f"It is PMID: {PMID}.",
    ],
)
def test_find_identifiers_finds_the_pubmed_id_when_given_a_link_or_pmid(markdown):
    assert keys(markdown) == [f"pmid:{PMID}"]


def test_find_identifiers_keeps_the_order_and_names_each_article_once():
    markdown = (
        f"First https://pubmed.ncbi.nlm.nih.gov/{PMID}/, then https://doi.org/{DOI}, "
        f"and again {DOI.upper()} and PMID {PMID}; also 10.1016/S0140-6736(20)30183-5."
    )
    assert keys(markdown) == [
        f"pmid:{PMID}",
        f"doi:{DOI}",
        "doi:10.1016/s0140-6736(20)30183-5",
    ]


def test_find_identifiers_stops_at_the_limit_when_a_post_names_many_articles(settings):
    markdown = " ".join(f"10.1234/article-{n}" for n in range(6))
    assert keys(markdown) == [f"doi:10.1234/article-{n}" for n in range(3)]
    settings.STEPDOWN_POST_ARTICLE_CARDS_MAX = 1
    assert keys(markdown) == ["doi:10.1234/article-0"]


def test_find_identifiers_ignores_code_spans_and_code_blocks():
    markdown = (
        "Inline `10.1234/in-code` stays code.\n\n"
        "```\nhttps://doi.org/10.1234/in-a-fence\n```\n\n"
        "    10.1234/indented-code\n\n"
        f"But this one counts: {DOI}"
    )
    assert keys(markdown) == [f"doi:{DOI}"]


@pytest.mark.parametrize(
    "markdown",
    ["", "No links here.", "Version 10.2 of the guide", "https://example.org/10.12/x", "PMID: 0"],
)
def test_find_identifiers_finds_nothing_when_there_is_no_identifier(markdown):
    assert keys(markdown) == []


# --- Filling the cards ---------------------------------------------------------------------------


def test_reply_with_a_doi_gets_its_card_from_crossref(immediate_tasks, services, reply):
    post = reply(f"This review helped me: https://doi.org/{DOI}")
    assert services.asked == [CROSSREF]
    [card] = post.article_cards
    assert card["identifier"] == f"doi:{DOI}"
    assert card["origin"] == "crossref"
    assert card["title"] == TITLE
    assert card["authors"].startswith("Amber N. Edinoff, Catherine A. Nix")
    assert card["source"] == "Neurology International"
    assert card["published"] == "2021-11-10"
    assert card["doi"] == DOI
    assert card["link"] == f"https://doi.org/{DOI}"
    assert card["abstract"].startswith("Benzodiazepines are widely prescribed")
    lookup = ArticleLookup.objects.get(identifier=f"doi:{DOI}")
    assert (lookup.status, lookup.attempts) == (ArticleLookup.Status.FOUND, 1)


def test_reply_with_a_pubmed_link_gets_its_card_from_pubmed(immediate_tasks, services, reply):
    post = reply(f"Abstract here: https://pubmed.ncbi.nlm.nih.gov/{PMID}/")
    [card] = post.article_cards
    assert card["origin"] == "pubmed"
    assert card["link"] == f"https://pubmed.ncbi.nlm.nih.gov/{PMID}/"
    assert card["title"] == TITLE + "."
    assert card["doi"] == DOI


def test_reply_without_identifiers_queues_nothing(services, reply):
    post = reply("Just checking in: day 40 of the hold, sleeping better.")
    assert post.article_cards == []
    assert DBTaskResult.objects.count() == 0
    assert services.asked == []


def test_second_post_with_the_same_doi_uses_the_stored_lookup(
    immediate_tasks, services, reply, topic, other_member
):
    first = reply(f"https://doi.org/{DOI}")
    second = reply(f"Same one, {DOI.upper()}.", author=other_member)
    assert services.asked == [CROSSREF]
    assert second.article_cards == first.article_cards
    assert ArticleLookup.objects.count() == 1


def test_failed_lookup_is_tried_again_after_a_pause(services, reply, in_test_transaction):
    services.failure = safe_fetch.FetchTimeout("slow")
    post = reply(f"https://doi.org/{DOI}")
    run_queued_tasks()
    post.refresh_from_db()
    assert post.article_cards == []
    lookup = ArticleLookup.objects.get()
    assert (lookup.status, lookup.attempts, lookup.details) == ("failed", 1, {"reason": "timeout"})
    # The task queued itself again for when the lookup is due, ten minutes on.
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.run_after == lookup.checked_at + timedelta(minutes=10)
    # Before then, running the task again asks nobody.
    fill_post_article_cards.call(post.pk)
    assert services.asked == [CROSSREF]
    # Once the pause is over, the next run fetches and fills the card.
    services.failure = None
    ArticleLookup.objects.update(checked_at=timezone.now() - timedelta(minutes=11))
    assert fill_post_article_cards.call(post.pk) == 1
    post.refresh_from_db()
    assert post.article_cards[0]["title"] == TITLE
    assert services.asked == [CROSSREF, CROSSREF]


def test_failed_lookup_waits_longer_each_time_and_stops_after_the_last_attempt(
    services, reply, in_test_transaction
):
    services.failure = safe_fetch.FetchUnreachable("down")
    post = reply(f"https://doi.org/{DOI}")
    pauses = []
    for _attempt in range(post_articles.MAX_ATTEMPTS):
        ArticleLookup.objects.update(checked_at=timezone.now() - timedelta(days=1))
        post_articles.fill_article_cards(post.pk)
        lookup = ArticleLookup.objects.get()
        next_at = post_articles.next_attempt_at(lookup)
        pauses.append(next_at - lookup.checked_at if next_at else None)
    assert pauses == [timedelta(minutes=10), timedelta(hours=1), timedelta(hours=6), None]
    assert lookup.attempts == post_articles.MAX_ATTEMPTS
    result = post_articles.fill_article_cards(post.pk)
    assert result.retry_at is None
    assert len(services.asked) == post_articles.MAX_ATTEMPTS


def test_refused_lookup_is_not_tried_again(immediate_tasks, services, reply):
    services.failure = safe_fetch.FetchRefused("private address")
    post = reply(f"https://doi.org/{DOI}")
    lookup = ArticleLookup.objects.get()
    assert lookup.details == {"reason": "refused"}
    assert post_articles.next_attempt_at(lookup) is None
    assert post_articles.fill_article_cards(post.pk).retry_at is None


def test_lookup_off_fetches_nothing_but_uses_cards_already_found(
    immediate_tasks, services, reply, settings
):
    first = reply(f"https://doi.org/{DOI}")
    settings.STEPDOWN_ARTICLE_LOOKUP = "0"
    second = reply(f"{DOI} and https://pubmed.ncbi.nlm.nih.gov/{PMID}/")
    assert services.asked == [CROSSREF]
    assert second.article_cards == first.article_cards
    pending = ArticleLookup.objects.get(identifier=f"pmid:{PMID}")
    assert (pending.status, pending.attempts) == ("pending", 0)
    assert post_articles.fill_article_cards(second.pk).retry_at is None


def test_edit_that_removes_the_link_removes_the_card(immediate_tasks, services, reply, edit):
    post = reply(f"https://doi.org/{DOI} and https://pubmed.ncbi.nlm.nih.gov/{PMID}/")
    assert [card["origin"] for card in post.article_cards] == ["crossref", "pubmed"]
    services.asked.clear()
    post = edit(post, f"Only PubMed now: https://pubmed.ncbi.nlm.nih.gov/{PMID}/")
    assert [card["origin"] for card in post.article_cards] == ["pubmed"]
    assert services.asked == []
    post = edit(post, "I took the links out.")
    assert post.article_cards == []


def test_edit_drops_the_card_at_once_even_before_the_worker_runs(
    immediate_tasks, services, reply, edit, settings
):
    post = reply(f"https://doi.org/{DOI}")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    post = edit(post, "No article after all.")
    assert post.article_cards == []
    assert DBTaskResult.objects.count() == 0


def test_task_skips_a_removed_post_and_a_missing_one(immediate_tasks, services, reply):
    post = reply(f"https://doi.org/{DOI}")
    Post.objects.filter(pk=post.pk).update(is_deleted=True)
    services.asked.clear()
    assert fill_post_article_cards.call(post.pk) == 0
    assert fill_post_article_cards.call(10**9) == 0
    assert services.asked == []
    post.refresh_from_db()
    assert post.article_cards == []


# --- The topic page ------------------------------------------------------------------------------


def test_topic_page_shows_the_card_under_the_post(client, immediate_tasks, services, reply, topic):
    post = reply(f"This helped me: https://doi.org/{DOI}")
    html = client.get(topic.get_absolute_url()).content.decode()
    card = html.split(f'aria-labelledby="post-{post.pk}-article-1"', 1)[1].split("</aside>")[0]
    assert f'id="post-{post.pk}-article-1"' in card
    assert TITLE in card
    assert "Neurology International" in card and "2021-11-10" in card
    assert "Details from Crossref." in card
    assert f'href="https://doi.org/{DOI}"' in card
    assert "Read the full article" in card
    assert '<details class="article-card__abstract' in card
    assert "Benzodiazepines are widely prescribed" in card
    # Under the text of its own post, before that post's reactions and actions.
    article = html.split(f'id="post-{post.pk}"', 1)[1].split("</article>")[0]
    assert article.index("post__body") < article.index("post-articles")


@pytest.mark.parametrize("replies", [3, 20])
def test_topic_page_query_count_is_unchanged_by_article_cards(
    client, category, immediate_tasks, services, django_capture_on_commit_callbacks, replies
):
    topic = make_topic(category)
    author = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            actions.create_reply(topic, author=author, body=f"https://doi.org/{DOI}")
    for number in range(replies):
        actions.create_reply(topic, author=author, body=f"Reply number {number + 1}.")
    actions.set_recommended(topic.posts.get(position=2), by=topic.author, recommended=True)
    with CaptureQueriesContext(connection) as with_cards:
        response = client.get(topic.get_absolute_url())
    assert response.content.decode().count("Details from Crossref.") == 2
    for post in Post.objects.all():
        post_articles.set_article_cards(post.pk, [])
    with CaptureQueriesContext(connection) as without_cards:
        response = client.get(topic.get_absolute_url())
    assert "Details from Crossref." not in response.content.decode()
    assert len(with_cards) == len(without_cards)


def test_card_fields_are_escaped_when_crossref_sends_markup(
    client, immediate_tasks, services, reply, topic
):
    # Crossref titles are HTML-escaped JATS: this one reads "<script>…" once unescaped.
    services.crossref["message"]["title"] = [
        "Calm &amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; title"
    ]
    services.crossref["message"]["container-title"] = ['<img src=x onerror="alert(2)">']
    post = reply(f"https://doi.org/{DOI}")
    assert "<script>" in post.article_cards[0]["title"]
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "Calm &lt;script&gt;alert(1)&lt;/script&gt; title" in html
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html


# --- The queue, end to end -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_reply_card_is_filled_by_the_database_worker_after_commit(services, category):
    topic = make_topic(category)
    post = actions.create_reply(topic, author=topic.author, body=f"Read {DOI}, it helped.")
    queued = DBTaskResult.objects.get()
    assert queued.status == TaskResultStatus.READY
    assert queued.task_path == "stepdown.forum.tasks.fill_post_article_cards"
    post.refresh_from_db()
    assert post.article_cards == [] and services.asked == []
    run_queued_tasks()
    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL
    assert queued.return_value == 1
    post.refresh_from_db()
    assert post.article_cards[0]["title"] == TITLE
    assert services.asked == [CROSSREF]


def test_requeue_abandoned_tasks_queues_again_only_long_running_tasks(db, in_test_transaction):
    stale = fill_post_article_cards.enqueue(1)
    fresh = fill_post_article_cards.enqueue(2)
    now = timezone.now()
    DBTaskResult.objects.filter(pk=stale.id).update(
        status=TaskResultStatus.RUNNING, started_at=now - timedelta(hours=1)
    )
    DBTaskResult.objects.filter(pk=fresh.id).update(
        status=TaskResultStatus.RUNNING, started_at=now - timedelta(minutes=1)
    )
    assert requeue_abandoned_tasks() == 1
    assert DBTaskResult.objects.get(pk=stale.id).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=fresh.id).status == TaskResultStatus.RUNNING
    run_queued_tasks()
    assert DBTaskResult.objects.get(pk=stale.id).status == TaskResultStatus.SUCCESSFUL
