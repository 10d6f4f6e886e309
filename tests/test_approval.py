"""New members' first posts wait for a moderator; the approval queue approves or rejects them;
new members post no links or images yet."""

from datetime import timedelta

import pytest
from django.test import Client

from stepdown.forum import actions
from stepdown.forum.models import Approval, Draft, Post, Topic
from stepdown.moderation.models import AuditEntry
from stepdown.notifications import actions as notification_actions
from stepdown.notifications.models import Kind, Notification, Target
from tests.factories import CategoryFactory, UserFactory, make_topic

pytestmark = pytest.mark.django_db

QUEUE = "/moderation/approval/"
FIRST_POSTS_NOTE = "a moderator will look at your first posts soon"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def newcomer(db):
    return UserFactory(username="newcomer", trust_level=0)


@pytest.fixture
def topic(category, other_member):
    return make_topic(category, author=other_member, title="Week six", body="How is everyone?")


def reply_as(user, topic, body, **extra):
    return signed_in(user).post(f"/t/{topic.pk}/reply/", {"body": body, **extra}, follow=True)


# --- Waiting ----------------------------------------------------------------------------------


def test_new_member_reply_waits_for_a_moderator_when_among_first_posts(newcomer, topic):
    response = reply_as(newcomer, topic, "Hello, I am new here.")
    html = response.content.decode()
    post = Post.objects.get(author=newcomer)
    assert post.approval == Approval.PENDING
    assert FIRST_POSTS_NOTE in html
    assert "only you can see it until then" in html
    assert "Hello, I am new here." in html  # the author sees it, marked
    assert "Waiting for a moderator" in html
    topic.refresh_from_db()
    assert topic.reply_count == 0
    assert topic.last_post_id == topic.first_post_id
    assert not Draft.objects.filter(user=newcomer).exists()


def test_waiting_reply_is_hidden_from_other_members_and_guests(newcomer, topic, member):
    reply_as(newcomer, topic, "Only for the moderators yet.")
    for client in (Client(), signed_in(member)):
        html = client.get(topic.get_absolute_url()).content.decode()
        assert "Only for the moderators yet." not in html


def test_new_member_topic_waits_and_is_not_listed_for_others(newcomer, category, member):
    response = signed_in(newcomer).post(
        f"/c/{category.slug}/new/", {"title": "My story", "body": "Where I am."}, follow=True
    )
    assert FIRST_POSTS_NOTE in response.content.decode()
    topic = Topic.objects.get(author=newcomer)
    assert topic.approval == Approval.PENDING
    assert topic.first_post.approval == Approval.PENDING
    category.refresh_from_db()
    assert category.topic_count == 0 and category.post_count == 0
    assert "My story" not in signed_in(member).get(category.get_absolute_url()).content.decode()
    assert signed_in(member).get(topic.get_absolute_url()).status_code == 404


def test_established_member_posts_straight_away(member, topic):
    response = reply_as(member, topic, "Straight up.")
    assert "Your reply is posted." in response.content.decode()
    assert Post.objects.get(author=member).approval == Approval.APPROVED


def test_new_member_posts_straight_away_once_first_posts_are_approved(
    newcomer, topic, moderator, settings
):
    settings.STEPDOWN_APPROVAL_FIRST_POSTS = 2
    client = signed_in(moderator)
    for number in range(2):
        reply_as(newcomer, topic, f"Early post {number}.")
        post = Post.objects.filter(author=newcomer).latest("pk")
        assert post.approval == Approval.PENDING
        client.post(f"{QUEUE}{post.pk}/approve/")
    reply_as(newcomer, topic, "Third post.")
    assert Post.objects.get(body_markdown="Third post.").approval == Approval.APPROVED


def test_first_posts_setting_zero_turns_approval_off(newcomer, topic, settings):
    settings.STEPDOWN_APPROVAL_FIRST_POSTS = 0
    reply_as(newcomer, topic, "No waiting.")
    assert Post.objects.get(author=newcomer).approval == Approval.APPROVED


