"""Roles and categories: who reads, lists, starts, replies, reacts, edits, recommends and
moderates where; suspensions; merged, waiting, hidden and removed content; who is told.

The matrix world: one topic (with a reply by `writer`) in each kind of category:
- public: everyone reads, members post;
- members: signed-in members read and post;
- groups: read and post for the "Helpers" group (the "Others" group has a row with no rights);
- staff: moderators and admins only;
- elsewhere: public, but `catmod` is not one of its moderators.
`catmod` is appointed moderator of the first four; `global_mod` is a global moderator; `admin`
is a superuser; all three have two-factor sign-in. `suspended` may not post until next week.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stepdown.forum import actions
from stepdown.forum.counters import recount_category, recount_topic
from stepdown.forum.models import Category, CategoryAccess, Post, ReactionKind, Topic
from stepdown.forum.permissions import (
    can_moderate_category,
    can_read_category,
    readable_categories,
)
from stepdown.notifications import actions as notifications
from stepdown.notifications.models import Notification
from tests.factories import CategoryFactory, UserFactory, make_topic

pytestmark = pytest.mark.django_db

ROLES = (
    "guest",
    "member",
    "group_member",
    "other_group",
    "catmod",
    "global_mod",
    "admin",
    "suspended",
)
KINDS = ("public", "members", "groups", "staff", "elsewhere")
ACTIONS = ("read", "list", "start", "reply", "react", "edit", "recommend", "moderate")
LOGIN = "login"  # a redirect to the sign-in page


def signed_in(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@dataclass
class World:
    users: dict
    categories: dict
    topics: dict
    helpers: Group
    others: Group

    def reply(self, kind: str) -> Post:
        return self.topics[kind].posts.get(position=2)


def build_world() -> World:
    writer = UserFactory(username="writer")
    helpers = Group.objects.create(name="Helpers")
    others = Group.objects.create(name="Others")
    users = {
        "guest": None,
        "member": UserFactory(username="member"),
        "group_member": UserFactory(username="helper"),
        "other_group": UserFactory(username="outsider"),
        "catmod": UserFactory(username="catmod", two_factor=True),
        "global_mod": UserFactory(username="globalmod", is_moderator=True, two_factor=True),
        "admin": UserFactory(username="admin", is_staff=True, is_superuser=True, two_factor=True),
        "suspended": UserFactory(
            username="paused", posting_blocked_until=timezone.now() + timedelta(days=7)
        ),
    }
    users["group_member"].groups.add(helpers)
    users["other_group"].groups.add(others)
    categories = {
        "public": CategoryFactory(slug="public"),
        "members": CategoryFactory(slug="members", read_access="members"),
        "groups": CategoryFactory(slug="helpers", read_access="groups", post_access="groups"),
        "staff": CategoryFactory(slug="staff-room", read_access="staff"),
        "elsewhere": CategoryFactory(slug="elsewhere"),
    }
    CategoryAccess.objects.create(category=categories["groups"], group=helpers)
    CategoryAccess.objects.create(
        category=categories["groups"],
        group=others,
        can_read=False,
        can_start=False,
        can_reply=False,
    )
    for kind in ("public", "members", "groups", "staff"):
        categories[kind].moderators.add(users["catmod"])
    topics = {}
    for kind, category in categories.items():
        topic = make_topic(category, author=writer, title=f"Topic in {kind}", replies=1)
        # Edited once, so the reply has revisions 1 and 2 to revert between.
        actions.edit_post(topic.posts.get(position=2), editor=writer, body="Reply, edited.")
        topics[kind] = topic
    ReactionKind.objects.get_or_create(slug="thanks", defaults={"label": "Thanks"})
    return World(users, categories, topics, helpers, others)


@pytest.fixture
def world() -> World:
    return build_world()


READERS = {
    "public": set(ROLES),
    "elsewhere": set(ROLES),
    "members": set(ROLES) - {"guest"},
    "groups": {"group_member", "catmod", "global_mod", "admin"},
    "staff": {"catmod", "global_mod", "admin"},
}


def moderators_of(kind: str) -> set[str]:
    return {"global_mod", "admin"} | ({"catmod"} if kind != "elsewhere" else set())


def posters(kind: str) -> set[str]:
    """Who may start topics and reply: readers, but for groups only the Helpers; moderators."""
    allowed = READERS[kind] - {"guest", "suspended"}
    if kind == "groups":
        allowed = {"group_member"} | moderators_of(kind)
    return allowed


def expected(action: str, kind: str, role: str):
    readable = role in READERS[kind]
    if action in ("read", "list"):
        return 200 if readable else 404
    if not readable:
        return 404
    if action in ("start", "reply"):
        if role == "guest":
            return LOGIN
        return 302 if role in posters(kind) else 403
    if action == "react":
        if role == "guest":
            return LOGIN
        return 403 if role == "suspended" else 302
    if action in ("edit", "moderate"):
        if role == "guest":
            return LOGIN
        return 302 if role in moderators_of(kind) else 403
    if action == "recommend":
        return 302 if role in moderators_of(kind) else 403
    raise AssertionError(action)


def perform(client: Client, world: World, action: str, kind: str):
    topic, category = world.topics[kind], world.categories[kind]
    reply = world.reply(kind)
    if action == "read":
        return client.get(topic.get_absolute_url())
    if action == "list":
        html = client.get("/latest/").content.decode()
        return 200 if topic.title in html else 404
    if action == "start":
        return client.post(f"/c/{category.slug}/new/", {"title": "Hello", "body": "New topic"})
    if action == "reply":
        return client.post(f"/t/{topic.pk}/reply/", {"body": "A reply from the matrix"})
    if action == "react":
        return client.post(f"/p/{reply.pk}/react/", {"kind": "thanks"})
    if action == "edit":
        return client.post(f"/p/{reply.pk}/edit/", {"body": "Edited in the matrix."})
    if action == "recommend":
        return client.post(f"/p/{reply.pk}/recommend/", {"recommended": "1"})
    if action == "moderate":
        return client.post(f"/p/{reply.pk}/history/1/revert/")
    raise AssertionError(action)


def outcome(response):
    if isinstance(response, int):
        return response
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_roles_matrix_gives_each_role_what_its_categories_allow(world, role):
    client = signed_in(world.users[role])
    wrong = []
    for kind in KINDS:
        for action in ACTIONS:
            cache.clear()  # rate limits: each request on its own
            posts_before = Post.objects.count()
            got = outcome(perform(client, world, action, kind))
            want = expected(action, kind, role)
            if got != want:
                wrong.append(f"{action} in {kind}: got {got}, expected {want}")
            if want != 302 and action in ("start", "reply"):
                assert Post.objects.count() == posts_before, (action, kind)
    assert not wrong, "\n".join(wrong)


def test_roles_home_lists_exactly_the_readable_categories(world):
    for role in ROLES:
        html = signed_in(world.users[role]).get("/").content.decode()
        for kind, category in world.categories.items():
            listed = f'href="/c/{category.slug}/"' in html
            assert listed == (role in READERS[kind]), (role, kind)


def test_roles_readable_categories_agree_with_can_read_category(world):
    from django.contrib.auth.models import AnonymousUser

    for role in ROLES:
        user = world.users[role] or AnonymousUser()
        fresh = type(user).objects.get(pk=user.pk) if user.is_authenticated else user
        listed = set(readable_categories(fresh).values_list("slug", flat=True))
        one_by_one = {c.slug for c in Category.objects.all() if can_read_category(fresh, c)}
        assert listed == one_by_one, role


# --- Category moderators ---------------------------------------------------------------------


def test_category_moderator_moderates_only_their_category(world):
    catmod = world.users["catmod"]
    assert can_moderate_category(catmod, world.categories["public"])
    assert not can_moderate_category(catmod, world.categories["elsewhere"])
    client = signed_in(catmod)
    for kind, allowed in [("public", True), ("elsewhere", False)]:
        topic = world.topics[kind]
        Topic.objects.filter(pk=topic.pk).update(is_locked=True)
        response = client.post(f"/t/{topic.pk}/reply/", {"body": "A moderator's note"})
        assert response.status_code == (302 if allowed else 403), kind


def test_category_moderator_without_two_factor_neither_reads_staff_nor_moderates(world):
    appointed = UserFactory(username="appointed")
    world.categories["staff"].moderators.add(appointed)
    world.categories["public"].moderators.add(appointed)
    client = signed_in(appointed)
    assert client.get(world.topics["staff"].get_absolute_url()).status_code == 404
    reply = world.reply("public")
    assert client.post(f"/p/{reply.pk}/history/1/revert/").status_code == 403
    assert "Topic in staff" not in client.get("/latest/").content.decode()


def test_group_with_moderate_right_moderates_that_category(world):
    CategoryAccess.objects.filter(group=world.helpers).update(can_moderate=True)
    helper = world.users["group_member"]
    client = signed_in(helper)
    reply = world.reply("groups")
    # No two-factor sign-in yet: no moderating.
    assert client.post(f"/p/{reply.pk}/history/1/revert/").status_code == 403
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(helper, generate_totp_secret())
    assert client.post(f"/p/{reply.pk}/history/1/revert/").status_code == 302
    other = world.reply("public")
    assert client.post(f"/p/{other.pk}/history/1/revert/").status_code == 403


def test_group_rights_follow_the_flags_of_its_row(world):
    CategoryAccess.objects.filter(group=world.helpers).update(can_start=False)
    client = signed_in(world.users["group_member"])
    refused = client.post("/c/helpers/new/", {"title": "Hi", "body": "Words kept"})
    assert refused.status_code == 403
    html = refused.content.decode()
    assert "members of some groups" in html and "Words kept" in html
    topic = world.topics["groups"]
    assert client.post(f"/t/{topic.pk}/reply/", {"body": "Still replying"}).status_code == 302


def test_kept_rights_follow_group_and_appointment_changes_at_once(world):
    """A member's rights are kept between requests; every change to them shows at once."""
    member = world.users["member"]
    client = signed_in(member)
    topic_url = world.topics["groups"].get_absolute_url()
    staff_url = world.topics["staff"].get_absolute_url()
    assert client.get(topic_url).status_code == 404  # rights now kept: none there
    member.groups.add(world.helpers)
    assert client.get(topic_url).status_code == 200
    CategoryAccess.objects.filter(group=world.helpers).update(can_read=False)
    assert client.get(topic_url).status_code == 404
    CategoryAccess.objects.filter(group=world.helpers).update(can_read=True)
    assert client.get(topic_url).status_code == 200
    member.groups.remove(world.helpers)
    assert client.get(topic_url).status_code == 404
    # An appointment as moderator of the staff category (with two-factor sign-in) opens it.
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(member, generate_totp_secret())
    assert client.get(staff_url).status_code == 404
    world.categories["staff"].moderators.add(member)
    assert client.get(staff_url).status_code == 200
    world.categories["staff"].moderators.remove(member)
    assert client.get(staff_url).status_code == 404


