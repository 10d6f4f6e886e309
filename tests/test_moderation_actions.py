"""Moderators acting on posts, topics and reports through the site: hide and restore, remove and
bring back, lock, pin, move, merge and split; reports with notes, filters, an outcome carried
out in one step, and posts hidden automatically after reports from trusted members."""

import pytest
from django.test import Client
from django.utils.html import escape

from stepdown.forum import actions as forum_actions
from stepdown.forum.models import Post, Topic
from stepdown.moderation.models import AuditEntry, Report, ReportNote
from stepdown.notifications.models import Notification
from tests.factories import CategoryFactory, UserFactory, make_topic

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def river(db):
    return UserFactory(username="river")


@pytest.fixture
def topic(category, river):
    return make_topic(category, author=river, title="Week six", body="Opening words.", replies=3)


def reply(topic, position=2) -> Post:
    return topic.posts.get(position=position)


def html_of(response) -> str:
    return response.content.decode()


# --- Hide and show again ---------------------------------------------------------------------


def test_moderator_hides_a_post_with_a_reason_and_others_no_longer_see_it(
    moderator, member, river, topic, django_capture_on_commit_callbacks
):
    post = reply(topic)
    client = signed_in(moderator)
    assert client.get(f"/moderation/post/{post.pk}/hide/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/moderation/post/{post.pk}/hide/", {"reason": "Names a pharmacy that sells without"}
        )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#post-{post.pk}")
    post.refresh_from_db()
    assert post.is_hidden and post.hidden_reason == "Names a pharmacy that sells without"
    assert "Reply number 1." not in html_of(signed_in(member).get(topic.get_absolute_url()))
    assert "Reply number 1." not in html_of(Client().get(topic.get_absolute_url()))
    author_view = html_of(signed_in(river).get(topic.get_absolute_url()))
    assert "Reply number 1." in author_view and "Names a pharmacy that sells without" in author_view
    assert "Reply number 1." in html_of(client.get(topic.get_absolute_url()))
    told = Notification.objects.get(recipient=river, kind="moderation")
    assert "hid one of your posts" in told.text


def test_hiding_needs_a_reason_and_keeps_nothing_changed_without_one(moderator, topic):
    post = reply(topic)
    response = signed_in(moderator).post(f"/moderation/post/{post.pk}/hide/", {"reason": "  "})
    assert response.status_code == 400
    assert "Please give the reason: the member reads it." in html_of(response)
    post.refresh_from_db()
    assert not post.is_hidden
    assert not AuditEntry.objects.exists()


def test_showing_a_hidden_post_again_is_seen_at_once_and_repeating_changes_nothing(
    moderator, member, topic
):
    post = reply(topic)
    client = signed_in(moderator)
    client.post(f"/moderation/post/{post.pk}/hide/", {"reason": "Checking a claim"})
    for _ in range(2):
        assert client.post(f"/moderation/post/{post.pk}/unhide/").status_code == 302
    assert "Reply number 1." in html_of(signed_in(member).get(topic.get_absolute_url()))
    assert list(AuditEntry.objects.values_list("action", flat=True)) == [
        "post.unhide",
        "post.hide",
    ]


def test_hidden_posts_leave_the_counts_and_come_back_with_them(moderator, topic, category):
    post = reply(topic)
    signed_in(moderator).post(f"/moderation/post/{post.pk}/hide/", {"reason": "Checking"})
    topic.refresh_from_db()
    category.refresh_from_db()
    assert (topic.reply_count, category.post_count) == (2, 3)
    signed_in(moderator).post(f"/moderation/post/{post.pk}/unhide/")
    topic.refresh_from_db()
    category.refresh_from_db()
    assert (topic.reply_count, category.post_count) == (3, 4)


# --- Remove and bring back -----------------------------------------------------------------


def test_moderator_removes_a_reply_after_confirming_and_brings_it_back(
    moderator, member, river, topic, django_capture_on_commit_callbacks
):
    post = reply(topic, 3)
    client = signed_in(moderator)
    confirm = client.get(f"/moderation/post/{post.pk}/delete/")
    assert confirm.status_code == 200 and "Reply number 2." in html_of(confirm)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/moderation/post/{post.pk}/delete/", {"reason": "Shared someone's address"})
    post.refresh_from_db()
    assert post.is_deleted and post.deleted_at is not None
    page = html_of(signed_in(member).get(topic.get_absolute_url()))
    assert "Reply number 2." not in page and "This post was removed." in page
    assert "Shared someone" in Notification.objects.get(recipient=river, kind="moderation").text
    client.post(f"/moderation/post/{post.pk}/restore/", {"reason": "Address was fictional"})
    post.refresh_from_db()
    assert not post.is_deleted
    assert "Reply number 2." in html_of(signed_in(member).get(topic.get_absolute_url()))


