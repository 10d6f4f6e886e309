"""Notification email through a real SMTP server (aiosmtpd) on 127.0.0.1, over the socket.

The whole path runs as in production: a reply is posted, the forum notifies followers after the
commit, notify queues the email task after its commit (or, for a daily or weekly summary, the
hourly digest tick), the database worker runs it in-process, Django's SMTP backend talks to the
server, and the checks are made on the message the server received. Transactional tests, so every
commit is real (on SQLite and on PostgreSQL alike). Summaries wait for an hour on the member's
clock, so their test freezes time by replacing ``timezone.now`` (``clock``), which the queue, the
models and the email code all read (as in tests/test_notification_email.py).
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
from datetime import UTC, datetime
from email.utils import parseaddr

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.urls import reverse
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from stepdown.forum import actions as forum
from stepdown.notifications import actions, emails
from stepdown.notifications.models import Notification, Preferences
from tests.clock import freeze_time
from tests.factories import UserFactory, make_topic
from tests.task_queue import run_queued_tasks

SECRET = "my secret dose notes: 2 mg since Tuesday"
DIGEST = "stepdown.notifications.tasks.send_digest_email"
TICK = "stepdown.notifications.tasks.digest_tick"


class Inbox:
    """An aiosmtpd handler keeping what it receives; ``refuse`` makes it answer 451."""

    def __init__(self):
        self.envelopes = []
        self.refuse = False

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 4.3.0 Please try again later"
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox():
    return Inbox()


@pytest.fixture
def smtp_server(inbox, settings):
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.STEPDOWN_EMAIL_GATHER_SECONDS = 0
    yield controller
    controller.stop()


@pytest.fixture
def week_six(transactional_db, category):
    """Member started "Week six" (so follows it) and hears of replies by email as they happen."""
    member = UserFactory(username="member")
    actions.save_preferences(member, email_frequency="immediate", delivery={"reply": "email"})
    return make_topic(category, author=member, title="Week six")


@pytest.fixture
def clock(monkeypatch):
    return freeze_time(monkeypatch)


def received(envelope):
    return email.message_from_bytes(envelope.original_content, policy=email.policy.default)


def the_one_email_to(member, inbox, *, subject: str):
    """The only message the server received: from our sender to ``member``, with ``subject``,
    one-click unsubscribe headers, and text with an HTML twin."""
    [envelope] = inbox.envelopes
    assert envelope.mail_from == parseaddr(django_settings.DEFAULT_FROM_EMAIL)[1]
    assert envelope.rcpt_tos == [member.email]
    message = received(envelope)
    assert message["From"] == django_settings.DEFAULT_FROM_EMAIL
    assert message["To"] == member.email
    assert message["Subject"] == subject
    assert_one_click_unsubscribe_for(message, member)
    assert message.get_content_type() == "multipart/alternative"
    return message


def assert_one_click_unsubscribe_for(message, member) -> None:
    # The address is longer than a header line, so the header is folded before it. Its token is
    # signed with a timestamp (to the second), so it is checked by what it decodes to.
    header = message["List-Unsubscribe"].strip()
    prefix = f"<{django_settings.SITE_URL}/notifications/unsubscribe/"
    assert header.startswith(prefix) and header.endswith("/>")
    token = header[len(prefix) : -len("/>")]
    assert "/" not in token and emails.member_for_unsubscribe_token(token) == member
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.django_db(transaction=True)
def test_reply_email_reaches_the_smtp_server_with_line_link_and_unsubscribe(
    smtp_server, inbox, week_six
):
    member = week_six.author
    river = UserFactory(username="river")
    post = forum.create_reply(week_six, author=river, body=SECRET)
    [task] = DBTaskResult.objects.filter(
        task_path="stepdown.notifications.tasks.send_notification_email"
    )
    assert task.status == TaskResultStatus.READY and inbox.envelopes == []

    run_queued_tasks()

    message = the_one_email_to(member, inbox, subject="river replied to “Week six”")
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    link = f"{django_settings.SITE_URL}{post.get_absolute_url()}"
    assert link.startswith("http") and link in text and f'href="{link}"' in html
    assert "river replied to “Week six”" in text and "river replied to “Week six”" in html
    for part in (text, html, message.as_string()):
        assert "secret dose notes" not in part
    assert "<img" not in html and "src=" not in html

    [line] = Notification.objects.filter(recipient=member)
    assert line.email_pending is False and line.emailed_at is not None
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db(transaction=True)
def test_refused_email_stays_pending_and_is_retried_until_the_server_takes_it(
    smtp_server, inbox, week_six
):
    inbox.refuse = True
    forum.create_reply(week_six, author=UserFactory(username="river"), body=SECRET)
    run_queued_tasks()
    assert inbox.envelopes == []
    [line] = Notification.objects.filter(recipient=week_six.author)
    assert line.email_pending is True
    [retry] = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert retry.args_kwargs["args"] == [week_six.author_id, 2]

    inbox.refuse = False
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=retry.enqueued_at)  # its time came
    run_queued_tasks()
    assert len(inbox.envelopes) == 1
    line.refresh_from_db()
    assert line.email_pending is False


@pytest.mark.django_db(transaction=True)
def test_email_to_a_server_that_is_down_is_retried_not_lost(settings, week_six):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_TIMEOUT = 5
    settings.STEPDOWN_EMAIL_GATHER_SECONDS = 0
    forum.create_reply(week_six, author=UserFactory(username="river"), body=SECRET)
    run_queued_tasks()
    [line] = Notification.objects.filter(recipient=week_six.author)
    assert line.email_pending is True
    [retry] = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert retry.args_kwargs["args"] == [week_six.author_id, 2]


@pytest.mark.django_db(transaction=True)
def test_daily_summary_reaches_the_smtp_server_at_the_digest_hour_on_the_members_clock(
    smtp_server, inbox, category, clock
):
    member = UserFactory(username="member")
    actions.save_preferences(
        member, email_frequency="daily", time_zone="Asia/Tokyo", delivery={"reply": "email"}
    )
    river, sam = UserFactory(username="river"), UserFactory(username="sam")
    # Tuesday evening in Tokyo (10:00 UTC): replies in two of the member's topics, a mention.
    clock.at("Asia/Tokyo", 2025, 3, 11, 19, 0)
    week_six = make_topic(category, author=member, title="Week six")
    week_seven = make_topic(category, author=member, title="Week seven")
    forum.create_reply(week_six, author=river, body=SECRET)
    clock.advance(minutes=10)
    latest_in_week_six = forum.create_reply(week_six, author=river, body=SECRET)
    clock.advance(minutes=10)
    sleep = make_topic(category, author=sam, title="Sleep", body=f"@member {SECRET}")
    clock.advance(minutes=10)
    in_week_seven = forum.create_reply(week_seven, author=river, body=SECRET)
    assert Notification.objects.filter(recipient=member, email_pending=True).count() == 3
    # Nothing went out as it happened; the hourly tick waits for the next full hour (UTC).
    assert inbox.envelopes == [] and not DBTaskResult.objects.filter(task_path=DIGEST).exists()
    [tick] = DBTaskResult.objects.filter(task_path=TICK, status=TaskResultStatus.READY)
    assert tick.run_after == datetime(2025, 3, 11, 11, 0, tzinfo=UTC)

    # 07:59 on the member's clock (22:59 UTC): the tick runs, but no summary is due yet.
    clock.at("Asia/Tokyo", 2025, 3, 12, 7, 59)
    run_queued_tasks()
    tick.refresh_from_db()
    assert tick.status == TaskResultStatus.SUCCESSFUL
    assert inbox.envelopes == [] and not DBTaskResult.objects.filter(task_path=DIGEST).exists()

    # 08:00 (STEPDOWN_DIGEST_HOUR) on the member's clock: the tick queues the summary, the
    # worker sends it.
    assert django_settings.STEPDOWN_DIGEST_HOUR == 8
    sent_at = clock.at("Asia/Tokyo", 2025, 3, 12, 8, 0)
    run_queued_tasks()

    message = the_one_email_to(
        member, inbox, subject=f"Your daily summary from {django_settings.SITE_NAME}"
    )
    # Lines end in CRLF on the wire.
    text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n")
    intro = f"Here is what happened on {django_settings.SITE_NAME} since your last summary:"
    assert intro in text and intro in html

    site = django_settings.SITE_URL
    assert site.startswith("http")
    lines = [  # newest first
        ("river replied to “Week seven”", f"{site}{in_week_seven.get_absolute_url()}"),
        ("sam mentioned you in “Sleep”", f"{site}{sleep.first_post.get_absolute_url()}"),
        (
            "river replied to “Week six” (2 updates)",
            f"{site}{latest_in_week_six.get_absolute_url()}",
        ),
    ]
    places = []
    for line, link in lines:
        assert f"- {line}\n  {link}\n" in text
        assert f'<li><a href="{link}">{line}</a></li>' in html
        places.append(text.index(line))
    assert places == sorted(places)
    assert text.count("\n- ") == len(lines) and html.count("<li>") == len(lines)
    footer = [
        reverse("notifications:list"),
        reverse("notifications:settings"),
        "/notifications/unsubscribe/",
    ]
    for path in footer:
        assert f"{site}{path}" in text and f'href="{site}{path}' in html
    # Every link is absolute, to this site.
    assert all(href.startswith(f"{site}/") for href in re.findall(r'href="([^"]*)"', html))
    for part in (text, html, message.as_string()):
        assert "secret dose notes" not in part
    assert "<img" not in html and "src=" not in html

    # Marked once the server took it, and summarised once.
    marked = Notification.objects.filter(recipient=member)
    assert {(item.email_pending, item.emailed_at) for item in marked} == {(False, sent_at)}
    assert Preferences.objects.get(user=member).last_digest_at == sent_at
    [digest] = DBTaskResult.objects.filter(task_path=DIGEST)
    assert digest.status == TaskResultStatus.SUCCESSFUL and digest.return_value == "sent"
    clock.at("Asia/Tokyo", 2025, 3, 12, 9, 0)
    run_queued_tasks()
    assert len(inbox.envelopes) == 1
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
