"""Editing posts: authors within the window, moderators any time, every revision kept."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from stepdown.forum.models import Post, PostRevision
from tests.factories import CategoryFactory, UserFactory, make_topic
from tests.test_composer import textarea_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(category, member):
    return make_topic(category, author=member, title="My taper", body="Day one.\nFeeling calm.")


def age(post, minutes):
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


def edit(client, post, body, reason=""):
    return client.post(f"/p/{post.pk}/edit/", {"body": body, "reason": reason})


def test_edit_within_window_saves_rerenders_and_marks_edited(member_client, topic):
    post = topic.first_post
    page = member_client.get(topic.get_absolute_url()).content.decode()
    assert f'href="/p/{post.pk}/edit/"' in page
    form = member_client.get(f"/p/{post.pk}/edit/")
    assert form.status_code == 200 and "Feeling calm." in form.content.decode()
    response = edit(member_client, post, "Day one.\nFeeling **steady**.", "wording")
    assert response.status_code == 302 and response["Location"] == f"/p/{post.pk}/"
    post.refresh_from_db()
    assert post.edited_at is not None
    assert "<strong>steady</strong>" in post.body_html
    page = member_client.get(topic.get_absolute_url()).content.decode()
    assert f'href="/p/{post.pk}/history/"' in page and "edited" in page


def test_edit_after_window_refused_with_text_kept(member_client, topic, settings):
    settings.STEPDOWN_EDIT_WINDOW_MINUTES = 30
    post = topic.first_post
    age(post, 31)
    response = edit(member_client, post, "My careful new wording.")
    assert response.status_code == 403
    html = response.content.decode()
    assert "can no longer be edited" in html and "30 minutes" in html
    assert "My careful new wording." in html  # nothing lost
    assert f'action="/t/{topic.pk}/reply/"' in html  # and it can be posted as a reply
    post.refresh_from_db()
    assert post.body_markdown == "Day one.\nFeeling calm." and post.edited_at is None
    assert not PostRevision.objects.exists()
    page = member_client.get(topic.get_absolute_url()).content.decode()
    assert f'href="/p/{post.pk}/edit/"' not in page


def test_edit_window_defaults_to_a_day(member_client, topic, settings):
    del settings.STEPDOWN_EDIT_WINDOW_MINUTES
    post = topic.first_post
    age(post, 60 * 24 - 5)
    assert edit(member_client, post, "Still in time.").status_code == 302
    age(post, 60 * 24 + 5)
    assert edit(member_client, post, "Too late.").status_code == 403


def test_edit_empty_text_is_refused_and_post_unchanged(member_client, topic):
    response = edit(member_client, topic.first_post, "   ")
    assert response.status_code == 400
    assert "Please write something" in response.content.decode()
    assert Post.objects.get(pk=topic.first_post_id).body_markdown == "Day one.\nFeeling calm."


# --- Signed out in the middle of an edit ---------------------------------------------------------


def test_expired_session_keeps_edit_and_returns_it_after_sign_in(member, topic):
    post = topic.first_post
    url = f"/p/{post.pk}/edit/"
    client = Client()
    client.force_login(member)
    client.cookies.pop(settings.SESSION_COOKIE_NAME)  # the session ended while they wrote
    typed = "Day one.\nFeeling calm.\nWeek two: slept through the night."
    response = client.post(url, {"body": typed, "reason": "added week two"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert response["Location"].endswith("?next=" + url)
    login_page = client.get(response["Location"]).content.decode()
    assert "your changes are not saved yet" in login_page
    post.refresh_from_db()
    assert post.body_markdown == "Day one.\nFeeling calm." and post.edited_at is None

    client.force_login(member)
    html = client.get(url).content.decode()
    assert textarea_text(html) == typed
    assert 'value="added week two"' in html
    assert "Here is the edit you wrote before signing in" in html
    post.refresh_from_db()
    assert post.body_markdown == "Day one.\nFeeling calm."  # not saved until sent again
    assert not post.revisions.exclude(number=1).exists()
    # Shown once, then gone from the session: the form shows the post as it is.
    assert textarea_text(client.get(url).content.decode()) == "Day one.\nFeeling calm."
    assert edit(client, post, typed, "added week two").status_code == 302
    post.refresh_from_db()
    assert post.body_markdown == typed


def test_edit_held_over_sign_in_is_kept_when_the_window_closed_meanwhile(member, topic, settings):
    settings.STEPDOWN_EDIT_WINDOW_MINUTES = 30
    post = topic.first_post
    client = Client()
    client.post(f"/p/{post.pk}/edit/", {"body": "Words from before sign-in."})
    age(post, 31)
    client.force_login(member)
    response = client.get(f"/p/{post.pk}/edit/")
    assert response.status_code == 403
    assert "Words from before sign-in." in response.content.decode()


def test_moderator_edits_any_post_any_time(client, moderator, topic):
    post = topic.first_post
    age(post, 60 * 24 * 30)
    client.force_login(moderator)
    assert edit(client, post, "Removed a phone number.", "privacy").status_code == 302
    revision = PostRevision.objects.get(post=post, number=2)
    assert revision.editor == moderator and revision.reason == "privacy"


def test_member_cannot_edit_others_posts(client, other_member, topic):
    client.force_login(other_member)
    assert client.get(f"/p/{topic.first_post_id}/edit/").status_code == 403
    assert edit(client, topic.first_post, "Hijacked.").status_code == 403
    assert Post.objects.get(pk=topic.first_post_id).body_markdown == "Day one.\nFeeling calm."


def test_edit_guest_sent_to_sign_in_and_hidden_posts_404(client, members_category):
    topic = make_topic(members_category)
    assert edit(client, topic.first_post, "x").status_code == 404
    response = client.get("/p/99999/edit/")
    assert response.status_code == 404


def test_every_revision_kept_and_diff_shows_changes(member_client, topic):
    post = topic.first_post
    edit(member_client, post, "Day one.\nFeeling steady.", "wording")
    edit(member_client, post, "Day one.\nFeeling steady.\nSlept well.")
    numbers = list(post.revisions.values_list("number", "body_markdown"))
    assert numbers == [
        (1, "Day one.\nFeeling calm."),
        (2, "Day one.\nFeeling steady."),
        (3, "Day one.\nFeeling steady.\nSlept well."),
    ]
    html = member_client.get(f"/p/{post.pk}/history/").content.decode()
    assert "As first posted" in html and "Revision 3" in html and "wording" in html
    assert '<del><span class="visually-hidden">removed: </span>Feeling calm.</del>' in html
    assert '<ins><span class="visually-hidden">added: </span>Feeling steady.</ins>' in html
    assert '<ins><span class="visually-hidden">added: </span>Slept well.</ins>' in html
    assert "/revert/" not in html  # the author sees their history, never reverts


def test_diff_escapes_markup(member_client, topic):
    edit(member_client, topic.first_post, "<script>alert(1)</script>")
    html = member_client.get(f"/p/{topic.first_post_id}/history/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_unedited_post_history_says_so_to_its_author(member_client, topic):
    html = member_client.get(f"/p/{topic.first_post_id}/history/").content.decode()
    assert "has not been edited" in html


# --- Who sees earlier versions: the author and the category's moderators ----------------------


def client_of(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def edited(member_client, topic):
    """The member's first post, edited twice: an address added, then taken back."""
    post = topic.first_post
    edit(member_client, post, "Day one.\nFeeling calm.\nMy address is 1 Elm Street.")
    edit(member_client, post, "Day one.\nFeeling calm.", "took my address out")
    return post


