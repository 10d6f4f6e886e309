import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from stepdown.forum import actions
from stepdown.forum.models import Category, Post, Topic
from tests.factories import PASSWORD, make_topic

pytestmark = pytest.mark.django_db

User = get_user_model()

ACCOUNT = "/account/"
EXPORT = "/account/export/"
DELETE = "/account/delete/"
SIGN_OUT_EVERYWHERE = "/account/sign-out-everywhere/"


def signed_in(user) -> Client:
    """A separate browser (device) signed in as ``user``."""
    device = Client()
    device.force_login(user)
    return device


def is_signed_in(client: Client) -> bool:
    return client.get("/").context["user"].is_authenticated


def sessions_of(user_id: int) -> list[Session]:
    return [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user_id)
    ]


def assert_counters_match_posts(category: Category) -> None:
    """The denormalised counters equal what a recount of readable posts gives."""
    category.refresh_from_db()
    readable = Post.objects.filter(topic__category=category, is_deleted=False)
    assert category.topic_count == Topic.objects.filter(category=category).count()
    assert category.post_count == readable.count()
    assert category.last_post == readable.order_by("-pk").first()
    for topic in Topic.objects.filter(category=category):
        in_topic = readable.filter(topic=topic)
        assert topic.reply_count == in_topic.filter(position__gt=1).count(), topic
        assert topic.last_post == in_topic.order_by("-position").first(), topic


def delete_account(client: Client, posts: str, **overrides):
    data = {"posts": posts, "password": PASSWORD, "confirmation": "member", **overrides}
    return client.post(DELETE, data)


@pytest.fixture
def conversation(category, member, other_member):
    """A topic the member started that another member replied to, and one another started."""
    mine = make_topic(category, author=member, title="My taper diary", body="Day one at 2mg.")
    actions.create_reply(mine, author=other_member, body="Wishing you steady steps.")
    actions.create_reply(mine, author=member, body="Thank you, day two was calmer.")
    theirs = make_topic(category, author=other_member, title="Holding at 1mg", body="Holding.")
    actions.create_reply(theirs, author=member, body="Holding helped me too.")
    actions.create_reply(theirs, author=other_member, body="Good to hear.")
    alone = make_topic(category, author=member, title="Nobody answered", body="Quiet topic.")
    return {"mine": mine, "theirs": theirs, "alone": alone}


# --- Account page ------------------------------------------------------------------------------


def test_account_page_requires_sign_in(client, db):
    response = client.get(ACCOUNT)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={ACCOUNT}"


def test_account_page_links_to_every_account_task_when_signed_in(member_client):
    html = member_client.get(ACCOUNT).content.decode()
    assert "<h1>Your account</h1>" in html
    for url in [
        reverse("account_email"),
        reverse("account_change_password"),
        reverse("mfa_index"),
        EXPORT,
        DELETE,
    ]:
        assert f'href="{url}"' in html, url
    assert f'action="{SIGN_OUT_EVERYWHERE}"' in html
    assert "Download my data" in html and "Delete my account" in html


def test_site_header_links_to_account_page_when_signed_in(member_client):
    assert f'href="{ACCOUNT}">Your account</a>' in member_client.get("/").content.decode()
    assert f'href="{ACCOUNT}"' not in Client().get("/").content.decode()


# --- Export ------------------------------------------------------------------------------------


def test_export_requires_sign_in(client, db):
    response = client.get(EXPORT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_export_downloads_json_attachment_kept_out_of_caches(member_client):
    response = member_client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="stepdown-my-data-')
    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content)["format"] == "stepdown-personal-data/1"


