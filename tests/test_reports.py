"""Reporting to the moderators over HTTP, and the moderators' queue."""

import pytest
from django.test import Client
from django.utils.html import escape

from stepdown.accounts.actions import delete_member
from stepdown.conversations import actions as conversations
from stepdown.forum.models import Post
from stepdown.moderation.models import AuditEntry, Report
from stepdown.moderation.personal_data import export_moderation
from tests.factories import UserFactory, make_topic

pytestmark = pytest.mark.django_db

QUEUE = "/moderation/reports/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def river(db):
    return UserFactory(username="river")


@pytest.fixture
def message(member, river):
    """A message river wrote to member."""
    conversation = conversations.start_conversation(
        river, [member], subject="Hello", body="Send me your number, I can sell you some."
    )
    return conversation.messages.get()


def report_url(kind, pk) -> str:
    return f"/moderation/report/{kind}/{pk}/"


# --- Filing a report ------------------------------------------------------------------------------


def test_participant_reports_a_message_and_goes_back_to_it(member, river, message):
    client = signed_in(member)
    page = client.get(report_url("message", message.pk))
    assert page.status_code == 200
    assert "Send me your number" in page.content.decode()
    response = client.post(
        report_url("message", message.pk), {"reason": "sourcing", "details": "Offering pills."}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{message.conversation.get_absolute_url()}#message-1"
    report = Report.objects.get()
    assert (report.reporter, report.target_type, report.target_id) == (
        member,
        "message",
        message.pk,
    )
    assert (report.target_author, report.reason, report.details) == (
        river,
        "sourcing",
        "Offering pills.",
    )
    assert report.status == "open"


def test_reporting_the_same_thing_twice_files_one_report_calmly(member, message):
    client = signed_in(member)
    url = report_url("message", message.pk)
    client.post(url, {"reason": "unkind"})
    again = client.get(url, follow=True)
    assert "You reported this already, and the moderators have it." in again.content.decode()
    client.post(url, {"reason": "spam"})
    assert Report.objects.count() == 1


def test_someone_outside_the_conversation_cannot_report_its_message(message, moderator):
    outsider = UserFactory()
    for user in (outsider, moderator):
        assert signed_in(user).get(report_url("message", message.pk)).status_code == 404
        assert (
            signed_in(user).post(report_url("message", message.pk), {"reason": "spam"}).status_code
            == 404
        )
    assert not Report.objects.exists()


def test_member_reports_a_post_they_can_read(member, category):
    topic = make_topic(category, author=UserFactory(username="ash"), body="A post.")
    response = signed_in(member).post(
        report_url("post", topic.first_post_id), {"reason": "dangerous_advice"}
    )
    assert response.status_code == 302
    assert Report.objects.get().target_author.username == "ash"


def test_posts_the_reporter_cannot_see_cannot_be_reported(member, members_category, category):
    hidden = make_topic(members_category, author=UserFactory(), body="Members only.")
    assert Client().get(report_url("post", hidden.first_post_id)).status_code == 302  # sign in
    removed = make_topic(category, author=UserFactory(), replies=1).posts.get(position=2)
    Post.objects.filter(pk=removed.pk).update(is_deleted=True)
    assert signed_in(member).get(report_url("post", removed.pk)).status_code == 404
    assert signed_in(member).get(report_url("post", 99999)).status_code == 404


def test_member_reports_a_topic_and_a_member(member, river, category):
    topic = make_topic(category, author=river)
    client = signed_in(member)
    assert client.post(report_url("topic", topic.pk), {"reason": "spam"}).status_code == 302
    assert client.post(report_url("member", river.pk), {"reason": "unkind"}).status_code == 302
    assert sorted(Report.objects.values_list("target_type", flat=True)) == ["member", "topic"]


def test_reporting_your_own_writing_is_refused_kindly(member, category):
    topic = make_topic(category, author=member)
    response = signed_in(member).post(report_url("post", topic.first_post_id), {"reason": "spam"})
    assert response.status_code == 403
    assert escape("You can't report your own writing") in response.content.decode()
    assert not Report.objects.exists()


def test_unknown_kind_of_target_is_not_found(member):
    assert signed_in(member).get(report_url("journal", 1)).status_code == 404


def test_report_without_reason_is_explained_and_keeps_details(member, message):
    response = signed_in(member).post(
        report_url("message", message.pk), {"details": "Please look at this."}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please choose the reason closest to what you saw." in html
    assert "Please look at this." in html


def test_report_rate_limit_keeps_the_details(member, river, category, settings):
    settings.STEPDOWN_RATE_LIMITS = {**settings.STEPDOWN_RATE_LIMITS, "report": "1/h/user"}
    topic = make_topic(category, author=river, replies=1)
    client = signed_in(member)
    client.post(report_url("post", topic.first_post_id), {"reason": "spam"})
    second = topic.posts.get(position=2)
    response = client.post(
        report_url("post", second.pk), {"reason": "spam", "details": "Kept words."}
    )
    assert response.status_code == 429
    assert "Kept words." in response.content.decode()
    assert Report.objects.count() == 1


def test_report_links_show_on_messages_and_posts_of_others(member, river, message, category):
    html = signed_in(member).get(message.conversation.get_absolute_url()).content.decode()
    assert f'href="/moderation/report/message/{message.pk}/"' in html
    own = signed_in(river).get(message.conversation.get_absolute_url()).content.decode()
    assert "/moderation/report/message/" not in own
    topic = make_topic(category, author=river)
    assert f"/moderation/report/post/{topic.first_post_id}/" in (
        signed_in(member).get(topic.get_absolute_url()).content.decode()
    )
    assert "/moderation/report/" not in Client().get(topic.get_absolute_url()).content.decode()


# --- The queue ---------------------------------------------------------------------------------


@pytest.fixture
def filed(member, message):
    signed_in(member).post(report_url("message", message.pk), {"reason": "sourcing"})
    return Report.objects.get()


def test_queue_is_not_found_for_members_and_asks_guests_to_sign_in(member, river, filed):
    assert signed_in(member).get(QUEUE).status_code == 404
    assert signed_in(river).get(f"{QUEUE}{filed.pk}/").status_code == 404
    assert Client().get(QUEUE).status_code == 302


def test_queue_needs_two_factor_sign_in_for_moderators(filed):
    without = UserFactory(username="newmod", is_moderator=True)
    response = signed_in(without).get(QUEUE)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Set up two-factor sign-in" in html
    assert "Send me your number" not in html
    assert signed_in(without).get(f"{QUEUE}{filed.pk}/").status_code == 403


def test_moderator_sees_open_reports_with_the_reported_text(moderator, filed):
    response = signed_in(moderator).get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Offers or asks for drugs or prescriptions" in html
    assert "Send me your number" in html
    assert f'href="/moderation/reports/{filed.pk}/"' in html


def test_moderator_reads_a_reported_message_only_through_its_report(moderator, filed, message):
    client = signed_in(moderator)
    detail = client.get(f"{QUEUE}{filed.pk}/")
    assert detail.status_code == 200
    assert "Send me your number, I can sell you some." in detail.content.decode()
    assert client.get(message.conversation.get_absolute_url()).status_code == 404


def test_moderator_claims_and_resolves_a_report(moderator, filed):
    client = signed_in(moderator)
    assert client.post(f"{QUEUE}{filed.pk}/claim/").status_code == 302
    filed.refresh_from_db()
    assert (filed.status, filed.claimed_by) == ("claimed", moderator)
    response = client.post(f"{QUEUE}{filed.pk}/resolve/", {"note": "Warned the member."})
    assert response["Location"] == QUEUE
    filed.refresh_from_db()
    assert (filed.status, filed.resolved_by, filed.resolution_note) == (
        "resolved",
        moderator,
        "Warned the member.",
    )
    assert "Send me your number" not in client.get(QUEUE).content.decode()


def test_claims_and_notes_are_in_the_audit_log_without_the_notes_text(moderator, filed):
    client = signed_in(moderator)
    client.post(f"{QUEUE}{filed.pk}/claim/")
    client.post(f"{QUEUE}{filed.pk}/claim/")  # claimed already: not logged twice
    client.post(f"{QUEUE}{filed.pk}/note/", {"text": "Asked them to stop, waiting."})
    entries = AuditEntry.objects.filter(target_type="report", target_id=filed.pk)
    assert sorted(entries.values_list("action", flat=True)) == ["report.claim", "report.note"]
    assert all(entry.actor == moderator for entry in entries)
    assert all(entry.member == filed.target_author for entry in entries)
    log = client.get("/moderation/log/").content.decode()
    assert "Report claimed" in log and "Note added to a report" in log
    assert "Asked them to stop" not in log


def test_after_resolution_the_same_member_may_report_again(member, moderator, filed, message):
    signed_in(moderator).post(f"{QUEUE}{filed.pk}/resolve/", {"note": ""})
    signed_in(member).post(report_url("message", message.pk), {"reason": "unkind"})
    assert Report.objects.count() == 2


def test_queue_costs_the_same_queries_however_many_reports(
    moderator, category, django_assert_max_num_queries
):
    topic = make_topic(category, author=UserFactory(), replies=12)
    for post in topic.posts.all():
        signed_in(UserFactory()).post(report_url("post", post.pk), {"reason": "spam"})
    client = signed_in(moderator)
    # session, member, two-factor, count, page, posts, notifications, conversations
    with django_assert_max_num_queries(9):
        client.get(QUEUE)


# --- Personal data -----------------------------------------------------------------------------


def test_reports_stay_without_reporter_when_the_reporter_deletes_their_account(member, filed):
    assert export_moderation(member)["reports_filed"][0]["reason"] == "sourcing"
    delete_member(member, keep_posts=False)
    filed.refresh_from_db()
    assert filed.reporter is None and filed.status == "open"