# --- Suspensions ---------------------------------------------------------------------------


def test_suspended_member_is_refused_calmly_with_the_end_date_and_text_kept(world):
    suspended = world.users["suspended"]
    client = signed_in(suspended)
    topic = world.topics["public"]
    response = client.post(f"/t/{topic.pk}/reply/", {"body": "What I wanted to say"})
    assert response.status_code == 403
    html = response.content.decode()
    until = timezone.localtime(suspended.posting_blocked_until)
    assert f"until {until.day} {until:%B %Y}" in html
    assert "What I wanted to say" in html
    assert "You can still read everything" in html
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "paused from posting" in page and 'name="body"' not in page
    reply = world.reply("public")
    react = client.post(f"/p/{reply.pk}/react/", {"kind": "thanks"})
    assert react.status_code == 403 and "paused from posting" in react.content.decode()


def test_suspended_member_cannot_edit_own_post_and_keeps_the_text(world):
    suspended = world.users["suspended"]
    topic = make_topic(world.categories["public"], author=suspended, title="Mine")
    response = signed_in(suspended).post(
        f"/p/{topic.first_post_id}/edit/", {"body": "My better words"}
    )
    assert response.status_code == 403
    assert "My better words" in response.content.decode()
    assert Post.objects.get(pk=topic.first_post_id).body_markdown == "First post."


