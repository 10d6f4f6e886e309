"""Notifications: who is told, grouping, the list, the header count, choices, follows."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from stepdown.accounts.models import Block
from stepdown.notifications import actions, queries
from stepdown.notifications.models import Follow, Notification, Preferences
from tests.factories import UserFactory


def tell(user_ids, *, actor, kind="reply", group_key="", text="river replied", url="/t/1/x/"):
    return actions.notify(user_ids, kind=kind, actor=actor, text=text, url=url, group_key=group_key)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Who is told -----------------------------------------------------------------------------


def test_notify_tells_each_member_but_never_the_actor(member, other_member):
    made = tell([member.pk, other_member.pk], actor=other_member)
    assert [item.recipient_id for item in made] == [member.pk]


def test_notify_skips_members_who_blocked_the_actor(member, other_member):
    Block.objects.create(blocker=member, blocked=other_member)
    assert tell([member.pk], actor=other_member) == []


def test_notify_skips_inactive_accounts(member, other_member):
    member.is_active = False
    member.save()
    assert tell([member.pk], actor=other_member) == []


def test_notify_respects_a_kind_turned_off(member, other_member):
    actions.save_preferences(member, delivery={"reaction": "off"})
    assert tell([member.pk], actor=other_member, kind="reaction") == []
    assert len(tell([member.pk], actor=other_member, kind="mention")) == 1


def test_email_pending_follows_delivery_and_rhythm(member, other_member):
    [mention] = tell([member.pk], actor=other_member, kind="mention")
    assert mention.email_pending is True  # mentions default to email
    [reply] = tell([member.pk], actor=other_member, kind="reply")
    assert reply.email_pending is False  # replies default to here only
    actions.save_preferences(member, email_frequency="none")
    [later] = tell([member.pk], actor=other_member, kind="message")
    assert later.email_pending is False


def test_unread_notifications_about_one_thing_gather_into_one_line(member, other_member):
    third = UserFactory()
    tell([member.pk], actor=other_member, group_key="topic:1", text="other replied")
    tell([member.pk], actor=third, group_key="topic:1", text=f"{third.username} replied")
    [line] = Notification.objects.filter(recipient=member)
    assert line.count == 2 and line.text == f"{third.username} replied"
    line.read_at = line.updated_at
    line.save()
    tell([member.pk], actor=other_member, group_key="topic:1")
    assert Notification.objects.filter(recipient=member).count() == 2  # read ones stay apart


def test_gathered_lines_keep_email_owed_and_the_length_limit(member, other_member):
    quiet = UserFactory()
    actions.save_preferences(quiet, email_frequency="none")
    tell([member.pk, quiet.pk], actor=other_member, kind="mention", group_key="t:2", text="short")
    Notification.objects.filter(recipient=member).update(email_pending=False)  # sent already
    long_text = "a very long title " * 40
    tell([member.pk, quiet.pk], actor=other_member, kind="mention", group_key="t:2", text=long_text)
    mine = Notification.objects.get(recipient=member)
    theirs = Notification.objects.get(recipient=quiet)
    assert (mine.count, mine.email_pending) == (2, True)  # owed again for the new mention
    assert (theirs.count, theirs.email_pending) == (2, False)
    assert mine.text == long_text[:300] and theirs.text == long_text[:300]


@pytest.mark.parametrize("members", [1, 40])
def test_notify_costs_the_same_queries_for_many_members(
    other_member, django_assert_max_num_queries, members
):
    users = [UserFactory() for _ in range(members)]
    tell([u.pk for u in users], actor=other_member, group_key="topic:9")
    with django_assert_max_num_queries(9):
        tell([u.pk for u in users], actor=other_member, group_key="topic:9")


# --- Follows ---------------------------------------------------------------------------------


def test_unfollow_is_remembered_so_default_following_leaves_it(member):
    actions.follow(member, target_type="topic", target_id=5)
    actions.unfollow(member, target_type="topic", target_id=5)
    actions.follow_by_default(member, target_type="topic", target_id=5)
    assert queries.followers("topic", 5) == []
    actions.follow(member, target_type="topic", target_id=5)  # a deliberate follow lifts it
    assert queries.followers("topic", 5) == [member.pk]


def test_follow_is_repeatable(member):
    for _ in range(2):
        actions.follow(member, target_type="category", target_id=3)
    assert Follow.objects.count() == 1


# --- Pages -----------------------------------------------------------------------------------


def test_list_shows_notifications_newest_first_and_unread_marked(member, other_member):
    tell([member.pk], actor=other_member, text="first thing")
    tell([member.pk], actor=other_member, text="second thing", kind="mention")
    html = signed_in(member).get(reverse("notifications:list")).content.decode()
    assert html.index("second thing") < html.index("first thing")
    assert html.count("notification--unread") == 2
    assert "Mark all read" in html


def test_list_needs_sign_in(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_header_shows_unread_count_for_members(member, other_member):
    tell([member.pk], actor=other_member)
    html = signed_in(member).get("/").content.decode()
    assert 'class="count-badge"' in html and ">1<" in html
    assert 'hx-get="/notifications/badge/"' in html


def test_badge_fragment_for_htmx_and_nothing_for_guests(client, member, other_member):
    tell([member.pk], actor=other_member)
    response = signed_in(member).get(reverse("notifications:badge"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert ">1<" in response.content.decode()
    assert client.get(reverse("notifications:badge")).status_code == 204


def test_opening_a_notification_marks_it_read_and_goes_there(member, other_member):
    [item] = tell([member.pk], actor=other_member, url="/t/3/week-six/#post-9")
    response = signed_in(member).post(reverse("notifications:open", kwargs={"pk": item.pk}))
    assert response.status_code == 302 and response["Location"] == "/t/3/week-six/#post-9"
    item.refresh_from_db()
    assert item.read_at is not None


def test_opening_someone_elses_notification_is_not_found(member, other_member):
    [item] = tell([member.pk], actor=other_member)
    url = reverse("notifications:open", kwargs={"pk": item.pk})
    assert signed_in(other_member).post(url).status_code == 404
    assert signed_in(member).get(url).status_code == 405


def test_opening_never_redirects_off_site(member, other_member):
    [item] = tell([member.pk], actor=other_member, url="https://evil.example/")
    response = signed_in(member).post(reverse("notifications:open", kwargs={"pk": item.pk}))
    assert response["Location"] == "/"


def test_mark_all_read_clears_the_count(member, other_member):
    tell([member.pk], actor=other_member)
    tell([member.pk], actor=other_member, kind="mention")
    client = signed_in(member)
    client.post(reverse("notifications:read_all"))
    assert queries.unread_count(member) == 0
    assert 'class="count-badge"' not in client.get("/").content.decode()


def test_home_page_header_count_is_one_query_however_many_notifications(
    member, other_member, django_assert_num_queries
):
    client = signed_in(member)
    client.get("/")
    for number in range(30):
        tell([member.pk], actor=other_member, group_key=f"topic:{number}")
    # session, member, categories, unread notifications, unread conversations
    with django_assert_num_queries(5):
        client.get("/")


def test_preferences_save_per_kind_rhythm_and_quiet_hours(member):
    client = signed_in(member)
    data = {
        "delivery_reply": "email",
        "delivery_new_topic": "off",
        "delivery_mention": "app",
        "delivery_quote": "app",
        "delivery_reaction": "off",
        "delivery_message": "email",
        "delivery_moderation": "email",
        "email_frequency": "weekly",
        "quiet_start": "22:00",
        "quiet_end": "07:30",
        "time_zone": "Europe/London",
        "follow_started": "on",
    }
    response = client.post(reverse("notifications:settings"), data)
    assert response.status_code == 302
    prefs = Preferences.objects.get(user=member)
    assert prefs.delivery_for("reply") == "email" and prefs.delivery_for("reaction") == "off"
    assert prefs.email_frequency == "weekly" and prefs.time_zone == "Europe/London"
    assert str(prefs.quiet_start) == "22:00:00" and prefs.follow_replied is False


def test_half_given_quiet_hours_are_explained_and_kept(member):
    client = signed_in(member)
    response = client.post(
        reverse("notifications:settings"),
        {"email_frequency": "daily", "quiet_start": "22:00", **_all_kinds("app")},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "both the start and the end" in html and 'value="22:00"' in html
    assert not Preferences.objects.exists()


def _all_kinds(value):
    from stepdown.notifications.models import Kind

    return {f"delivery_{kind.value}": value for kind in Kind}


def test_preferences_page_shows_defaults(member):
    html = signed_in(member).get(reverse("notifications:settings")).content.decode()
    assert (
        'name="delivery_mention" value="email" id="id_delivery_mention_0" required checked' in html
    )
    assert 'name="delivery_reply" value="app" id="id_delivery_reply_1" required checked' in html
    assert "Mentions of you" in html


# --- Personal data ----------------------------------------------------------------------------


def test_account_export_and_deletion_cover_notifications(member, other_member):
    from stepdown.notifications.personal_data import erase_notifications, export_notifications

    tell([member.pk], actor=other_member, text="hello there")
    actions.follow(member, target_type="topic", target_id=4)
    actions.follow(other_member, target_type="member", target_id=member.pk)
    exported = export_notifications(member)
    assert exported["notifications"][0]["text"] == "hello there"
    assert exported["follows"] == [{"type": "topic", "id": 4, "muted": False}]
    erase_notifications(member, keep_posts=True)
    assert not Notification.objects.filter(recipient=member).exists()
    assert not Follow.objects.exists()


def test_choosing_no_email_drops_what_was_waiting(member, other_member):
    [item] = tell([member.pk], actor=other_member, kind="mention")
    assert item.email_pending
    actions.save_preferences(member, email_frequency="none")
    item.refresh_from_db()
    assert item.email_pending is False
