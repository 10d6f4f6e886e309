"""Notification email through a real SMTP server (aiosmtpd) on 127.0.0.1, over the socket.

The whole path runs as in production: a reply is posted, the forum notifies followers after the
commit, notify queues the email task after its commit, the database worker runs it in-process,
Django's SMTP backend talks to the server, and the checks are made on the message the server
received. Transactional tests, so every commit is real (on SQLite and on PostgreSQL alike).
"""

from __future__ import annotations

import email
import email.policy
import socket
from email.utils import parseaddr

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from stepdown.forum import actions as forum
from stepdown.notifications import actions, emails
from stepdown.notifications.models import Notification
from tests.factories import UserFactory, make_topic
from tests.task_queue import run_queued_tasks

SECRET = "my secret dose notes: 2 mg since Tuesday"


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


def received(envelope):
    return email.message_from_bytes(envelope.original_content, policy=email.policy.default)


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

    [envelope] = inbox.envelopes
    assert envelope.mail_from == parseaddr(django_settings.DEFAULT_FROM_EMAIL)[1]
    assert envelope.rcpt_tos == [member.email]
    message = received(envelope)
    assert message["From"] == django_settings.DEFAULT_FROM_EMAIL
    assert message["To"] == member.email
    assert message["Subject"] == "river replied to “Week six”"
    # The address is longer than a header line, so the header is folded before it. Its token is
    # signed with a timestamp (to the second), so it is checked by what it decodes to.
    header = message["List-Unsubscribe"].strip()
    prefix = f"<{django_settings.SITE_URL}/notifications/unsubscribe/"
    assert header.startswith(prefix) and header.endswith("/>")
    token = header[len(prefix) : -len("/>")]
    assert "/" not in token and emails.member_for_unsubscribe_token(token) == member
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
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
