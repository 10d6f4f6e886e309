"""The account's data download includes the journal; deleting the account erases it."""

import json

import pytest

from stepdown.accounts.actions import delete_member
from stepdown.core.personal_data import providers
from stepdown.journals import actions
from stepdown.journals.models import ConsentRecord, Dose, Entry, Journal, Sharing
from tests.factories import PASSWORD

from .conftest import JOURNAL, log_day, today

pytestmark = pytest.mark.django_db


def test_registry_lists_the_journals_provider():
    assert "journals" in [provider.name for provider in providers()]


def test_account_export_includes_the_journal(member_client, journal):
    log_day(journal, today(), [("diazepam", "5")], notes="in the download")
    data = json.loads(member_client.get("/account/export/").content)
    assert data["journals"]["journal"]["days"][0]["notes"] == "in the download"
    assert data["journals"]["consent_records"][0]["action"] == "granted"


@pytest.mark.parametrize("posts", ["keep", "remove"])
def test_account_deletion_erases_the_journal_whatever_happens_to_posts(
    member_client, member, journal, other_member, other_journal, posts
):
    log_day(journal, today(), [("diazepam", "5")], notes="gone with the account")
    log_day(other_journal, today(), [("diazepam", "2")], notes="stays")
    actions.set_sharing(journal, sharing=Sharing.LINK)
    token = Journal.objects.get(owner=member).share_token
    response = member_client.post(
        "/account/delete/", {"posts": posts, "password": PASSWORD, "confirmation": "member"}
    )
    assert response.status_code == 302
    assert list(Entry.objects.values_list("notes", flat=True)) == ["stays"]
    assert Dose.objects.count() == 1
    assert list(Journal.objects.values_list("owner", flat=True)) == [other_member.pk]
    assert not ConsentRecord.objects.filter(owner_id=member.pk).exists()
    assert member_client.get(f"{JOURNAL}s/{token}/").status_code == 404


def test_delete_member_action_erases_consent_records_of_a_withdrawn_journal(member, journal):
    actions.withdraw_consent(member)
    delete_member(member, keep_posts=True)
    assert not ConsentRecord.objects.exists() and not Journal.objects.exists()
