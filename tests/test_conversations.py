"""Private conversations over HTTP: starting, replying, inviting, leaving, who sees what, blocks,
bad input (the text always kept), rate limits, the safety notice, unread state and its cost."""

import re

import pytest
from django.test import Client
from django.utils.html import escape

from stepdown.accounts.actions import block_member, delete_member
from stepdown.conversations import actions
from stepdown.conversations.models import Conversation, Message, Participant
from stepdown.conversations.personal_data import export_conversations
from stepdown.notifications.models import Notification
from tests.factories import UserFactory
from tests.security.html_safety import unsafe_parts
from tests.security.xss_payloads import PAYLOADS

pytestmark = pytest.mark.django_db

NEW = "/messages/new/"
SAFETY = "never share your phone number, address or other contact details here"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def start(client: Client, to: str, *, subject="Checking in", body="How are the mornings?", **more):
    return client.post(NEW, {"recipients": to, "subject": subject, "body": body, **more})


def talk(author, *others, subject="Checking in", body="How are the mornings?") -> Conversation:
    return actions.start_conversation(author, list(others), subject=subject, body=body)


def html_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def river(db):
    return UserFactory(username="river")


@pytest.fixture
def sam(db):
    return UserFactory(username="sam")


# --- Starting, replying, inviting, leaving -------------------------------------------------------


def test_new_conversation_starts_with_first_message_when_names_are_known(member, river, sam):
    response = start(signed_in(member), "river, @Sam", body="Hello **both**.")
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == conversation.get_absolute_url()
    assert conversation.subject == "Checking in"
    assert conversation.created_by == member
    assert conversation.message_count == 1
    people = set(conversation.participants.values_list("user__username", flat=True))
    assert people == {"member", "river", "sam"}
    message = conversation.messages.get()
    assert (message.position, message.author) == (1, member)
    assert message.body_html == "<p>Hello <strong>both</strong>.</p>\n"


def test_new_conversation_form_takes_recipient_from_member_page_link(member, river):
    html = html_of(signed_in(member).get(f"{NEW}?to=river"))
    assert re.search(r'name="recipients"[^>]*value="river"', html)


def test_conversation_page_shows_messages_to_each_participant(member, river):
    conversation = talk(member, river, body="First words.")
    for user in (member, river):
        response = signed_in(user).get(conversation.get_absolute_url())
        assert response.status_code == 200
        assert "First words." in html_of(response)


def test_conversation_is_not_found_for_anyone_outside_it(member, river, sam, moderator):
    conversation = talk(member, river)
    for user in (sam, moderator):
        assert signed_in(user).get(conversation.get_absolute_url()).status_code == 404
        assert (
            signed_in(user).post(f"/messages/{conversation.pk}/reply/", {"body": "in"}).status_code
            == 404
        )
        assert signed_in(user).get(f"/messages/{conversation.pk}/invite/").status_code == 404
        assert signed_in(user).post(f"/messages/{conversation.pk}/leave/").status_code == 404
    guest = Client().get(conversation.get_absolute_url())
    assert guest.status_code == 302 and guest["Location"].startswith("/accounts/login/")
    assert Message.objects.count() == 1