def test_export_contains_the_members_profile_topics_and_posts_and_not_others(
    member_client, member, conversation, settings
):
    data = json.loads(member_client.get(EXPORT).content)
    assert data["account"]["username"] == "member"
    assert data["account"]["email_addresses"] == [
        {"email": "member@example.org", "verified": True, "primary": True}
    ]
    started = [topic["title"] for topic in data["forum"]["topics_started"]]
    assert started == ["My taper diary", "Nobody answered"]
    written = [post["markdown"] for post in data["forum"]["posts"]]
    assert written == [
        "Day one at 2mg.",
        "Thank you, day two was calmer.",
        "Holding helped me too.",
        "Quiet topic.",
    ]
    first = data["forum"]["posts"][0]
    post = conversation["mine"].first_post
    assert first["url"] == f"{settings.SITE_URL}/p/{post.pk}/"
    assert first["topic_url"] == f"{settings.SITE_URL}{conversation['mine'].get_absolute_url()}"
    assert first["created_at"] == post.created_at.isoformat()
    text = json.dumps(data)
    # Others' posts are not in it (a topic's title is, as the context of the member's reply).
    assert "Wishing you steady steps." not in text and "Good to hear." not in text
    assert "other@example.org" not in text


def test_export_offered_on_deletion_page(member_client):
    html = member_client.get(DELETE).content.decode()
    assert f'href="{EXPORT}"' in html


# --- Deletion: refusals --------------------------------------------------------------------------


def test_account_deletion_refuses_wrong_password_with_message_and_deletes_nothing(
    member_client, member, conversation
):
    response = delete_account(member_client, "remove", password="not my password at all")
    html = response.content.decode()
    assert response.status_code == 400
    assert "That is not your current password, so nothing has been deleted." in html
    # The choice and the confirmation are kept; the password is never sent back.
    assert 'value="remove" id="id_posts_1" required checked' in html
    assert 'value="member"' in html
    assert "not my password at all" not in html
    assert User.objects.filter(pk=member.pk).exists()
    assert EmailAddress.objects.filter(user=member).exists()
    assert Post.objects.filter(author=member, is_deleted=False).count() == 4
    assert is_signed_in(member_client)


def test_account_deletion_refuses_wrong_confirmation_and_missing_choice(member_client, member):
    response = delete_account(member_client, "", confirmation="someone")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Please choose what should happen to your posts." in html
    assert "Please type your username, member, exactly as it is shown." in html
    assert User.objects.filter(pk=member.pk).exists()


