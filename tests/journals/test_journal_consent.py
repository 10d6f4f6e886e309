"""Consent comes first, is recorded separately, and can be withdrawn."""

import pytest

from stepdown.journals.consent import CONSENT_VERSION
from stepdown.journals.models import ConsentRecord, Entry, Journal, Sharing

from .conftest import JOURNAL, entry_data, entry_url, log_day, today

pytestmark = pytest.mark.django_db


def test_journal_asks_guests_to_sign_in_when_signed_out(client):
    response = client.get(JOURNAL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_journal_shows_consent_and_no_entry_form_when_never_consented(member_client):
    response = member_client.get(JOURNAL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Before your first entry: your consent" in html
    assert "health data" in html
    assert 'name="agree"' in html
    assert "Save this day" not in html
    assert "community tool, not medical advice" in html


def test_entry_is_refused_and_nothing_stored_when_never_consented(member_client, member):
    response = member_client.post(entry_url(today()), entry_data(notes="First day"))
    assert response.status_code == 302
    assert not Entry.objects.exists()
    assert not Journal.objects.filter(owner=member).exists()


def test_consent_without_ticking_the_box_is_explained_and_not_recorded(member_client, member):
    response = member_client.post(f"{JOURNAL}consent/", {})
    assert response.status_code == 400
    assert "Please tick the box to agree" in response.content.decode()
    assert not ConsentRecord.objects.filter(owner=member).exists()


def test_consent_is_recorded_with_time_and_wording_version_when_given(member_client, member):
    response = member_client.post(f"{JOURNAL}consent/", {"agree": "on"})
    assert response.status_code == 302
    record = ConsentRecord.objects.get(owner=member)
    assert (record.action, record.wording_version) == ("granted", CONSENT_VERSION)
    assert record.at is not None
    journal = Journal.objects.get(owner=member)
    assert journal.sharing == Sharing.PRIVATE
    page = member_client.get(JOURNAL).content.decode()
    assert "Save this day" in page


def test_withdrawal_is_logged_and_stops_new_entries_when_confirmed(member_client, member, journal):
    log_day(journal, today(), [("diazepam", "10")], notes="kept")
    response = member_client.post(f"{JOURNAL}withdraw/", {})
    assert response.status_code == 302
    actions = list(
        ConsentRecord.objects.filter(owner=member)
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )
    assert actions == ["granted", "withdrawn"]
    response = member_client.post(entry_url(today()), entry_data(notes="after withdrawal"))
    assert response.status_code == 302
    assert Entry.objects.get().notes == "kept"
    page = member_client.get(JOURNAL).content.decode()
    assert "You have withdrawn your consent" in page
    assert "Save this day" not in page
    assert "Delete my journal" in page  # deletion is offered


def test_withdrawal_turns_off_sharing_and_signature_when_they_were_on(
    member_client, member, journal
):
    from stepdown.journals import actions

    log_day(journal, today(), [("diazepam", "10")])
    actions.set_sharing(journal, sharing=Sharing.LINK)
    actions.set_signature(journal, enabled=True, fields=["drug"])
    token = Journal.objects.get().share_token
    member_client.post(f"{JOURNAL}withdraw/", {})
    journal.refresh_from_db()
    assert (journal.sharing, journal.share_token, journal.signature) == ("private", None, None)
    assert member_client.get(f"{JOURNAL}s/{token}/").status_code == 404


def test_withdrawal_with_deletion_erases_the_journal_when_asked(member_client, member, journal):
    log_day(journal, today(), [("diazepam", "10")])
    member_client.post(f"{JOURNAL}withdraw/", {"also_delete": "on"})
    assert not Journal.objects.exists() and not Entry.objects.exists()
    assert not ConsentRecord.objects.filter(owner=member).exists()


def test_consent_can_be_given_again_after_withdrawal(member_client, member, journal):
    member_client.post(f"{JOURNAL}withdraw/", {})
    member_client.post(f"{JOURNAL}consent/", {"agree": "on"})
    assert ConsentRecord.objects.filter(owner=member).count() == 3
    response = member_client.post(entry_url(today()), entry_data(notes="back again"))
    assert response.status_code == 302
    assert Entry.objects.get().notes == "back again"


def test_delete_my_journal_requires_confirmation_then_removes_everything(
    member_client, member, journal
):
    log_day(journal, today(), [("diazepam", "10")], notes="private")
    response = member_client.post(f"{JOURNAL}delete/", {})
    assert response.status_code == 400
    assert Entry.objects.exists()
    response = member_client.post(f"{JOURNAL}delete/", {"confirm": "on"})
    assert response.status_code == 302
    assert not Journal.objects.exists() and not Entry.objects.exists()
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize("path", ["consent/", "withdraw/", "delete/", "share/", "signature/"])
def test_journal_write_pages_refuse_post_without_csrf_token(member, journal, path):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post(f"{JOURNAL}{path}", {"confirm": "on", "agree": "on"}).status_code == 403
    assert Journal.objects.filter(owner=member).exists()
