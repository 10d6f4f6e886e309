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
from stepdown.notifications.emails import unsubscribe_token
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
    # A private conversation of member and other: other's message 2 (reported by member) and
    # message 3 (not reported).
    conversation_id: int = 0
    reported_message_id: int = 0
    message_id: int = 0
    report_id: int = 0
    # A "groups" category whose group `other` is in, and a staff-only one (issue 7's roles).
    groups_topic_id: int = 0
    staff_topic_id: int = 0

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
    from django.contrib.auth.models import Group

    from stepdown.forum.models import CategoryAccess

    helpers = Group.objects.create(name="Helpers")
    users["other"].groups.add(helpers)
    helpers_category = CategoryFactory(slug="helpers", read_access="groups", post_access="groups")
    CategoryAccess.objects.create(category=helpers_category, group=helpers)
    groups_topic = make_topic(helpers_category, author=users["other"], title="Helpers only")
    staff_room = CategoryFactory(slug="staff-room", read_access="staff")
    staff_topic = make_topic(staff_room, author=users["moderator"], title="Staff only")
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
    # Conversations and reports: member wrote to other, who answered twice; member reported one.
    from stepdown.conversations import actions as conversation_actions
    from stepdown.moderation.actions import file_report

    conversation = conversation_actions.start_conversation(
        users["member"], [users["other"]], subject="Private", body="Hello other."
    )
    reported = conversation_actions.reply(conversation, author=users["other"], body="Hello.")
    unreported = conversation_actions.reply(conversation, author=users["other"], body="Again.")
    report, _created = file_report(
        users["member"],
        target_type="message",
        target_id=reported.pk,
        target_author_id=users["other"].pk,
        reason="unkind",
    )
    return World(
        users,
        public,
        members_only,
        locked,
        moderators_only,
        removed,
        journal_token=member_journal.share_token,
        conversation_id=conversation.pk,
        reported_message_id=reported.pk,
        message_id=unreported.pk,
        report_id=report.pk,
        groups_topic_id=groups_topic.pk,
        staff_topic_id=staff_topic.pk,
    )


@dataclass(frozen=True)
class Case:
    route: str  # URL name this case covers
    method: str
    url: Callable[[World], str]
    expected: dict  # role -> status
    data: dict | None = None


def unsubscribe_path(world: World) -> str:
    return f"/notifications/unsubscribe/{unsubscribe_token(world.users['member'])}/"


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
    # Earlier versions: the author (`member`) and the moderators; other readers are refused.
    Case(
        "forum:post_history",
        "get",
        first_post_url("public", "history/"),
        staff_only(200, 403, 302) | {"member": 200},
    ),
    Case(
        "forum:post_history",
        "get",
        first_post_url("members_only", "history/"),
        staff_only(200, 403, 404) | {"member": 200},
    ),
    Case("forum:post_history", "get", lambda w: f"/p/{w.removed.pk}/history/", every(404)),
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


def in_conversation(allowed, guest=302):
    """`member` and `other` take part in the world's conversation; moderator and admin don't."""
    return {"guest": guest, "member": allowed, "other": allowed, "moderator": 404, "admin": 404}


def conversation_url(suffix=""):
    return lambda w: f"/messages/{w.conversation_id}/{suffix}"


CONVERSATION_CASES = [
    Case("conversations:inbox", "get", lambda w: "/messages/", signed_in(200)),
    Case("conversations:new", "get", lambda w: "/messages/new/", signed_in(200)),
    Case(
        "conversations:new",
        "post",
        lambda w: "/messages/new/",
        {**signed_in(302), "member": 400},  # naming yourself is explained
        {"recipients": "member", "subject": "Hi", "body": "Hello"},
    ),
    Case("conversations:conversation", "get", conversation_url(), in_conversation(200)),
    Case("conversations:conversation", "get", lambda w: "/messages/99999/", signed_in(404)),
    Case(
        "conversations:reply",
        "post",
        conversation_url("reply/"),
        in_conversation(302),
        {"body": "Hi"},
    ),
    Case("conversations:reply", "get", conversation_url("reply/"), every(405)),
    Case("conversations:invite", "get", conversation_url("invite/"), in_conversation(200)),
    Case(
        "conversations:invite",
        "post",
        conversation_url("invite/"),
        in_conversation(302),
        {"usernames": "moderator"},
    ),
    Case("conversations:leave", "get", conversation_url("leave/"), in_conversation(200)),
    Case("conversations:leave", "post", conversation_url("leave/"), in_conversation(302)),
]