def test_reply_adds_message_at_end_and_goes_to_it(member, river):
    conversation = talk(member, river)
    response = signed_in(river).post(
        f"/messages/{conversation.pk}/reply/", {"body": "Better today."}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{conversation.get_absolute_url()}#message-2"
    message = conversation.messages.get(position=2)
    assert (message.author, message.body_markdown) == (river, "Better today.")
    conversation.refresh_from_db()
    assert conversation.message_count == 2


def test_reply_sent_twice_with_same_key_posts_once(member, river):
    conversation = talk(member, river)
    client = signed_in(river)
    data = {"body": "Only once.", "submission_key": "a" * 32}
    first = client.post(f"/messages/{conversation.pk}/reply/", data)
    second = client.post(f"/messages/{conversation.pk}/reply/", data)
    assert first["Location"] == second["Location"]
    assert conversation.messages.count() == 2


def test_messages_notify_other_participants_but_not_the_author(member, river, sam):
    start(signed_in(member), "river, sam")
    conversation = Conversation.objects.get()
    told = Notification.objects.filter(kind="message")
    assert sorted(told.values_list("recipient__username", flat=True)) == ["river", "sam"]
    first = told.get(recipient=river)
    assert first.text == "member started a conversation with you: “Checking in”"
    assert first.url == f"{conversation.get_absolute_url()}#message-1"
    assert first.group_key == f"conversation:{conversation.pk}"

    signed_in(river).post(f"/messages/{conversation.pk}/reply/", {"body": "Hi!"})
    assert not told.filter(recipient=river, read_at__isnull=True).exclude(pk=first.pk).exists()
    to_member = told.get(recipient=member)
    assert to_member.text == "river wrote in “Checking in”"
    assert to_member.url.endswith("#message-2")
    sams = told.get(recipient=sam)  # gathered into one line about the conversation
    assert sams.count == 2 and sams.url.endswith("#message-2")


def test_reading_the_latest_message_marks_its_notification_read(member, river):
    conversation = talk(member, river)
    signed_in(river).get(conversation.get_absolute_url())
    assert Notification.objects.get(recipient=river).read_at is not None


def test_invite_adds_member_who_sees_whole_conversation_and_is_told(member, river, sam):
    conversation = talk(member, river, body="Before sam came.")
    client = signed_in(river)
    page = client.get(f"/messages/{conversation.pk}/invite/")
    assert page.status_code == 200 and "whole conversation" in html_of(page)
    response = client.post(f"/messages/{conversation.pk}/invite/", {"usernames": "sam"})
    assert response.status_code == 302
    html = html_of(signed_in(sam).get(conversation.get_absolute_url()))
    assert "Before sam came." in html
    told = Notification.objects.get(recipient=sam)
    assert told.text == "river added you to the conversation “Checking in”"


def test_invite_explains_names_already_in_conversation_and_keeps_them(member, river):
    conversation = talk(member, river)
    response = signed_in(member).post(
        f"/messages/{conversation.pk}/invite/", {"usernames": "river"}
    )
    assert response.status_code == 400
    html = html_of(response)
    assert "river is in this conversation already." in html
    assert re.search(r'name="usernames"[^>]*value="river"', html)


def test_leave_asks_first_then_conversation_goes_from_the_members_list(member, river):
    conversation = talk(member, river, body="Old words.")
    client = signed_in(river)
    confirm = client.get(f"/messages/{conversation.pk}/leave/")
    assert confirm.status_code == 200
    assert "What you wrote stays for the others" in html_of(confirm)
    assert Participant.objects.get(user=river).left_at is None
    response = client.post(f"/messages/{conversation.pk}/leave/")
    assert response["Location"] == "/messages/"
    inbox = html_of(client.get("/messages/"))
    assert "You left “Checking in”. It is no longer in your messages." in inbox
    assert conversation.get_absolute_url() not in inbox
    # Gone for them, old messages included; the others see that they left.
    assert client.get(conversation.get_absolute_url()).status_code == 404
    others_view = html_of(signed_in(member).get(conversation.get_absolute_url()))
    assert "river (left)" in " ".join(others_view.split())
    assert "Old words." in others_view


def test_member_who_left_hears_nothing_of_new_messages(member, river, sam):
    conversation = talk(member, river, sam)
    signed_in(sam).post(f"/messages/{conversation.pk}/leave/")
    Notification.objects.all().delete()
    signed_in(member).post(f"/messages/{conversation.pk}/reply/", {"body": "Still here."})
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["river"]
    assert 'class="count-badge"' not in html_of(signed_in(sam).get("/messages/"))


def test_member_who_left_can_be_invited_back(member, river, sam):
    conversation = talk(member, river, sam)
    signed_in(sam).post(f"/messages/{conversation.pk}/leave/")
    signed_in(member).post(f"/messages/{conversation.pk}/invite/", {"usernames": "sam"})
    assert signed_in(sam).get(conversation.get_absolute_url()).status_code == 200


def test_last_member_left_is_told_nobody_would_read_a_reply(member, river):
    conversation = talk(member, river)
    signed_in(river).post(f"/messages/{conversation.pk}/leave/")
    client = signed_in(member)
    assert "Everyone else has left" in html_of(client.get(conversation.get_absolute_url()))
    response = client.post(f"/messages/{conversation.pk}/reply/", {"body": "Anyone?"})
    assert response.status_code == 403
    assert "Anyone?" in html_of(response)
    assert conversation.messages.count() == 1


# --- Blocks ---------------------------------------------------------------------------------------


def test_blocked_member_cannot_start_conversation_and_is_not_told_why(member, river):
    block_member(river, member)
    response = start(signed_in(member), "river", body="Please answer me.")
    assert response.status_code == 400
    html = html_of(response)
    assert escape("You can't send messages to this member: river.") in html
    assert "block" not in html.split('id="form-errors"')[1].split("</div>")[0].lower()
    assert "Please answer me." in html
    assert not Conversation.objects.exists()


def test_blocker_is_told_to_unblock_before_writing(member, river):
    block_member(member, river)
    response = start(signed_in(member), "river")
    assert response.status_code == 400
    assert "You have blocked river." in html_of(response)


def test_blocked_member_cannot_add_blocker_to_a_conversation(member, river, sam):
    block_member(river, member)
    conversation = talk(member, sam)
    response = signed_in(member).post(
        f"/messages/{conversation.pk}/invite/", {"usernames": "river"}
    )
    assert response.status_code == 400
    assert escape("You can't send messages to this member: river.") in html_of(response)
    assert not Participant.objects.filter(user=river).exists()


def test_action_refuses_across_a_block_even_without_the_form(member, river):
    block_member(river, member)
    with pytest.raises(actions.CannotMessage):
        talk(member, river)


def test_staff_can_still_write_to_member_who_blocked_them(member, moderator):
    block_member(member, moderator)
    response = start(signed_in(moderator), "member", body="A note from the moderators.")
    assert response.status_code == 302
    assert "A note from the moderators." in html_of(
        signed_in(member).get(Conversation.objects.get().get_absolute_url())
    )


def test_reply_is_refused_across_a_block_in_a_two_person_conversation(member, river):
    conversation = talk(member, river)
    block_member(river, member)
    client = signed_in(member)
    assert "You can't reply here" in html_of(client.get(conversation.get_absolute_url()))
    response = client.post(f"/messages/{conversation.pk}/reply/", {"body": "Kept text."})
    assert response.status_code == 403
    assert "Kept text." in html_of(response)
    assert conversation.messages.count() == 1


def test_blocked_members_messages_are_folded_and_not_notified(member, river, sam):
    conversation = talk(member, river, sam)
    block_member(river, sam)
    Notification.objects.all().delete()
    actions.reply(conversation, author=sam, body="Words from sam.")
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["member"]
    html = html_of(signed_in(river).get(conversation.get_absolute_url()))
    assert "A message from a member you blocked. Show it" in html
    assert "Words from sam." in html  # still there, folded away in a <details>
    assert "A message from a member you blocked" not in html_of(
        signed_in(member).get(conversation.get_absolute_url())
    )


# --- Bad input: a clear message, the text kept ---------------------------------------------------


@pytest.mark.parametrize(
    ("to", "expected"),
    [
        ("", "Please name at least one member to write to."),
        ("nobody-here, river", "We couldn't find a member named nobody-here."),
        ("member", "You are part of the conversation already, so leave out your own name."),
        (",,  ,", "Please name at least one member to write to."),
    ],
)
def test_new_conversation_explains_bad_recipients_and_keeps_the_text(member, river, to, expected):
    response = start(signed_in(member), to, subject="Kept subject", body="Kept body text.")
    assert response.status_code == 400
    html = html_of(response)
    assert escape(expected) in html
    assert "Kept body text." in html and 'value="Kept subject"' in html
    assert not Conversation.objects.exists()


def test_new_conversation_refuses_too_many_recipients(member, settings):
    settings.STEPDOWN_CONVERSATION_MAX_RECIPIENTS = 2
    names = [UserFactory(username=f"friend{n}").username for n in range(3)]
    response = start(signed_in(member), ", ".join(names), body="To all of you.")
    assert response.status_code == 400
    assert "You can add at most 2 members here; you named 3." in html_of(response)
    assert "To all of you." in html_of(response)


def test_invite_refuses_when_conversation_is_full(member, river, sam, settings):
    settings.STEPDOWN_CONVERSATION_MAX_RECIPIENTS = 1
    conversation = talk(member, river)
    response = signed_in(member).post(f"/messages/{conversation.pk}/invite/", {"usernames": "sam"})
    assert response.status_code == 400
    assert "This conversation has as many members as it can take (2)." in html_of(response)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"subject": "", "body": "Body kept."}, "Please give the conversation a subject."),
        ({"subject": "Subject kept", "body": "   "}, "Please write something before sending."),
        ({"subject": "x" * 201, "body": "Body kept."}, "The subject is too long"),
    ],
)
def test_new_conversation_explains_missing_parts_and_keeps_the_rest(member, river, data, expected):
    response = signed_in(member).post(NEW, {"recipients": "river", **data})
    assert response.status_code == 400
    html = html_of(response)
    assert expected in html
    assert 'value="river"' in html
    assert "kept" in html.lower()


