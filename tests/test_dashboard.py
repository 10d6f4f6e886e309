"""The moderators' dashboard: what waits (reports, mine, approvals, safety alerts), the newest
alerts and the latest actions, at a fixed number of queries."""

import pytest
from django.test import Client

from stepdown.forum.models import Post
from stepdown.moderation import actions, audit
from stepdown.moderation.models import SafetyAlert
from tests.factories import CategoryFactory, UserFactory, make_topic

pytestmark = pytest.mark.django_db

DASHBOARD = "/moderation/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def report(post, reporter=None):
    return actions.file_report(
        reporter or UserFactory(),
        target_type="post",
        target_id=post.pk,
        target_author_id=post.author_id,
        reason="spam",
    )[0]


def alert(kind="crisis", status="open", author=None):
    return SafetyAlert.objects.create(
        kind=kind, author=author, target_type="post", target_id=1, status=status
    )


@pytest.fixture
def busy(category, moderator):
    topic = make_topic(category, author=UserFactory(username="river"), replies=4)
    posts = list(topic.posts.order_by("position"))
    for post in posts[:3]:
        report(post)
    mine = report(posts[3])
    actions.claim_report(mine, by=moderator)
    resolved = report(posts[4])
    actions.resolve_report(resolved, by=moderator, note="Fine.")
    Post.objects.filter(pk__in=[posts[1].pk, posts[2].pk]).update(approval="pending")
    alert("crisis", author=UserFactory(username="ash"))
    alert("rule")
    alert("crisis", status="handled")
    audit.record(actor=moderator, action="topic.lock", target_type="topic", target_label="Week six")
    return topic


def test_dashboard_counts_what_waits(moderator, busy):
    response = signed_in(moderator).get(DASHBOARD)
    assert response.status_code == 200
    sizes = response.context["sizes"]
    assert (
        sizes.open_reports,
        sizes.claimed_by_me,
        sizes.pending_approvals,
        sizes.open_alerts,
    ) == (
        4,
        1,
        2,
        2,
    )
    html = response.content.decode()
    assert "open reports" in html and "posts waiting for approval" in html


def test_dashboard_shows_open_alerts_crisis_first_and_the_latest_actions(moderator, busy):
    response = signed_in(moderator).get(DASHBOARD)
    alerts = response.context["alerts"]
    assert [a.kind for a in alerts] == ["crisis", "rule"]
    assert all(a.status == "open" for a in alerts)
    html = response.content.decode()
    assert "Topic locked" in html and "Report resolved" in html
    assert 'href="/moderation/reports/?status=mine"' in html


def test_claimed_by_me_counts_only_my_claims(busy, moderator):
    sage = UserFactory(username="sage", is_moderator=True, two_factor=True)
    assert signed_in(sage).get(DASHBOARD).context["sizes"].claimed_by_me == 0


def test_dashboard_is_for_global_moderators_with_two_factor(member, busy):
    assert signed_in(member).get(DASHBOARD).status_code == 404
    assert Client().get(DASHBOARD).status_code == 302
    assert signed_in(UserFactory(is_moderator=True)).get(DASHBOARD).status_code == 403
    keeper = UserFactory(username="keeper", two_factor=True)
    CategoryFactory(slug="kept").moderators.add(keeper)
    assert signed_in(keeper).get(DASHBOARD).status_code == 404


def test_header_links_moderators_to_the_dashboard(moderator, member):
    assert 'href="/moderation/"' in signed_in(moderator).get("/").content.decode()
    assert 'href="/moderation/"' not in signed_in(member).get("/").content.decode()


@pytest.mark.parametrize("scale", [1, 6])
def test_dashboard_costs_the_same_queries_however_much_waits(
    moderator, category, django_assert_num_queries, scale
):
    topic = make_topic(category, author=UserFactory(), replies=3 * scale)
    for post in topic.posts.all():
        report(post)
        audit.record(
            actor=UserFactory(), action="post.hide", target_type="post", member=post.author
        )
    for _ in range(3 * scale):
        alert(author=UserFactory())
    client = signed_in(moderator)
    client.get(DASHBOARD)
    # session, member, two-factor, report counts, approvals count, alerts count, recent alerts,
    # recent actions, notifications count, conversations count
    with django_assert_num_queries(10):
        client.get(DASHBOARD)
