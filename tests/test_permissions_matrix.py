"""Who may see and do what: every URL of ours x {guest, member, other member, moderator, admin}.

The world: `member` started a public topic that `other` replied to; a members-only topic; a locked
topic; a moderators-only category; a removed post. Each case lists the expected status per role.
A test below fails when a URL of ours has no case here, so no new view slips past the matrix.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from stepdown.forum.models import Post, Topic
from tests.factories import CategoryFactory, UserFactory, make_topic

ROLES = ("guest", "member", "other", "moderator", "admin")


@dataclass
class World:
    users: dict
    public: Topic
    members_only: Topic
    locked: Topic
    moderators_only: Topic
    removed: Post

    @property
    def reply(self) -> Post:
        return self.public.posts.get(position=2)


@pytest.fixture
def world(db) -> World:
    users = {
        "member": UserFactory(username="member"),
        "other": UserFactory(username="other"),
        "moderator": UserFactory(username="moderator", is_moderator=True, two_factor=True),
        "admin": UserFactory(username="admin", is_staff=True, is_superuser=True, two_factor=True),
    }
    public_category = CategoryFactory(slug="public")
    members_category = CategoryFactory(slug="lounge", read_access="members")
    news = CategoryFactory(slug="news", post_access="moderators")
    public = make_topic(public_category, author=users["member"], title="Public")
    from stepdown.forum.actions import create_reply

    create_reply(public, author=users["other"], body="A reply by other.")
    removed = create_reply(public, author=users["other"], body="Removed later.")
    Post.objects.filter(pk=removed.pk).update(is_deleted=True)
    members_only = make_topic(
        members_category, author=users["member"], title="Lounge secret", replies=1
    )
    locked = make_topic(public_category, author=users["member"], title="Locked")
    Topic.objects.filter(pk=locked.pk).update(is_locked=True)
    moderators_only = make_topic(news, author=users["moderator"], title="News")
    return World(users, public, members_only, locked, moderators_only, removed)


@dataclass(frozen=True)
class Case:
    route: str  # URL name this case covers
    method: str
    url: Callable[[World], str]
    expected: dict  # role -> status
    data: dict | None = None


def every(status):
    return dict.fromkeys(ROLES, status)


def signed_in(status, guest=302):
    return {"guest": guest, **dict.fromkeys(ROLES[1:], status)}


def staff_only(allowed, refused, guest):
    return {
        "guest": guest,
        "member": refused,
        "other": refused,
        "moderator": allowed,
        "admin": allowed,
    }


CASES = [
    Case("forum:home", "get", lambda w: "/", every(200)),
    Case("forum:category", "get", lambda w: "/c/public/", every(200)),
    Case("forum:category", "get", lambda w: "/c/lounge/", signed_in(200, guest=404)),
    Case("forum:category", "get", lambda w: "/c/nowhere/", every(404)),
    Case("forum:new_topic", "get", lambda w: "/c/public/new/", signed_in(200)),
    Case("forum:new_topic", "get", lambda w: "/c/lounge/new/", signed_in(200, guest=404)),
    Case("forum:new_topic", "get", lambda w: "/c/news/new/", staff_only(200, 403, 302)),
    Case(
        "forum:new_topic",
        "post",
        lambda w: "/c/public/new/",
        signed_in(302),
        {"title": "New", "body": "Text"},
    ),
    Case(
        "forum:new_topic",
        "post",
        lambda w: "/c/news/new/",
        staff_only(302, 403, 302),
        {"title": "New", "body": "Text"},
    ),
    Case(
        "forum:new_topic",
        "post",
        lambda w: "/c/lounge/new/",
        signed_in(302, guest=404),
        {"title": "New", "body": "Text"},
    ),
    Case("forum:topic_short", "get", lambda w: f"/t/{w.public.pk}/", every(301)),
    Case(
        "forum:topic_short", "get", lambda w: f"/t/{w.members_only.pk}/", signed_in(301, guest=404)
    ),
    Case("forum:topic", "get", lambda w: w.public.get_absolute_url(), every(200)),
    Case(
        "forum:topic", "get", lambda w: w.members_only.get_absolute_url(), signed_in(200, guest=404)
    ),
    Case("forum:topic", "get", lambda w: "/t/99999/none/", every(404)),
    Case("forum:reply", "get", lambda w: f"/t/{w.public.pk}/reply/", signed_in(200)),
    Case(
        "forum:reply",
        "post",
        lambda w: f"/t/{w.public.pk}/reply/",
        signed_in(302),
        {"body": "Hello"},
    ),
    Case(
        "forum:reply",
        "post",
        lambda w: f"/t/{w.members_only.pk}/reply/",
        signed_in(302, guest=404),
        {"body": "Hello"},
    ),
    Case(
        "forum:reply",
        "post",
        lambda w: f"/t/{w.locked.pk}/reply/",
        staff_only(302, 403, 302),
        {"body": "Hello"},
    ),
    Case(
        "forum:reply",
        "post",
        lambda w: f"/t/{w.moderators_only.pk}/reply/",
        staff_only(302, 403, 302),
        {"body": "Hello"},
    ),
    Case("forum:post", "get", lambda w: f"/p/{w.reply.pk}/", every(302)),
    Case(
        "forum:post",
        "get",
        lambda w: f"/p/{w.members_only.first_post_id}/",
        signed_in(302, guest=404),
    ),
    Case("forum:post", "get", lambda w: f"/p/{w.removed.pk}/", every(404)),
    Case(
        "forum:recommend",
        "post",
        lambda w: f"/p/{w.reply.pk}/recommend/",
        staff_only(302, 403, 403),
    ),
    Case(
        "forum:recommend",
        "post",
        lambda w: f"/p/{w.members_only.posts.get(position=2).pk}/recommend/",
        {**staff_only(302, 403, 404)},
    ),
    Case("forum:recommend", "post", lambda w: f"/p/{w.removed.pk}/recommend/", every(404)),
    Case("accounts:account", "get", lambda w: "/account/", signed_in(200)),
    Case("accounts:export", "get", lambda w: "/account/export/", signed_in(200)),
    Case(
        "accounts:sign_out_everywhere",
        "post",
        lambda w: "/account/sign-out-everywhere/",
        signed_in(302),
    ),
    Case("accounts:delete", "get", lambda w: "/account/delete/", signed_in(200)),
    Case("accounts:deleted", "get", lambda w: "/account/deleted/", every(200)),
    Case("admin:index", "get", lambda w: "/admin/", staff_only(200, 302, 302) | {"moderator": 302}),
    Case(
        "admin:forum_category_changelist",
        "get",
        lambda w: "/admin/forum/category/",
        staff_only(200, 302, 302) | {"moderator": 302},
    ),
]


def client_for(world: World, role: str) -> Client:
    client = Client()
    if role != "guest":
        client.force_login(world.users[role])
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c.method}-{c.route}-{n}" for n, c in enumerate(CASES)]
)
def test_permission_matrix(world, case, role):
    client = client_for(world, role)
    url = case.url(world)
    posts_before = Post.objects.count()
    recommended_before = Post.objects.filter(is_recommended=True).count()
    response = getattr(client, case.method)(url, case.data or {})
    assert response.status_code == case.expected[role], (role, case.method, url)
    if case.method == "post" and response.status_code != 302:
        # Refused writes change nothing.
        assert Post.objects.count() == posts_before
        assert Post.objects.filter(is_recommended=True).count() == recommended_before


def our_route_names(resolver=None, namespace=""):
    """Every named route in our own namespaces (forum, accounts)."""
    resolver = resolver or get_resolver()
    names = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= our_route_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            if namespace.startswith(("forum:", "accounts:")):
                names.add(f"{namespace}{entry.name}")
    return names


def test_every_route_of_ours_is_in_the_matrix():
    covered = {case.route for case in CASES}
    missing = our_route_names() - covered
    assert not missing, f"add these routes to the permission matrix: {sorted(missing)}"


def test_members_only_content_never_reaches_guests_through_any_public_page(world):
    guest = Client()
    secret_title = world.members_only.title
    for url in ["/", "/c/public/", world.public.get_absolute_url(), "/c/news/"]:
        html = guest.get(url).content.decode()
        assert secret_title not in html and "/c/lounge/" not in html, url
