"""Who may see and do what: every URL of ours x {guest, member, other member, moderator, admin}.

The world: `member` started a public topic that `other` replied to; a members-only topic; a locked
topic; a moderators-only category; a removed post. Journals: `member` shares their chart by
secret link, `other` with members; moderator and admin keep none (and see no one's unshared
journal). Each case lists the expected status per role.
A test below fails when a URL of ours has no case here, so no new view slips past the matrix.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from stepdown.forum.models import Post, Topic
from tests.factories import CategoryFactory, UserFactory, make_topic
from tests.tapering_web.matrix import NEW_PLAN, shared_link_url, taper_owner, taper_plan_url

ROLES = ("guest", "member", "other", "moderator", "admin")
JOURNAL_DAY = date(2025, 1, 15)


@dataclass
class World:
    users: dict
    public: Topic
    members_only: Topic
    locked: Topic
    moderators_only: Topic
    removed: Post
    journal_token: str = ""  # member's chart, shared by secret link

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
    # Edited once, so each has revisions 1 and 2 to revert between.
    from stepdown.forum.actions import edit_post

    for topic in (public, members_only):
        edit_post(topic.first_post, editor=users["member"], body="First post, edited.")
    # Journals: member shares by secret link, other with members; staff keep none.
    from stepdown.journals import actions as journal_actions
    from stepdown.journals.actions import DoseInput, EntryInput

    member_journal = journal_actions.grant_consent(users["member"])
    journal_actions.save_entry(
        member_journal, day=JOURNAL_DAY, data=EntryInput(doses=(DoseInput("diazepam", 5),))
    )
    journal_actions.set_sharing(member_journal, sharing="link")
    other_journal = journal_actions.grant_consent(users["other"])
    journal_actions.set_sharing(other_journal, sharing="members")
    return World(
        users,
        public,
        members_only,
        locked,
        moderators_only,
        removed,
        journal_token=member_journal.share_token,
    )


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


def journal_keepers(keepers, others, guest=302):
    """Member and other keep journals (with consent); moderator and admin have none."""
    return {
        "guest": guest,
        "member": keepers,
        "other": keepers,
        "moderator": others,
        "admin": others,
    }


ENTRY = f"/journal/entry/{JOURNAL_DAY.isoformat()}/"
ENTRY_DATA = {
    "dose-TOTAL_FORMS": "1",
    "dose-INITIAL_FORMS": "0",
    "dose-0-drug": "diazepam",
    "dose-0-mg": "4",
    "notes": "matrix",
}

JOURNAL_CASES = [
    Case("journals:home", "get", lambda w: "/journal/", signed_in(200)),
    Case("journals:entry", "get", lambda w: ENTRY, journal_keepers(200, 302)),
    Case("journals:entry", "post", lambda w: ENTRY, signed_in(302), ENTRY_DATA),
    Case("journals:entry", "get", lambda w: "/journal/entry/2025-02-30/", signed_in(400)),
    Case("journals:entry_delete", "post", lambda w: f"{ENTRY}delete/", signed_in(302)),
    Case("journals:chart", "get", lambda w: "/journal/chart/", journal_keepers(200, 302)),
    Case("journals:share", "get", lambda w: "/journal/share/", journal_keepers(200, 302)),
    Case(
        "journals:share",
        "post",
        lambda w: "/journal/share/",
        signed_in(302),
        {"sharing": "private"},
    ),
    Case("journals:signature", "get", lambda w: "/journal/signature/", journal_keepers(200, 302)),
    Case(
        "journals:signature",
        "post",
        lambda w: "/journal/signature/",
        signed_in(302),
        {"enabled": "on", "show": ["drug"]},
    ),
    Case("journals:shared_link", "get", lambda w: f"/journal/s/{w.journal_token}/", every(200)),
    Case("journals:shared_link", "get", lambda w: "/journal/s/not-the-token/", every(404)),
    Case(
        "journals:shared_with_members",
        "get",
        lambda w: "/journal/m/other/",
        signed_in(200, guest=404),
    ),
    Case(
        "journals:shared_with_members",
        "get",
        lambda w: "/journal/m/member/",  # shared by link only: members see nothing
        {**every(404), "member": 200},
    ),
    Case("journals:consent", "get", lambda w: "/journal/consent/", journal_keepers(302, 200)),
    Case(
        "journals:consent", "post", lambda w: "/journal/consent/", signed_in(302), {"agree": "on"}
    ),
    Case("journals:withdraw", "get", lambda w: "/journal/withdraw/", signed_in(200)),
    Case("journals:withdraw", "post", lambda w: "/journal/withdraw/", signed_in(302)),
    Case("journals:delete", "get", lambda w: "/journal/delete/", signed_in(200)),
    Case(
        "journals:delete", "post", lambda w: "/journal/delete/", signed_in(302), {"confirm": "on"}
    ),
    Case("journals:export_json", "get", lambda w: "/journal/export.json", signed_in(200)),
    Case("journals:export_csv", "get", lambda w: "/journal/export.csv", signed_in(200)),
]


# Taper plans: `member` owns them (private unless a case says otherwise); see tapering_web/matrix.
TAPER_CASES = [
    Case("tapering:home", "get", lambda w: "/taper/", every(200)),
    Case("tapering:equivalence", "get", lambda w: "/taper/equivalence/", every(200)),
    Case(
        "tapering:equivalence",
        "get",
        lambda w: "/taper/equivalence/?from_drug=alprazolam&mg=1",
        every(200),
    ),
    Case("tapering:plan_list", "get", lambda w: "/taper/plans/", signed_in(200)),
    Case("tapering:plan_new", "get", lambda w: "/taper/plans/new/?drug=clonazepam", signed_in(200)),
    Case("tapering:plan_new", "post", lambda w: "/taper/plans/new/", signed_in(302), NEW_PLAN),
    Case("tapering:plan_detail", "get", lambda w: taper_plan_url(w), taper_owner(200)),
    Case(
        "tapering:plan_detail",
        "get",
        lambda w: taper_plan_url(w, sharing="members"),
        signed_in(200),
    ),
    Case("tapering:plan_detail", "get", lambda w: "/taper/plans/99999/", signed_in(404)),
    Case(
        "tapering:plan_version", "get", lambda w: taper_plan_url(w, "versions/1/"), taper_owner(200)
    ),
    Case(
        "tapering:plan_version",
        "get",
        lambda w: taper_plan_url(w, "versions/1/", sharing="members"),
        taper_owner(200),
    ),
    Case("tapering:plan_print", "get", lambda w: taper_plan_url(w, "print/"), taper_owner(200)),
    Case(
        "tapering:plan_print",
        "get",
        lambda w: taper_plan_url(w, "print/", sharing="members"),
        signed_in(200),
    ),
    Case("tapering:plan_csv", "get", lambda w: taper_plan_url(w, "plan.csv"), taper_owner(200)),
    Case("tapering:plan_ics", "get", lambda w: taper_plan_url(w, "plan.ics"), taper_owner(200)),
    Case(
        "tapering:plan_ics",
        "get",
        lambda w: taper_plan_url(w, "plan.ics", sharing="link"),
        taper_owner(200),
    ),
    Case("tapering:plan_hold", "post", lambda w: taper_plan_url(w, "hold/"), taper_owner(302)),
    Case(
        "tapering:plan_hold",
        "post",
        lambda w: taper_plan_url(w, "hold/", sharing="members"),
        taper_owner(302),
    ),
    Case(
        "tapering:plan_resume",
        "get",
        lambda w: taper_plan_url(w, "resume/", held=True),
        taper_owner(200),
    ),
    Case("tapering:plan_replan", "get", lambda w: taper_plan_url(w, "replan/"), taper_owner(200)),
    Case(
        "tapering:plan_sharing",
        "post",
        lambda w: taper_plan_url(w, "sharing/"),
        taper_owner(302),
        {"sharing": "link"},
    ),
    Case("tapering:plan_delete", "get", lambda w: taper_plan_url(w, "delete/"), taper_owner(200)),
    Case(
        "tapering:plan_delete",
        "post",
        lambda w: taper_plan_url(w, "delete/", sharing="members"),
        taper_owner(302),
    ),
    Case("tapering:shared_plan", "get", lambda w: shared_link_url(w), every(200)),
    Case("tapering:shared_plan", "get", lambda w: shared_link_url(w, revoked=True), every(404)),
    Case("tapering:shared_plan", "get", lambda w: "/taper/shared/not-the-token/", every(404)),
]


def own_post(author, others, guest=302):
    """`member` wrote the post; the other roles did not."""
    return {"guest": guest, "member": author, "other": others, "moderator": others, "admin": others}


def first_post_url(topic, suffix):
    return lambda w: f"/p/{getattr(w, topic).first_post_id}/{suffix}"


# Reactions and edit history. The public topic's first post is `member`'s, its reply `other`'s.
POST_CASES = [
    Case(
        "forum:react",
        "post",
        lambda w: f"/p/{w.reply.pk}/react/",
        {**signed_in(302), "other": 403},  # no reacting to one's own post
        {"kind": "thanks"},
    ),
    Case(
        "forum:react",
        "post",
        first_post_url("public", "react/"),
        own_post(403, 302),
        {"kind": "hug"},
    ),
    Case(
        "forum:react",
        "post",
        first_post_url("members_only", "react/"),
        own_post(403, 302, guest=404),
        {"kind": "like"},
    ),
    Case(
        "forum:react",
        "post",
        first_post_url("locked", "react/"),
        {**staff_only(302, 403, 302)},
        {"kind": "like"},
    ),
    Case("forum:react", "post", lambda w: f"/p/{w.removed.pk}/react/", every(404), {"kind": "hug"}),
    Case("forum:post_reactions", "get", lambda w: f"/p/{w.reply.pk}/reactions/", every(200)),
    Case(
        "forum:post_reactions",
        "get",
        first_post_url("members_only", "reactions/"),
        signed_in(200, guest=404),
    ),
    Case("forum:post_reactions", "get", lambda w: f"/p/{w.removed.pk}/reactions/", every(404)),
    Case(
        "forum:edit_post",
        "get",
        first_post_url("public", "edit/"),
        staff_only(200, 403, 302) | {"member": 200},
    ),
    Case(
        "forum:edit_post",
        "post",
        first_post_url("public", "edit/"),
        staff_only(302, 403, 302) | {"member": 302},
        {"body": "Edited in the matrix."},
    ),
    Case(
        "forum:edit_post",
        "post",
        first_post_url("members_only", "edit/"),
        staff_only(302, 403, 404) | {"member": 302},
        {"body": "Edited in the matrix."},
    ),
    Case("forum:edit_post", "get", lambda w: f"/p/{w.removed.pk}/edit/", every(404)),
    Case("forum:post_history", "get", first_post_url("public", "history/"), every(200)),
    Case(
        "forum:post_history",
        "get",
        first_post_url("members_only", "history/"),
        signed_in(200, guest=404),
    ),
    Case(
        "forum:revert_post",
        "post",
        first_post_url("public", "history/1/revert/"),
        staff_only(302, 403, 302),
    ),
    Case(
        "forum:revert_post",
        "post",
        first_post_url("members_only", "history/1/revert/"),
        staff_only(302, 403, 404),
    ),
    Case(
        "forum:revert_post",
        "post",
        lambda w: f"/p/{w.removed.pk}/history/1/revert/",
        every(404),
    ),
]

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
    *POST_CASES,
    Case("uploads:new", "get", lambda w: "/uploads/new/", signed_in(200)),
    # No file chosen: the form again with a clear message; nothing is stored.
    Case("uploads:new", "post", lambda w: "/uploads/new/", signed_in(400), {"description": "x"}),
    Case("uploads:detail", "get", lambda w: "/uploads/99999/", signed_in(404)),
    Case(
        "uploads:serve",
        "get",
        lambda w: "/media/uploads/2025/01/0123456789abcdef0123456789abcdef.png",
        every(404),
    ),
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
    *JOURNAL_CASES,
    *TAPER_CASES,
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
    """Every named route in our own namespaces (forum, accounts, journals, tapering)."""
    resolver = resolver or get_resolver()
    names = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= our_route_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            if namespace.startswith(("forum:", "accounts:", "journals:", "tapering:", "uploads:")):
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