def test_waiting_post_tells_nobody_until_approved(
    newcomer, topic, other_member, member, moderator, django_capture_on_commit_callbacks
):
    notification_actions.follow(member, target_type=Target.TOPIC, target_id=topic.pk)
    with django_capture_on_commit_callbacks(execute=True):
        reply_as(newcomer, topic, "Thanks @other for asking.")
    assert not Notification.objects.filter(recipient__in=[member, other_member]).exists()
    post = Post.objects.get(author=newcomer)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(moderator).post(f"{QUEUE}{post.pk}/approve/")
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=other_member, kind=Kind.MENTION).exists()
    assert Notification.objects.filter(recipient=member, kind=Kind.REPLY).exists()


# --- The queue ----------------------------------------------------------------------------------


def test_queue_lists_waiting_posts_with_their_text_oldest_first(
    newcomer, topic, moderator, category
):
    reply_as(newcomer, topic, "First words.")
    signed_in(newcomer).post(f"/c/{category.slug}/new/", {"title": "Hello all", "body": "Me."})
    html = signed_in(moderator).get(QUEUE).content.decode()
    assert html.index("First words.") < html.index("Hello all")
    assert "New topic" in html
    assert "A new member's first posts" in html
    assert "2 posts waiting, oldest first." in html


@pytest.mark.parametrize("waiting", [1, 12])
def test_queue_costs_the_same_queries_however_many_wait(
    topic, moderator, django_assert_num_queries, waiting
):
    for number in range(waiting):
        author = UserFactory(trust_level=0)
        actions.create_reply(topic, author=author, body=f"Waiting {number}.")
    client = signed_in(moderator)
    client.get(QUEUE)  # the session and two-factor state settle
    # session, moderator, two-factor, header counts and warnings, count, page, held alerts
    with django_assert_num_queries(8):
        client.get(QUEUE)


def test_queue_is_not_found_for_members_and_asks_moderators_for_two_factor(member, db):
    assert signed_in(member).get(QUEUE).status_code == 404
    no_two_factor = UserFactory(username="newmod", is_moderator=True)
    response = signed_in(no_two_factor).get(QUEUE)
    assert response.status_code == 403
    assert "Two-factor sign-in needed" in response.content.decode()


def test_approve_shows_the_post_to_everyone_and_updates_counters(
    newcomer, topic, moderator, member, category
):
    reply_as(newcomer, topic, "Now for everyone.")
    post = Post.objects.get(author=newcomer)
    response = signed_in(moderator).post(f"{QUEUE}{post.pk}/approve/", follow=True)
    assert "The post is approved: everyone can see it now." in response.content.decode()
    post.refresh_from_db()
    topic.refresh_from_db()
    category.refresh_from_db()
    assert post.approval == Approval.APPROVED
    assert (topic.reply_count, topic.last_post_id) == (1, post.pk)
    assert (category.post_count, category.last_post_id) == (2, post.pk)
    assert "Now for everyone." in signed_in(member).get(topic.get_absolute_url()).content.decode()
    entry = AuditEntry.objects.get(action="post.approve")
    assert (entry.actor, entry.member, entry.target_id) == (moderator, newcomer, post.pk)


def test_approving_a_topic_lists_it_and_counts_it(newcomer, category, moderator):
    signed_in(newcomer).post(f"/c/{category.slug}/new/", {"title": "Hello all", "body": "Me."})
    topic = Topic.objects.get(author=newcomer)
    signed_in(moderator).post(f"{QUEUE}{topic.first_post_id}/approve/")
    topic.refresh_from_db()
    category.refresh_from_db()
    assert topic.approval == Approval.APPROVED
    assert (category.topic_count, category.post_count) == (1, 1)
    assert "Hello all" in Client().get(category.get_absolute_url()).content.decode()
    assert AuditEntry.objects.filter(action="topic.approve", target_id=topic.pk).exists()


def test_approving_twice_changes_nothing_the_second_time(newcomer, topic, moderator):
    reply_as(newcomer, topic, "Once.")
    post = Post.objects.get(author=newcomer)
    client = signed_in(moderator)
    client.post(f"{QUEUE}{post.pk}/approve/")
    response = client.post(f"{QUEUE}{post.pk}/approve/", follow=True)
    assert "Another moderator has already decided" in response.content.decode()
    assert AuditEntry.objects.filter(action="post.approve").count() == 1