def test_removing_a_first_post_is_explained_and_changes_nothing(moderator, topic):
    response = signed_in(moderator).post(
        f"/moderation/post/{topic.first_post_id}/delete/", {"reason": "Spam"}
    )
    assert response.status_code == 400
    assert escape("A topic's first post is removed with the topic.") in html_of(response)
    assert not Post.objects.filter(is_deleted=True).exists()


def test_moderator_menu_shows_only_to_moderators_of_the_category(moderator, member, topic):
    menu = 'class="mod-menu'
    assert menu in html_of(signed_in(moderator).get(topic.get_absolute_url()))
    assert menu not in html_of(signed_in(member).get(topic.get_absolute_url()))
    assert menu not in html_of(Client().get(topic.get_absolute_url()))


def test_category_moderator_moderates_their_category_only(topic, river):
    keeper = UserFactory(username="keeper", two_factor=True)
    topic.category.moderators.add(keeper)
    elsewhere = make_topic(CategoryFactory(slug="elsewhere"), author=river, replies=1)
    client = signed_in(keeper)
    here = client.post(f"/moderation/post/{reply(topic).pk}/hide/", {"reason": "Off topic"})
    assert here.status_code == 302
    there = client.post(f"/moderation/post/{reply(elsewhere).pk}/hide/", {"reason": "Off topic"})
    assert there.status_code == 403
    assert "Only the moderators of this category can do this." in html_of(there)
    assert "Off topic" in html_of(there)  # the reason typed is kept
    assert Post.objects.filter(is_hidden=True).count() == 1


def test_members_get_a_calm_refusal_and_guests_are_asked_to_sign_in(member, topic):
    post = reply(topic)
    refused = signed_in(member).post(f"/moderation/post/{post.pk}/hide/", {"reason": "x"})
    assert refused.status_code == 403
    assert Client().post(f"/moderation/post/{post.pk}/hide/", {"reason": "x"}).status_code == 302
    assert signed_in(member).post("/moderation/post/99999/hide/").status_code == 404
    assert not Post.objects.filter(is_hidden=True).exists()


def test_a_moderator_without_two_factor_is_shown_how_to_get_it(topic):
    newcomer = UserFactory(username="newmod", is_moderator=True)
    response = signed_in(newcomer).get(f"/moderation/post/{reply(topic).pk}/hide/")
    assert response.status_code == 403
    assert "Set up two-factor sign-in" in html_of(response)


def test_a_removed_post_is_not_found_for_members(moderator, member, topic):
    post = reply(topic)
    signed_in(moderator).post(f"/moderation/post/{post.pk}/delete/", {"reason": "Spam"})
    assert signed_in(member).post(f"/moderation/post/{post.pk}/restore/").status_code == 404


# --- Topics: lock, pin, remove --------------------------------------------------------------


def test_moderator_locks_and_pins_a_topic_with_a_reason(moderator, member, topic):
    client = signed_in(moderator)
    client.post(
        f"/moderation/topic/{topic.pk}/lock/", {"locked": "1", "reason": "Going in circles"}
    )
    client.post(f"/moderation/topic/{topic.pk}/pin/", {"pinned": "1"})
    topic.refresh_from_db()
    assert topic.is_locked and topic.is_pinned
    page = html_of(signed_in(member).get(topic.get_absolute_url()))
    assert "This topic is locked" in page
    entry = AuditEntry.objects.get(action="topic.lock")
    assert (entry.actor, entry.reason, entry.member) == (
        moderator,
        "Going in circles",
        topic.author,
    )
    client.post(f"/moderation/topic/{topic.pk}/lock/", {"locked": "0"})
    client.post(f"/moderation/topic/{topic.pk}/pin/", {"pinned": "0"})
    topic.refresh_from_db()
    assert not topic.is_locked and not topic.is_pinned


