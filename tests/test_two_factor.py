import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_member_sets_up_authenticator_app_then_sign_in_asks_for_a_code(client):
    user = UserFactory(username="rowan")
    client.post("/accounts/login/", {"login": "rowan", "password": PASSWORD})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    # Recovery codes come with it.
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()

    client.post("/accounts/logout/")
    response = client.post("/accounts/login/", {"login": "rowan", "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session  # not signed in on the password alone
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_recovery_code_signs_in_once(client):
    user = UserFactory(username="rowan", two_factor=True)
    codes = RecoveryCodes.activate(user).get_unused_codes()
    for attempt in range(2):
        client.post("/accounts/login/", {"login": "rowan", "password": PASSWORD})
        client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
        signed_in = "_auth_user_id" in client.session
        assert signed_in is (attempt == 0)
        client.post("/accounts/logout/")


def test_passkeys_are_offered(client):
    UserFactory(username="rowan")
    client.post("/accounts/login/", {"login": "rowan", "password": PASSWORD})
    page = client.get("/accounts/2fa/").content.decode()
    assert "Security Keys" in page or "Passkeys" in page
    assert "/accounts/2fa/webauthn/" in page
    client.post("/accounts/logout/")
    login_page = client.get("/accounts/login/").content.decode()
    assert "Sign in with a passkey" in login_page