def test_reject_asks_for_a_reason_keeping_nothing_decided(newcomer, topic, moderator):
    reply_as(newcomer, topic, "Buy here.")
    post = Post.objects.get(author=newcomer)
    response = signed_in(moderator).post(f"{QUEUE}{post.pk}/reject/", {"reason": " "})
    assert response.status_code == 400
    assert "Please tell the member why" in response.content.decode()
    post.refresh_from_db()
    assert post.approval == Approval.PENDING


def test_reject_tells_the_member_why_and_gives_their_text_back_as_a_draft(
    newcomer, topic, moderator, django_capture_on_commit_callbacks
):
    reply_as(newcomer, topic, "Here is my pharmacy.")
    post = Post.objects.get(author=newcomer)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(moderator).post(
            f"{QUEUE}{post.pk}/reject/", {"reason": "Please leave out pharmacies (guideline 3)."}
        )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.approval == Approval.REJECTED
    note = Notification.objects.get(recipient=newcomer, kind=Kind.MODERATION)
    assert "Please leave out pharmacies (guideline 3)." in note.text
    assert note.url == f"/t/{topic.pk}/reply/"
    draft = Draft.objects.get(user=newcomer, key=f"reply:{topic.pk}")
    assert draft.fields["body"] == "Here is my pharmacy."
    composer = signed_in(newcomer).get(f"/t/{topic.pk}/reply/").content.decode()
    assert "Here is my pharmacy." in composer
    entry = AuditEntry.objects.get(action="post.reject")
    assert entry.reason == "Please leave out pharmacies (guideline 3)."


def test_reject_page_works_without_javascript(newcomer, topic, moderator):
    reply_as(newcomer, topic, "Let me think.")
    post = Post.objects.get(author=newcomer)
    html = signed_in(moderator).get(f"{QUEUE}{post.pk}/reject/").content.decode()
    assert "Let me think." in html
    assert 'name="reason"' in html


def test_members_cannot_approve_their_own_or_see_others_waiting_posts(newcomer, topic, member):
    reply_as(newcomer, topic, "Mine.")
    post = Post.objects.get(author=newcomer)
    assert signed_in(member).post(f"{QUEUE}{post.pk}/approve/").status_code == 404
    own = signed_in(newcomer).post(f"{QUEUE}{post.pk}/approve/")
    assert own.status_code == 403
    post.refresh_from_db()
    assert post.approval == Approval.PENDING


def test_category_moderators_approve_in_their_category_only(newcomer, moderator):
    mine = CategoryFactory(slug="mine")
    theirs = CategoryFactory(slug="theirs")
    keeper = UserFactory(username="keeper", two_factor=True)
    mine.moderators.add(keeper)
    in_mine = actions.create_reply(make_topic(mine), author=newcomer, body="In mine.")
    in_theirs = actions.create_reply(make_topic(theirs), author=newcomer, body="In theirs.")
    client = signed_in(keeper)
    html = client.get(QUEUE).content.decode()
    assert "In mine." in html and "In theirs." not in html
    assert client.post(f"{QUEUE}{in_theirs.pk}/approve/").status_code == 404
    assert client.post(f"{QUEUE}{in_mine.pk}/approve/").status_code == 302
    in_mine.refresh_from_db()
    assert in_mine.approval == Approval.APPROVED


def test_a_category_moderator_does_not_approve_their_own_waiting_post(db, other_member):
    mine = CategoryFactory(slug="mine")
    keeper = UserFactory(username="keeper", two_factor=True, trust_level=0)
    mine.moderators.add(keeper)
    own = actions.create_reply(make_topic(mine, author=other_member), author=keeper, body="Mine.")
    assert own.approval == Approval.PENDING
    response = signed_in(keeper).post(f"{QUEUE}{own.pk}/approve/")
    assert response.status_code == 403
    assert "Another moderator decides" in response.content.decode()
    own.refresh_from_db()
    assert own.approval == Approval.PENDING
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True, two_factor=True)
    assert signed_in(admin).post(f"{QUEUE}{own.pk}/approve/").status_code == 302


