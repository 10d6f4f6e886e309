"""Passkeys in a real browser: Chromium's virtual authenticator stands in for the device."""

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def passkey_page(page, settings):
    # The live server speaks plain http on localhost, which browsers treat as a secure context.
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return page


def test_member_adds_a_passkey_and_signs_in_with_it(passkey_page, live_server, transactional_db):
    page = passkey_page
    user = UserFactory(username="rowan")
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("rowan")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_text("Signed in as rowan", exact=True)).to_be_visible()

    page.goto("/accounts/2fa/webauthn/add/")
    if "reauthenticate" in page.url:
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Name").fill("Laptop")
    passwordless = page.get_by_label("Passwordless")
    passwordless.check()  # a passkey: signs in without typing a username or password
    page.get_by_role("button", name="Add").click()
    page.wait_for_url(lambda url: not url.endswith("/webauthn/add/"))
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).exists()

    page.get_by_role("button", name="Sign out").click()
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_text("Signed in as rowan", exact=True)).to_be_visible()
