import json

import pytest
from django.test import Client

from stepdown.tapering.models import TaperPlan
from tests.factories import PASSWORD
from tests.tapering_web.conftest import make_plan

pytestmark = pytest.mark.django_db

READ_PAGES = ("", "print/", "plan.csv", "plan.ics")
OWNER_ONLY_GET = ("replan/", "delete/", "versions/1/")
OWNER_ONLY_POST = ("hold/", "delete/", "sharing/")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_plan_is_private_by_default_so_others_get_404_and_guests_sign_in(owner, other_member):
    plan = make_plan(owner, title="Secret title")
    base = f"/taper/plans/{plan.pk}/"
    owner_client, other, guest = signed_in(owner), signed_in(other_member), Client()
    for page in READ_PAGES + OWNER_ONLY_GET:
        assert owner_client.get(base + page).status_code == 200, page
        assert other.get(base + page).status_code == 404, page
        response = guest.get(base + page)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], page
    for page in OWNER_ONLY_POST:
        assert other.post(base + page, {"sharing": "link"}).status_code == 404, page
        assert guest.post(base + page).status_code == 302, page
    plan.refresh_from_db()
    assert plan.status == "active" and plan.sharing == "private"
    assert "Secret title" not in other.get("/taper/plans/").content.decode()


def test_plan_shared_with_members_is_readable_by_members_only(owner, other_member):
    plan = make_plan(owner, sharing="members")
    base = f"/taper/plans/{plan.pk}/"
    other = signed_in(other_member)
    for page in READ_PAGES:
        assert other.get(base + page).status_code == 200, page
    html = other.get(base).content.decode()
    assert "Shared by owner" in html
    assert "Put on hold" not in html and "Delete this plan" not in html
    for page in OWNER_ONLY_GET:
        assert other.get(base + page).status_code == 404, page
    assert other.post(base + "hold/").status_code == 404
    assert Client().get(base).status_code == 302  # guests sign in first


def test_plan_public_link_shows_the_plan_to_anyone_without_the_owners_name(owner_client, owner):
    plan = make_plan(owner)
    response = owner_client.post(f"/taper/plans/{plan.pk}/sharing/", {"sharing": "link"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.sharing == "link" and len(plan.share_token) >= 40
    link = f"/taper/shared/{plan.share_token}/"
    assert link in owner_client.get(plan.get_absolute_url()).content.decode()

    guest_page = Client().get(link)
    assert guest_page.status_code == 200
    html = guest_page.content.decode()
    assert "My clonazepam plan" in html and "owner" not in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    # The link opens only the shared page, not the member pages of the plan.
    assert Client().get(plan.get_absolute_url()).status_code == 302


def test_plan_public_link_stops_working_when_revoked_or_regenerated(owner_client, owner):
    plan = make_plan(owner, sharing="link")
    first = f"/taper/shared/{plan.share_token}/"
    assert Client().get(first).status_code == 200

    owner_client.post(f"/taper/plans/{plan.pk}/sharing/", {"regenerate": "1"})
    plan.refresh_from_db()
    second = f"/taper/shared/{plan.share_token}/"
    assert second != first
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200

    owner_client.post(f"/taper/plans/{plan.pk}/sharing/", {"sharing": "private"})
    plan.refresh_from_db()
    assert plan.share_token is None
    assert Client().get(second).status_code == 404


def test_plan_shared_link_page_is_404_for_made_up_tokens(db):
    assert Client().get("/taper/shared/not-a-real-token/").status_code == 404


def test_plan_shared_with_members_hides_no_link(owner, other_member):
    plan = make_plan(owner, sharing="members")
    assert plan.share_token is None
    assert Client().get("/taper/shared/None/").status_code == 404


def test_plan_sharing_refuses_an_unknown_choice(owner_client, owner):
    plan = make_plan(owner)
    owner_client.post(f"/taper/plans/{plan.pk}/sharing/", {"sharing": "everyone"})
    plan.refresh_from_db()
    assert plan.sharing == "private"


def test_plan_writes_need_a_csrf_token(owner):
    plan = make_plan(owner)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    for page in OWNER_ONLY_POST:
        assert client.post(f"/taper/plans/{plan.pk}/{page}").status_code == 403, page
    assert client.post("/taper/plans/new/", {"drug": "clonazepam"}).status_code == 403
    assert TaperPlan.objects.filter(pk=plan.pk, status="active").exists()


def test_account_export_includes_plans_with_their_steps(owner_client, owner):
    make_plan(owner, title="Exported plan")
    data = json.loads(owner_client.get("/account/export/").content)
    plans = data["tapering"]["plans"]
    assert [plan["title"] for plan in plans] == ["Exported plan"]
    version = plans[0]["versions"][0]
    assert version["inputs"]["doses"] == {"night": "1"}
    assert version["plan"]["steps"][1]["doses"][0]["mg"] == "0.9"


@pytest.mark.parametrize("posts", ["keep", "remove"])
def test_account_deletion_erases_plans_whatever_is_chosen_for_posts(owner, other_member, posts):
    make_plan(owner, sharing="link")
    kept = make_plan(other_member)
    client = signed_in(owner)
    data = {"posts": posts, "password": PASSWORD, "confirmation": "owner"}
    response = client.post("/account/delete/", data)
    assert response.status_code == 302
    assert list(TaperPlan.objects.all()) == [kept]
