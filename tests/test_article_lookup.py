"""Article cards from a DOI or PubMed link: parsing, the guarded fetch, and the new-topic form.

Responses are recorded files in tests/fixtures/article_lookup/, injected by replacing
safe_fetch.fetch; the guard and limit tests use literal addresses and a server on 127.0.0.1.
Nothing here reaches the network.
"""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from stepdown.core import safe_fetch
from stepdown.forum import article_lookup
from stepdown.forum.article_lookup import ArticleLookupError, Identifier, parse_identifier
from stepdown.forum.models import Topic

FIXTURES = Path(__file__).parent / "fixtures" / "article_lookup"
DOI = "10.3390/neurolint13040059"


def recorded(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def fake_fetch(monkeypatch):
    """Answer Crossref and PubMed from the recorded files; record the URLs asked for."""
    asked = []

    def fetch(url, **kwargs):
        asked.append(url)
        if url == f"https://api.crossref.org/works/{DOI}":
            return recorded("crossref_neurolint13040059.json")
        if url.startswith("https://eutils.ncbi.nlm.nih.gov/") and "id=34842777" in url:
            return recorded("pubmed_34842777.xml")
        raise safe_fetch.FetchNotFound(404)

    monkeypatch.setattr(safe_fetch, "fetch", fetch)
    return asked


@pytest.fixture
def no_connections(monkeypatch):
    """Fail the test if anything tries to open a socket connection."""

    def refuse(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


# --- Parsing identifiers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        DOI,
        f"doi:{DOI}",
        f"DOI: {DOI}",
        f"https://doi.org/{DOI}",
        f"https://dx.doi.org/{DOI}.",
        "https://doi.org/10.3390%2Fneurolint13040059",
    ],
)
def test_parse_identifier_finds_the_doi_when_given_in_any_common_form(text):
    assert parse_identifier(text) == Identifier("doi", DOI)


@pytest.mark.parametrize(
    "text",
    [
        "https://pubmed.ncbi.nlm.nih.gov/34842777/",
        "pubmed.ncbi.nlm.nih.gov/34842777",
        "https://www.ncbi.nlm.nih.gov/pubmed/34842777",
        "PMID: 34842777",
        "34842777",
    ],
)
def test_parse_identifier_finds_the_pubmed_id_when_given_a_link_or_pmid(text):
    assert parse_identifier(text) == Identifier("pmid", "34842777")


@pytest.mark.parametrize("text", ["", "   ", "a great article", "https://example.org/paper"])
def test_parse_identifier_returns_none_when_there_is_no_identifier(text):
    assert parse_identifier(text) is None


# --- Lookups from recorded responses -------------------------------------------------------------


def test_lookup_fills_the_card_from_crossref_when_given_a_doi(db, fake_fetch):
    card = article_lookup.lookup(f"https://doi.org/{DOI}")
    assert card.title == "Benzodiazepines: Uses, Dangers, and Clinical Considerations"
    assert card.authors.startswith("Amber N. Edinoff, Catherine A. Nix, Janice Hollier, ")
    assert card.authors.endswith("Adam M. Kaye, Alan D. Kaye")
    assert card.source == "Neurology International"
    assert card.published == "2021-11-10"
    assert card.doi == DOI
    assert card.url == f"https://doi.org/{DOI}"
    assert "<" not in card.abstract and "jats" not in card.abstract
    assert card.abstract.startswith("Benzodiazepines are widely prescribed")
    assert "long-term use & in older adults" in card.abstract
    assert "\n\nThis review summarises" in card.abstract
    assert fake_fetch == [f"https://api.crossref.org/works/{DOI}"]


def test_lookup_fills_the_card_from_pubmed_when_given_a_pubmed_link(db, fake_fetch):
    card = article_lookup.lookup("https://pubmed.ncbi.nlm.nih.gov/34842777/")
    assert card.title == "Benzodiazepines: Uses, Dangers, and Clinical Considerations."
    assert card.authors.startswith("Amber N Edinoff, Catherine A Nix, ")
    assert card.source == "Neurology international"
    assert card.published == "2021-11-10"
    assert card.doi == DOI
    assert card.url == "https://pubmed.ncbi.nlm.nih.gov/34842777/"
    assert "tolerance and physical dependence can develop" in card.abstract
    assert "db=pubmed&id=34842777&retmode=xml" in fake_fetch[0]


def test_lookup_uses_the_cache_when_the_same_doi_is_asked_again(db, fake_fetch):
    first = article_lookup.lookup(DOI)
    second = article_lookup.lookup(f"doi:{DOI}")
    assert first == second
    assert len(fake_fetch) == 1


def test_lookup_refuses_without_fetching_when_turned_off(settings, fake_fetch):
    settings.STEPDOWN_ARTICLE_LOOKUP = "0"
    with pytest.raises(ArticleLookupError) as caught:
        article_lookup.lookup(DOI)
    assert caught.value.reason == "off"
    assert fake_fetch == []


