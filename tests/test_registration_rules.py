"""Registration: the community guidelines and 18+ accepted and recorded, a honeypot against
scripts; members asked again when the guidelines change; the guidelines and "Need help now?"
pages."""

import re

import pytest
from django.core import mail
from django.test import Client

from stepdown.accounts.models import User
from stepdown.pages.models import CrisisLocale, CrisisResource
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"


def registration(**extra) -> dict:
    return {
        "username": "newcomer",
        "email": "newcomer@example.org",
        "password1": "steady steps every day",
        "password2": "steady steps every day",
        "accept_guidelines": "on",
        "adult": "on",
        **extra,
    }


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Registration -------------------------------------------------------------------------------


def test_registration_records_the_guidelines_version_and_adult_confirmation(client, settings):
    settings.STEPDOWN_RULES_VERSION = "2025-2"
    response = client.post(SIGNUP, registration())
    assert response.status_code == 302
    user = User.objects.get(username="newcomer")
    assert user.rules_version == "2025-2"
    assert user.rules_accepted_at is not None
    assert user.adult_confirmed_at is not None
    assert user.trust_level == 0


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("accept_guidelines", "Please read the community guidelines and tick the box"),
        ("adult", "Stepdown is for adults: please confirm that you are 18 or older."),
    ],
)
def test_registration_requires_guidelines_and_18_plus_keeping_what_was_typed(
    client, missing, message
):
    data = registration()
    del data[missing]
    response = client.post(SIGNUP, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'value="newcomer"' in html and 'value="newcomer@example.org"' in html
    assert not User.objects.filter(username="newcomer").exists()


def test_filled_honeypot_gets_a_calm_generic_refusal_and_no_account(client):
    response = client.post(SIGNUP, registration(website="http://spam.example"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "We could not create an account from this form." in html
    assert "honeypot" not in html.lower()
    assert not User.objects.filter(username="newcomer").exists()
    assert mail.outbox == []


def test_honeypot_is_hidden_from_people_and_screen_readers(client):
    html = client.get(SIGNUP).content.decode()
    hidden = re.search(r'<div class="visually-hidden" aria-hidden="true">(.*?)</div>', html, re.S)
    assert hidden is not None
    field = hidden.group(1)
    assert "Leave this field empty" in field
    assert 'name="website"' in field
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field
    assert "style=" not in html


def test_signup_page_links_the_guidelines_and_asks_for_18_plus(client):
    html = client.get(SIGNUP).content.decode()
    assert 'href="/guidelines/"' in html
    assert "I have read and accept the community guidelines" in html
    assert "I am 18 or older" in html


# --- Accepting again ----------------------------------------------------------------------------


def test_members_are_asked_again_when_the_guidelines_change_and_can_still_read(category, settings):
    settings.STEPDOWN_RULES_VERSION = "1"
    member = UserFactory(username="rowan", rules_version="1")
    client = signed_in(member)
    assert "Please take a moment to read our current" not in client.get("/").content.decode()
    settings.STEPDOWN_RULES_VERSION = "2"
    page = client.get(category.get_absolute_url())
    assert page.status_code == 200
    assert "Please take a moment to read our current" in page.content.decode()
    response = client.post(
        "/guidelines/accept/", {"next": category.get_absolute_url()}, follow=True
    )
    assert response.redirect_chain[-1][0] == category.get_absolute_url()
    assert "Thank you for reading the guidelines." in response.content.decode()
    assert "Please take a moment to read our current" not in response.content.decode()
    member.refresh_from_db()
    assert member.rules_version == "2"


def test_guests_see_no_guidelines_banner(client):
    assert "Please take a moment to read our current" not in client.get("/").content.decode()


def test_accepting_never_sends_members_to_another_site(member_client):
    response = member_client.post("/guidelines/accept/", {"next": "https://elsewhere.example/"})
    assert response["Location"] == "/"


def test_guidelines_page_has_the_rules_and_an_accept_button_only_when_needed(
    client, member, settings
):
    html = client.get("/guidelines/").content.decode()
    for rule in ("Be kind", "No buying, selling or swapping medicines", "not medical advice"):
        assert rule.lower() in html.lower()
    assert "I have read and accept these guidelines" not in html
    settings.STEPDOWN_RULES_VERSION = "9"
    html = signed_in(member).get("/guidelines/").content.decode()
    assert "I have read and accept these guidelines" in html


# --- Need help now? -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/guidelines/", "/no-such-page/"])
def test_need_help_now_link_is_in_every_page_header(client, path):
    html = client.get(path).content.decode()
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    assert '<a class="help-now-link" href="/help-now/">Need help now?</a>' in header


def test_help_now_page_shows_the_community_locale_with_sources(client, settings):
    settings.STEPDOWN_CRISIS_LOCALE = "US"
    html = client.get("/help-now/").content.decode()
    assert 'href="tel:988"' in html and 'href="sms:741741"' in html
    assert "Source: shared/reference/tapering.md; https://988lifeline.org/" in html
    assert "call 911 now" in html
    assert "<script" not in html.split("</head>")[1]


def test_help_now_shows_another_locale_chosen_without_javascript(client):
    html = client.get("/help-now/?locale=uk").content.decode()
    assert "Samaritans" in html and 'href="tel:116123"' in html
    assert '<option value="UK" selected>' in html
    unknown = client.get("/help-now/?locale=zz").content.decode()
    assert 'href="tel:988"' in unknown


def test_help_now_follows_the_browsers_region_when_there_are_lines_for_it(client, settings):
    settings.STEPDOWN_CRISIS_LOCALE = "US"
    html = client.get("/help-now/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8").content.decode()
    assert "Samaritans" in html and '<option value="UK" selected>' in html
    html = client.get("/help-now/", HTTP_ACCEPT_LANGUAGE="fr-FR,en-IE;q=0.5").content.decode()
    assert '<option value="IE" selected>' in html  # no French lines: the next region with some
    html = client.get("/help-now/", HTTP_ACCEPT_LANGUAGE="de-DE, en;q=0.5").content.decode()
    assert 'href="tel:988"' in html  # nothing for Germany: the community's locale


def test_browser_regions_are_read_in_order_of_preference():
    from stepdown.core.crisis import browser_regions

    assert browser_regions("en-US;q=0.4, en-GB, en-AU;q=0.9, fr-CA;q=0") == ["UK", "AU", "US"]
    assert browser_regions("zh-Hant-TW, en;q=oops, -, ;q=1") == ["TW"]
    assert browser_regions("") == []


def test_a_chosen_locale_is_kept_on_the_device_and_used_by_the_safety_panel(client, settings):
    settings.STEPDOWN_CRISIS_LOCALE = "US"
    response = client.post("/help-now/remember/", {"locale": "au"})
    assert response.status_code == 302
    cookie = response.cookies["stepdown_crisis_locale"]
    assert cookie.value == "AU" and cookie["httponly"] and cookie["samesite"] == "Lax"
    html = client.get("/help-now/", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert '<option value="AU" selected>' in html  # the choice beats the browser's region
    assert "This device shows these lines first" in html
    # the safety panel after a post uses it too
    from django.template import Context, Template
    from django.test import RequestFactory

    from stepdown.core import safety

    request = RequestFactory().get("/", HTTP_COOKIE="stepdown_crisis_locale=AU")
    request.session = {}
    safety.show_panel(request, safety.SafetyMatch(matched=(safety.Phrase("crisis", "x"),)))
    panel = Template("{% load safety_panel %}{% safety_panel %}").render(
        Context({"request": request})
    )
    assert "Lifeline" in panel


def test_an_unknown_locale_is_not_remembered(client):
    response = client.post("/help-now/remember/", {"locale": "ZZ"}, follow=True)
    assert "stepdown_crisis_locale" not in response.cookies
    assert "Please choose a country or region from the list." in response.content.decode()


def test_admin_edits_to_crisis_resources_show_at_once(client):
    us = CrisisLocale.objects.get(code="US")
    CrisisResource.objects.create(
        locale=us,
        position=0,
        name="Community warm line",
        kind="crisis",
        call="555 0100",
        source="https://warmline.example/",
    )
    html = client.get("/help-now/").content.decode()
    assert "Community warm line" in html and 'href="tel:5550100"' in html


def test_crisis_resources_fall_back_to_the_file_when_no_rows_exist(client):
    CrisisLocale.objects.all().delete()
    html = client.get("/help-now/").content.decode()
    assert 'href="tel:988"' in html


def test_admin_edits_crisis_resources_in_the_admin(db):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True, two_factor=True)
    client = signed_in(admin)
    us = CrisisLocale.objects.get(code="US")
    assert client.get(f"/admin/pages/crisislocale/{us.pk}/change/").status_code == 200
    assert (
        "988 Suicide" in client.get(f"/admin/pages/crisislocale/{us.pk}/change/").content.decode()
    )