def test_a_suspended_category_moderator_cannot_approve_but_still_reads(newcomer, moderator):
    from django.utils import timezone

    from stepdown.moderation import member_actions

    mine = CategoryFactory(slug="mine", read_access="staff")
    keeper = UserFactory(username="keeper", two_factor=True)
    mine.moderators.add(keeper)
    topic = make_topic(mine, author=keeper)
    waiting = actions.create_reply(topic, author=newcomer, body="Waiting.")
    member_actions.suspend_member(
        keeper, by=moderator, reason="Cooling off", ends_at=timezone.now() + timedelta(days=2)
    )
    client = signed_in(keeper)
    assert client.post(f"{QUEUE}{waiting.pk}/approve/").status_code in (403, 404)
    waiting.refresh_from_db()
    assert waiting.approval == Approval.PENDING
    assert client.get(topic.get_absolute_url()).status_code == 200  # still reads


# --- Links and images ---------------------------------------------------------------------------


def test_new_member_link_is_refused_with_a_clear_message_keeping_the_text(newcomer, topic):
    body = "Have a look at https://pharmacy.example/cheap please"
    response = signed_in(newcomer).post(f"/t/{topic.pk}/reply/", {"body": body})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Links to other sites and images open up once you have been here" in html
    assert "https://pharmacy.example/cheap" in html
    assert not Post.objects.filter(author=newcomer).exists()
    assert Draft.objects.get(user=newcomer).fields["body"] == body


@pytest.mark.parametrize(
    "body",
    [
        "See example.com for more",  # a bare address becomes a link
        "![me](/media/uploads/2025/01/0123456789abcdef0123456789abcdef.png)",
        "[a story](//elsewhere.example/page)",
    ],
)
def test_new_member_cannot_post_links_or_images_in_any_form(newcomer, topic, body):
    response = signed_in(newcomer).post(f"/t/{topic.pk}/reply/", {"body": body})
    assert response.status_code == 400
    assert not Post.objects.filter(author=newcomer).exists()


def test_new_member_may_quote_and_link_inside_the_forum(newcomer, topic):
    first = topic.first_post
    body = f"> How is everyone?\n> — [other](/p/{first.pk}/)\n\nBetter today, see /u/other/."
    response = signed_in(newcomer).post(f"/t/{topic.pk}/reply/", {"body": body})
    assert response.status_code == 302
    assert Post.objects.filter(author=newcomer).exists()


def test_new_topic_with_a_link_is_refused_too(newcomer, category):
    response = signed_in(newcomer).post(
        f"/c/{category.slug}/new/", {"title": "Look", "body": "https://shop.example/"}
    )
    assert response.status_code == 400
    assert "Links to other sites" in response.content.decode()
    assert not Topic.objects.exists()


def test_edit_adding_a_link_is_refused_for_new_members(newcomer, topic):
    post = actions.create_reply(topic, author=newcomer, body="Plain words.")
    response = signed_in(newcomer).post(
        f"/p/{post.pk}/edit/", {"body": "Now with https://shop.example/"}
    )
    assert response.status_code == 400
    post.refresh_from_db()
    assert post.body_markdown == "Plain words."


def test_basic_members_post_links(topic, db):
    basic = UserFactory(username="basic", trust_level=1)
    response = reply_as(basic, topic, "A review: https://doi.org/10.3390/neurolint13040059")
    assert "Your reply is posted." in response.content.decode()


def test_waiting_post_is_found_by_search_only_once_approved(newcomer, topic, moderator, member):
    reply_as(newcomer, topic, "Chamomile helped my evenings.")
    reader = signed_in(member)
    assert "Chamomile" not in reader.get("/search/?q=chamomile").content.decode()
    post = Post.objects.get(author=newcomer)
    signed_in(moderator).post(f"{QUEUE}{post.pk}/approve/")
    assert "Chamomile" in reader.get("/search/?q=chamomile").content.decode()
