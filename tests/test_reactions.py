"""Reactions: one per member per post, switchable, never on one's own post, with who reacted."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stepdown.forum.models import Reaction, ReactionKind, Topic
from tests.factories import UserFactory, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(category, other_member):
    return make_topic(category, author=other_member, title="Support", replies=1)


def react(client, post, kind, remove=False):
    data = {"kind": kind} | ({"remove": "1"} if remove else {})
    return client.post(f"/p/{post.pk}/react/", data)


def test_default_reactions_are_seeded_in_order(db):
    assert list(ReactionKind.objects.values_list("slug", flat=True)) == [
        "like",
        "thanks",
        "hug",
        "insightful",
    ]


def test_reaction_is_saved_and_redirects_to_the_post(member_client, member, topic):
    post = topic.first_post
    response = react(member_client, post, "hug")
    assert response.status_code == 302
    assert response["Location"] == f"/p/{post.pk}/"
    assert Reaction.objects.get(post=post, user=member).kind.slug == "hug"


def test_reaction_one_per_member_switching_replaces_it(member_client, member, topic):
    post = topic.first_post
    react(member_client, post, "hug")
    react(member_client, post, "thanks")
    assert Reaction.objects.filter(post=post, user=member).count() == 1
    assert Reaction.objects.get(post=post, user=member).kind.slug == "thanks"


def test_reaction_same_again_removes_it(member_client, member, topic):
    post = topic.first_post
    react(member_client, post, "hug")
    page = member_client.get(topic.get_absolute_url()).content.decode()
    assert 'name="remove" value="1"' in page and 'aria-pressed="true"' in page
    react(member_client, post, "hug", remove=True)
    assert not Reaction.objects.filter(post=post, user=member).exists()
    react(member_client, post, "hug", remove=True)  # a repeated click changes nothing
    assert not Reaction.objects.exists()


def test_reaction_refused_on_own_post(client, other_member, topic):
    client.force_login(other_member)
    response = react(client, topic.first_post, "like")
    assert response.status_code == 403
    assert "not your own" in response.content.decode()
    assert not Reaction.objects.exists()
    page = client.get(topic.get_absolute_url()).content.decode()
    assert f'action="/p/{topic.first_post_id}/react/"' not in page


def test_reaction_guest_refused_and_sees_counts_but_no_buttons(client, member, topic):
    client.force_login(member)
    react(client, topic.first_post, "insightful")
    client.logout()
    response = react(client, topic.first_post, "like")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Reaction.objects.count() == 1
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "reaction-count__number" in page and "Insightful" in page
    assert "/react/" not in page


def test_reaction_refused_in_locked_topic_for_members_allowed_for_moderators(
    client, member, moderator, topic
):
    Topic.objects.filter(pk=topic.pk).update(is_locked=True)
    client.force_login(member)
    response = react(client, topic.first_post, "like")
    assert response.status_code == 403
    assert "locked" in response.content.decode()
    client.force_login(moderator)
    assert react(client, topic.first_post, "like").status_code == 302
    assert Reaction.objects.count() == 1


def test_reaction_unknown_or_inactive_kind_refused(member_client, topic):
    ReactionKind.objects.filter(slug="hug").update(active=False)
    assert react(member_client, topic.first_post, "hug").status_code == 400
    assert react(member_client, topic.first_post, "nope").status_code == 400
    assert not Reaction.objects.exists()


def test_a_reaction_of_a_retired_kind_can_still_be_taken_back(member_client, member, topic):
    react(member_client, topic.first_post, "hug")
    ReactionKind.objects.filter(slug="hug").update(active=False)
    assert react(member_client, topic.first_post, "hug", remove=True).status_code == 302
    assert not Reaction.objects.filter(user=member).exists()


def test_reaction_needs_post_and_csrf(topic, member):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    assert strict.get(f"/p/{topic.first_post_id}/react/").status_code == 405
    assert strict.post(f"/p/{topic.first_post_id}/react/", {"kind": "hug"}).status_code == 403
    assert not Reaction.objects.exists()


def test_who_reacted_lists_names_on_post_and_page(client, topic, member):
    post = topic.first_post
    client.force_login(member)
    react(client, post, "thanks")
    third = UserFactory(username="robin")
    client.force_login(third)
    react(client, post, "thanks")
    client.logout()
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Who reacted" in page and "member, robin" in page
    who = client.get(f"/p/{post.pk}/reactions/").content.decode()
    assert "Thanks" in who and "(2)" in who and "member" in who and "robin" in who


def test_who_reacted_in_members_only_topic_is_404_for_guests(client, members_category):
    topic = make_topic(members_category)
    assert client.get(f"/p/{topic.first_post_id}/reactions/").status_code == 404


@pytest.mark.parametrize("signed_in", [False, True])
def test_topic_page_query_count_constant_with_reactions(client, category, member, signed_in):
    counts = []
    for replies in (2, 25):
        topic = make_topic(category, replies=replies)
        for post in topic.posts.all():
            for user in UserFactory.create_batch(2):
                Reaction.objects.create(
                    post=post, user=user, kind=ReactionKind.objects.get(slug="hug")
                )
        if signed_in:
            client.force_login(member)
        with CaptureQueriesContext(connection) as context:
            response = client.get(topic.get_absolute_url())
        assert response.status_code == 200
        counts.append(len(context))
    assert counts[0] == counts[1]