def test_lookup_says_not_found_when_crossref_answers_404(db, fake_fetch):
    with pytest.raises(ArticleLookupError) as caught:
        article_lookup.lookup("10.1234/no-such-article")
    assert caught.value.reason == "not_found"


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (safe_fetch.FetchTimeout("slow"), "timeout"),
        (safe_fetch.FetchTooLarge("big"), "too_large"),
        (safe_fetch.FetchRefused("private"), "refused"),
        (safe_fetch.FetchUnreachable("down"), "unreachable"),
        (safe_fetch.FetchHTTPError(503), "unreachable"),
    ],
)
def test_lookup_names_the_reason_when_the_fetch_fails(db, monkeypatch, error, reason):
    def failing(url, **kwargs):
        raise error

    monkeypatch.setattr(safe_fetch, "fetch", failing)
    with pytest.raises(ArticleLookupError) as caught:
        article_lookup.lookup(DOI)
    assert caught.value.reason == reason


def test_lookup_refuses_xml_with_entity_declarations_when_pubmed_answers_a_bomb(db, monkeypatch):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]><PubmedArticleSet>&lol2;</PubmedArticleSet>'
    )
    monkeypatch.setattr(safe_fetch, "fetch", lambda url, **kwargs: bomb)
    with pytest.raises(ArticleLookupError) as caught:
        article_lookup.lookup("PMID: 1")
    assert caught.value.reason == "bad_response"


def test_lookup_reports_a_bad_response_when_crossref_sends_garbage(db, monkeypatch):
    monkeypatch.setattr(safe_fetch, "fetch", lambda url, **kwargs: b"<html>oops</html>")
    with pytest.raises(ArticleLookupError) as caught:
        article_lookup.lookup(DOI)
    assert caught.value.reason == "bad_response"


def test_jats_to_text_strips_markup_and_keeps_paragraphs():
    markup = (
        "<jats:sec><jats:title>Abstract</jats:title><jats:p>One &lt;b&gt; "
        "<jats:italic>two</jats:italic></jats:p><script>x</script><jats:p>Three</jats:p>"
        "</jats:sec>"
    )
    assert article_lookup.jats_to_text(markup) == "One <b> two\n\nx\n\nThree"


# --- The guarded fetch ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "0.0.0.0", "localhost", "192.168.0.1"],  # noqa: S104
)
def test_fetch_refuses_before_connecting_when_the_host_is_not_public(host, no_connections):
    url_host = f"[{host}]" if ":" in host else host
    with pytest.raises(safe_fetch.FetchRefused):
        safe_fetch.fetch(f"https://{url_host}/works/x", allowed_hosts=[host])


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/works/x",
        "http://api.crossref.org/works/x",
        "ftp://api.crossref.org/works/x",
        "file:///etc/passwd",
        "https://user:pw@api.crossref.org/works/x",
    ],
)
def test_fetch_refuses_before_connecting_when_scheme_or_host_is_not_allowed(url, no_connections):
    with pytest.raises(safe_fetch.FetchRefused):
        safe_fetch.fetch(url)


def test_is_public_address_refuses_ipv4_mapped_private_addresses():
    assert not safe_fetch.is_public_address("::ffff:127.0.0.1")
    assert not safe_fetch.is_public_address("fe80::1%eth0")
    assert safe_fetch.is_public_address("8.8.8.8")


