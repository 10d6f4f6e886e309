import re
import secrets

import pytest
from django.core import mail
from django.test import Client

from stepdown.forum.models import Post, Topic
from tests.factories import PASSWORD, UserFactory, make_topic
from tests.test_cli import run_stepdown

pytestmark = pytest.mark.django_db


# --- Headers -----------------------------------------------------------------------------------


def test_pages_send_security_headers(client, category):
    topic = make_topic(category)
    for url in ["/", topic.get_absolute_url(), "/accounts/login/", "/no-such-page/"]:
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp, url
        assert re.search(r"script-src 'self'( 'nonce-[\w+/=-]+')?(;|$)", csp), url
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, url
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert "camera=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]
        assert "Strict-Transport-Security" not in response  # plain http here


def test_hsts_is_sent_over_https(client, settings, db):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_pages_have_no_inline_script_style_or_handlers_without_nonce(member_client, category):
    topic = make_topic(category, replies=2)
    for url in [
        "/",
        category.get_absolute_url(),
        topic.get_absolute_url(),
        f"/c/{category.slug}/new/",
        f"/t/{topic.pk}/reply/",
        "/accounts/password/change/",
        "/accounts/email/",
        "/accounts/2fa/",
    ]:
        response = member_client.get(url)
        html = response.content.decode()
        found = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
        nonce = found.group(1) if found else "(no nonce: nothing inline is allowed)"
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or f'nonce="{nonce}"' in tag or "application/json" in tag, (
                url,
                tag,
            )
        for tag in re.findall(r"<style\b[^>]*>", html):
            assert f'nonce="{nonce}"' in tag, (url, tag)
        assert not re.search(r"<[^>]+\sstyle=", html), url
        assert not re.search(r"<[^>]+\son[a-z]+=", html), url


