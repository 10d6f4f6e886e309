"""A journal is its owner's: others get 404 unless the owner shares the chart with them."""

import csv
import io
import json

import pytest
from django.test import Client

from stepdown.journals import actions
from stepdown.journals.models import Journal, Sharing

from .conftest import JOURNAL, days_ago, entry_url, log_day, today

pytestmark = pytest.mark.django_db

SECRET_NOTE = "my very private note"


@pytest.fixture
def logged(journal):
    log_day(journal, days_ago(1), [("clonazepam", "1")], notes=SECRET_NOTE)
    log_day(journal, today(), [("clonazepam", "0.75")], symptoms={"headache": 2})
    return journal


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_owner_sees_their_own_entries_chart_and_notes(member_client, logged):
    assert SECRET_NOTE in member_client.get(entry_url(days_ago(1))).content.decode()
    chart = member_client.get(f"{JOURNAL}chart/").content.decode()
    assert "0.75" in chart and "<svg" in chart


def test_other_members_only_ever_reach_their_own_journal(logged, other_member):
    other = signed_in(other_member)
    for url in [JOURNAL, entry_url(days_ago(1)), f"{JOURNAL}chart/", f"{JOURNAL}export.json"]:
        assert SECRET_NOTE not in other.get(url).content.decode(), url
    assert json.loads(other.get(f"{JOURNAL}export.json").content)["journal"] is None


@pytest.mark.parametrize("sharing", [Sharing.PRIVATE, Sharing.LINK])
def test_members_share_page_is_404_for_other_members_when_not_shared_with_members(
    logged, other_member, sharing
):
    actions.set_sharing(logged, sharing=sharing)
    assert signed_in(other_member).get(f"{JOURNAL}m/member/").status_code == 404


def test_members_share_is_visible_to_members_but_404_for_guests(logged, other_member, client):
    actions.set_sharing(logged, sharing=Sharing.MEMBERS)
    response = signed_in(other_member).get(f"{JOURNAL}m/member/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "member’s taper chart" in html and "0.75" in html and "<table" in html
    assert SECRET_NOTE not in html
    assert "community tool, not medical advice" in html
    assert client.get(f"{JOURNAL}m/member/").status_code == 404


def test_unknown_member_share_is_404(other_member, db):
    assert signed_in(other_member).get(f"{JOURNAL}m/nobody/").status_code == 404


def test_public_link_works_without_sign_in_and_hides_notes(member_client, logged, client):
    response = member_client.post(f"{JOURNAL}share/", {"sharing": "link"})
    assert response.status_code == 302
    token = Journal.objects.get().share_token
    assert len(token) >= 40
    assert token in member_client.get(f"{JOURNAL}share/").content.decode()
    response = client.get(f"{JOURNAL}s/{token}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "0.75" in html and SECRET_NOTE not in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]


def test_public_link_stops_working_when_revoked(member_client, logged, client):
    member_client.post(f"{JOURNAL}share/", {"sharing": "link"})
    token = Journal.objects.get().share_token
    member_client.post(f"{JOURNAL}share/", {"sharing": "private"})
    assert client.get(f"{JOURNAL}s/{token}/").status_code == 404
    assert Journal.objects.get().share_token is None


def test_public_link_stops_working_when_regenerated_and_the_new_one_works(
    member_client, logged, client
):
    member_client.post(f"{JOURNAL}share/", {"sharing": "link"})
    old = Journal.objects.get().share_token
    member_client.post(f"{JOURNAL}share/", {"regenerate": "1"})
    new = Journal.objects.get().share_token
    assert new != old
    assert client.get(f"{JOURNAL}s/{old}/").status_code == 404
    assert client.get(f"{JOURNAL}s/{new}/").status_code == 200


def test_guessed_or_empty_tokens_are_404(client, logged):
    actions.set_sharing(logged, sharing=Sharing.LINK)
    for token in ["x", "a" * 43, "None", "a" * 200]:
        assert client.get(f"{JOURNAL}s/{token}/").status_code == 404


def test_bad_sharing_choice_is_explained_and_changes_nothing(member_client, logged):
    response = member_client.post(f"{JOURNAL}share/", {"sharing": "everyone"})
    assert response.status_code == 400
    assert Journal.objects.get().sharing == Sharing.PRIVATE


def test_journal_is_private_by_default(logged, other_member, client):
    assert logged.sharing == Sharing.PRIVATE and logged.share_token is None
    assert signed_in(other_member).get(f"{JOURNAL}m/member/").status_code == 404


# --- Exports -----------------------------------------------------------------------------------


def test_json_export_holds_every_day_with_doses_symptoms_notes_and_consent(member_client, logged):
    response = member_client.get(f"{JOURNAL}export.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["format"] == "stepdown-journal/1"
    assert [c["action"] for c in data["consent_records"]] == ["granted"]
    days = data["journal"]["days"]
    assert [d["date"] for d in days] == [days_ago(1).isoformat(), today().isoformat()]
    assert days[0]["doses"] == [{"drug": "clonazepam", "mg": "1", "time": None}]
    assert days[0]["notes"] == SECRET_NOTE
    assert days[1]["symptoms"] == {"headache": 2}
    assert days[1]["diazepam_equivalent_mg"] == {"low": "7.5", "high": "30"}


def test_csv_export_has_a_row_per_day_and_neutralises_formulas(member_client, journal):
    log_day(journal, today(), [("diazepam", "5"), ("diazepam", "2.5")], notes="=HYPERLINK(1)")
    response = member_client.get(f"{JOURNAL}export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    row = rows[0]
    assert row["date"] == today().isoformat()
    assert row["diazepam_mg"] == "7.5"
    assert row["doses"] == "diazepam 5 mg; diazepam 2.5 mg"
    assert row["notes"] == "'=HYPERLINK(1)"
    assert row["diazepam_equivalent_low_mg"] == row["diazepam_equivalent_high_mg"] == "7.5"


def test_exports_require_sign_in(client, db):
    for name in ["export.json", "export.csv"]:
        assert client.get(f"{JOURNAL}{name}").status_code == 302