BLOCK_CASES = [
    Case("accounts:blocked", "get", lambda w: "/account/blocked/", signed_in(200)),
    Case(
        "accounts:block", "get", lambda w: "/account/block/other/", {**signed_in(200), "other": 400}
    ),
    Case(
        "accounts:block",
        "post",
        lambda w: "/account/block/other/",
        {**signed_in(302), "other": 400},
    ),
    Case("accounts:block", "get", lambda w: "/account/block/nobody-here/", signed_in(404)),
    Case("accounts:unblock", "post", lambda w: "/account/unblock/other/", signed_in(302)),
    Case("accounts:unblock", "get", lambda w: "/account/unblock/other/", every(405)),
]


def report_path(kind, pk):
    return lambda w: f"/moderation/report/{kind}/{pk(w)}/"


def moderators(allowed, others=404, guest=302):
    """The report queue: moderator and admin (with two-factor sign-in); not found for members."""
    return {
        "guest": guest,
        "member": others,
        "other": others,
        "moderator": allowed,
        "admin": allowed,
    }


REPORT_CASES = [
    # A message: its participants report it (not their own); others cannot see it.
    Case(
        "moderation:report",
        "get",
        report_path("message", lambda w: w.message_id),
        {**in_conversation(200), "other": 403},
    ),
    Case(
        "moderation:report",
        "post",
        report_path("message", lambda w: w.message_id),
        {**in_conversation(302), "other": 403},
        {"reason": "spam"},
    ),
    # Reported already: a calm note and back to the message.
    Case(
        "moderation:report",
        "get",
        report_path("message", lambda w: w.reported_message_id),
        {**in_conversation(302), "other": 403},
    ),
    Case(
        "moderation:report",
        "get",
        report_path("post", lambda w: w.reply.pk),
        {**signed_in(200), "other": 403},
    ),
    Case(
        "moderation:report",
        "get",
        report_path("post", lambda w: w.members_only.first_post_id),
        {**signed_in(200), "member": 403},
    ),
    Case("moderation:report", "get", report_path("post", lambda w: w.removed.pk), signed_in(404)),
    Case("moderation:report", "get", report_path("journal", lambda w: 1), signed_in(404)),
    Case("moderation:queue", "get", lambda w: "/moderation/reports/", moderators(200)),
    Case(
        "moderation:report_detail",
        "get",
        lambda w: f"/moderation/reports/{w.report_id}/",
        moderators(200),
    ),
    Case(
        "moderation:claim",
        "post",
        lambda w: f"/moderation/reports/{w.report_id}/claim/",
        moderators(302),
    ),
    Case(
        "moderation:resolve",
        "post",
        lambda w: f"/moderation/reports/{w.report_id}/resolve/",
        moderators(302),
        {"note": "Looked at it."},
    ),
    Case(
        "moderation:report_note",
        "post",
        lambda w: f"/moderation/reports/{w.report_id}/note/",
        moderators(302),
        {"text": "Asked the member."},
    ),
]


def content_moderators(allowed, visible=403, guest=302):
    """Post and topic actions: the category's moderators (moderator and admin here); members
    who can see the post or topic get a calm 403, what they cannot see is not found."""
    return {
        "guest": guest,
        "member": visible,
        "other": visible,
        "moderator": allowed,
        "admin": allowed,
    }


def mod_post(pk, suffix=""):
    return lambda w: f"/moderation/post/{pk(w)}/{suffix}"


def mod_topic(topic, suffix=""):
    return lambda w: f"/moderation/topic/{getattr(w, topic).pk}/{suffix}"


REPLY = lambda w: w.reply.pk  # noqa: E731 - `other`'s reply in the public topic
REMOVED = lambda w: w.removed.pk  # noqa: E731
LOUNGE_FIRST = lambda w: w.members_only.first_post_id  # noqa: E731