def test_removed_topic_leaves_lists_for_members_and_comes_back(moderator, member, topic, category):
    client = signed_in(moderator)
    assert client.get(f"/moderation/topic/{topic.pk}/delete/").status_code == 200
    client.post(f"/moderation/topic/{topic.pk}/delete/", {"reason": "Duplicate"})
    topic.refresh_from_db()
    category.refresh_from_db()
    assert topic.is_deleted and category.topic_count == 0
    assert signed_in(member).get(topic.get_absolute_url()).status_code == 404
    assert "Week six" not in html_of(signed_in(member).get(category.get_absolute_url()))
    assert client.get(topic.get_absolute_url()).status_code == 200  # moderators still see it
    client.post(f"/moderation/topic/{topic.pk}/restore/")
    assert signed_in(member).get(topic.get_absolute_url()).status_code == 200


# --- Move -------------------------------------------------------------------------------------


def test_moderator_moves_a_topic_and_both_categories_count_again(moderator, topic, category):
    lounge = CategoryFactory(slug="tapering", name="Tapering")
    client = signed_in(moderator)
    form = client.get(f"/moderation/topic/{topic.pk}/move/")
    assert "Tapering" in html_of(form)
    response = client.post(
        f"/moderation/topic/{topic.pk}/move/", {"category": lounge.pk, "reason": "Fits better"}
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    category.refresh_from_db()
    lounge.refresh_from_db()
    assert topic.category == lounge
    assert (category.topic_count, category.post_count) == (0, 0)
    assert (lounge.topic_count, lounge.post_count) == (1, 4)
    entry = AuditEntry.objects.get(action="topic.move")
    assert entry.details["destination"] == "Tapering"


def test_moving_to_an_unknown_category_is_explained(moderator, topic):
    CategoryFactory(slug="tapering")
    response = signed_in(moderator).post(
        f"/moderation/topic/{topic.pk}/move/", {"category": 99999, "reason": "Kept words"}
    )
    assert response.status_code == 400
    assert "Please choose one of the categories listed." in html_of(response)
    assert "Kept words" in html_of(response)


def test_moving_keeps_the_search_index_with_the_topic(moderator, topic):
    from stepdown.search.models import SearchEntry

    lounge = CategoryFactory(slug="tapering")
    signed_in(moderator).post(f"/moderation/topic/{topic.pk}/move/", {"category": lounge.pk})
    categories = set(
        SearchEntry.objects.filter(topic_id=topic.pk).values_list("category_id", flat=True)
    )
    assert categories == {lounge.pk}


# --- Merge -------------------------------------------------------------------------------------


def test_merge_appends_the_posts_in_order_and_the_old_address_leads_there(
    moderator, member, topic, category, river
):
    other = make_topic(
        category, author=river, title="Week six again", body="Second start.", replies=2
    )
    client = signed_in(moderator)
    check = client.post(
        f"/moderation/topic/{other.pk}/merge/", {"into": f"/t/{topic.pk}/week-six/"}
    )
    assert check.status_code == 200 and "Merge the topics" in html_of(check)
    assert Post.objects.filter(topic=other).count() == 3  # nothing moved before confirming
    done = client.post(
        f"/moderation/topic/{other.pk}/merge/",
        {"into": str(topic.pk), "confirm": "1", "reason": "Same question"},
    )
    assert done["Location"] == topic.get_absolute_url()
    bodies = [p.body_markdown for p in topic.posts.order_by("position")]
    assert bodies == [
        "Opening words.",
        "Reply number 1.",
        "Reply number 2.",
        "Reply number 3.",
        "Second start.",
        "Reply number 1.",
        "Reply number 2.",
    ]
    assert list(topic.posts.order_by("position").values_list("position", flat=True)) == list(
        range(1, 8)
    )
    topic.refresh_from_db()
    other.refresh_from_db()
    category.refresh_from_db()
    assert (topic.last_position, topic.reply_count) == (7, 6)
    assert other.merged_into == topic and other.is_deleted
    assert category.topic_count == 1 and category.post_count == 7
    response = signed_in(member).get(other.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == topic.get_absolute_url()
    assert AuditEntry.objects.get(action="topic.merge").details["posts_moved"] == 3


def test_merge_into_itself_or_nowhere_is_explained(moderator, topic):
    client = signed_in(moderator)
    itself = client.post(f"/moderation/topic/{topic.pk}/merge/", {"into": str(topic.pk)})
    assert itself.status_code == 400 and "That is this topic." in html_of(itself)
    nowhere = client.post(f"/moderation/topic/{topic.pk}/merge/", {"into": "99999"})
    assert nowhere.status_code == 400
    assert "There is no topic with that number" in html_of(nowhere)
    words = client.post(f"/moderation/topic/{topic.pk}/merge/", {"into": "the other one"})
    assert words.status_code == 400 and "the other one" in html_of(words)


def test_merge_into_a_topic_of_a_category_one_does_not_moderate_is_refused(topic, river):
    keeper = UserFactory(username="keeper", two_factor=True)
    topic.category.moderators.add(keeper)
    elsewhere = make_topic(CategoryFactory(slug="elsewhere"), author=river)
    response = signed_in(keeper).post(
        f"/moderation/topic/{topic.pk}/merge/", {"into": str(elsewhere.pk), "confirm": "1"}
    )
    assert response.status_code == 400
    assert Topic.objects.get(pk=topic.pk).merged_into is None


# --- Split -------------------------------------------------------------------------------------


def test_split_moves_chosen_replies_into_a_new_topic_renumbered(moderator, topic, category):
    second, fourth = reply(topic, 2), reply(topic, 4)
    client = signed_in(moderator)
    page = client.get(f"/moderation/topic/{topic.pk}/split/")
    assert page.status_code == 200 and f'value="{second.pk}"' in html_of(page)
    response = client.post(
        f"/moderation/topic/{topic.pk}/split/",
        {
            "posts": [fourth.pk, second.pk],
            "title": "Sleep in week six",
            "category": category.pk,
            "reason": "A topic of its own",
        },
    )
    new = Topic.objects.get(title="Sleep in week six")
    assert response["Location"] == new.get_absolute_url()
    assert list(new.posts.order_by("position").values_list("pk", "position")) == [
        (second.pk, 1),
        (fourth.pk, 2),
    ]
    assert (new.author, new.first_post_id, new.last_position, new.reply_count) == (
        second.author,
        second.pk,
        2,
        1,
    )
    topic.refresh_from_db()
    category.refresh_from_db()
    assert topic.reply_count == 1 and list(topic.posts.values_list("position", flat=True)) == [1, 3]
    assert category.topic_count == 2 and category.post_count == 4
    assert AuditEntry.objects.get(action="topic.split").details["new_topic_id"] == new.pk


def test_split_without_a_choice_or_title_keeps_what_was_typed(moderator, topic, category):
    response = signed_in(moderator).post(
        f"/moderation/topic/{topic.pk}/split/",
        {"title": "Kept title", "category": category.pk},
    )
    assert response.status_code == 400
    html = html_of(response)
    assert "Please choose at least one reply to move." in html and "Kept title" in html
    first = signed_in(moderator).post(
        f"/moderation/topic/{topic.pk}/split/",
        {"posts": [topic.first_post_id], "title": "X", "category": category.pk},
    )
    assert first.status_code == 400
    assert Topic.objects.count() == 1


# --- Reports: notes, filters, outcomes ------------------------------------------------------


def report_post(reporter, post, reason="spam"):
    return signed_in(reporter).post(f"/moderation/report/post/{post.pk}/", {"reason": reason})


def test_moderator_adds_notes_to_a_report(moderator, member, topic):
    report_post(member, reply(topic))
    report = Report.objects.get()
    client = signed_in(moderator)
    client.post(f"/moderation/reports/{report.pk}/note/", {"text": "Asked the author privately."})
    page = html_of(client.get(f"/moderation/reports/{report.pk}/"))
    assert "Asked the author privately." in page
    assert ReportNote.objects.get().author == moderator
    empty = client.post(f"/moderation/reports/{report.pk}/note/", {"text": ""})
    assert empty.status_code == 400 and "Please write the note first." in html_of(empty)


def test_queue_filters_by_status_reason_and_kind(moderator, member, topic, river):
    report_post(member, reply(topic, 2), reason="spam")
    report_post(member, reply(topic, 3), reason="unkind")
    signed_in(member).post(f"/moderation/report/member/{river.pk}/", {"reason": "unkind"})
    client = signed_in(moderator)
    spam = html_of(client.get("/moderation/reports/?reason=spam"))
    assert "Reply number 1." in spam and "Reply number 2." not in spam
    members = client.get("/moderation/reports/?type=member")
    assert [r.target_type for r in members.context["reports"]] == ["member"]
    unkind = Report.objects.get(reason="unkind", target_type="post")
    client.post(f"/moderation/reports/{unkind.pk}/claim/")
    mine = client.get("/moderation/reports/?status=mine")
    assert [r.pk for r in mine.context["reports"]] == [unkind.pk]
    client.post(f"/moderation/reports/{unkind.pk}/resolve/", {"outcome": "none"})
    resolved = client.get("/moderation/reports/?status=resolved")
    assert [r.pk for r in resolved.context["reports"]] == [unkind.pk]
    assert unkind.pk not in [r.pk for r in client.get("/moderation/reports/").context["reports"]]
    # A filter value that means nothing shows the waiting reports, never an error page.
    assert client.get("/moderation/reports/?status=everything&type=journal").status_code == 200


def test_queue_pages_keep_the_filters(moderator, member, category, river, settings):
    settings.STEPDOWN_TOPICS_PER_PAGE = 2
    topic = make_topic(category, author=river, replies=4)
    for post in topic.posts.all():
        report_post(member, post)
    html = html_of(signed_in(moderator).get("/moderation/reports/?reason=spam"))
    assert 'href="?reason=spam&amp;page=2"' in html


def test_resolving_with_hide_hides_the_post_and_closes_every_report_of_it(
    moderator, member, other_member, river, topic
):
    post = reply(topic)
    report_post(member, post)
    report_post(other_member, post, reason="unkind")
    first = Report.objects.order_by("pk").first()
    response = signed_in(moderator).post(
        f"/moderation/reports/{first.pk}/resolve/",
        {"outcome": "hide", "reason": "Selling pills", "note": "Clear case."},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.is_hidden and post.hidden_reason == "Selling pills"
    assert set(Report.objects.values_list("status", "outcome")) == {("resolved", "hide")}
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", "actor"))
    assert actions == [("post.hide", moderator.pk), ("report.resolve", moderator.pk)]


def test_resolving_with_an_action_needs_the_reason_the_member_reads(moderator, member, topic):
    report_post(member, reply(topic))
    report = Report.objects.get()
    response = signed_in(moderator).post(
        f"/moderation/reports/{report.pk}/resolve/", {"outcome": "delete", "note": "Kept note"}
    )
    assert response.status_code == 400
    assert "Please give the reason" in html_of(response) and "Kept note" in html_of(response)
    report.refresh_from_db()
    assert report.status == "open" and not Post.objects.filter(is_deleted=True).exists()


def test_outcome_that_does_not_fit_the_report_is_refused(moderator, member, river):
    signed_in(member).post(f"/moderation/report/member/{river.pk}/", {"reason": "unkind"})
    report = Report.objects.get()
    response = signed_in(moderator).post(
        f"/moderation/reports/{report.pk}/resolve/", {"outcome": "hide", "reason": "x"}
    )
    assert response.status_code == 400
    assert Report.objects.get().status == "open"


def test_resolving_a_topic_report_with_lock_locks_it(moderator, member, topic):
    signed_in(member).post(f"/moderation/report/topic/{topic.pk}/", {"reason": "unkind"})
    report = Report.objects.get()
    signed_in(moderator).post(
        f"/moderation/reports/{report.pk}/resolve/", {"outcome": "lock", "reason": "Heated"}
    )
    assert Topic.objects.get(pk=topic.pk).is_locked


def test_topic_page_has_a_report_link_for_members_but_not_the_author(member, river, topic):
    link = f'href="/moderation/report/topic/{topic.pk}/"'
    assert link in html_of(signed_in(member).get(topic.get_absolute_url()))
    assert link not in html_of(signed_in(river).get(topic.get_absolute_url()))


# --- Hidden automatically after reports from trusted members ----------------------------------


def trusted(name):
    return UserFactory(username=name, trust_level=3)


def test_post_is_hidden_after_enough_trusted_reports(
    moderator, river, topic, settings, django_capture_on_commit_callbacks
):
    settings.STEPDOWN_AUTO_HIDE_REPORTS = 3
    keeper = UserFactory(username="keeper", two_factor=True)
    topic.category.moderators.add(keeper)
    post = reply(topic)
    report_post(UserFactory(username="newish", trust_level=0), post)
    report_post(trusted("ash"), post)
    report_post(trusted("birch"), post)
    post.refresh_from_db()
    assert not post.is_hidden  # two trusted reports, one from a new member
    with django_capture_on_commit_callbacks(execute=True):
        report_post(trusted("cedar"), post)
    post.refresh_from_db()
    assert post.is_hidden
    assert post.hidden_reason == "Hidden after reports, waiting for a moderator"
    entry = AuditEntry.objects.get(action="post.hide")
    assert entry.actor is None and entry.details == {"automatic": True}
    told = set(
        Notification.objects.filter(kind="moderation").values_list("recipient__username", flat=True)
    )
    assert told == {"river", "moderator", "keeper"}
    author_note = Notification.objects.get(recipient=river)
    assert "A moderator will look at it soon" in author_note.text
    assert Report.objects.filter(status="open").count() == 4  # still waiting for a moderator


def test_auto_hide_counts_open_reports_only_and_can_be_turned_off(river, topic, settings):
    post = reply(topic)
    settings.STEPDOWN_AUTO_HIDE_REPORTS = 0
    for name in ("ash", "birch", "cedar"):
        report_post(trusted(name), post)
    post.refresh_from_db()
    assert not post.is_hidden
    settings.STEPDOWN_AUTO_HIDE_REPORTS = 2
    Report.objects.update(status="resolved")
    report_post(trusted("dune"), post)
    post.refresh_from_db()
    assert not post.is_hidden  # one open report: the resolved ones no longer count


def test_restoring_an_automatically_hidden_post_through_its_report(
    moderator, member, river, topic, settings
):
    settings.STEPDOWN_AUTO_HIDE_REPORTS = 1
    post = reply(topic)
    report_post(trusted("ash"), post)
    report = Report.objects.get()
    signed_in(moderator).post(
        f"/moderation/reports/{report.pk}/resolve/",
        {"outcome": "unhide", "reason": "Nothing wrong with it, thank you for checking"},
    )
    post.refresh_from_db()
    assert not post.is_hidden
    assert "Reply number 1." in html_of(signed_in(member).get(topic.get_absolute_url()))


# --- The forum's write functions, directly -----------------------------------------------------


def test_forum_hide_is_idempotent_and_split_refuses_foreign_posts(topic, category, river):
    from stepdown.forum import moderation_actions

    post = reply(topic)
    assert moderation_actions.hide_post(post, reason="x") is True
    assert moderation_actions.hide_post(post, reason="x") is False
    elsewhere = make_topic(category, author=river, replies=1)
    with pytest.raises(moderation_actions.ModerationError):
        moderation_actions.split_topic(topic, post_ids=[reply(elsewhere).pk], title="New")
    with pytest.raises(moderation_actions.ModerationError):
        moderation_actions.merge_topics(topic, into=topic)


def test_replies_after_a_merge_continue_the_numbering(topic, category, river):
    from stepdown.forum import moderation_actions

    other = make_topic(category, author=river, replies=1)
    moderation_actions.merge_topics(other, into=topic)
    topic.refresh_from_db()
    new = forum_actions.create_reply(topic, author=river, body="After the merge.")
    assert new.position == 7


# --- The whole flow over HTTP ------------------------------------------------------------------


def test_report_claim_hide_and_audit_log_over_http(moderator, member, river, topic):
    post = reply(topic)
    report_post(member, post, reason="sourcing")
    report = Report.objects.get()
    client = signed_in(moderator)
    assert "Reply number 1." in html_of(client.get("/moderation/reports/"))
    client.post(f"/moderation/reports/{report.pk}/claim/")
    response = client.post(
        f"/moderation/reports/{report.pk}/resolve/",
        {"outcome": "hide", "reason": "Offers to sell medication", "note": "Clear case."},
    )
    assert response["Location"] == "/moderation/reports/"
    assert "Reply number 1." not in html_of(signed_in(member).get(topic.get_absolute_url()))
    log = client.get("/moderation/log/?action=post.hide")
    entries = log.context["entries"]
    assert [(e.actor, e.member, e.reason) for e in entries] == [
        (moderator, river, "Offers to sell medication")
    ]
    assert "Post #2 in “Week six”" in html_of(log)


def test_a_merged_topic_has_nothing_left_to_moderate(moderator, topic, category, river):
    other = make_topic(category, author=river, title="Again")
    client = signed_in(moderator)
    client.post(f"/moderation/topic/{other.pk}/merge/", {"into": str(topic.pk), "confirm": "1"})
    assert client.get(f"/moderation/topic/{other.pk}/").status_code == 404
    assert client.post(f"/moderation/topic/{other.pk}/delete/", {"reason": "x"}).status_code == 404