def test_suspended_member_cannot_write_messages(world):
    suspended = world.users["suspended"]
    response = signed_in(suspended).post(
        "/messages/new/", {"recipients": "member", "subject": "Hi", "body": "Private words"}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "paused from posting" in html and "Private words" in html


def test_suspension_that_has_ended_no_longer_refuses(world):
    suspended = world.users["suspended"]
    suspended.posting_blocked_until = timezone.now() - timedelta(minutes=1)
    suspended.save(update_fields=["posting_blocked_until"])
    topic = world.topics["public"]
    response = signed_in(suspended).post(f"/t/{topic.pk}/reply/", {"body": "Back again"})
    assert response.status_code == 302


# --- Merged topics -------------------------------------------------------------------------


def test_merged_topic_address_leads_to_the_topic_it_was_merged_into(world):
    source, target = world.topics["public"], world.topics["elsewhere"]
    Topic.objects.filter(pk=source.pk).update(merged_into=target)
    client = signed_in(world.users["member"])
    for url in [source.get_absolute_url(), f"/t/{source.pk}/"]:
        response = client.get(url)
        assert response.status_code in (301, 302)
        assert response["Location"] == target.get_absolute_url(), url
    assert client.get(f"/unread/{source.pk}/")["Location"].startswith(target.get_absolute_url())
    assert source.title not in client.get("/latest/").content.decode()
    reply = client.post(f"/t/{source.pk}/reply/", {"body": "Here?"})
    assert reply.status_code == 403 and "Please reply there" in reply.content.decode()


def test_merged_into_unreadable_topic_is_not_found(world):
    source, target = world.topics["public"], world.topics["staff"]
    Topic.objects.filter(pk=source.pk).update(merged_into=target)
    assert signed_in(world.users["member"]).get(source.get_absolute_url()).status_code == 404


# --- Waiting, hidden and removed content --------------------------------------------------


def _hide(post: Post, reason: str = "Under review") -> None:
    Post.objects.filter(pk=post.pk).update(is_hidden=True, hidden_reason=reason)


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("guest", False),
        ("member", False),
        ("writer", True),
        ("catmod", True),
        ("global_mod", True),
    ],
)
def test_hidden_and_waiting_posts_reach_only_their_author_and_moderators(world, role, sees):
    topic = world.topics["public"]
    hidden = world.reply("public")
    _hide(hidden, reason="Quoted a dose table")
    waiting = actions.create_reply(topic, author=hidden.author, body="Waiting words")
    Post.objects.filter(pk=waiting.pk).update(approval="pending")
    user = Topic.objects.get(pk=topic.pk).author if role == "writer" else world.users[role]
    client = signed_in(user)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert ("Reply, edited." in html) == sees
    assert ("Waiting words" in html) == sees
    assert ("Hidden by a moderator: Quoted a dose table" in html) == sees
    assert ("Waiting for a moderator to approve it." in html) == sees
    assert "First post." in html  # the rest of the topic as ever
    for post in (hidden, waiting):
        assert client.get(f"/p/{post.pk}/").status_code == (302 if sees else 404)