# Moderators' actions on posts and topics, on members, the audit log and the dashboard.
MODERATION_CASES = [
    Case("moderation:dashboard", "get", lambda w: "/moderation/", moderators(200)),
    Case("moderation:audit_log", "get", lambda w: "/moderation/log/", moderators(200)),
    Case("moderation:post_actions", "get", mod_post(REPLY), content_moderators(200)),
    Case("moderation:post_actions", "get", mod_post(LOUNGE_FIRST), content_moderators(200)),
    Case("moderation:post_actions", "get", mod_post(REMOVED), content_moderators(200, 404)),
    Case("moderation:post_actions", "get", lambda w: "/moderation/post/99999/", signed_in(404)),
    Case("moderation:post_hide", "get", mod_post(REPLY, "hide/"), content_moderators(200)),
    Case(
        "moderation:post_hide",
        "post",
        mod_post(REPLY, "hide/"),
        content_moderators(302),
        {"reason": "Matrix"},
    ),
    Case(
        "moderation:post_hide",
        "post",
        mod_post(REPLY, "hide/"),
        content_moderators(400),
        {"reason": ""},
    ),
    Case("moderation:post_unhide", "post", mod_post(REPLY, "unhide/"), content_moderators(302)),
    Case("moderation:post_delete", "get", mod_post(REPLY, "delete/"), content_moderators(200)),
    Case(
        "moderation:post_delete",
        "post",
        mod_post(REPLY, "delete/"),
        content_moderators(302),
        {"reason": "Matrix"},
    ),
    Case(
        "moderation:post_delete",
        "post",
        lambda w: f"/moderation/post/{w.public.first_post_id}/delete/",
        content_moderators(400),
        {"reason": "A first post goes with its topic"},
    ),
    # The world's removed post was removed without a moderator (no date): it cannot come back.
    Case(
        "moderation:post_restore",
        "post",
        mod_post(REMOVED, "restore/"),
        content_moderators(400, 404),
    ),
    Case("moderation:topic_actions", "get", mod_topic("public"), content_moderators(200)),
    Case("moderation:topic_actions", "get", mod_topic("moderators_only"), content_moderators(200)),
    Case(
        "moderation:topic_lock",
        "post",
        mod_topic("public", "lock/"),
        content_moderators(302),
        {"locked": "1"},
    ),
    Case(
        "moderation:topic_lock",
        "post",
        mod_topic("locked", "lock/"),
        content_moderators(302),
        {"locked": "0"},
    ),
    Case(
        "moderation:topic_pin",
        "post",
        mod_topic("public", "pin/"),
        content_moderators(302),
        {"pinned": "1"},
    ),
    Case("moderation:topic_delete", "get", mod_topic("public", "delete/"), content_moderators(200)),
    Case(
        "moderation:topic_delete",
        "post",
        mod_topic("members_only", "delete/"),
        content_moderators(302),
        {"reason": "Matrix"},
    ),
    Case(
        "moderation:topic_restore", "post", mod_topic("public", "restore/"), content_moderators(302)
    ),
    Case("moderation:topic_move", "get", mod_topic("public", "move/"), content_moderators(200)),
    Case(
        "moderation:topic_move",
        "post",
        mod_topic("public", "move/"),
        content_moderators(400),
        {"category": "99999"},
    ),
    Case("moderation:topic_merge", "get", mod_topic("public", "merge/"), content_moderators(200)),
    Case(
        "moderation:topic_merge",
        "post",
        mod_topic("public", "merge/"),
        content_moderators(400),
        {"into": "99999"},
    ),
    Case("moderation:topic_split", "get", mod_topic("public", "split/"), content_moderators(200)),
    Case("moderation:topic_split", "post", mod_topic("public", "split/"), content_moderators(400)),
    Case("moderation:member", "get", lambda w: "/moderation/members/other/", moderators(200)),
    Case("moderation:member", "get", lambda w: "/moderation/members/nobody/", moderators(404)),
    Case(
        "moderation:member_warn",
        "post",
        lambda w: "/moderation/members/other/warn/",
        moderators(302),
        {"reason": "Matrix", "points": "1"},
    ),
    # An admin may suspend a moderator; a moderator may not suspend an admin.
    Case(
        "moderation:member_sanction",
        "post",
        lambda w: "/moderation/members/other/sanction/",
        moderators(302),
        {"kind": "suspension", "reason": "Matrix", "days": "1"},
    ),
    Case(
        "moderation:member_sanction",
        "post",
        lambda w: "/moderation/members/moderator/sanction/",
        moderators(403) | {"admin": 302},
        {"kind": "ban", "reason": "Matrix", "days": "1"},
    ),
    Case(
        "moderation:sanction_lift",
        "post",
        lambda w: "/moderation/sanctions/99999/lift/",
        moderators(404),
    ),
    # A member's own warnings: theirs only.
    Case("moderation:my_warnings", "get", lambda w: "/moderation/warnings/", signed_in(200)),
    Case(
        "moderation:acknowledge_warning",
        "post",
        lambda w: "/moderation/warnings/99999/acknowledge/",
        signed_in(404),
    ),
]