def test_history_shown_to_the_author_and_the_categorys_moderators(
    edited, member, moderator, category
):
    appointed = UserFactory(username="keeper", two_factor=True)
    category.moderators.add(appointed)
    for reader in (member, moderator, appointed):
        response = client_of(reader).get(f"/p/{edited.pk}/history/")
        assert response.status_code == 200, reader
        assert "1 Elm Street" in response.content.decode()


def test_history_refused_calmly_to_other_members_who_see_the_post(edited, other_member, topic):
    client = client_of(other_member)
    assert "Feeling calm." in client.get(topic.get_absolute_url()).content.decode()
    response = client.get(f"/p/{edited.pk}/history/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "1 Elm Street" not in html and "took my address out" not in html
    assert "The edit history is not shown to you" in html
    assert "This post was edited 2 times." in html  # that it was edited is no secret
    assert "only to its author and the moderators" in html
    assert f'href="{edited.get_absolute_url()}"' in html


def test_history_sends_guests_to_sign_in_and_shows_them_nothing(edited):
    response = client_of().get(f"/p/{edited.pk}/history/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert response["Location"].endswith(f"?next=/p/{edited.pk}/history/")


def test_moderator_of_another_category_does_not_see_the_history(edited):
    elsewhere = UserFactory(username="elsewhere", two_factor=True)
    CategoryFactory(slug="elsewhere").moderators.add(elsewhere)
    assert client_of(elsewhere).get(f"/p/{edited.pk}/history/").status_code == 403


def test_history_link_only_for_those_who_may_see_it(edited, member, other_member, moderator, topic):
    link = f'href="/p/{edited.pk}/history/"'
    for reader, linked in ((member, True), (moderator, True), (other_member, False), (None, False)):
        html = client_of(reader).get(topic.get_absolute_url()).content.decode()
        assert (link in html) is linked, reader
        assert 'class="post__edited"' in html  # everyone sees that the post was edited


def test_moderator_reverts_to_a_revision_as_new_revision(client, member, moderator, topic):
    post = topic.first_post
    client.force_login(member)
    edit(client, post, "Something I regret.")
    client.force_login(moderator)
    html = client.get(f"/p/{post.pk}/history/").content.decode()
    assert f'action="/p/{post.pk}/history/1/revert/"' in html
    response = client.post(f"/p/{post.pk}/history/1/revert/")
    assert response.status_code == 302 and response["Location"] == f"/p/{post.pk}/history/"
    post.refresh_from_db()
    assert post.body_markdown == "Day one.\nFeeling calm."
    assert "Feeling calm." in post.body_html
    latest = post.revisions.order_by("-number").first()
    assert latest.number == 3 and latest.editor == moderator
    assert "Reverted to revision 1" in latest.reason


def test_member_cannot_revert_even_own_post(member_client, topic):
    post = topic.first_post
    edit(member_client, post, "Changed.")
    html = member_client.get(f"/p/{post.pk}/history/").content.decode()
    assert "/revert/" not in html
    assert member_client.post(f"/p/{post.pk}/history/1/revert/").status_code == 403
    post.refresh_from_db()
    assert post.body_markdown == "Changed." and post.revisions.count() == 2


def test_revert_unknown_revision_is_404(client, moderator, topic):
    client.force_login(moderator)
    assert client.post(f"/p/{topic.first_post_id}/history/9/revert/").status_code == 404


def test_admin_text_change_is_kept_as_a_revision(client, topic):
    client.force_login(
        UserFactory(username="admin", is_staff=True, is_superuser=True, two_factor=True)
    )
    post = topic.first_post
    response = client.post(
        f"/admin/forum/post/{post.pk}/change/", {"body_markdown": "Tidied by an admin."}
    )
    assert response.status_code == 302
    assert list(post.revisions.values_list("number", flat=True)) == [1, 2]
    assert Post.objects.get(pk=post.pk).edited_at is not None