class _Handler(BaseHTTPRequestHandler):
    behaviour = "ok"

    def do_GET(self):  # noqa: N802 - the name http.server calls
        if self.behaviour == "slow":
            time.sleep(2)
            return
        if self.behaviour == "redirect":
            self.send_response(302)
            self.send_header("Location", "https://evil.example/")
            self.end_headers()
            return
        if self.behaviour == "not_found":
            self.send_response(404)
            self.end_headers()
            return
        big = self.behaviour == "big"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()  # no Content-Length: the cap must count what is read
        try:
            if big:
                for _ in range(200):
                    self.wfile.write(b"x" * 1024)
            else:
                self.wfile.write(b'{"ok": true}')
        except OSError:
            pass  # the client stopped reading, as it should
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server(settings):
    """A server on 127.0.0.1 that plain http may reach, for exercising the limits for real."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.STEPDOWN_ARTICLE_LOOKUP_HTTP_HOSTS = ("127.0.0.1",)

    def url(behaviour):
        _Handler.behaviour = behaviour
        return f"http://127.0.0.1:{server.server_address[1]}/works/x"

    yield url
    server.shutdown()
    server.server_close()


def local_fetch(url, **kwargs):
    return safe_fetch.fetch(url, allowed_hosts=["127.0.0.1"], allow_private=True, **kwargs)


def test_fetch_returns_the_body_when_the_server_answers(local_server):
    assert local_fetch(local_server("ok")) == b'{"ok": true}'


def test_fetch_refuses_the_local_server_when_private_addresses_are_not_allowed(local_server):
    with pytest.raises(safe_fetch.FetchRefused):
        safe_fetch.fetch(local_server("ok"), allowed_hosts=["127.0.0.1"])


def test_fetch_stops_reading_when_the_body_passes_the_size_cap(local_server):
    with pytest.raises(safe_fetch.FetchTooLarge):
        local_fetch(local_server("big"), max_bytes=50_000)


def test_fetch_gives_up_when_the_server_is_slower_than_the_budget(local_server):
    started = time.monotonic()
    with pytest.raises(safe_fetch.FetchTimeout):
        local_fetch(local_server("slow"), timeout=0.3)
    assert time.monotonic() - started < 1.5


def test_fetch_refuses_a_redirect_when_it_leads_to_another_host(local_server):
    with pytest.raises(safe_fetch.FetchRefused):
        local_fetch(local_server("redirect"))


def test_fetch_raises_not_found_when_the_server_answers_404(local_server):
    with pytest.raises(safe_fetch.FetchNotFound):
        local_fetch(local_server("not_found"))


# --- The new-topic form --------------------------------------------------------------------------


def new_topic_url(category):
    return f"/c/{category.slug}/new/"


TYPED = {
    "tag": "Review",
    "title": "A useful overview of benzodiazepines",
    "body": "I found this **helpful** for talking to my prescriber.",
}


def test_new_topic_lookup_fills_the_card_and_keeps_what_was_typed(
    member_client, category, fake_fetch
):
    response = member_client.post(
        new_topic_url(category),
        {**TYPED, "article_lookup": f"https://doi.org/{DOI}", "lookup": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Benzodiazepines: Uses, Dangers, and Clinical Considerations"' in html
    assert 'value="Neurology International"' in html
    assert 'value="2021-11-10"' in html
    assert f'value="{DOI}"' in html
    assert "Benzodiazepines are widely prescribed" in html
    assert 'value="A useful overview of benzodiazepines"' in html
    assert 'value="Review"' in html
    assert "I found this **helpful** for talking to my prescriber." in html
    assert "Please check them before posting" in html
    assert 'class="article-fields" open' in html
    assert Topic.objects.count() == 0


def test_new_topic_lookup_keeps_input_and_explains_when_the_service_is_unreachable(
    member_client, category, monkeypatch
):
    def unreachable(url, **kwargs):
        raise safe_fetch.FetchTimeout("slow")

    monkeypatch.setattr(safe_fetch, "fetch", unreachable)
    response = member_client.post(
        new_topic_url(category),
        {**TYPED, "article_lookup": DOI, "article_authors": "Edinoff", "lookup": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "We couldn&#x27;t fetch the details" in html
    assert "you can type them in" in html
    assert f'value="{DOI}"' in html
    assert 'value="Edinoff"' in html
    assert 'value="A useful overview of benzodiazepines"' in html
    assert "I found this **helpful**" in html
    assert Topic.objects.count() == 0


def test_new_topic_lookup_explains_when_the_input_is_not_an_identifier(
    member_client, category, fake_fetch
):
    response = member_client.post(
        new_topic_url(category), {**TYPED, "article_lookup": "a great paper", "lookup": "1"}
    )
    assert response.status_code == 200
    assert "doesn&#x27;t look like a DOI or a PubMed link" in response.content.decode()
    assert fake_fetch == []


def test_new_topic_lookup_shows_no_errors_when_the_title_is_still_empty(
    member_client, category, fake_fetch
):
    response = member_client.post(new_topic_url(category), {"article_lookup": DOI, "lookup": "1"})
    assert response.status_code == 200
    assert "Please give your topic a title." not in response.content.decode()


def test_new_topic_lookup_is_refused_calmly_when_over_the_rate_limit(
    member_client, category, fake_fetch, settings
):
    settings.STEPDOWN_RATE_LIMITS = {**settings.STEPDOWN_RATE_LIMITS, "article_lookup": "1/h/user"}
    data = {**TYPED, "article_lookup": DOI, "lookup": "1"}
    assert member_client.post(new_topic_url(category), data).status_code == 200
    response = member_client.post(new_topic_url(category), data)
    assert response.status_code == 429
    html = response.content.decode()
    assert "looked up many articles" in html
    assert 'value="A useful overview of benzodiazepines"' in html
    assert len(fake_fetch) == 1


def test_new_topic_posts_the_filled_card_when_submitted_after_a_lookup(
    member_client, category, fake_fetch
):
    card = article_lookup.form_fields(article_lookup.lookup(DOI))
    response = member_client.post(new_topic_url(category), {**TYPED, **card})
    assert response.status_code == 302
    assert Topic.objects.get().title == TYPED["title"]


def test_new_topic_hides_the_lookup_when_it_is_turned_off(member_client, category, settings):
    settings.STEPDOWN_ARTICLE_LOOKUP = "0"
    html = member_client.get(new_topic_url(category)).content.decode()
    assert 'name="lookup"' not in html
    settings.STEPDOWN_ARTICLE_LOOKUP = True
    html = member_client.get(new_topic_url(category)).content.decode()
    assert 'name="lookup"' in html
