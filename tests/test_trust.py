"""Trust levels grow with time and approved posts; moderators may set them."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from stepdown.accounts.models import TrustLevel, User
from stepdown.forum import actions
from stepdown.forum.models import Post
from stepdown.moderation import trust
from stepdown.moderation.models import AuditEntry, Outcome, Report, Status, Warning
from tests.factories import UserFactory, make_topic

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def joined_days_ago(user, days: int) -> User:
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=days))
    user.refresh_from_db()
    return user


def with_posts(user, category, count: int) -> None:
    topic = make_topic(category, author=UserFactory())
    for number in range(count):
        actions.create_reply(topic, author=user, body=f"Post {number}.")
    Post.objects.filter(author=user).update(approval="approved")


@pytest.fixture
def newcomer(db):
    return UserFactory(username="newcomer", trust_level=TrustLevel.NEW)


@pytest.mark.parametrize(
    ("posts", "days", "clear", "level"),
    [
        (0, 0, True, TrustLevel.NEW),
        (2, 0, True, TrustLevel.NEW),  # posts, but not a day yet
        (1, 5, True, TrustLevel.NEW),  # days, but one post
        (2, 1, True, TrustLevel.BASIC),
        (10, 14, True, TrustLevel.MEMBER),
        (10, 13, True, TrustLevel.BASIC),
        (50, 90, True, TrustLevel.TRUSTED),
        (50, 90, False, TrustLevel.NEW),  # a warning in force or an upheld report
    ],
)
def test_earned_level_needs_posts_and_days_and_a_clear_record(posts, days, clear, level):
    facts = trust.TrustFacts(approved_posts=posts, days=days, clear_record=clear)
    assert trust.earned_level(facts) == level


def test_earned_level_leaves_trusted_to_moderators_when_its_threshold_is_zero(settings):
    settings.STEPDOWN_TRUST_TRUSTED_POSTS = 0
    facts = trust.TrustFacts(approved_posts=500, days=900, clear_record=True)
    assert trust.earned_level(facts) == TrustLevel.MEMBER


def test_update_trust_raises_a_new_member_with_posts_and_time_and_logs_it(newcomer, category):
    with_posts(newcomer, category, 2)
    joined_days_ago(newcomer, 2)
    assert trust.update_trust(newcomer)
    newcomer.refresh_from_db()
    assert newcomer.trust_level == TrustLevel.BASIC
    entry = AuditEntry.objects.get(action="member.trust")
    assert entry.actor is None
    assert entry.details["from"] == TrustLevel.NEW and entry.details["to"] == TrustLevel.BASIC


def test_update_trust_waits_for_the_days(newcomer, category):
    with_posts(newcomer, category, 5)
    assert not trust.update_trust(newcomer)
    newcomer.refresh_from_db()
    assert newcomer.trust_level == TrustLevel.NEW


def test_hidden_and_waiting_posts_do_not_count(newcomer, category):
    with_posts(newcomer, category, 2)
    Post.objects.filter(author=newcomer).update(is_hidden=True)
    joined_days_ago(newcomer, 5)
    assert not trust.update_trust(newcomer)


def test_a_warning_in_force_stops_trust_growing(newcomer, category, moderator):
    with_posts(newcomer, category, 3)
    joined_days_ago(newcomer, 5)
    Warning.objects.create(member=newcomer, issued_by=moderator, reason="Unkind.", points=1)
    assert not trust.update_trust(newcomer)
    Warning.objects.update(expires_at=timezone.now() - timedelta(days=1))
    assert trust.update_trust(newcomer)


def test_an_upheld_report_stops_trust_growing_but_a_dismissed_one_does_not(
    newcomer, category, member
):
    with_posts(newcomer, category, 3)
    joined_days_ago(newcomer, 5)
    report = Report.objects.create(
        reporter=member,
        target_type="post",
        target_id=1,
        target_author=newcomer,
        reason="unkind",
        status=Status.RESOLVED,
        resolved_at=timezone.now(),
        outcome=Outcome.NO_ACTION,
    )
    assert trust.facts_for(newcomer).clear_record
    Report.objects.filter(pk=report.pk).update(outcome=Outcome.HIDE)
    assert not trust.update_trust(newcomer)


def test_update_trust_never_lowers_a_level(category, db):
    veteran = UserFactory(username="veteran", trust_level=TrustLevel.MEMBER)
    assert not trust.update_trust(veteran)
    veteran.refresh_from_db()
    assert veteran.trust_level == TrustLevel.MEMBER


def test_update_trust_command_raises_everyone_who_earned_it(newcomer, category, capsys):
    with_posts(newcomer, category, 10)
    joined_days_ago(newcomer, 20)
    waiting = UserFactory(username="waiting", trust_level=TrustLevel.NEW)
    call_command("update_trust")
    assert "1 member(s) moved up a trust level." in capsys.readouterr().out
    newcomer.refresh_from_db()
    waiting.refresh_from_db()
    assert newcomer.trust_level == TrustLevel.MEMBER
    assert waiting.trust_level == TrustLevel.NEW


def test_approving_the_post_that_earns_it_raises_the_level(newcomer, category, moderator):
    joined_days_ago(newcomer, 3)
    topic = make_topic(category)
    first = actions.create_reply(topic, author=newcomer, body="One.")
    second = actions.create_reply(topic, author=newcomer, body="Two.")
    client = signed_in(moderator)
    client.post(f"/moderation/approval/{first.pk}/approve/")
    newcomer.refresh_from_db()
    assert newcomer.trust_level == TrustLevel.NEW
    client.post(f"/moderation/approval/{second.pk}/approve/")
    newcomer.refresh_from_db()
    assert newcomer.trust_level == TrustLevel.BASIC


def test_basic_member_posts_links_once_trust_grew(newcomer, category, moderator):
    topic = make_topic(category)
    body = "Read https://doi.org/10.3390/neurolint13040059"
    assert signed_in(newcomer).post(f"/t/{topic.pk}/reply/", {"body": body}).status_code == 400
    User.objects.filter(pk=newcomer.pk).update(trust_level=TrustLevel.BASIC)
    assert signed_in(newcomer).post(f"/t/{topic.pk}/reply/", {"body": body}).status_code == 302


# --- The moderators' page -----------------------------------------------------------------------


def test_trust_page_shows_the_facts_and_thresholds(newcomer, moderator, category):
    with_posts(newcomer, category, 3)
    html = signed_in(moderator).get("/moderation/members/newcomer/trust/").content.decode()
    assert "3 approved posts" in html
    assert "new member" in html
    assert "Days since joining" in html


def test_moderator_sets_a_level_with_a_reason_and_it_is_logged(newcomer, moderator):
    client = signed_in(moderator)
    refused = client.post("/moderation/members/newcomer/trust/", {"level": "3", "reason": ""})
    assert refused.status_code == 400
    assert "Please say why" in refused.content.decode()
    response = client.post(
        "/moderation/members/newcomer/trust/",
        {"level": "3", "reason": "Long-standing helper."},
        follow=True,
    )
    assert "newcomer is now a trusted member." in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.trust_level == TrustLevel.TRUSTED
    entry = AuditEntry.objects.get(action="member.trust")
    assert (entry.actor, entry.reason) == (moderator, "Long-standing helper.")


def test_moderators_do_not_set_their_own_or_another_moderators_trust(moderator):
    sage = UserFactory(username="sage", is_moderator=True, two_factor=True, trust_level=1)
    for target in (moderator, sage):
        response = signed_in(moderator).post(
            f"/moderation/members/{target.username}/trust/",
            {"level": "0", "reason": "Typed reason"},
        )
        assert response.status_code == 403
        assert "Typed reason" in response.content.decode()
    sage.refresh_from_db()
    assert sage.trust_level == 1
    assert not AuditEntry.objects.filter(action="member.trust").exists()


def test_trust_page_is_not_found_for_members(newcomer, member):
    assert signed_in(member).get("/moderation/members/newcomer/trust/").status_code == 404
    response = signed_in(member).post(
        "/moderation/members/newcomer/trust/", {"level": "3", "reason": "me"}
    )
    assert response.status_code == 404
    newcomer.refresh_from_db()
    assert newcomer.trust_level == TrustLevel.NEW