def test_empty_reply_is_explained_on_the_conversation_page(member, river):
    conversation = talk(member, river)
    response = signed_in(river).post(f"/messages/{conversation.pk}/reply/", {"body": " "})
    assert response.status_code == 400
    assert "Please write something before sending." in html_of(response)


def test_new_member_may_not_send_links_or_images_yet_and_keeps_the_text(member, river):
    newcomer = UserFactory(username="newcomer", trust_level=0)
    client = signed_in(newcomer)
    body = "Cheap pills here: https://pharmacy.example/buy"
    response = start(client, "river", body=body)
    assert response.status_code == 400
    html = html_of(response)
    assert "Links to other sites and images open up" in html and escape(body) in html
    assert not Conversation.objects.exists()
    conversation = talk(river, newcomer)
    answer = client.post(
        f"/messages/{conversation.pk}/reply/", {"body": "Write to me: https://chat.example/me"}
    )
    assert answer.status_code == 400
    assert Message.objects.filter(author=newcomer).count() == 0
    # Trusted members (the default here) write links as before.
    assert start(signed_in(member), "river", body="See https://www.nhs.uk").status_code == 302


def test_rate_limited_message_keeps_the_text(member, river, settings):
    settings.STEPDOWN_RATE_LIMITS = {**settings.STEPDOWN_RATE_LIMITS, "message": "1/10m/user"}
    client = signed_in(member)
    assert start(client, "river").status_code == 302
    response = start(client, "river", subject="Second", body="Not lost, please.")
    assert response.status_code == 429
    assert response["Retry-After"]
    html = html_of(response)
    assert "Please take a short pause" in html and "Not lost, please." in html
    conversation = Conversation.objects.get()
    reply = client.post(f"/messages/{conversation.pk}/reply/", {"body": "Reply kept too."})
    assert reply.status_code == 429 and "Reply kept too." in html_of(reply)
    assert Message.objects.count() == 1