def test_hidden_post_leaves_member_pages_feeds_and_quotes(world, client):
    hidden = world.reply("public")
    actions.edit_post(hidden, editor=hidden.author, body="Only for the moderators now")
    shown = client.get("/u/writer/").content.decode()
    assert "Only for the moderators now" in shown
    _hide(hidden)
    assert "Only for the moderators now" not in client.get("/u/writer/").content.decode()
    feed = client.get(f"/t/{world.topics['public'].pk}/feed/").content.decode()
    assert "Only for the moderators now" not in feed and "First post." in feed
    for user in (world.users["member"], hidden.author):  # not even its author spreads it
        quoting = signed_in(user).get(f"/t/{world.topics['public'].pk}/reply/?quote={hidden.pk}")
        assert "Only for the moderators now" not in quoting.content.decode()


def test_removed_post_stays_a_short_line_for_everyone(world):
    removed = world.reply("public")
    Post.objects.filter(pk=removed.pk).update(is_deleted=True)
    for role in ("member", "global_mod"):
        html = signed_in(world.users[role]).get(world.topics["public"].get_absolute_url())
        assert "This post was removed." in html.content.decode()


@pytest.mark.parametrize(
    ("role", "status", "listed"),
    [
        ("guest", 404, False),
        ("member", 404, False),
        ("writer", 200, True),
        ("catmod", 200, True),
        ("global_mod", 200, True),
    ],
)
def test_waiting_topic_is_seen_by_its_author_and_moderators_only(world, role, status, listed):
    topic = world.topics["public"]
    Topic.objects.filter(pk=topic.pk).update(approval="pending")
    user = topic.author if role == "writer" else world.users[role]
    client = signed_in(user)
    response = client.get(topic.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        assert "Waiting for a moderator" in response.content.decode()
    category_page = client.get("/c/public/").content.decode()
    assert (topic.title in category_page) == listed
    if role in ("guest", "member"):
        assert topic.title not in client.get("/latest/").content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [("member", 404), ("writer", 404), ("catmod", 200), ("global_mod", 200), ("admin", 200)],
)
def test_removed_topic_is_seen_by_moderators_only(world, role, status):
    topic = world.topics["public"]
    Topic.objects.filter(pk=topic.pk).update(is_deleted=True)
    user = topic.author if role == "writer" else world.users[role]
    client = signed_in(user)
    response = client.get(topic.get_absolute_url())
    assert response.status_code == status
    category_page = client.get("/c/public/").content.decode()
    assert (topic.title in category_page) == (status == 200)
    if status == 200:
        assert "Removed: only moderators see this topic" in response.content.decode()
    assert topic.title not in client.get("/latest/").content.decode()
    assert client.get(f"/p/{topic.first_post_id}/").status_code == (302 if status == 200 else 404)


