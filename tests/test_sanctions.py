"""Warnings, suspensions and bans taking effect: a warning on every page until acknowledged,
a suspension stopping posting until its end, a ban stopping sign-in and ending sessions; every
one recorded, told to the member, and lifted early through the site."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from stepdown.accounts.models import BAN_FOREVER, User
from stepdown.moderation import member_actions
from stepdown.moderation.models import AuditEntry, Report, Sanction, Warning
from stepdown.moderation.queries import refresh_warned_members
from stepdown.notifications.models import Notification
from tests.factories import PASSWORD, UserFactory, make_topic

pytestmark = pytest.mark.django_db

BANNER = "A moderator sent you a warning. Please read it:"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def river(db):
    return UserFactory(username="river")


@pytest.fixture
def topic(category, river):
    return make_topic(category, author=river, title="Week six")


def standing_url(user) -> str:
    return f"/moderation/members/{user.username}/"


# --- Warnings ---------------------------------------------------------------------------------


def warn(moderator, member, **data):
    return signed_in(moderator).post(
        f"{standing_url(member)}warn/",
        {"reason": "Please keep dose advice general.", "points": "2", **data},
    )


def test_warned_member_sees_the_banner_on_every_page_until_they_acknowledge(
    moderator, river, member, topic, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = warn(moderator, river, expires_in_days="30")
    assert response.status_code == 302
    warning = Warning.objects.get()
    assert (warning.member, warning.issued_by, warning.points) == (river, moderator, 2)
    assert timedelta(days=29) < warning.expires_at - timezone.now() <= timedelta(days=30)
    assert Notification.objects.get(recipient=river, kind="moderation")
    client = signed_in(river)
    for url in ("/", topic.get_absolute_url(), "/taper/"):
        assert BANNER in html_of(client.get(url)), url
    assert BANNER not in html_of(signed_in(member).get("/"))
    page = html_of(client.get("/moderation/warnings/"))
    assert "Please keep dose advice general." in page
    assert client.post(f"/moderation/warnings/{warning.pk}/acknowledge/").status_code == 302
    warning.refresh_from_db()
    assert warning.acknowledged_at is not None
    assert BANNER not in html_of(client.get("/"))


def test_a_member_cannot_acknowledge_someone_elses_warning(moderator, river, member):
    warn(moderator, river)
    warning = Warning.objects.get()
    assert (
        signed_in(member).post(f"/moderation/warnings/{warning.pk}/acknowledge/").status_code == 404
    )
    warning.refresh_from_db()
    assert warning.acknowledged_at is None


def test_an_expired_warning_no_longer_shows_nor_counts(moderator, river):
    warn(moderator, river, points="3")
    Warning.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    member_actions.issue_warning(river, by=moderator, reason="Second", points=1, expires_at=None)
    Warning.objects.filter(reason="Second").update(acknowledged_at=timezone.now())
    refresh_warned_members()
    assert BANNER not in html_of(signed_in(river).get("/"))
    standing = html_of(signed_in(moderator).get(standing_url(river)))
    assert "<strong>1</strong> warning point in force" in standing


def test_points_in_force_add_up_on_the_members_standing_page(moderator, river):
    warn(moderator, river, points="2")
    warn(moderator, river, points="3", expires_in_days="")
    response = signed_in(moderator).get(standing_url(river))
    assert response.context["points"] == 5
    assert "<strong>5</strong> warning points in force" in html_of(response)
    assert Warning.objects.get(points=3).expires_at is None


def test_a_warning_without_reason_keeps_what_was_typed(moderator, river):
    response = warn(moderator, river, reason="", points="11")
    assert response.status_code == 400
    html = html_of(response)
    assert "Please write the warning" in html and 'value="11"' in html
    assert not Warning.objects.exists()


@pytest.mark.usefixtures("members_pages_rendered")
def test_pages_without_warnings_cost_no_extra_query_once_cached(member, django_assert_num_queries):
    client = signed_in(member)
    client.get("/")
    # session, member, categories, notifications count, unread conversations count
    with django_assert_num_queries(5):
        response = client.get("/")
    assert BANNER not in html_of(response)


# --- Suspensions ------------------------------------------------------------------------------


def sanction(moderator, member, kind, days=""):
    return signed_in(moderator).post(
        f"{standing_url(member)}sanction/",
        {"kind": kind, "reason": "Repeated selling offers.", "days": days},
    )


def test_suspended_member_reads_but_cannot_post_until_the_end_date(
    moderator, river, topic, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert sanction(moderator, river, "suspension", days="7").status_code == 302
    river.refresh_from_db()
    assert timedelta(days=6) < river.posting_blocked_until - timezone.now() <= timedelta(days=7)
    assert "paused your posting" in Notification.objects.get(recipient=river).text
    client = signed_in(river)
    assert client.get(topic.get_absolute_url()).status_code == 200
    refused = client.post(f"/t/{topic.pk}/reply/", {"body": "Still here."})
    assert refused.status_code == 403 and topic.posts.count() == 1
    # The end date passes: posting works again with nothing run in between.
    User.objects.filter(pk=river.pk).update(posting_blocked_until=timezone.now())
    assert client.post(f"/t/{topic.pk}/reply/", {"body": "Back again."}).status_code == 302
    assert topic.posts.count() == 2


def test_lifting_a_suspension_early_lets_the_member_post_at_once(moderator, river, topic):
    sanction(moderator, river, "suspension")  # no end date
    river.refresh_from_db()
    assert river.posting_blocked_until == BAN_FOREVER
    suspension = Sanction.objects.get()
    page = html_of(signed_in(moderator).get(standing_url(river)))
    assert "in force" in page and "until lifted" in page
    response = signed_in(moderator).post(
        f"/moderation/sanctions/{suspension.pk}/lift/", {"reason": "Talked it through"}
    )
    assert response.status_code == 302
    river.refresh_from_db()
    assert river.posting_blocked_until is None
    assert signed_in(river).post(f"/t/{topic.pk}/reply/", {"body": "Thanks."}).status_code == 302
    assert list(AuditEntry.objects.order_by("pk").values_list("action", "reason")) == [
        ("member.suspend", "Repeated selling offers."),
        ("member.unsuspend", "Talked it through"),
    ]


def test_two_suspensions_mirror_the_later_end_and_lifting_one_keeps_the_other(moderator, river):
    soon = timezone.now() + timedelta(days=2)
    later = timezone.now() + timedelta(days=9)
    first = member_actions.suspend_member(river, by=moderator, reason="a", ends_at=soon)
    member_actions.suspend_member(river, by=moderator, reason="b", ends_at=later)
    river.refresh_from_db()
    assert river.posting_blocked_until == later
    member_actions.lift_sanction(first, by=moderator)
    river.refresh_from_db()
    assert river.posting_blocked_until == later
    assert member_actions.lift_sanction(first, by=moderator) is False  # already lifted


# --- Bans ---------------------------------------------------------------------------------------


def test_ban_ends_existing_sessions_and_stops_signing_in_with_a_calm_page(
    moderator, river, django_capture_on_commit_callbacks
):
    river_client = signed_in(river)
    assert river_client.get("/").context["user"].is_authenticated
    with django_capture_on_commit_callbacks(execute=True):
        response = sanction(moderator, river, "ban", days="30")
    assert response.status_code == 302
    assert not river_client.get("/").context["user"].is_authenticated
    sign_in = Client().post("/accounts/login/", {"login": "river", "password": PASSWORD})
    assert sign_in.status_code == 403
    assert "Your account is closed for now" in html_of(sign_in)
    assert not sign_in.wsgi_request.user.is_authenticated
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["river@example.org"]
    assert "Repeated selling offers." in mail.outbox[0].body
    assert AuditEntry.objects.get().action == "member.ban"


def test_a_ban_ends_by_itself_and_can_be_lifted_early(moderator, river):
    sanction(moderator, river, "ban")
    assert (
        Client().post("/accounts/login/", {"login": "river", "password": PASSWORD}).status_code
        == 403
    )
    ban = Sanction.objects.get()
    signed_in(moderator).post(f"/moderation/sanctions/{ban.pk}/lift/")
    river.refresh_from_db()
    assert river.sign_in_blocked_until is None
    assert (
        Client().post("/accounts/login/", {"login": "river", "password": PASSWORD}).status_code
        == 302
    )
    member_actions.ban_member(
        river, by=moderator, reason="Again", ends_at=timezone.now() + timedelta(hours=1)
    )
    User.objects.filter(pk=river.pk).update(sign_in_blocked_until=timezone.now())
    assert (
        Client().post("/accounts/login/", {"login": "river", "password": PASSWORD}).status_code
        == 302
    )


# --- Who may sanction whom -------------------------------------------------------------------


def test_moderators_cannot_sanction_themselves_or_other_moderators_but_admins_can(moderator):
    sage = UserFactory(username="sage", is_moderator=True, two_factor=True)
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True, two_factor=True)
    assert sanction(moderator, sage, "suspension").status_code == 403
    assert sanction(moderator, moderator, "ban").status_code == 403
    assert warn(moderator, admin).status_code == 403
    assert not Sanction.objects.exists() and not Warning.objects.exists()
    assert sanction(admin, sage, "suspension").status_code == 302


def test_members_and_guests_cannot_reach_the_standing_pages(member, river):
    assert signed_in(member).get(standing_url(river)).status_code == 404
    assert signed_in(member).post(f"{standing_url(river)}warn/", {"reason": "x"}).status_code == 404
    assert Client().get(standing_url(river)).status_code == 302
    assert not Warning.objects.exists()


def test_a_sanction_without_a_kind_is_explained(moderator, river):
    response = signed_in(moderator).post(
        f"{standing_url(river)}sanction/", {"reason": "Kept reason", "days": "3"}
    )
    assert response.status_code == 400
    assert "Kept reason" in html_of(response)
    assert not Sanction.objects.exists()


# --- From a report, in one step ---------------------------------------------------------------


def test_resolving_a_report_with_a_warning_warns_the_author(moderator, member, river, topic):
    signed_in(member).post(f"/moderation/report/post/{topic.first_post_id}/", {"reason": "unkind"})
    report = Report.objects.get()
    signed_in(moderator).post(
        f"/moderation/reports/{report.pk}/resolve/",
        {"outcome": "warn", "reason": "Please be kind to newcomers.", "points": "2"},
    )
    warning = Warning.objects.get()
    assert (warning.member, warning.points, warning.target_type) == (river, 2, "post")
    assert warning.expires_at is not None  # the default expiry from the setting
    assert BANNER in html_of(signed_in(river).get("/"))


def test_resolving_a_report_with_a_suspension_stops_posting(moderator, member, river, topic):
    signed_in(member).post(f"/moderation/report/member/{river.pk}/", {"reason": "sourcing"})
    report = Report.objects.get()
    signed_in(moderator).post(
        f"/moderation/reports/{report.pk}/resolve/",
        {"outcome": "suspend", "reason": "Offering pills.", "suspend_days": "3"},
    )
    river.refresh_from_db()
    assert river.posting_blocked_until > timezone.now() + timedelta(days=2)
    assert signed_in(river).post(f"/t/{topic.pk}/reply/", {"body": "x"}).status_code == 403


def test_banner_is_found_from_the_database_when_the_cache_is_cold(moderator, river):
    from django.core.cache import cache

    from stepdown.moderation.queries import WARNED_MEMBERS_KEY

    warn(moderator, river)
    cache.delete(WARNED_MEMBERS_KEY)  # a restarted process, an evicted key
    assert BANNER in html_of(signed_in(river).get("/"))


# --- The same rule on every road to a sanction -----------------------------------------------


def test_a_suspended_moderator_cannot_lift_their_own_suspension(moderator, river):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True, two_factor=True)
    assert sanction(admin, moderator, "suspension").status_code == 302
    suspension = Sanction.objects.get(member=moderator)
    response = signed_in(moderator).post(
        f"/moderation/sanctions/{suspension.pk}/lift/", {"reason": "I disagree"}
    )
    assert response.status_code == 403
    assert "Moderating is paused" in html_of(response)
    assert "I disagree" in html_of(response)  # what they typed is shown back
    suspension.refresh_from_db()
    moderator.refresh_from_db()
    assert suspension.lifted_at is None
    assert moderator.posting_blocked_until > timezone.now()
    # the moderators' other tools are closed to them too while it lasts
    assert signed_in(moderator).get("/moderation/").status_code == 403
    assert (
        signed_in(moderator).post(f"{standing_url(river)}warn/", {"reason": "x"}).status_code == 403
    )
    assert not Warning.objects.exists()


def test_a_moderator_cannot_lift_another_moderators_suspension_but_an_admin_can(moderator):
    sage = UserFactory(username="sage", is_moderator=True, two_factor=True)
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True, two_factor=True)
    sanction(admin, sage, "suspension")
    suspension = Sanction.objects.get(member=sage)
    lift_url = f"/moderation/sanctions/{suspension.pk}/lift/"
    assert signed_in(moderator).post(lift_url, {"reason": "Friend"}).status_code == 403
    suspension.refresh_from_db()
    assert suspension.lifted_at is None
    assert signed_in(admin).post(lift_url, {"reason": "Reviewed"}).status_code == 302
    suspension.refresh_from_db()
    assert suspension.lifted_at is not None


@pytest.mark.parametrize("outcome", ["warn", "suspend"])
def test_resolving_a_report_cannot_sanction_an_admin_or_another_moderator(
    moderator, member, outcome
):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True, two_factor=True)
    sage = UserFactory(username="sage", is_moderator=True, two_factor=True)
    for target in (admin, sage, moderator):
        signed_in(member).post(f"/moderation/report/member/{target.pk}/", {"reason": "unkind"})
        report = Report.objects.get(target_id=target.pk)
        response = signed_in(moderator).post(
            f"/moderation/reports/{report.pk}/resolve/",
            {"outcome": outcome, "reason": "Typed reason kept", "suspend_days": "3"},
        )
        assert response.status_code == 400, target
        page = html_of(response)
        assert "ask an admin" in page and "Typed reason kept" in page
        report.refresh_from_db()
        assert report.status != "resolved"
    assert not Warning.objects.exists() and not Sanction.objects.exists()
    # an admin may, for a moderator
    report = Report.objects.get(target_id=sage.pk)
    signed_in(admin).post(
        f"/moderation/reports/{report.pk}/resolve/",
        {"outcome": outcome, "reason": "Reviewed", "suspend_days": "3", "points": "1"},
    )
    report.refresh_from_db()
    assert report.status == "resolved"