def test_preview_without_javascript_shows_rendered_text_and_keeps_it(member, river):
    response = start(signed_in(member), "river", body="**Bold** words", preview="1")
    assert response.status_code == 200
    html = html_of(response)
    assert "<strong>Bold</strong> words" in html
    assert "**Bold** words" in html
    assert not Conversation.objects.exists()


# --- Safety notice and safe rendering ------------------------------------------------------------


def test_safety_notice_sits_above_the_composer_on_new_and_reply(member, river):
    client = signed_in(member)
    new_page = html_of(client.get(NEW))
    assert SAFETY in new_page
    assert new_page.index(SAFETY) < new_page.index('name="body"')
    conversation = talk(member, river)
    page = html_of(client.get(conversation.get_absolute_url()))
    assert SAFETY in page
    assert "Moderators and staff will never ask for them, or for money." in page
    assert page.index(SAFETY) < page.index('name="body"')


# One payload of each family of the XSS corpus (tests/security/xss_payloads.py).
PAYLOAD_SAMPLE = list({p.family: p.text for p in reversed(PAYLOADS)}.values())


def test_message_text_and_subject_are_rendered_safely(member, river):
    conversation = talk(member, river, subject='Hi <script>alert(1)</script>"><svg onload=x>')
    for text in PAYLOAD_SAMPLE:
        actions.reply(conversation, author=member, body=text)
    html = html_of(signed_in(river).get(f"{conversation.get_absolute_url()}?page=1"))
    inbox = html_of(signed_in(river).get("/messages/"))
    for page in (html, inbox):
        assert "<script>alert(1)" not in page and "<svg onload" not in page
        assert escape(conversation.subject) in page
    for message in conversation.messages.filter(position__lte=20):
        assert unsafe_parts(message.body_html) == [], message.body_markdown
        assert message.body_html in html  # the page shows only the stored, cleaned HTML


# --- Unread state, lists, cost --------------------------------------------------------------------


def test_header_shows_unread_conversations_until_read(member, river):
    conversation = talk(river, member)
    client = signed_in(member)
    header = html_of(client.get("/"))
    assert re.search(r'id="messages-link">Messages <span class="count-badge">.*?1', header)
    client.get(conversation.get_absolute_url())
    assert 'id="messages-link">Messages</a>' in html_of(client.get("/"))


def test_inbox_marks_unread_conversations_and_names_the_others(member, river, sam):
    read = talk(member, river, subject="Read one")
    talk(sam, member, subject="Unread one")
    html = html_of(signed_in(member).get("/messages/"))
    assert "1 conversation with new messages." in html
    rows = html.split('<li class="topic-row')[1:]
    unread = next(row for row in rows if "Unread one" in row)
    seen = next(row for row in rows if "Read one" in row)
    assert "conversation-row--unread" in unread and "With sam" in unread
    assert "conversation-row--unread" not in seen and "With river" in seen
    assert read.get_absolute_url() in seen


