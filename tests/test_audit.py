"""The audit log: the forum's own moderator paths are recorded (through core.audit_hook), and
moderators browse and filter the log."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from stepdown.core import audit_hook
from stepdown.forum import actions as forum_actions
from stepdown.moderation import audit
from stepdown.moderation.models import AuditEntry
from tests.factories import CategoryFactory, UserFactory, make_topic

pytestmark = pytest.mark.django_db

LOG = "/moderation/log/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def river(db):
    return UserFactory(username="river")


@pytest.fixture
def topic(category, river):
    return make_topic(category, author=river, title="Week six", replies=2)


# --- The forum's moderator paths ---------------------------------------------------------------


def test_moderator_edit_of_someone_elses_post_is_recorded_with_its_reason(moderator, topic, river):
    post = topic.posts.get(position=2)
    signed_in(moderator).post(
        f"/p/{post.pk}/edit/",
        {"body": "Edited by a moderator.", "reason": "Removed a phone number"},
    )
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.member, entry.reason) == (
        "post.edit",
        moderator,
        river,
        "Removed a phone number",
    )
    assert entry.target_label == "Post #2 in “Week six”"


def test_members_editing_their_own_posts_are_not_in_the_log(topic, river):
    post = topic.posts.get(position=2)
    response = signed_in(river).post(f"/p/{post.pk}/edit/", {"body": "My own fix."})
    assert response.status_code == 302
    assert not AuditEntry.objects.exists()


def test_moderator_revert_and_recommendation_are_recorded(moderator, topic):
    post = topic.posts.get(position=2)
    forum_actions.edit_post(post, editor=post.author, body="Changed by its author.")
    client = signed_in(moderator)
    client.post(f"/p/{post.pk}/history/1/revert/")
    client.post(f"/p/{post.pk}/recommend/", {"recommended": "1"})
    client.post(f"/p/{post.pk}/recommend/", {"recommended": "0"})
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        "post.revert",
        "post.recommend",
        "post.unrecommend",
    ]


def test_a_topic_author_recommending_where_allowed_is_not_a_moderator_action(river):
    category = CategoryFactory(slug="open", authors_may_recommend=True)
    topic = make_topic(category, author=river, replies=0)
    answer = forum_actions.create_reply(topic, author=UserFactory(), body="An answer.")
    assert signed_in(river).post(f"/p/{answer.pk}/recommend/").status_code == 302
    answer.refresh_from_db()
    assert answer.is_recommended and not AuditEntry.objects.exists()


def test_audit_hook_does_nothing_without_a_recorder_and_writes_through_one(moderator):
    audit_hook.register(None)
    try:
        assert audit_hook.record(actor=moderator, action="post.hide", target_type="post") is None
        assert not AuditEntry.objects.exists()
    finally:
        audit_hook.register(audit.record)
    audit_hook.record(actor=moderator, action="post.hide", target_type="post", target_id=1)
    assert AuditEntry.objects.get().actor == moderator


# --- Browsing and filtering ------------------------------------------------------------------


def entry(action, *, actor=None, member=None, target_type="post", days_ago=0, reason=""):
    made = audit.record(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=1,
        target_label=f"{action} target",
        member=member,
        reason=reason,
    )
    if days_ago:
        AuditEntry.objects.filter(pk=made.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
    return made


@pytest.fixture
def log(moderator, river):
    sage = UserFactory(username="sage", is_moderator=True, two_factor=True)
    entry("post.hide", actor=moderator, member=river, reason="Selling pills", days_ago=10)
    entry("topic.lock", actor=sage, member=river, target_type="topic", days_ago=3)
    entry("member.warn", actor=sage, member=UserFactory(username="ash"), target_type="member")
    entry("post.hide", member=river, reason="Hidden after reports")  # automatic
    return sage


def actions_shown(response) -> list[str]:
    return [e.action for e in response.context["entries"]]


def test_log_shows_who_what_when_and_why_newest_first(moderator, log):
    response = signed_in(moderator).get(LOG)
    assert response.status_code == 200
    assert actions_shown(response) == ["post.hide", "member.warn", "topic.lock", "post.hide"]
    html = response.content.decode()
    assert "Post hidden" in html and "Why: Selling pills" in html
    assert "by the site (automatic)" in html and "by sage" in html


def test_log_filters_by_action_moderator_member_and_kind(moderator, log):
    client = signed_in(moderator)
    assert actions_shown(client.get(f"{LOG}?action=topic.lock")) == ["topic.lock"]
    assert actions_shown(client.get(f"{LOG}?moderator=SAGE")) == ["member.warn", "topic.lock"]
    assert actions_shown(client.get(f"{LOG}?moderator=site")) == ["post.hide"]
    assert actions_shown(client.get(f"{LOG}?member=ash")) == ["member.warn"]
    assert actions_shown(client.get(f"{LOG}?target_type=topic")) == ["topic.lock"]
    assert actions_shown(client.get(f"{LOG}?member=river&action=post.hide")) == [
        "post.hide",
        "post.hide",
    ]


def test_log_filters_by_date_range(moderator, log):
    today = timezone.localdate()
    since = (today - timedelta(days=5)).isoformat()
    until = (today - timedelta(days=1)).isoformat()
    response = signed_in(moderator).get(f"{LOG}?since={since}&until={until}")
    assert actions_shown(response) == ["topic.lock"]
    only_today = signed_in(moderator).get(f"{LOG}?since={today.isoformat()}")
    assert actions_shown(only_today) == ["post.hide", "member.warn"]


def test_a_bad_date_is_explained_and_the_other_filters_still_apply(moderator, log):
    response = signed_in(moderator).get(f"{LOG}?since=yesterday&action=topic.lock")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please give a date such as 2025-03-01." in html and 'value="yesterday"' in html
    assert actions_shown(response) == ["topic.lock"]
    swapped = signed_in(moderator).get(f"{LOG}?since=2025-03-05&until=2025-03-01")
    assert "please swap them" in swapped.content.decode()


def test_log_pages_keep_the_filters(moderator, settings):
    settings.STEPDOWN_TOPICS_PER_PAGE = 2
    for _ in range(5):
        entry("topic.pin", actor=moderator)
    response = signed_in(moderator).get(f"{LOG}?action=topic.pin")
    assert len(response.context["entries"]) == 2
    assert 'href="?action=topic.pin&amp;page=2"' in response.content.decode()


def test_log_is_for_moderators_with_two_factor_only(member, river, log):
    assert signed_in(member).get(LOG).status_code == 404
    assert Client().get(LOG).status_code == 302
    newcomer = UserFactory(username="newmod", is_moderator=True)
    assert signed_in(newcomer).get(LOG).status_code == 403
    keeper = UserFactory(username="keeper", two_factor=True)
    CategoryFactory(slug="kept").moderators.add(keeper)
    assert signed_in(keeper).get(LOG).status_code == 404  # category moderators: content only


@pytest.mark.parametrize("count", [3, 30])
def test_log_costs_the_same_queries_however_many_entries(
    moderator, river, django_assert_num_queries, count
):
    for number in range(count):
        entry("post.hide", actor=UserFactory(), member=UserFactory(), reason=f"r{number}")
    client = signed_in(moderator)
    client.get(LOG)
    # session, member, two-factor, actions in use, count, page with actor and member,
    # notifications count, conversations count
    with django_assert_num_queries(8):
        client.get(LOG)
