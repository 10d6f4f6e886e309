"""What the forum tells members: followers, mentions, quotes, reactions; follow buttons."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stepdown.accounts.models import Block
from stepdown.forum import actions
from stepdown.forum.models import ReactionKind, Topic
from stepdown.forum.quotes import quote_markdown
from stepdown.notifications import actions as notifications
from stepdown.notifications import queries as notification_queries
from stepdown.notifications.models import Follow, Notification
from tests.factories import UserFactory, make_topic


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def kinds_for(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_topic_author_follows_and_hears_of_replies(category, member, other_member):
    topic = actions.create_topic(category, author=member, title="Week six", body="Hello")
    actions.create_reply(topic, author=other_member, body="Hi there")
    [item] = Notification.objects.filter(recipient=member)
    assert item.kind == "reply" and item.text == "other replied to “Week six”"
    assert item.url.startswith("/p/")
    assert kinds_for(other_member) == []  # never told of their own reply


def test_replies_gather_into_one_line_per_topic(category, member, other_member):
    topic = actions.create_topic(category, author=member, title="Week six", body="Hello")
    actions.create_reply(topic, author=other_member, body="One")
    actions.create_reply(topic, author=UserFactory(username="third"), body="Two")
    [item] = Notification.objects.filter(recipient=member)
    assert item.count == 2 and item.text.startswith("third replied")


def test_replying_follows_the_topic_unless_the_member_said_no(category, member, other_member):
    topic = actions.create_topic(category, author=member, title="T", body="x")
    actions.create_reply(topic, author=other_member, body="I reply")
    actions.create_reply(topic, author=member, body="Thanks")
    assert kinds_for(other_member) == ["reply"]

    quiet = UserFactory(username="quiet")
    notifications.save_preferences(quiet, follow_replied=False)
    actions.create_reply(topic, author=quiet, body="Me too")
    actions.create_reply(topic, author=member, body="Welcome")
    assert kinds_for(quiet) == []


def test_replying_after_stopping_following_does_not_follow_again(category, member, other_member):
    topic = actions.create_topic(category, author=member, title="T", body="x")
    notifications.unfollow(other_member, target_type="topic", target_id=topic.pk)
    actions.create_reply(topic, author=other_member, body="One more thing")
    actions.create_reply(topic, author=member, body="Thanks")
    assert kinds_for(other_member) == []
    assert Follow.objects.get(user=other_member, target_type="topic", target_id=topic.pk).muted


def test_stopping_following_stops_replies(category, member, other_member):
    topic = actions.create_topic(category, author=member, title="T", body="x")
    notifications.unfollow(member, target_type="topic", target_id=topic.pk)
    actions.create_reply(topic, author=other_member, body="Hello?")
    assert kinds_for(member) == []


def test_mention_tells_the_member_once_not_also_as_follower(category, member, other_member):
    topic = actions.create_topic(category, author=member, title="T", body="x")
    actions.create_reply(topic, author=other_member, body="@member what do you think?")
    [item] = Notification.objects.filter(recipient=member)
    assert item.kind == "mention" and item.text == "other mentioned you in “T”"


def test_mention_from_a_blocked_member_tells_nothing(category, member, other_member):
    Block.objects.create(blocker=member, blocked=other_member)
    topic = make_topic(category, title="T")
    actions.create_reply(topic, author=other_member, body="@member hello")
    assert kinds_for(member) == []


def test_edit_tells_only_newly_mentioned_members(category, member, other_member):
    topic = make_topic(category, title="T")
    post = actions.create_reply(topic, author=other_member, body="Hello all")
    actions.edit_post(post, editor=other_member, body="Hello @member")
    actions.edit_post(post, editor=other_member, body="Hello @member, again")
    assert kinds_for(member) == ["mention"]


def test_quote_tells_the_quoted_author(category, member, other_member):
    topic = make_topic(category, title="T")
    quoted = actions.create_reply(topic, author=member, body="Slow is smooth")
    actions.create_reply(topic, author=other_member, body=quote_markdown(quoted) + "So true.")
    assert "quote" in kinds_for(member)
    item = Notification.objects.get(recipient=member, kind="quote")
    assert item.text == "other quoted you in “T”"


def test_reaction_tells_the_author_once_per_change(category, member, other_member):
    topic = make_topic(category, title="T")
    post = actions.create_reply(topic, author=member, body="A small win")
    hug, thanks = ReactionKind.objects.get(slug="hug"), ReactionKind.objects.get(slug="thanks")
    actions.set_reaction(post, user=other_member, kind=hug)
    actions.set_reaction(post, user=other_member, kind=hug)  # the same again: nothing new
    [item] = Notification.objects.filter(recipient=member, kind="reaction")
    assert item.count == 1 and "“Hug”" in item.text
    actions.set_reaction(post, user=other_member, kind=thanks)
    item.refresh_from_db()
    assert item.count == 2
    actions.set_reaction(post, user=other_member, kind=None)
    item.refresh_from_db()
    assert item.count == 2


def test_new_topic_tells_followers_of_category_and_author(category, member, other_member):
    reader = UserFactory(username="reader")
    notifications.follow(reader, target_type="category", target_id=category.pk)
    notifications.follow(other_member, target_type="member", target_id=member.pk)
    actions.create_topic(category, author=member, title="Day 90", body="Still here")
    for user in (reader, other_member):
        [item] = Notification.objects.filter(recipient=user)
        assert item.kind == "new_topic" and "started “Day 90”" in item.text


# --- Reading a topic answers its notifications ----------------------------------------------------


def unread_kinds(user) -> list[str]:
    return sorted(
        Notification.objects.filter(recipient=user, read_at__isnull=True).values_list(
            "kind", flat=True
        )
    )


def writes(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]


def test_reading_a_topic_marks_its_replies_mentions_quotes_and_reactions_read(
    category, member, other_member
):
    topic = actions.create_topic(category, author=member, title="Week six", body="Hello")
    mine = actions.create_reply(topic, author=member, body="Slow is smooth")
    actions.create_reply(topic, author=other_member, body="@member how is it going?")
    actions.create_reply(topic, author=other_member, body=quote_markdown(mine) + "So true.")
    actions.create_reply(topic, author=UserFactory(username="third"), body="Same here")
    actions.set_reaction(mine, user=other_member, kind=ReactionKind.objects.get(slug="hug"))
    assert unread_kinds(member) == ["mention", "quote", "reaction", "reply"]
    client = signed_in(member)
    assert "(</span>4<span" in client.get("/notifications/").content.decode()

    html = client.get(topic.get_absolute_url()).content.decode()

    assert unread_kinds(member) == []
    assert "count-badge" not in html  # the header's count dropped on this very page


def test_reading_a_new_topic_marks_its_new_topic_notification_read(category, member):
    notifications.follow(member, target_type="category", target_id=category.pk)
    topic = make_topic(category, title="Day 90")
    Topic.objects.filter(pk=topic.pk).update(title="Day 91", slug="day-91")  # a new address
    topic.refresh_from_db()
    assert unread_kinds(member) == ["new_topic"]
    signed_in(member).get(topic.get_absolute_url())
    assert unread_kinds(member) == []


def test_reading_a_topic_leaves_other_notifications_unread(
    category, member, other_member, settings
):
    settings.STEPDOWN_POSTS_PER_PAGE = 2
    topic = make_topic(category, title="Long", replies=2)  # positions 1-3: two pages
    mention = actions.create_reply(topic, author=other_member, body="@member page two")
    elsewhere = make_topic(category, title="Elsewhere")
    actions.create_reply(elsewhere, author=other_member, body="@member over here")
    # A moderator's note pointing into the topic says something of its own: opened, not read.
    notifications.notify(
        [member.pk],
        kind="moderation",
        actor=None,
        text="A moderator did not approve your reply",
        url=reverse("forum:reply", kwargs={"pk": topic.pk}),
    )
    client = signed_in(member)
    client.get(topic.get_absolute_url())  # page 1: the mention is on page 2
    assert unread_kinds(member) == ["mention", "mention", "moderation"]
    client.get(f"{topic.get_absolute_url()}?page=2")
    assert unread_kinds(member) == ["mention", "moderation"]
    assert Notification.objects.get(
        recipient=member, kind="mention", read_at__isnull=False
    ).url == (mention.get_absolute_url())


def test_reading_a_topic_writes_nothing_when_nothing_in_it_is_unread(
    category, member, other_member
):
    topic = make_topic(category, title="T", replies=2)
    elsewhere = make_topic(category, title="Elsewhere")
    actions.create_reply(elsewhere, author=other_member, body="@member over here")
    client = signed_in(member)
    client.get(topic.get_absolute_url())  # the first visit records the reading
    assert writes(client, topic.get_absolute_url()) == []
    assert unread_kinds(member) == ["mention"]


def test_guests_reading_a_topic_write_nothing(client, category, other_member):
    topic = make_topic(category, title="T", replies=2)
    assert writes(client, topic.get_absolute_url()) == []


def test_follow_buttons_follow_and_unfollow(category, member, other_member):
    topic = make_topic(category, title="T")
    client = signed_in(member)
    assert 'aria-pressed="false"' in client.get(topic.get_absolute_url()).content.decode()
    url = reverse("forum:follow_topic", kwargs={"pk": topic.pk})
    response = client.post(url, {"follow": "1"}, follow=True)
    assert "You follow “T”" in response.content.decode()
    assert 'aria-pressed="true"' in response.content.decode()
    client.post(url, {"follow": "0"})
    assert member.pk not in notification_queries.followers("topic", topic.pk)

    client.post(reverse("forum:follow_category", kwargs={"slug": category.slug}))
    assert notification_queries.followers("category", category.pk) == [member.pk]
    client.post(reverse("forum:follow_member", kwargs={"username": "other"}))
    assert notification_queries.followers("member", other_member.pk) == [member.pk]


def test_follow_needs_sign_in_and_readable_target(client, members_category, member):
    topic = make_topic(members_category, title="Lounge")
    url = reverse("forum:follow_topic", kwargs={"pk": topic.pk})
    assert client.post(url).status_code == 404  # a guest cannot see it: it does not exist
    assert signed_in(member).post(url).status_code == 302


def test_unknown_mention_is_explained_after_posting(member_client, category):
    topic = make_topic(category, title="T")
    response = member_client.post(
        reverse("forum:reply", kwargs={"pk": topic.pk}),
        {"body": "Thanks @nobodyhere and @member"},
        follow=True,
    )
    html = response.content.decode()
    assert "No member is called @nobodyhere" in html
    assert "Your reply is posted" in html


def test_reserved_usernames_cannot_be_registered(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "username": "suggest",
            "email": "s@example.org",
            "password1": "a calm long passphrase",
            "password2": "a calm long passphrase",
        },
    )
    assert response.status_code == 200
    assert "Username can not be used. Please use other username." in response.content.decode()