def test_conversation_opens_at_first_unread_message_page(member, river):
    conversation = talk(member, river, body="Message 1")
    for number in range(2, 46):
        actions.reply(conversation, author=member, body=f"Message {number}")
    place = Participant.objects.get(user=river)
    place.last_read_position = 25
    place.save()
    response = signed_in(river).get(conversation.get_absolute_url())
    assert response.context["page"].number == 2  # messages 21-40; 26 is the first unread
    html = html_of(response)
    assert 'id="message-26"' in html and 'id="message-41"' not in html
    place.refresh_from_db()
    assert place.last_read_position == 40
    assert signed_in(river).get(f"{conversation.get_absolute_url()}?page=9").status_code == 302


@pytest.mark.parametrize("count", [3, 30])
def test_inbox_and_header_cost_the_same_queries_however_many_conversations(
    member, django_assert_num_queries, count
):
    others = [UserFactory() for _ in range(3)]
    for number in range(count):
        talk(others[number % 3], member, others[(number + 1) % 3], subject=f"Topic {number}")
    client = signed_in(member)
    client.get("/messages/")
    # session, member, the page count, the page, the others' names, notifications count,
    # unread conversations count
    with django_assert_num_queries(7):
        response = client.get("/messages/")
    assert response.context["unread_conversations"] == count
    # home: session, member, categories, notifications count, unread conversations count
    with django_assert_num_queries(5):
        client.get("/")


@pytest.mark.parametrize("count", [3, 30])
def test_conversation_page_costs_the_same_queries_however_many_messages(
    member, river, django_assert_num_queries, count
):
    conversation = talk(member, river)
    for number in range(count):
        actions.reply(conversation, author=river, body=f"Message {number}")
    client = signed_in(member)
    last_page = f"{conversation.get_absolute_url()}?page={(count + 1 + 19) // 20}"
    client.get(last_page)  # reads everything: the measured view writes nothing
    # session, member, their place with the conversation, the page of messages with authors,
    # participants, blocks, notifications count, unread conversations count
    with django_assert_num_queries(8):
        response = client.get(last_page)
    assert f'id="message-{count + 1}"' in html_of(response)


# --- Personal data --------------------------------------------------------------------------------


def test_export_holds_own_and_received_messages_but_not_those_after_leaving(member, river):
    conversation = talk(member, river, body="Hello river.")
    actions.reply(conversation, author=river, body="Hello back.")
    actions.leave(conversation, user=member)
    actions.reply(conversation, author=river, body="After you left.")
    exported = export_conversations(member)["conversations"]
    assert len(exported) == 1
    texts = [m["text"] for m in exported[0]["messages"]]
    assert texts == ["Hello river.", "Hello back."]
    assert exported[0]["participants"] == ["member", "river"]
    assert exported[0]["left_at"] is not None


def test_export_lists_blocked_members(member, river):
    block_member(member, river)
    assert [b["username"] for b in export_conversations(member)["blocked_members"]] == ["river"]


def test_account_download_includes_conversations(member, river):
    talk(member, river, body="In my download.")
    data = signed_in(member).get("/account/export/").json()
    assert data["conversations"]["conversations"][0]["messages"][0]["text"] == "In my download."


def test_deleting_account_keeping_posts_leaves_messages_as_former_member(member, river):
    conversation = talk(member, river, body="Kept words.")
    delete_member(member, keep_posts=True)
    message = conversation.messages.get()
    assert message.author is None and message.body_markdown == "Kept words."
    html = html_of(signed_in(river).get(conversation.get_absolute_url()))
    assert "former member" in html and "Kept words." in html


def test_deleting_account_removing_posts_erases_messages_keeping_places(member, river):
    conversation = talk(member, river, body="Erase me.")
    actions.reply(conversation, author=river, body="My reply stays.")
    delete_member(member, keep_posts=False)
    first = conversation.messages.get(position=1)
    assert (first.body_markdown, first.body_html, first.is_removed) == ("", "", True)
    html = html_of(signed_in(river).get(conversation.get_absolute_url()))
    assert "This message was removed." in html and "My reply stays." in html
    assert "Erase me." not in html


def test_deleting_account_removes_conversations_nobody_else_was_in(member, river):
    conversation = talk(member, river)
    alone = talk(member, river, subject="Alone")
    Participant.objects.filter(conversation=alone, user=river).delete()
    delete_member(member, keep_posts=True)
    assert list(Conversation.objects.all()) == [conversation]