def test_account_deletion_page_shown_on_get_changes_nothing(member_client, member):
    response = member_client.get(DELETE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Delete your account</h1>" in html
    assert "<legend>What should happen to your posts?</legend>" in html
    assert 'autocomplete="current-password"' in html
    assert User.objects.filter(pk=member.pk).exists()


def test_account_deletion_requires_sign_in(client, db):
    response = client.post(DELETE, {"posts": "keep", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_account_deletion_refused_without_csrf_token(member):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    response = browser.post(
        DELETE, {"posts": "keep", "password": PASSWORD, "confirmation": "member"}
    )
    assert response.status_code == 403
    assert User.objects.filter(pk=member.pk).exists()


# --- Deletion keeping posts ----------------------------------------------------------------------


def test_account_deletion_keeping_posts_shows_them_as_former_member(
    member_client, member, category, conversation
):
    member_id = member.pk
    other_device = signed_in(member)
    counts_before = Category.objects.values("topic_count", "post_count", "last_post").get()

    response = delete_account(member_client, "keep")

    assert response.status_code == 302
    assert response["Location"] == "/account/deleted/"
    assert not User.objects.filter(pk=member_id).exists()
    assert not EmailAddress.objects.filter(user_id=member_id).exists()
    assert sessions_of(member_id) == []
    assert not is_signed_in(member_client) and not is_signed_in(other_device)
    html = Client().get(conversation["mine"].get_absolute_url()).content.decode()
    assert "Day one at 2mg." in html and "Thank you, day two was calmer." in html
    assert html.count("<strong>former member</strong>") == 2
    assert ">member<" not in html
    listing = Client().get(category.get_absolute_url()).content.decode()
    assert "Started by former member" in listing
    assert Post.objects.filter(author__isnull=True, is_deleted=False).count() == 4
    assert Category.objects.values("topic_count", "post_count", "last_post").get() == counts_before
    assert_counters_match_posts(category)


def test_account_deletion_shows_goodbye_page_and_sends_goodbye_email(
    member_client, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = delete_account(member_client, "keep")
    page = member_client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Your account has been deleted</h1>" in html
    assert "We're glad you were here." in html
    assert "Signed in as" not in html
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["member@example.org"]
    assert mail.outbox[0].subject == "[Stepdown] Your account has been deleted"
    assert "Hello member," in mail.outbox[0].body
    assert "shown as by “former member”" in mail.outbox[0].body


# --- Deletion removing posts ---------------------------------------------------------------------


def test_account_deletion_removing_posts_erases_text_from_pages_and_database(
    member_client, member, category, conversation
):
    member_posts = list(Post.objects.filter(author=member).values_list("pk", flat=True))

    delete_account(member_client, "remove")

    guest = Client()
    for text in ["Day one at 2mg.", "Thank you, day two was calmer.", "Holding helped me too."]:
        assert not Post.objects.filter(body_markdown__contains=text).exists()
        assert not Post.objects.filter(body_html__contains=text).exists()
    for pk in member_posts:
        assert guest.get(f"/p/{pk}/").status_code == 404
    # Started by the member, replied to by another: stays, first post removed, places kept.
    mine = guest.get(conversation["mine"].get_absolute_url()).content.decode()
    assert mine.count("This post was removed.") == 2
    assert "Wishing you steady steps." in mine and "Day one" not in mine
    assert list(conversation["mine"].posts.values_list("position", flat=True)) == [1, 2, 3]
    # Started by another: the member's reply is removed, the others' posts stay.
    theirs = guest.get(conversation["theirs"].get_absolute_url()).content.decode()
    assert "Holding." in theirs and "Good to hear." in theirs
    assert "Holding helped me too." not in theirs and "This post was removed." in theirs
    # Started by the member, nobody else posted: gone, title and all.
    assert not Topic.objects.filter(pk=conversation["alone"].pk).exists()
    assert guest.get(conversation["alone"].get_absolute_url()).status_code == 404
    assert "Nobody answered" not in guest.get(category.get_absolute_url()).content.decode()
    assert not Post.objects.filter(author_id=member.pk).exists()
    assert_counters_match_posts(category)


def test_account_deletion_removing_the_latest_post_moves_latest_back(
    member_client, member, other_member, category
):
    topic = make_topic(category, author=other_member, title="Evening check-in", body="How are you?")
    earlier = actions.create_reply(topic, author=other_member, body="Still here.")
    actions.create_reply(topic, author=member, body="Tired but okay.")

    delete_account(member_client, "remove")

    topic.refresh_from_db()
    category.refresh_from_db()
    assert topic.last_post == earlier and topic.reply_count == 1
    assert topic.last_activity_at == earlier.created_at
    assert category.last_post == earlier and category.post_count == 2
    home = Client().get("/").content.decode()
    assert earlier.get_absolute_url() in home
    assert_counters_match_posts(category)


def test_account_deletion_leaves_other_members_data_untouched(
    member_client, member, other_member, category, conversation
):
    other_device = signed_in(other_member)
    theirs_before = list(
        Post.objects.filter(author=other_member).values("pk", "body_markdown", "is_deleted")
    )

    delete_account(member_client, "remove")

    assert User.objects.filter(pk=other_member.pk).exists()
    assert EmailAddress.objects.filter(user=other_member).exists()
    assert is_signed_in(other_device)
    assert (
        list(Post.objects.filter(author=other_member).values("pk", "body_markdown", "is_deleted"))
        == theirs_before
    )
    assert Topic.objects.get(pk=conversation["theirs"].pk).author == other_member


def test_account_deletion_removing_posts_clears_their_recommendations(
    member_client, member, moderator, category
):
    topic = make_topic(category, author=moderator)
    reply = actions.create_reply(topic, author=member, body="What worked for me.")
    actions.set_recommended(reply, by=moderator, recommended=True)

    delete_account(member_client, "remove")

    reply.refresh_from_db()
    assert reply.is_deleted and not reply.is_recommended
    assert "Recommended posts" not in Client().get(topic.get_absolute_url()).content.decode()


# --- Sign out on all devices ---------------------------------------------------------------------


def test_sign_out_everywhere_signs_out_other_devices_and_keeps_this_one(
    member_client, member, other_member
):
    phone = signed_in(member)
    someone_else = signed_in(other_member)
    key_before = member_client.session.session_key

    response = member_client.post(SIGN_OUT_EVERYWHERE)

    assert response.status_code == 302 and response["Location"] == ACCOUNT
    page = member_client.get(ACCOUNT)
    assert "You are signed out on every other device. This one stays signed in." in (
        page.content.decode()
    )
    assert page.context["user"] == member
    assert member_client.session.session_key != key_before
    assert not is_signed_in(phone)
    assert is_signed_in(someone_else)


def test_sign_out_everywhere_on_get_changes_nothing(member_client, member):
    phone = signed_in(member)
    response = member_client.get(SIGN_OUT_EVERYWHERE)
    assert response.status_code == 405
    assert is_signed_in(phone)
    member.refresh_from_db()
    assert member.session_generation == 0


def test_sign_out_everywhere_refused_without_csrf_token(member):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    phone = signed_in(member)
    assert browser.post(SIGN_OUT_EVERYWHERE).status_code == 403
    assert is_signed_in(phone)


def test_sign_in_after_sign_out_everywhere_works_again(client, member):
    signed_in(member).post(SIGN_OUT_EVERYWHERE)
    response = client.post(reverse("account_login"), {"login": "member", "password": PASSWORD})
    assert response.status_code == 302
    assert is_signed_in(client)


def test_password_change_signs_out_other_devices_after_sign_out_everywhere(member_client, member):
    member_client.post(SIGN_OUT_EVERYWHERE)
    member.refresh_from_db()
    phone = signed_in(member)
    member.set_password("a different calm phrase")
    member.save()
    assert not is_signed_in(phone)


def test_members_without_sign_out_everywhere_keep_djangos_session_hash(member):
    # Sessions signed in before the field existed stay valid: generation 0 is Django's own hash.
    from django.contrib.auth.base_user import AbstractBaseUser

    assert member.get_session_auth_hash() == AbstractBaseUser.get_session_auth_hash(member)
    member.session_generation = 1
    assert member.get_session_auth_hash() != AbstractBaseUser.get_session_auth_hash(member)


def test_deleted_page_needs_no_sign_in(client, db):
    assert client.get("/account/deleted/").status_code == 200


@pytest.mark.parametrize("url", [ACCOUNT, EXPORT, "/account/deleted/"])
def test_account_read_pages_refuse_post(member_client, url):
    assert member_client.post(url).status_code == 405


def test_account_deletion_submitted_twice_sends_to_sign_in(member_client, member):
    # A second submit (double click, back button) after the deletion does not fail.
    delete_account(member_client, "keep")
    response = delete_account(member_client, "keep")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_registry_lists_the_forum_provider(db):
    from stepdown.core.personal_data import providers

    assert "forum" in [provider.name for provider in providers()]


def test_export_includes_posts_removed_by_moderators_as_removed(member_client, member, category):
    topic = make_topic(category, author=member, body="Kept for me.")
    Post.objects.filter(pk=topic.first_post_id).update(is_deleted=True)
    data = json.loads(member_client.get(EXPORT).content)
    assert data["forum"]["posts"][0]["removed"] is True
    assert data["forum"]["posts"][0]["markdown"] == "Kept for me."
