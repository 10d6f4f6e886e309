"""The taper signature: opt-in, fields chosen by the member, under their posts, one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stepdown.journals import actions
from stepdown.journals.models import Journal
from tests.factories import make_topic

from .conftest import JOURNAL, days_ago, log_day, today

pytestmark = pytest.mark.django_db

ALL_FIELDS = ["drug", "start_dose", "current_dose", "percent", "days"]


@pytest.fixture
def tapering(journal):
    log_day(journal, days_ago(30), [("clonazepam", "1")])
    log_day(journal, days_ago(10), [("clonazepam", "0.75")])
    log_day(journal, today(), [("clonazepam", "0.25"), ("clonazepam", "0.25")])
    return journal


def test_signature_is_off_by_default_and_shows_nothing(tapering, category, member, client):
    assert Journal.objects.get().signature is None
    topic = make_topic(category, author=member)
    assert "taper-signature" not in client.get(topic.get_absolute_url()).content.decode()


def test_signature_opt_in_shows_the_chosen_fields_under_posts(
    member_client, tapering, category, member, client
):
    response = member_client.post(f"{JOURNAL}signature/", {"enabled": "on", "show": ALL_FIELDS})
    assert response.status_code == 302
    topic = make_topic(category, author=member, replies=2)
    html = client.get(topic.get_absolute_url()).content.decode()
    line = "Clonazepam · started at 1 mg · now 0.5 mg · 50% reduced · 30 days since the start"
    assert html.count(line) == 3  # under each of the member's three posts
    assert 'class="taper-signature"' in html


def test_signature_shows_only_the_fields_picked(member_client, tapering, category, member, client):
    member_client.post(f"{JOURNAL}signature/", {"enabled": "on", "show": ["percent", "days"]})
    topic = make_topic(category, author=member)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "50% reduced · 30 days since the start" in html
    assert "Clonazepam ·" not in html and "started at" not in html


def test_signature_opt_out_removes_it_from_posts(member_client, tapering, category, member, client):
    member_client.post(f"{JOURNAL}signature/", {"enabled": "on", "show": ALL_FIELDS})
    member_client.post(f"{JOURNAL}signature/", {"show": ALL_FIELDS})
    assert Journal.objects.get().signature is None
    topic = make_topic(category, author=member)
    assert "taper-signature" not in client.get(topic.get_absolute_url()).content.decode()


def test_signature_without_fields_is_explained(member_client, tapering):
    response = member_client.post(f"{JOURNAL}signature/", {"enabled": "on"})
    assert response.status_code == 400
    assert "Please choose at least one thing to show." in response.content.decode()


def test_signature_is_recomputed_when_entries_change(member_client, tapering):
    actions.set_signature(tapering, enabled=True, fields=["current_dose", "percent"])
    log_day(tapering, today(), [("clonazepam", "0.25")])
    assert Journal.objects.get().signature["current_mg"] == "0.25"
    member_client.post(f"{JOURNAL}entry/{today()}/delete/")
    assert Journal.objects.get().signature["current_mg"] == "0.75"


def test_signature_counts_a_day_with_no_dose_as_zero_and_up_doses_honestly(tapering):
    actions.set_signature(tapering, enabled=True, fields=["current_dose", "percent"])
    log_day(tapering, today(), no_dose_taken=True)
    assert Journal.objects.get().signature["percent"] == 100
    log_day(tapering, today(), [("clonazepam", "1.25")])
    from stepdown.journals.signature import format_signature

    line = format_signature(Journal.objects.get().signature, today=today())
    assert line == "now 1.25 mg · 25% above the start dose"


def test_signature_for_a_chosen_drug_after_a_crossover(tapering):
    log_day(tapering, today(), [("diazepam", "10")])
    actions.set_signature(
        tapering, enabled=True, fields=["drug", "current_dose"], drug_id="diazepam"
    )
    assert Journal.objects.get().signature["drug"] == "diazepam"


@pytest.mark.parametrize("replies", [2, 30])
def test_topic_page_reads_every_signature_in_one_query(
    tapering, category, member, other_member, other_journal, client, replies
):
    actions.set_signature(tapering, enabled=True, fields=ALL_FIELDS)
    log_day(other_journal, today(), [("diazepam", "5")])
    actions.set_signature(other_journal, enabled=True, fields=["drug"])
    topic = make_topic(category, author=member, replies=0)
    from stepdown.forum.actions import create_reply

    for n in range(replies):
        create_reply(topic, author=other_member if n % 2 else member, body=f"Reply {n}")
    with CaptureQueriesContext(connection) as context:
        html = client.get(topic.get_absolute_url()).content.decode()
    journal_queries = [q for q in context.captured_queries if "journals_journal" in q["sql"]]
    assert len(journal_queries) == 1
    assert len(context) == 5  # the forum page (4, reactions included) + signatures
    assert "Diazepam</p>" in html and "50% reduced" in html


def test_withdrawing_consent_removes_the_signature_from_posts(
    member_client, tapering, category, member, client
):
    actions.set_signature(tapering, enabled=True, fields=ALL_FIELDS)
    member_client.post(f"{JOURNAL}withdraw/", {})
    topic = make_topic(category, author=member)
    assert "taper-signature" not in client.get(topic.get_absolute_url()).content.decode()
    response = member_client.post(f"{JOURNAL}signature/", {"enabled": "on", "show": ["drug"]})
    assert response.status_code == 403
    assert Journal.objects.get().signature is None