def waiting_post(world: World) -> int:
    """A new member's first reply in the public topic: it waits for a moderator."""
    from stepdown.forum.actions import create_reply

    newcomer = UserFactory(username="newcomer", trust_level=0)
    return create_reply(world.public, author=newcomer, body="My first post.").pk


def waiting_path(suffix):
    return lambda w: f"/moderation/approval/{waiting_post(w)}/{suffix}"


def safety_alert(world: World) -> int:
    from stepdown.moderation.models import SafetyAlert

    alert = SafetyAlert.objects.create(
        kind="crisis", author=world.users["other"], target_type="journal_note"
    )
    return alert.pk


# New members (approval queue, trust levels), the guidelines, "Need help now?", safety alerts.
NEW_MEMBER_CASES = [
    Case("pages:guidelines", "get", lambda w: "/guidelines/", every(200)),
    Case("pages:accept_guidelines", "post", lambda w: "/guidelines/accept/", signed_in(302)),
    Case("pages:accept_guidelines", "get", lambda w: "/guidelines/accept/", every(405)),
    Case("pages:help_now", "get", lambda w: "/help-now/", every(200)),
    Case("pages:help_now", "get", lambda w: "/help-now/?locale=UK", every(200)),
    # Remembering a country on this device: a cookie, for guests too (CSRF-checked).
    Case(
        "pages:remember_locale",
        "post",
        lambda w: "/help-now/remember/",
        every(302),
        {"locale": "UK"},
    ),
    Case("pages:remember_locale", "get", lambda w: "/help-now/remember/", every(405)),
    Case("moderation:approval_queue", "get", lambda w: "/moderation/approval/", moderators(200)),
    # Someone else's waiting post is not found for members; its moderators decide.
    Case("moderation:approve", "post", waiting_path("approve/"), moderators(302)),
    Case(
        "moderation:approve",
        "post",
        lambda w: f"/moderation/approval/{w.reply.pk}/approve/",
        content_moderators(302),  # already approved: "someone decided already"
    ),
    Case("moderation:approve", "get", waiting_path("approve/"), every(405)),
    Case("moderation:reject", "get", waiting_path("reject/"), moderators(200)),
    Case(
        "moderation:reject",
        "post",
        waiting_path("reject/"),
        moderators(302),
        {"reason": "Please leave out the link."},
    ),
    Case("moderation:reject", "post", waiting_path("reject/"), moderators(400), {"reason": ""}),
    Case(
        "moderation:member_trust",
        "get",
        lambda w: "/moderation/members/other/trust/",
        moderators(200),
    ),
    Case(
        "moderation:member_trust",
        "post",
        lambda w: "/moderation/members/other/trust/",
        moderators(302),
        {"level": "3", "reason": "Matrix"},
    ),
    Case(
        "moderation:member_trust",
        "get",
        lambda w: "/moderation/members/nobody-here/trust/",
        moderators(404),
    ),
    Case("moderation:safety_alerts", "get", lambda w: "/moderation/safety/", moderators(200)),
    Case(
        "moderation:handle_alert",
        "post",
        lambda w: f"/moderation/safety/{safety_alert(w)}/handle/",
        moderators(302),
        {"note": "Wrote to them."},
    ),
    Case("moderation:handle_alert", "get", lambda w: "/moderation/safety/1/handle/", every(405)),
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
    # A groups category (`other` is in its group) and a staff-only one: not found for the rest.
    Case(
        "forum:category", "get", lambda w: "/c/helpers/", staff_only(200, 404, 404) | {"other": 200}
    ),
    Case("forum:category", "get", lambda w: "/c/staff-room/", staff_only(200, 404, 404)),
    Case(
        "forum:topic_short",
        "get",
        lambda w: f"/t/{w.groups_topic_id}/",
        staff_only(301, 404, 404) | {"other": 301},
    ),
    Case(
        "forum:topic_short", "get", lambda w: f"/t/{w.staff_topic_id}/", staff_only(301, 404, 404)
    ),
    Case(
        "forum:reply",
        "post",
        lambda w: f"/t/{w.groups_topic_id}/reply/",
        staff_only(302, 404, 404) | {"other": 302},
        {"body": "Hello"},
    ),
    Case(
        "forum:reply",
        "post",
        lambda w: f"/t/{w.staff_topic_id}/reply/",
        staff_only(302, 404, 404),
        {"body": "Hello"},
    ),
    Case("forum:category_feed", "get", lambda w: "/c/helpers/feed/", every(404)),
    Case("forum:category_feed", "get", lambda w: "/c/staff-room/feed/", every(404)),
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
    # Notifications: each member's own; a notification of someone else's is not found.
    Case("notifications:list", "get", lambda w: "/notifications/", signed_in(200)),
    Case("notifications:badge", "get", lambda w: "/notifications/badge/", signed_in(200, 204)),
    Case("notifications:settings", "get", lambda w: "/notifications/settings/", signed_in(200)),
    Case(
        "notifications:settings",
        "post",
        lambda w: "/notifications/settings/",
        signed_in(400),
        {"email_frequency": "sometimes"},
    ),
    Case("notifications:read_all", "post", lambda w: "/notifications/read-all/", signed_in(302)),
    Case("notifications:open", "post", lambda w: "/notifications/99999/open/", signed_in(404)),
    # Unsubscribe links work without signing in (the signed token is the key), for anyone.
    Case("notifications:unsubscribe", "get", unsubscribe_path, every(200)),
    Case("notifications:unsubscribe", "post", unsubscribe_path, every(200)),
    Case("notifications:unsubscribe", "get", lambda w: "/notifications/unsubscribe/x/", every(400)),
    # Follow buttons: members follow what they may read.
    Case("forum:follow_topic", "post", lambda w: f"/t/{w.public.pk}/follow/", signed_in(302)),
    Case(
        "forum:follow_topic",
        "post",
        lambda w: f"/t/{w.members_only.pk}/follow/",
        signed_in(302, guest=404),
    ),
    Case("forum:follow_topic", "get", lambda w: f"/t/{w.public.pk}/follow/", every(405)),
    Case("forum:follow_category", "post", lambda w: "/c/public/follow/", signed_in(302)),
    Case("forum:follow_category", "post", lambda w: "/c/lounge/follow/", signed_in(302, 404)),
    Case("forum:follow_member", "post", lambda w: "/u/other/follow/", signed_in(302)),
    Case("forum:follow_member", "post", lambda w: "/u/nobody/follow/", every(404)),
    # Drafts: composer.js's autosave (a JSON answer) and the plain "Save draft" button.
    Case("forum:reply_draft", "get", lambda w: f"/t/{w.public.pk}/reply/draft/", every(405)),
    Case(
        "forum:reply_draft",
        "post",
        lambda w: f"/t/{w.public.pk}/reply/draft/",
        signed_in(200, guest=401),
        {"body": "Draft", "autosave": "1"},
    ),
    Case(
        "forum:reply_draft",
        "post",
        lambda w: f"/t/{w.public.pk}/reply/draft/",
        signed_in(302),
        {"body": "Draft"},
    ),
    Case(
        "forum:reply_draft",
        "post",
        lambda w: f"/t/{w.members_only.pk}/reply/draft/",
        signed_in(200, guest=404),
        {"body": "Draft", "autosave": "1"},
    ),
    Case(
        "forum:reply_draft",
        "post",
        lambda w: f"/t/{w.locked.pk}/reply/draft/",
        staff_only(200, 403, 401),
        {"body": "Draft", "autosave": "1"},
    ),
    Case(
        "forum:new_topic_draft",
        "post",
        lambda w: "/c/public/new/draft/",
        signed_in(200, guest=401),
        {"body": "Draft", "autosave": "1"},
    ),
    Case(
        "forum:new_topic_draft",
        "post",
        lambda w: "/c/news/new/draft/",
        staff_only(200, 403, 401),
        {"body": "Draft", "autosave": "1"},
    ),
    Case(
        "forum:new_topic_draft",
        "post",
        lambda w: "/c/lounge/new/draft/",
        signed_in(200, guest=404),
        {"body": "Draft", "autosave": "1"},
    ),
    Case(
        "forum:preview",
        "post",
        lambda w: "/compose/preview/",
        signed_in(200, guest=403),
        {"body": "**x**"},
    ),
    Case("forum:preview", "get", lambda w: "/compose/preview/", every(405)),
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
    # Member pages are public; mention suggestions are for signed-in members.
    Case("forum:member", "get", lambda w: "/u/member/", every(200)),
    Case("forum:member", "get", lambda w: "/u/nobody-by-that-name/", every(404)),
    Case("forum:member_suggest", "get", lambda w: "/u/suggest/?q=oth", signed_in(200)),
    # Search is open to all; results and the category list keep to what each reader may read.
    Case("search:search", "get", lambda w: "/search/", every(200)),
    Case("search:search", "get", lambda w: "/search/?q=secret", every(200)),
    Case(
        "search:search",
        "get",
        lambda w: "/search/?q=secret&category=lounge",
        {**every(200), "guest": 400},
    ),
    # Unread tracking: Latest for everyone, the rest of read state for signed-in members.
    Case("forum:latest", "get", lambda w: "/latest/", every(200)),
    Case("forum:unread", "get", lambda w: "/unread/", signed_in(200)),
    Case("forum:first_unread", "get", lambda w: f"/unread/{w.public.pk}/", every(302)),
    Case(
        "forum:first_unread",
        "get",
        lambda w: f"/unread/{w.members_only.pk}/",
        signed_in(302, guest=404),
    ),
    Case("forum:first_unread", "get", lambda w: "/unread/99999/", every(404)),
    Case("forum:mark_all_read", "post", lambda w: "/unread/read-all/", signed_in(302)),
    Case("forum:mark_all_read", "get", lambda w: "/unread/read-all/", every(405)),
    Case("forum:mark_category_read", "post", lambda w: "/c/public/read/", signed_in(302)),
    Case("forum:mark_category_read", "post", lambda w: "/c/lounge/read/", signed_in(302)),
    Case(
        "forum:mark_category_read", "post", lambda w: "/c/nowhere/read/", signed_in(404, guest=302)
    ),
    # Profiles: each member edits their own (a bad choice: the form again, nothing saved).
    Case("forum:edit_profile", "get", lambda w: "/account/profile/", signed_in(200)),
    Case(
        "forum:edit_profile",
        "post",
        lambda w: "/account/profile/",
        signed_in(302),
        {"profile_visibility": "members", "display_name": "Matrix"},
    ),
    Case(
        "forum:edit_profile",
        "post",
        lambda w: "/account/profile/",
        signed_in(400),
        {"profile_visibility": "nobody"},
    ),
    # Feeds, sitemap, robots.txt: public content only, the same for everyone.
    Case("forum:category_feed", "get", lambda w: "/c/public/feed/", every(200)),
    Case("forum:category_feed", "get", lambda w: "/c/lounge/feed/", every(404)),
    Case("forum:topic_feed", "get", lambda w: f"/t/{w.public.pk}/feed/", every(200)),
    Case("forum:topic_feed", "get", lambda w: f"/t/{w.members_only.pk}/feed/", every(404)),
    Case("sitemap", "get", lambda w: "/sitemap.xml", every(200)),
    Case("sitemap_section", "get", lambda w: "/sitemap-topics.xml", every(200)),
    Case("sitemap_section", "get", lambda w: "/sitemap-secret.xml", every(404)),
    Case("robots", "get", lambda w: "/robots.txt", every(200)),
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
    *CONVERSATION_CASES,
    *BLOCK_CASES,
    *REPORT_CASES,
    *MODERATION_CASES,
    *NEW_MEMBER_CASES,
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
    """Every named route in a namespace of ours: every namespace but the admin's (allauth's
    routes have none)."""
    resolver = resolver or get_resolver()
    names = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= our_route_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            if namespace and not namespace.startswith("admin:"):
                names.add(f"{namespace}{entry.name}")
    return names


def test_every_route_of_ours_is_in_the_matrix():
    covered = {case.route for case in CASES}
    missing = our_route_names() - covered
    assert not missing, f"add these routes to the permission matrix: {sorted(missing)}"


def test_members_only_content_never_reaches_guests_through_any_public_page(world):
    guest = Client()
    secret_title = world.members_only.title
    for url in [
        "/",
        "/c/public/",
        world.public.get_absolute_url(),
        "/c/news/",
        "/u/member/",
        "/latest/",
        "/c/public/feed/",
        f"/t/{world.public.pk}/feed/",
        "/sitemap-topics.xml",
        "/search/?q=secret",
    ]:
        html = guest.get(url).content.decode()
        assert secret_title not in html and "/c/lounge/" not in html, url