def test_topic_page_with_every_post_hidden_still_counts_as_read(world):
    topic = world.topics["public"]
    hidden = actions.create_reply(topic, author=topic.author, body="Last, then hidden")
    _hide(hidden)
    client = signed_in(world.users["member"])
    client.get(topic.get_absolute_url())
    assert "Topic in public" not in client.get("/unread/").content.decode()


# --- Counters ------------------------------------------------------------------------------


def test_recounting_counts_only_what_everyone_sees(world):
    category = world.categories["public"]
    topic = world.topics["public"]
    last = actions.create_reply(topic, author=topic.author, body="Third")
    _hide(last)
    recount_topic(topic)
    assert topic.reply_count == 1 and topic.last_post_id == world.reply("public").pk
    recount_category(category)
    assert (category.topic_count, category.post_count) == (1, 2)
    assert category.last_post_id == world.reply("public").pk
    Topic.objects.filter(pk=topic.pk).update(is_deleted=True)
    recount_category(category)
    assert (category.topic_count, category.post_count, category.last_post_id) == (0, 0, None)


def test_recounting_takes_one_statement_each(world, django_assert_num_queries):
    topic, category = world.topics["public"], world.categories["public"]
    with django_assert_num_queries(2):  # the update, then the object's fields refreshed
        recount_topic(topic)
    with django_assert_num_queries(2):
        recount_category(category)


# --- Notifications -------------------------------------------------------------------------


def test_followers_who_lost_access_are_not_told_of_new_topics(world):
    category = world.categories["groups"]
    stays, leaves = world.users["group_member"], UserFactory(username="leaver")
    leaves.groups.add(world.helpers)
    for follower in (stays, leaves):
        notifications.follow(follower, target_type="category", target_id=category.pk)
    leaves.groups.remove(world.helpers)
    actions.create_topic(category, author=world.users["global_mod"], title="News", body="x")
    assert Notification.objects.filter(recipient=stays, kind="new_topic").exists()
    assert not Notification.objects.filter(recipient=leaves).exists()


