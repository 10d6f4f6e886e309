"""Blocking a member over HTTP: the confirm step, the list, unblocking, and what a block stops."""

import pytest
from django.test import Client

from stepdown.accounts import blocks
from stepdown.accounts.actions import block_member, unblock_member
from stepdown.accounts.models import Block
from stepdown.forum.actions import create_reply
from stepdown.notifications.models import Notification
from tests.factories import UserFactory, make_topic

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def river(db):
    return UserFactory(username="river")


def test_block_page_explains_what_blocking_does_before_anything_changes(member, river):
    response = signed_in(member).get("/account/block/river/?next=/u/river/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Block river?" in html
    assert "river is not told." in html
    assert "can't start a private conversation with you or add you to one" in html
    assert "Moderators and staff can still write to you" in html
    assert 'name="next" value="/u/river/"' in html
    assert not Block.objects.exists()


def test_block_is_made_on_post_and_the_blocked_member_is_not_told(member, river):
    response = signed_in(member).post("/account/block/river/", {"next": "/u/river/"})
    assert response.status_code == 302
    assert response["Location"] == "/u/river/"
    assert blocks.has_blocked(member, river)
    assert not blocks.has_blocked(river, member)
    assert not Notification.objects.filter(recipient=river).exists()


def test_blocking_twice_keeps_one_block(member, river):
    client = signed_in(member)
    client.post("/account/block/river/")
    client.post("/account/block/river/")
    assert Block.objects.count() == 1


def test_block_never_redirects_off_site(member, river):
    response = signed_in(member).post("/account/block/river/", {"next": "https://evil.test/"})
    assert response["Location"] == "/account/blocked/"


def test_block_page_of_someone_blocked_offers_unblock(member, river):
    block_member(member, river)
    html = signed_in(member).get("/account/block/river/").content.decode()
    assert "You have blocked river" in html
    assert 'action="/account/unblock/river/"' in html


def test_blocking_yourself_is_explained_and_changes_nothing(member):
    client = signed_in(member)
    assert client.get("/account/block/member/").status_code == 400
    response = client.post("/account/block/member/")
    assert response.status_code == 400
    assert "block yourself" in response.content.decode()
    assert not Block.objects.exists()


def test_blocking_an_unknown_or_inactive_member_is_not_found(member):
    UserFactory(username="gone", is_active=False)
    client = signed_in(member)
    assert client.get("/account/block/nobody/").status_code == 404
    assert client.post("/account/block/gone/").status_code == 404


def test_blocked_list_shows_blocks_with_unblock_buttons(member, river):
    block_member(member, river)
    html = signed_in(member).get("/account/blocked/").content.decode()
    assert "<strong>river</strong>" in html
    assert 'action="/account/unblock/river/"' in html


def test_blocked_list_is_empty_and_says_so(member):
    assert (
        "You have not blocked anyone."
        in signed_in(member).get("/account/blocked/").content.decode()
    )


def test_unblock_lifts_the_block(member, river):
    block_member(member, river)
    response = signed_in(member).post("/account/unblock/river/")
    assert response.status_code == 302 and response["Location"] == "/account/blocked/"
    assert not Block.objects.exists()
    assert unblock_member(member, river) is False  # repeatable


def test_block_pages_need_sign_in(river):
    for url in ("/account/blocked/", "/account/block/river/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_member_page_links_to_block_message_and_report_for_other_members(member, river):
    html = signed_in(member).get("/u/river/").content.decode()
    assert 'href="/account/block/river/?next=/u/river/"' in html
    assert 'href="/messages/new/?to=river"' in html
    assert f'href="/moderation/report/member/{river.pk}/"' in html
    block_member(member, river)
    html = signed_in(member).get("/u/river/").content.decode()
    assert ">Unblock<" in html
    assert "/messages/new/?to=river" not in html


def test_member_page_has_no_block_link_for_yourself_or_guests(member):
    assert "/account/block/" not in signed_in(member).get("/u/member/").content.decode()
    assert "/account/block/" not in Client().get("/u/member/").content.decode()


def test_mentions_by_a_blocked_member_create_no_notification(member, river, category):
    topic = make_topic(category, author=UserFactory(), title="Mornings")
    block_member(member, river)
    create_reply(topic, author=river, body="What do you think, @member?")
    assert not Notification.objects.filter(recipient=member).exists()
    unblock_member(member, river)
    create_reply(topic, author=river, body="Again, @member?")
    assert Notification.objects.filter(recipient=member, kind="mention").count() == 1


def test_blocks_between_sees_both_directions(member, river):
    assert blocks.blocks_between(member, river) == set()
    block_member(river, member)
    assert blocks.blocks_between(member, river) == {(river.pk, member.pk)}
    assert blocks.blocked_ids(river) == {member.pk}
    assert blocks.blocked_ids(member) == set()


def test_block_action_refuses_blocking_oneself(member):
    with pytest.raises(ValueError):
        block_member(member, member)


def test_a_moderators_message_to_a_member_who_blocked_them_arrives_and_is_notified(
    member, moderator, django_capture_on_commit_callbacks
):
    from stepdown.conversations import actions as conversations

    block_member(member, moderator)
    with django_capture_on_commit_callbacks(execute=True):
        conversation = conversations.start_conversation(
            moderator, [member], subject="A word", body="Checking in with you."
        )
        conversations.reply(conversation, author=moderator, body="No rush to answer.")
    told = Notification.objects.get(recipient=member, kind="message")
    assert told.count == 2  # the start and the reply, gathered in one line