def test_production_settings_pass_check_deploy(tmp_path):
    result = run_stepdown(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        data_dir=tmp_path,
        extra_env={
            "STEPDOWN_SITE_URL": "https://forum.example.org",
            "STEPDOWN_ALLOWED_HOSTS": "forum.example.org",
            "SECRET_KEY": secrets.token_urlsafe(64),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_hashes_passwords_with_argon2(tmp_path):
    script = "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])"
    result = run_stepdown("shell", "-c", script, data_dir=tmp_path)
    assert result.stdout.splitlines()[-1] == "django.contrib.auth.hashers.Argon2PasswordHasher"


# --- Sessions ----------------------------------------------------------------------------------


def test_session_is_rotated_at_sign_in_and_cookie_is_httponly_lax(client, db):
    UserFactory(username="rowan")
    client.get("/accounts/login/")
    client.session["probe"] = 1  # make sure a pre-login session exists
    session = client.session
    session.save()
    before = session.session_key
    response = client.post("/accounts/login/", {"login": "rowan", "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie.value and cookie.value != before
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_cookies_are_secure_when_the_site_is_https(tmp_path):
    script = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
    )
    result = run_stepdown(
        "shell",
        "-c",
        script,
        data_dir=tmp_path,
        extra_env={"STEPDOWN_SITE_URL": "https://forum.example.org"},
    )
    assert result.stdout.splitlines()[-1].split() == ["True", "True", "True"]


def test_password_change_needs_current_password_and_notifies(member_client, member):
    response = member_client.post(
        "/accounts/password/change/",
        {
            "oldpassword": "wrong one entirely",
            "password1": "new calm phrase 42",
            "password2": "new calm phrase 42",
        },
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
    member_client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "new calm phrase 42",
            "password2": "new calm phrase 42",
        },
    )
    member.refresh_from_db()
    assert member.check_password("new calm phrase 42")
    assert any("password" in m.subject.lower() and m.to == [member.email] for m in mail.outbox)


def test_email_change_is_verified_first_and_old_address_told(member_client, member):
    # Changing the address asks for the password again first.
    response = member_client.post("/accounts/email/", {"action_add": "", "email": "x@example.org"})
    assert response.status_code == 302 and "/reauthenticate/" in response["Location"]
    member_client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    member_client.post("/accounts/email/", {"action_add": "", "email": "new@example.org"})
    member.refresh_from_db()
    assert member.email == "member@example.org"  # unchanged until the new one is confirmed
    confirm = next(m for m in mail.outbox if m.to == ["new@example.org"])
    key_path = re.search(r"https?://testserver(/accounts/confirm-email/\S+)", confirm.body)
    member_client.post(key_path.group(1))
    member.refresh_from_db()
    assert member.email == "new@example.org"
    assert any(m.to == ["member@example.org"] for m in mail.outbox if m is not confirm)


# --- Brute force -------------------------------------------------------------------------------


def sign_in(client, login, password):
    return client.post("/accounts/login/", {"login": login, "password": password})


def test_account_is_locked_after_five_failures_even_with_right_password(client, db):
    UserFactory(username="rowan", email="rowan@example.org")
    for attempt in range(5):
        # Alternating username and email still counts against the one account.
        sign_in(client, "rowan" if attempt % 2 else "rowan@example.org", "wrong guess 123")
    response = sign_in(client, "rowan", PASSWORD)
    html = response.content.decode()
    assert response.status_code == 200
    assert "signing in is paused for 15 minutes" in html
    assert 'value="rowan"' in html
    assert "_auth_user_id" not in client.session


def test_other_accounts_are_not_locked_by_one_accounts_lockout(client, db):
    UserFactory(username="rowan")
    UserFactory(username="ash")
    for _attempt in range(5):
        sign_in(client, "rowan", "wrong guess 123")
    assert sign_in(client, "ash", PASSWORD).status_code == 302


def test_address_is_locked_after_twenty_failures_across_accounts(client, db):
    UserFactory(username="ash")
    for number in range(20):
        sign_in(client, f"nobody{number}", "wrong guess 123")
    response = sign_in(client, "ash", PASSWORD)
    assert "signing in is paused" in response.content.decode()
    other_address = Client(REMOTE_ADDR="10.9.8.7")
    assert sign_in(other_address, "ash", PASSWORD).status_code == 302


def test_password_reset_by_email_unlocks_the_account(client, db):
    UserFactory(username="rowan", email="rowan@example.org")
    for _attempt in range(5):
        sign_in(client, "rowan", "wrong guess 123")
    client.post("/accounts/password/reset/", {"email": "rowan@example.org"})
    reset = re.search(r"https?://testserver(/accounts/[^\s]+)", mail.outbox[-1].body).group(1)
    response = client.get(reset)
    client.post(
        response["Location"], {"password1": "fresh start today", "password2": "fresh start today"}
    )
    client.post("/accounts/logout/")
    assert sign_in(client, "rowan", "fresh start today").status_code == 302


# --- Rate limits -------------------------------------------------------------------------------


def test_replying_too_fast_gets_a_429_page_keeping_the_text(member_client, category, settings):
    settings.STEPDOWN_RATE_LIMITS = {**settings.STEPDOWN_RATE_LIMITS, "reply": "3/5m/user"}
    topic = make_topic(category)
    for number in range(3):
        assert (
            member_client.post(f"/t/{topic.pk}/reply/", {"body": f"r{number}"}).status_code == 302
        )
    response = member_client.post(f"/t/{topic.pk}/reply/", {"body": "Words worth keeping."})
    html = response.content.decode()
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Please take a short pause" in html
    assert "Words worth keeping." in html
    assert topic.posts.count() == 4


def test_rate_limit_is_per_member(client, category, settings):
    settings.STEPDOWN_RATE_LIMITS = {**settings.STEPDOWN_RATE_LIMITS, "reply": "1/5m/user"}
    topic = make_topic(category)
    for name in ("ash", "rowan"):
        client.force_login(UserFactory(username=name))
        assert client.post(f"/t/{topic.pk}/reply/", {"body": "hello"}).status_code == 302
        assert client.post(f"/t/{topic.pk}/reply/", {"body": "again"}).status_code == 429


def test_rate_limit_is_per_address(client, category, settings):
    settings.STEPDOWN_RATE_LIMITS = {**settings.STEPDOWN_RATE_LIMITS, "new_topic": "2/h/ip"}
    for name in ("ash", "rowan", "sky"):
        client.force_login(UserFactory(username=name))
        response = client.post(f"/c/{category.slug}/new/", {"title": f"By {name}", "body": "x"})
    assert response.status_code == 429
    assert 'value="By sky"' in response.content.decode()
    assert Topic.objects.count() == 2


def test_invalid_forms_do_not_use_up_the_rate_limit(member_client, category, settings):
    settings.STEPDOWN_RATE_LIMITS = {**settings.STEPDOWN_RATE_LIMITS, "reply": "1/5m/user"}
    topic = make_topic(category)
    for _attempt in range(3):
        assert member_client.post(f"/t/{topic.pk}/reply/", {"body": " "}).status_code == 400
    assert member_client.post(f"/t/{topic.pk}/reply/", {"body": "ok"}).status_code == 302


def test_registration_is_rate_limited_per_address_keeping_what_was_typed(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/h/ip"}
    for number in range(3):
        response = client.post(
            "/accounts/signup/",
            {
                "username": f"new{number}",
                "email": f"new{number}@example.org",
                "password1": "steady steps every day",
                "password2": "steady steps every day",
                "accept_guidelines": "on",
                "adult": "on",
            },
        )
    html = response.content.decode()
    assert response.status_code == 429
    assert "Please take a short pause" in html
    assert 'value="new2"' in html and 'value="new2@example.org"' in html
    assert "steady steps every day" not in html


def test_password_reset_is_rate_limited(client, db):
    UserFactory(username="rowan", email="rowan@example.org")
    statuses = [
        client.post("/accounts/password/reset/", {"email": "rowan@example.org"}).status_code
        for _attempt in range(4)
    ]
    assert statuses[:3] == [302, 302, 302]
    assert statuses[3] == 429
    assert len(mail.outbox) == 3


# --- Two-factor for staff ----------------------------------------------------------------------


def test_moderator_without_two_factor_cannot_moderate(client, category):
    moderator = UserFactory(username="newmod", is_moderator=True)
    topic = make_topic(category, replies=1)
    reply = topic.posts.get(position=2)
    client.force_login(moderator)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "/recommend/" not in html
    assert "Set up two-factor sign-in" in html
    assert client.post(f"/p/{reply.pk}/recommend/").status_code == 403
    assert not Post.objects.get(pk=reply.pk).is_recommended


def test_moderator_with_two_factor_can_moderate(client, category, moderator):
    topic = make_topic(category, replies=1)
    reply = topic.posts.get(position=2)
    client.force_login(moderator)
    assert "Set up two-factor sign-in" not in client.get("/").content.decode()
    assert client.post(f"/p/{reply.pk}/recommend/").status_code == 302
    assert Post.objects.get(pk=reply.pk).is_recommended


def test_members_may_set_up_two_factor(member_client):
    page = member_client.get("/accounts/2fa/").content.decode()
    assert "Authenticator App" in page
    assert "/accounts/2fa/totp/activate/" in page
