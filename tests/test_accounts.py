import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail

from tests.factories import PASSWORD, UserFactory, make_topic

pytestmark = pytest.mark.django_db

User = get_user_model()


def link_in(message) -> str:
    return re.search(r"https?://testserver(/accounts/[^\s]+)", message.body).group(1)


def test_register_verify_email_sign_in_and_reply(client, category):
    topic = make_topic(category, title="Welcome thread")
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newcomer",
            "email": "newcomer@example.org",
            "password1": "steady steps every day",
            "password2": "steady steps every day",
            "accept_guidelines": "on",
            "adult": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(username="newcomer")
    assert not EmailAddress.objects.get(user=user).verified
    # Not signed in until the address is confirmed.
    assert client.get(topic.get_absolute_url()).context["user"].is_anonymous

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["newcomer@example.org"]
    confirm = link_in(mail.outbox[0])
    assert "Confirm" in client.get(confirm).content.decode()
    response = client.post(confirm)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    client.post("/accounts/logout/")
    response = client.post(
        "/accounts/login/", {"login": "newcomer@example.org", "password": "steady steps every day"}
    )
    assert response.status_code == 302
    response = client.post(f"/t/{topic.pk}/reply/", {"body": "Hello from a newcomer."})
    assert response.status_code == 302
    assert topic.posts.filter(author=user, body_markdown="Hello from a newcomer.").exists()


def test_register_refuses_short_and_common_passwords_keeping_input(client, db):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newcomer",
            "email": "n@example.org",
            "password1": "password",
            "password2": "password",
            "accept_guidelines": "on",
            "adult": "on",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This password is too short. It must contain at least 10 characters." in html
    assert "This password is too common." in html
    assert 'value="newcomer"' in html and 'value="n@example.org"' in html
    assert not User.objects.filter(username="newcomer").exists()


def test_sign_in_by_username(client, db):
    UserFactory(username="rowan")
    response = client.post("/accounts/login/", {"login": "rowan", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "rowan"


def test_sign_in_with_wrong_password_says_so_and_keeps_login(client, db):
    UserFactory(username="rowan")
    response = client.post("/accounts/login/", {"login": "rowan", "password": "not it at all"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "not correct" in html
    assert 'value="rowan"' in html


def test_sign_out(member_client):
    assert member_client.get("/").context["user"].is_authenticated
    member_client.post("/accounts/logout/")
    assert member_client.get("/").context["user"].is_anonymous


def test_sign_in_returns_to_the_page_the_guest_was_reading(client, category):
    UserFactory(username="rowan")
    topic = make_topic(category)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert f"/accounts/login/?next={topic.get_absolute_url()}" in html
    response = client.post(
        f"/accounts/login/?next={topic.get_absolute_url()}",
        {"login": "rowan", "password": PASSWORD, "next": topic.get_absolute_url()},
    )
    assert response["Location"] == topic.get_absolute_url()


def test_password_reset_by_email(client, db):
    UserFactory(username="rowan", email="rowan@example.org")
    response = client.post("/accounts/password/reset/", {"email": "rowan@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    reset = link_in(mail.outbox[0])
    response = client.get(reset)  # allauth moves the key into the session
    form_url = response["Location"] if response.status_code == 302 else reset
    response = client.post(
        form_url, {"password1": "a brand new phrase", "password2": "a brand new phrase"}
    )
    assert response.status_code == 302
    assert User.objects.get(username="rowan").check_password("a brand new phrase")