def test_topic_followers_and_mentions_outside_a_staff_category_are_not_told(world):
    topic = world.topics["staff"]
    former = UserFactory(username="former", two_factor=True)
    world.categories["staff"].moderators.add(former)
    notifications.follow(former, target_type="topic", target_id=topic.pk)
    notifications.follow(world.users["catmod"], target_type="topic", target_id=topic.pk)
    world.categories["staff"].moderators.remove(former)
    actions.create_reply(
        topic, author=world.users["global_mod"], body="Thoughts, @member and @catmod?"
    )
    assert not Notification.objects.filter(recipient__in=[former, world.users["member"]]).exists()
    assert set(
        Notification.objects.filter(recipient=world.users["catmod"]).values_list("kind", flat=True)
    ) == {"mention"}


def test_waiting_post_tells_nobody(world):
    topic = world.topics["public"]
    notifications.follow(world.users["member"], target_type="topic", target_id=topic.pk)
    post = actions.create_reply(topic, author=world.users["member"], body="placeholder")
    Notification.objects.all().delete()
    Post.objects.filter(pk=post.pk).update(approval="pending")
    post.refresh_from_db()
    from stepdown.forum import notifying

    notifying.after_reply(post, mentioned=[world.users["catmod"]])
    assert not Notification.objects.exists()


# --- Cost ----------------------------------------------------------------------------------


def _count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


@pytest.mark.usefixtures("members_pages_rendered")
def test_pages_cost_the_same_for_a_member_of_three_groups_as_of_none(world):
    ungrouped = UserFactory(username="ungrouped")
    grouped = UserFactory(username="grouped")
    for name in ("A", "B", "C"):
        group = Group.objects.create(name=name)
        grouped.groups.add(group)
        CategoryAccess.objects.create(category=world.categories["groups"], group=group)
    world.categories["elsewhere"].moderators.add(grouped)
    plain_client, grouped_client = signed_in(ungrouped), signed_in(grouped)
    topic = world.topics["public"]
    urls = ["/", "/c/public/", "/latest/", "/unread/", topic.get_absolute_url(), "/u/writer/"]
    for url in urls:
        _count_queries(plain_client, url)  # first visits write read state; compare the second
        _count_queries(grouped_client, url)
        assert _count_queries(grouped_client, url) == _count_queries(plain_client, url), url
    # And in the groups category itself: the same as a public one.
    helper = signed_in(world.users["group_member"])
    group_topic = world.topics["groups"].get_absolute_url()
    _count_queries(helper, group_topic)
    _count_queries(plain_client, topic.get_absolute_url())
    assert _count_queries(helper, group_topic) == _count_queries(
        plain_client, topic.get_absolute_url()
    )


def test_guest_pages_keep_their_query_counts(world, client, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get("/")
    with django_assert_num_queries(3):
        client.get("/c/public/")
    with django_assert_num_queries(5):
        client.get(world.topics["public"].get_absolute_url())


# --- Public discovery ------------------------------------------------------------------------


def test_groups_and_staff_content_never_reaches_feeds_or_the_sitemap(world, client):
    for kind in ("groups", "staff"):
        topic, category = world.topics[kind], world.categories[kind]
        assert client.get(f"/c/{category.slug}/feed/").status_code == 404
        assert client.get(f"/t/{topic.pk}/feed/").status_code == 404
    sitemap = client.get("/sitemap-topics.xml").content.decode()
    assert re.search(rf"/t/{world.topics['public'].pk}/", sitemap)
    for kind in ("groups", "staff"):
        assert f"/t/{world.topics[kind].pk}/" not in sitemap


def test_category_moderator_without_two_factor_is_asked_on_the_account_page(client, category):
    from tests.factories import UserFactory

    keeper = UserFactory(username="keeper")
    category.moderators.add(keeper)
    client.force_login(keeper)
    html = client.get("/account/").content.decode()
    assert "You moderate a category. Set up two-factor sign-in" in html
    assert 'href="/account/profile/"' in html
