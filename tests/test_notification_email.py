"""Notification email: as it happens (gathered), daily and weekly summaries, quiet hours, retries
with backoff, and one-click unsubscribe.

Mail goes to Django's in-memory outbox here (tests/test_email_smtp.py sends through a real SMTP
server). Time is frozen by replacing ``timezone.now`` (``clock``), which the queue, the models and
the email code all read. Queue tests keep the database backend and run the worker in-process
(``run_queued_tasks``).
"""

from __future__ import annotations

import logging
import smtplib
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import signing
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import Client
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from stepdown.notifications import actions, emails, queries, tasks
from stepdown.notifications.models import Notification, Preferences
from tests.clock import freeze_time
from tests.factories import UserFactory
from tests.task_queue import run_queued_tasks

SEND = "stepdown.notifications.tasks.send_notification_email"
DIGEST = "stepdown.notifications.tasks.send_digest_email"
TICK = "stepdown.notifications.tasks.digest_tick"


class FailingBackend(BaseEmailBackend):
    """A mail server that has gone away."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def clock(monkeypatch):
    return freeze_time(monkeypatch)


@pytest.fixture
def in_test_transaction(monkeypatch):
    # The worker closes connections between tasks; inside a test's transaction it must not.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def queued(task_path: str):
    return list(
        DBTaskResult.objects.filter(task_path=task_path, status=TaskResultStatus.READY).order_by(
            "run_after"
        )
    )


def tell(member, actor, *, kind="mention", text=None, url="/p/1/", group_key=""):
    text = text or f"{actor.username} mentioned you in “Week six”"
    return actions.notify(
        [member.pk], kind=kind, actor=actor, text=text, url=url, group_key=group_key
    )


@pytest.fixture
def river(db):
    return UserFactory(username="river")


@pytest.fixture
def immediate_member(member):
    actions.save_preferences(member, email_frequency="immediate")
    return member


def pending(member) -> list[Notification]:
    return list(Notification.objects.filter(recipient=member, email_pending=True))


# --- Queued when notify commits ----------------------------------------------------------------


def test_notify_queues_an_email_task_for_immediate_members_once_committed(
    immediate_member, river, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tell(immediate_member, river)
        assert DBTaskResult.objects.count() == 0  # not before the notification is committed
    [task] = queued(SEND)
    assert task.args_kwargs["args"] == [immediate_member.pk]
    # A moment later, so that a burst of notifications makes one email.
    assert task.run_after == clock.now + timedelta(seconds=settings.STEPDOWN_EMAIL_GATHER_SECONDS)
    assert queued(TICK) == []


def test_notify_queues_no_email_when_the_rhythm_is_none_or_the_kind_stays_here(
    member, other_member, river, django_capture_on_commit_callbacks
):
    actions.save_preferences(member, email_frequency="none")
    actions.save_preferences(other_member, email_frequency="immediate")
    with django_capture_on_commit_callbacks(execute=True):
        tell(member, river)
        tell(other_member, river, kind="reply", text="river replied to “Week six”")
    assert DBTaskResult.objects.count() == 0


def test_notify_keeps_one_digest_tick_queued_for_summary_members(
    member, other_member, river, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tell(member, river)
        tell(other_member, river, kind="message", text="river wrote to you")
    [tick] = queued(TICK)
    assert tick.run_after == datetime(2025, 3, 12, 13, 0, tzinfo=UTC)  # the next full hour
    assert queued(SEND) == []


def test_notify_queues_the_tick_again_once_the_waiting_one_ran_and_did_not_come_back(
    member, river, clock, in_test_transaction, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tell(member, river)
    [tick] = queued(TICK)
    actions.mark_all_read(member)  # read in the app: nothing left to summarise
    clock.at("UTC", 2025, 3, 12, 13, 0)
    run_queued_tasks()
    assert DBTaskResult.objects.get(pk=tick.pk).status == TaskResultStatus.SUCCESSFUL
    assert queued(TICK) == []  # nothing pending, so it did not come back
    clock.advance(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        tell(member, river, text="river mentioned you in “Week seven”")
    # Not stranded until some later notification: a tick waits for the next hour.
    [again] = queued(TICK)
    assert again.run_after == datetime(2025, 3, 12, 14, 0, tzinfo=UTC)


def test_a_failing_tick_leaves_the_next_one_queued(
    member, river, clock, in_test_transaction, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tell(member, river)
    [tick] = queued(TICK)

    def database_gone():
        raise RuntimeError("database is locked")

    monkeypatch.setattr(emails, "due_digest_members", database_gone)
    clock.at("UTC", 2025, 3, 12, 13, 0)
    run_queued_tasks()
    assert DBTaskResult.objects.get(pk=tick.pk).status == TaskResultStatus.FAILED
    [again] = queued(TICK)
    assert again.run_after == datetime(2025, 3, 12, 14, 0, tzinfo=UTC)


def test_notify_trusts_a_seen_tick_for_ten_minutes_then_asks_the_queue_again(
    member, river, clock, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tell(member, river)
    DBTaskResult.objects.filter(task_path=TICK).delete()  # lost (say, removed by hand)
    clock.advance(minutes=5)
    with django_assert_num_queries(0):  # a busy forum does not ask the queue on every reply
        assert tasks.ensure_digest_tick() is False
    clock.advance(seconds=tasks.TICK_CHECK_SECONDS)
    assert tasks.ensure_digest_tick() is True
    [tick] = queued(TICK)
    assert tick.run_after == datetime(2025, 3, 12, 13, 0, tzinfo=UTC)


# --- As it happens --------------------------------------------------------------------------------


def test_immediate_email_gathers_a_burst_into_one_message_through_the_worker(
    immediate_member,
    river,
    clock,
    mailoutbox,
    in_test_transaction,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        tell(immediate_member, river, url="/p/1/")
        tell(immediate_member, river, kind="message", text="river wrote to you", url="/m/4/")
        tell(immediate_member, river, kind="moderation", text="A note from moderators", url="/n/")
    assert len(queued(SEND)) == 3
    run_queued_tasks()
    assert mailoutbox == []  # still gathering
    sent_at = clock.advance(minutes=2)
    run_queued_tasks()
    [message] = mailoutbox
    assert message.to == [immediate_member.email]
    assert message.subject == "A note from moderators, and 2 more"
    for line in [
        "river mentioned you in “Week six”",
        "river wrote to you",
        "A note from moderators",
    ]:
        assert line in message.body
    assert f"{settings.SITE_URL}/m/4/" in message.body
    assert pending(immediate_member) == []
    assert set(Notification.objects.values_list("emailed_at", flat=True)) == {sent_at}
    statuses = DBTaskResult.objects.filter(task_path=SEND).values_list("status", flat=True)
    assert set(statuses) == {TaskResultStatus.SUCCESSFUL}


def test_immediate_email_subject_is_the_line_with_its_updates_when_gathered(
    immediate_member, river, mailoutbox
):
    actions.save_preferences(immediate_member, delivery={"reply": "email"})
    for _reply in range(2):
        tell(
            immediate_member,
            river,
            kind="reply",
            text="river replied to “Week six”",
            group_key="topic:1",
        )
    assert tasks.send_notification_email.call(immediate_member.pk) == "sent"
    [message] = mailoutbox
    assert message.subject == "river replied to “Week six” (2 updates)"


def test_immediate_email_leaves_out_what_the_member_already_read(
    immediate_member, river, mailoutbox
):
    [seen] = tell(immediate_member, river, text="river mentioned you in “Old news”", url="/p/7/")
    tell(immediate_member, river, kind="message", text="river wrote to you", url="/m/4/")
    actions.mark_read(immediate_member, seen.pk)
    tasks.send_notification_email.call(immediate_member.pk)
    [message] = mailoutbox
    assert "Old news" not in message.body and "/p/7/" not in message.body
    assert message.subject == "river wrote to you"
    seen.refresh_from_db()
    assert (seen.email_pending, seen.emailed_at) == (False, None)  # dropped, not emailed


def test_immediate_email_sends_nothing_when_the_rhythm_became_none(
    immediate_member, river, mailoutbox
):
    tell(immediate_member, river)
    actions.save_preferences(immediate_member, email_frequency="none")
    assert tasks.send_notification_email.call(immediate_member.pk) == "skipped"
    assert mailoutbox == []


def test_immediate_email_sends_nothing_to_an_unconfirmed_address(
    immediate_member, river, mailoutbox
):
    tell(immediate_member, river)
    immediate_member.emailaddress_set.update(verified=False)
    assert tasks.send_notification_email.call(immediate_member.pk) == "skipped"
    assert mailoutbox == []


def test_immediate_email_sent_twice_sends_nothing_the_second_time(
    immediate_member, river, mailoutbox
):
    tell(immediate_member, river)
    assert tasks.send_notification_email.call(immediate_member.pk) == "sent"
    assert tasks.send_notification_email.call(immediate_member.pk) == "nothing"
    assert len(mailoutbox) == 1


def test_immediate_email_keeps_pending_a_line_that_changed_while_sending(
    immediate_member, river, mailoutbox, monkeypatch
):
    actions.save_preferences(immediate_member, delivery={"reply": "email"})
    reply = {"kind": "reply", "text": "river replied to “Week six”", "group_key": "topic:1"}
    tell(immediate_member, river, **reply)
    real_send = emails.EmailMultiAlternatives.send

    def send_while_another_reply_arrives(message, *args, **kwargs):
        sent = real_send(message, *args, **kwargs)
        tell(immediate_member, river, **reply)  # gathered into the line just emailed
        return sent

    monkeypatch.setattr(emails.EmailMultiAlternatives, "send", send_while_another_reply_arrives)
    tasks.send_notification_email.call(immediate_member.pk)
    [line] = pending(immediate_member)  # the second reply is not lost: it goes next time
    assert line.count == 2


# --- Quiet hours ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quiet", "local_now", "ends"),
    [
        ((22, 7), (2025, 3, 12, 23, 30), (2025, 3, 13, 7, 0)),  # late evening: tomorrow morning
        ((22, 7), (2025, 3, 13, 2, 0), (2025, 3, 13, 7, 0)),  # after midnight: this morning
        ((22, 7), (2025, 3, 13, 7, 0), None),
        ((22, 7), (2025, 3, 12, 21, 59), None),
        ((13, 15), (2025, 3, 12, 14, 0), (2025, 3, 12, 15, 0)),
        ((13, 15), (2025, 3, 12, 15, 30), None),
    ],
)
def test_quiet_hours_end_on_the_members_clock(quiet, local_now, ends):
    zone = ZoneInfo("Asia/Tokyo")
    prefs = Preferences(
        quiet_start=datetime(2000, 1, 1, quiet[0]).time(),
        quiet_end=datetime(2000, 1, 1, quiet[1]).time(),
        time_zone="Asia/Tokyo",
    )
    now = datetime(*local_now, tzinfo=zone)
    expected = datetime(*ends, tzinfo=zone) if ends else None
    assert emails.quiet_hours_end(prefs, now) == expected


def test_immediate_email_waits_until_quiet_hours_end_across_midnight(
    immediate_member, river, clock, mailoutbox, in_test_transaction
):
    # 23:30 in Tokyo is 14:30 UTC: quiet there, not on the site's (UTC) clock.
    actions.save_preferences(
        immediate_member,
        quiet_start=datetime(2000, 1, 1, 22).time(),
        quiet_end=datetime(2000, 1, 1, 7).time(),
        time_zone="Asia/Tokyo",
    )
    clock.at("Asia/Tokyo", 2025, 3, 12, 23, 30)
    tell(immediate_member, river)
    assert tasks.send_notification_email.call(immediate_member.pk) == "quiet"
    assert mailoutbox == []
    [later] = queued(SEND)
    morning = datetime(2025, 3, 13, 7, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert later.run_after == morning
    clock.at("Asia/Tokyo", 2025, 3, 13, 6, 59)
    run_queued_tasks()
    assert mailoutbox == []
    clock.at("Asia/Tokyo", 2025, 3, 13, 7, 0)
    run_queued_tasks()
    assert len(mailoutbox) == 1
    assert pending(immediate_member) == []


# --- Daily and weekly summaries -------------------------------------------------------------------


def test_digest_is_due_daily_at_eight_local_and_weekly_on_mondays(
    member, other_member, river, clock
):
    daily, weekly = member, other_member  # daily is the default rhythm
    actions.save_preferences(daily, time_zone="Europe/Berlin")
    actions.save_preferences(weekly, email_frequency="weekly", time_zone="Europe/Berlin")
    immediate = UserFactory(username="sam")
    actions.save_preferences(immediate, email_frequency="immediate")
    clock.at("Europe/Berlin", 2025, 3, 12, 7, 0)  # Wednesday morning
    for someone in (daily, weekly, immediate):
        tell(someone, river)
    clock.at("Europe/Berlin", 2025, 3, 12, 7, 59)
    assert emails.due_digest_members() == []
    clock.at("Europe/Berlin", 2025, 3, 12, 8, 30)
    assert emails.due_digest_members() == [daily.pk]
    clock.at("Europe/Berlin", 2025, 3, 17, 8, 30)  # the next Monday
    assert emails.due_digest_members() == [daily.pk, weekly.pk]


def test_digest_waits_for_the_next_day_for_what_came_after_this_mornings(member, river, clock):
    clock.at("UTC", 2025, 3, 12, 9, 0)
    tell(member, river)
    clock.at("UTC", 2025, 3, 12, 23, 0)
    assert emails.due_digest_members() == []
    clock.at("UTC", 2025, 3, 13, 8, 0)
    assert emails.due_digest_members() == [member.pk]


def test_digest_waits_for_quiet_hours_that_cover_the_digest_hour(member, river, clock):
    actions.save_preferences(
        member,
        quiet_start=datetime(2000, 1, 1, 23).time(),
        quiet_end=datetime(2000, 1, 1, 9).time(),
        time_zone="America/New_York",
    )
    clock.at("America/New_York", 2025, 3, 11, 20, 0)
    tell(member, river)
    clock.at("America/New_York", 2025, 3, 12, 8, 30)
    assert emails.due_digest_members() == []
    clock.at("America/New_York", 2025, 3, 12, 9, 0)
    assert emails.due_digest_members() == [member.pk]


def test_digest_tick_sends_each_due_summary_once_through_the_worker(
    member, other_member, river, clock, mailoutbox, in_test_transaction
):
    actions.save_preferences(other_member, email_frequency="weekly")
    clock.at("UTC", 2025, 3, 11, 18, 0)
    tell(member, river, url="/p/1/")
    tell(member, river, kind="message", text="river wrote to you", url="/m/4/")
    tell(other_member, river)
    clock.at("UTC", 2025, 3, 12, 8, 5)
    assert tasks.digest_tick.call() == 1
    assert [task.args_kwargs["args"] for task in queued(DIGEST)] == [[member.pk]]
    run_queued_tasks()
    [message] = mailoutbox
    assert message.to == [member.email]
    assert message.subject == "Your daily summary from Stepdown"
    assert "river mentioned you in “Week six”" in message.body
    assert "river wrote to you" in message.body
    assert queries.preferences_for(member).last_digest_at == clock.now
    assert pending(member) == []
    assert len(pending(other_member)) == 1  # weekly: next Monday
    # The tick came back for the next hour (the weekly line waits); then nothing is due again.
    [tick] = queued(TICK)
    assert tick.run_after == datetime(2025, 3, 12, 9, 0, tzinfo=UTC)
    clock.at("UTC", 2025, 3, 12, 9, 0)
    run_queued_tasks()
    assert len(mailoutbox) == 1


def test_digest_tick_stops_coming_back_when_nothing_is_pending(member, river, clock):
    assert tasks.digest_tick.call() == 0
    assert queued(TICK) == []
    tell(member, river)
    tasks.digest_tick.call()
    assert len(queued(TICK)) == 1
    tasks.digest_tick.call()  # a tick already waits: no second one
    assert len(queued(TICK)) == 1


def test_digest_leaves_out_what_the_member_already_read(member, river, clock, mailoutbox):
    clock.at("UTC", 2025, 3, 11, 18, 0)
    [seen] = tell(member, river, text="river mentioned you in “Old news”")
    tell(member, river, kind="message", text="river wrote to you")
    actions.mark_read(member, seen.pk)
    clock.at("UTC", 2025, 3, 12, 8, 5)
    assert tasks.send_digest_email.call(member.pk) == "sent"
    [message] = mailoutbox
    assert "Old news" not in message.body and "river wrote to you" in message.body


def test_digest_sends_nothing_when_everything_was_read_in_the_app(member, river, clock, mailoutbox):
    clock.at("UTC", 2025, 3, 11, 18, 0)
    [seen] = tell(member, river)
    actions.mark_read(member, seen.pk)
    clock.at("UTC", 2025, 3, 12, 8, 5)
    assert emails.due_digest_members() == []
    assert tasks.send_digest_email.call(member.pk) == "not-due"
    assert mailoutbox == []


def test_send_digests_command_sends_the_due_summaries_for_cron(member, river, clock, mailoutbox):
    clock.at("UTC", 2025, 3, 11, 18, 0)
    tell(member, river)
    clock.at("UTC", 2025, 3, 12, 8, 5)
    call_command("send_digests", verbosity=0)
    call_command("send_digests", verbosity=0)
    [message] = mailoutbox
    assert message.subject == "Your daily summary from Stepdown"


# --- Failures: retried with backoff, never lost ---------------------------------------------------


def test_failed_email_is_tried_again_later_each_time_then_given_up(
    immediate_member, river, clock, settings, mailoutbox, caplog
):
    settings.EMAIL_BACKEND = "tests.test_notification_email.FailingBackend"
    tell(immediate_member, river)
    pauses = []
    for attempt in range(1, emails.MAX_ATTEMPTS + 1):
        with caplog.at_level(logging.WARNING, logger="stepdown.notifications.tasks"):
            status = tasks.send_notification_email.call(immediate_member.pk, attempt)
        retries = queued(SEND)
        if retries:
            [retry] = retries
            assert retry.args_kwargs["args"] == [immediate_member.pk, attempt + 1]
            pauses.append(retry.run_after - clock.now)
            retry.delete()
        assert len(pending(immediate_member)) == 1  # nothing marked
    assert pauses == [timedelta(minutes=m) for m in (1, 5, 25, 125, 625)]
    assert status == "gave-up"
    [given_up] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "giving up" in given_up.getMessage()


def test_failed_email_goes_out_with_the_retry_once_the_server_is_back(
    immediate_member, river, clock, settings, mailoutbox, in_test_transaction
):
    settings.EMAIL_BACKEND = "tests.test_notification_email.FailingBackend"
    tell(immediate_member, river)
    assert tasks.send_notification_email.call(immediate_member.pk) == "retrying"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_queued_tasks()
    assert mailoutbox == []  # not before its time
    clock.advance(minutes=1)
    run_queued_tasks()
    assert len(mailoutbox) == 1
    assert pending(immediate_member) == []


# --- The message and one-click unsubscribe --------------------------------------------------------


def unsubscribe_path(member) -> str:
    return f"/notifications/unsubscribe/{emails.unsubscribe_token(member)}/"


def test_notification_email_is_text_and_html_with_nothing_from_elsewhere(
    immediate_member, river, mailoutbox
):
    tell(immediate_member, river, url="/p/12/")
    tasks.send_notification_email.call(immediate_member.pk)
    [message] = mailoutbox
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f'href="{settings.SITE_URL}/p/12/"' in html
    assert "<img" not in html and "src=" not in html and "<script" not in html
    links = [part.split('"', 1)[0] for part in html.split('href="')[1:]]
    assert links and all(link.startswith(settings.SITE_URL + "/") for link in links)
    # The token is signed with a timestamp (to the second): checked by what it decodes to.
    header = message.extra_headers["List-Unsubscribe"]
    prefix = f"<{settings.SITE_URL}/notifications/unsubscribe/"
    assert header.startswith(prefix) and header.endswith("/>")
    token = header[len(prefix) : -len("/>")]
    assert "/" not in token and emails.member_for_unsubscribe_token(token) == immediate_member
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_unsubscribe_link_asks_first_and_changes_nothing_on_get(immediate_member, river):
    tell(immediate_member, river)
    response = Client().get(unsubscribe_path(immediate_member))
    assert response.status_code == 200
    assert "Stop notification email" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert queries.preferences_for(immediate_member).email_frequency == "immediate"
    assert len(pending(immediate_member)) == 1


def test_unsubscribe_one_click_post_stops_email_without_cookies_or_csrf_token(
    immediate_member, river, django_capture_on_commit_callbacks
):
    tell(immediate_member, river)
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        unsubscribe_path(immediate_member), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert "no more notification email" in response.content.decode()
    assert queries.preferences_for(immediate_member).email_frequency == "none"
    assert pending(immediate_member) == []
    # From now on nothing is marked for email, and no email task is queued.
    with django_capture_on_commit_callbacks(execute=True):
        [later] = tell(immediate_member, river, kind="message", text="river wrote to you")
    assert later.email_pending is False
    assert DBTaskResult.objects.count() == 0
    again = Client().get(unsubscribe_path(immediate_member)).content.decode()
    assert "Notification email is off" in again


def forged_tokens(member, other) -> dict[str, str]:
    token = emails.unsubscribe_token(member)
    payload, stamp, signature = token.split(":")
    other_payload = emails.unsubscribe_token(other).split(":")[0]
    return {
        "tampered": f"{payload}:{stamp}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        "other member's id": f"{other_payload}:{stamp}:{signature}",
        "unsalted": signing.dumps({"u": member.pk, "s": "all"}),
        "garbage": "not-a-token",
    }


def test_unsubscribe_refuses_a_tampered_or_forged_token_calmly(member, other_member):
    actions.save_preferences(member, email_frequency="immediate")
    for name, token in forged_tokens(member, other_member).items():
        path = f"/notifications/unsubscribe/{token}/"
        for method in ("get", "post"):
            response = getattr(Client(), method)(path)
            assert response.status_code == 400, (name, method)
            assert "notification choices" in response.content.decode(), name
    assert queries.preferences_for(member).email_frequency == "immediate"
    assert queries.preferences_for(other_member).email_frequency == "daily"


def test_unsubscribe_refuses_an_expired_token(member, monkeypatch):
    long_ago = int(time.time() - emails.UNSUBSCRIBE_MAX_AGE.total_seconds() - 60)
    with monkeypatch.context() as patched:
        patched.setattr(
            signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(long_ago)
        )
        token = emails.unsubscribe_token(member)
    response = Client().post(f"/notifications/unsubscribe/{token}/")
    assert response.status_code == 400
    assert queries.preferences_for(member).email_frequency == "daily"


def test_unsubscribe_refuses_a_token_of_a_deleted_account(member):
    path = unsubscribe_path(member)
    member.delete()
    assert Client().post(path).status_code == 400
