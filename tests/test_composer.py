"""The composer over HTTP: live preview, drafts, sign-in in the middle, one post per submission."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from stepdown.core.text import render_markdown
from stepdown.forum import actions
from stepdown.forum.models import Draft, Post, Topic
from tests.factories import CategoryFactory, UserFactory, make_topic

KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def topic(category):
    return make_topic(category, title="Week six", body="How is everyone?")


def reply_url(topic: Topic) -> str:
    return reverse("forum:reply", kwargs={"pk": topic.pk})


def draft_url(topic: Topic) -> str:
    return reverse("forum:reply_draft", kwargs={"pk": topic.pk})


def autosave(client: Client, url: str, **fields):
    return client.post(url, {"autosave": "1", **fields})


def textarea_text(html: str, name: str = "body") -> str:
    match = re.search(rf'<textarea name="{name}"[^>]*>\n?(.*?)</textarea>', html, re.S)
    assert match, f"no textarea {name}"
    return match.group(1)


# --- Live preview -------------------------------------------------------------------------------


def test_preview_renders_with_the_posting_renderer_for_members(member_client):
    body = "**calm** day\n\n<script>alert(1)</script> [x](javascript:alert(1))"
    response = member_client.post(reverse("forum:preview"), {"body": body})
    assert response.status_code == 200
    html = response.content.decode()
    assert render_markdown(body) in html
    assert "<strong>calm</strong>" in html
    assert "<script" not in html and 'href="javascript' not in html


def test_preview_says_nothing_yet_when_body_is_empty(member_client):
    response = member_client.post(reverse("forum:preview"), {"body": "   "})
    assert "Nothing to preview yet" in response.content.decode()


def test_preview_is_refused_for_guests_and_to_get(member_client):
    assert Client().post(reverse("forum:preview"), {"body": "x"}).status_code == 403
    assert member_client.get(reverse("forum:preview")).status_code == 405


def test_preview_button_without_javascript_shows_preview_and_keeps_text(member_client, topic):
    response = member_client.post(
        reply_url(topic), {"body": "I *slept* tonight", "preview": "1", "submission_key": KEY}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "I <em>slept</em> tonight" in html
    assert textarea_text(html) == "I *slept* tonight"
    assert f'value="{KEY}"' in html  # the same submission key, so posting after previewing is once
    assert topic.posts.count() == 1
    assert Draft.objects.get(key=f"reply:{topic.pk}").fields == {"body": "I *slept* tonight"}


def test_new_topic_preview_keeps_every_field(member_client, category):
    url = reverse("forum:new_topic", kwargs={"slug": category.slug})
    response = member_client.post(
        url,
        {"title": "Day 40", "tag": "Update", "body": "- one\n- two", "preview": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<li>one</li>" in html
    assert 'value="Day 40"' in html and 'value="Update"' in html
    assert not Topic.objects.exists()


def test_edit_preview_without_javascript_changes_nothing(member_client, member, topic):
    post = actions.create_reply(topic, author=member, body="First words")
    url = reverse("forum:edit_post", kwargs={"pk": post.pk})
    response = member_client.post(url, {"body": "New **words**", "preview": "1"})
    assert response.status_code == 200
    assert "New <strong>words</strong>" in response.content.decode()
    post.refresh_from_db()
    assert post.body_markdown == "First words"


def test_composer_has_toolbar_hidden_until_script_and_live_preview(member_client, topic):
    html = member_client.get(topic.get_absolute_url()).content.decode()
    assert re.search(r'role="toolbar" aria-label="Formatting"[^>]*hidden>', html)
    for tool in ("Bold", "Italic", "Link", "Quote", "List"):
        assert f">{tool}</button>" in html
    assert f'hx-post="{reverse("forum:preview")}"' in html
    assert 'name="preview"' in html  # the no-JavaScript preview


# --- Drafts -------------------------------------------------------------------------------------


def test_autosave_keeps_draft_and_topic_page_restores_it(member_client, topic):
    response = autosave(member_client, draft_url(topic), body="Half a thought")
    assert response.status_code == 200
    assert response.json()["saved"] is True
    assert response.json()["label"].startswith("Draft saved at")
    html = member_client.get(topic.get_absolute_url()).content.decode()
    assert textarea_text(html) == "Half a thought"
    assert "Discard draft" in html
    html = member_client.get(reply_url(topic)).content.decode()
    assert textarea_text(html) == "Half a thought"


def test_draft_follows_member_to_another_device(member, topic):
    laptop, phone = Client(), Client()
    laptop.force_login(member)
    phone.force_login(member)
    autosave(laptop, draft_url(topic), body="Started on the laptop")
    assert textarea_text(phone.get(reply_url(topic)).content.decode()) == "Started on the laptop"


def test_draft_is_private_to_its_author(member_client, other_member, topic):
    autosave(member_client, draft_url(topic), body="Only mine")
    other = Client()
    other.force_login(other_member)
    assert "Only mine" not in other.get(topic.get_absolute_url()).content.decode()
    assert "Only mine" not in other.get(reply_url(topic)).content.decode()


def test_posting_deletes_the_draft(member_client, topic):
    autosave(member_client, draft_url(topic), body="Nearly done")
    member_client.post(reply_url(topic), {"body": "Done now", "submission_key": KEY})
    assert not Draft.objects.exists()
    assert textarea_text(member_client.get(reply_url(topic)).content.decode()) == ""


def test_autosave_arriving_after_its_form_was_posted_brings_no_draft_back(
    member_client, member, topic, category
):
    # composer.js stops saving once the form is sent, but a save already on its way can reach
    # the server after the post: the text is in the post, so no draft is offered again.
    key = "a" * 32
    fields = {"body": "Posted already.", "submission_key": key}
    assert member_client.post(reply_url(topic), fields).status_code == 302
    answer = autosave(member_client, draft_url(topic), **fields)
    assert answer.json() == {"saved": False, "label": ""}
    assert not Draft.objects.filter(user=member).exists()
    # A new topic's form the same way.
    new_topic = reverse("forum:new_topic", kwargs={"slug": category.slug})
    topic_fields = {"title": "Sleep", "body": "Posted too.", "submission_key": "b" * 32}
    assert member_client.post(new_topic, topic_fields).status_code == 302
    new_draft = reverse("forum:new_topic_draft", kwargs={"slug": category.slug})
    assert autosave(member_client, new_draft, **topic_fields).json()["saved"] is False
    assert not Draft.objects.filter(user=member).exists()
    # A form not posted yet (its own key) is saved as ever, and another member's key is theirs.
    fields["submission_key"] = "c" * 32
    assert autosave(member_client, draft_url(topic), **fields).json()["saved"] is True
    other = Client()
    other.force_login(UserFactory(username="otherwriter"))
    assert autosave(other, draft_url(topic), body="Mine", submission_key=key).json()["saved"]


def test_save_draft_button_without_javascript_returns_to_composer(member_client, topic):
    response = member_client.post(draft_url(topic), {"body": "Saved by hand"}, follow=True)
    assert response.redirect_chain[-1][0] == reply_url(topic)
    html = response.content.decode()
    assert "Your draft is saved" in html
    assert textarea_text(html) == "Saved by hand"


def test_discard_draft_forgets_it(member_client, topic):
    autosave(member_client, draft_url(topic), body="Never mind")
    response = member_client.post(draft_url(topic), {"discard": "1", "body": "x"}, follow=True)
    assert "Your draft is discarded" in response.content.decode()
    assert not Draft.objects.exists()


def test_autosave_of_empty_composer_removes_draft(member_client, topic):
    autosave(member_client, draft_url(topic), body="Something")
    response = autosave(member_client, draft_url(topic), body="  ")
    assert response.json()["saved"] is False
    assert not Draft.objects.exists()


def test_new_topic_draft_keeps_title_and_article_fields(member_client, category):
    url = reverse("forum:new_topic_draft", kwargs={"slug": category.slug})
    autosave(
        member_client,
        url,
        title="A review",
        body="Worth reading",
        article_doi="10.3390/neurolint13040059",
        password="never stored",
    )
    assert Draft.objects.get().fields == {
        "title": "A review",
        "body": "Worth reading",
        "article_doi": "10.3390/neurolint13040059",
    }
    html = member_client.get(reverse("forum:new_topic", kwargs={"slug": category.slug})).content
    html = html.decode()
    assert 'value="A review"' in html and 'value="10.3390/neurolint13040059"' in html
    assert textarea_text(html) == "Worth reading"


def test_failed_submission_is_saved_as_draft(member_client, category):
    url = reverse("forum:new_topic", kwargs={"slug": category.slug})
    response = member_client.post(url, {"title": "", "body": "All my words"})
    assert response.status_code == 400
    assert Draft.objects.get(key=f"topic:{category.pk}").fields == {"body": "All my words"}


def test_rate_limited_reply_is_saved_as_draft(member_client, topic, settings):
    settings.STEPDOWN_RATE_LIMITS = {**settings.STEPDOWN_RATE_LIMITS, "reply": "1/h/user"}
    member_client.post(reply_url(topic), {"body": "first"})
    response = member_client.post(reply_url(topic), {"body": "second, kept"})
    assert response.status_code == 429
    assert Draft.objects.get().fields == {"body": "second, kept"}


def test_autosave_tells_signed_out_member_without_saving(client, topic):
    response = autosave(client, draft_url(topic), body="x")
    assert response.status_code == 401
    assert "signed out" in response.json()["label"]
    assert not Draft.objects.exists()


def test_autosave_refused_where_member_cannot_reply(member_client, category):
    locked = make_topic(category, title="Closed")
    Topic.objects.filter(pk=locked.pk).update(is_locked=True)
    assert autosave(member_client, draft_url(locked), body="x").status_code == 403
    assert not Draft.objects.exists()


def test_draft_of_unreadable_topic_is_not_found(member_client):
    hidden = make_topic(CategoryFactory(read_access="members"), title="Lounge")
    guest = Client()
    assert guest.post(draft_url(hidden), {"body": "x"}).status_code == 404
    assert member_client.post(draft_url(hidden), {"body": "x"}).status_code == 302


def test_reply_refused_on_locked_topic_shows_the_text_back(member_client, category):
    locked = make_topic(category, title="Closed")
    Topic.objects.filter(pk=locked.pk).update(is_locked=True)
    response = member_client.post(reply_url(locked), {"body": "My careful words"})
    assert response.status_code == 403
    assert "My careful words" in response.content.decode()


# --- Signed out in the middle of writing -------------------------------------------------------


def test_expired_session_keeps_reply_and_returns_it_after_sign_in(member, topic):
    client = Client()
    client.force_login(member)
    client.cookies.pop(settings.SESSION_COOKIE_NAME)  # the session ended while they wrote
    response = client.post(
        reply_url(topic), {"body": "Written over an hour", "submission_key": KEY}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert response["Location"].endswith("?next=" + reply_url(topic))
    login_page = client.get(response["Location"]).content.decode()
    assert "nothing was posted yet" in login_page
    assert not Post.objects.filter(body_markdown="Written over an hour").exists()

    client.force_login(member)
    html = client.get(reply_url(topic)).content.decode()
    assert textarea_text(html) == "Written over an hour"
    assert "Here is what you wrote before signing in" in html
    # Now a draft like any other: on every device, and gone from the session.
    assert Draft.objects.get(user=member).fields == {"body": "Written over an hour"}
    assert "Here is what you wrote" not in client.get(reply_url(topic)).content.decode()


def test_expired_session_keeps_new_topic_fields(member, category):
    client = Client()
    url = reverse("forum:new_topic", kwargs={"slug": category.slug})
    client.post(url, {"title": "Day 90", "body": "Long story", "article_title": "A study"})
    client.force_login(member)
    html = client.get(url).content.decode()
    assert 'value="Day 90"' in html and 'value="A study"' in html
    assert textarea_text(html) == "Long story"


def test_signed_out_save_draft_button_keeps_text_for_after_sign_in(member, topic):
    client = Client()
    response = client.post(draft_url(topic), {"body": "Keep me"})
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    client.force_login(member)
    assert textarea_text(client.get(reply_url(topic)).content.decode()) == "Keep me"


# --- One post per submission ----------------------------------------------------------------------


def test_double_submitted_reply_posts_once(member_client, topic):
    first = member_client.post(reply_url(topic), {"body": "Just once", "submission_key": KEY})
    second = member_client.post(reply_url(topic), {"body": "Just once", "submission_key": KEY})
    assert topic.posts.filter(body_markdown="Just once").count() == 1
    assert first["Location"] == second["Location"]


def test_replies_with_different_keys_are_separate_posts(member_client, topic):
    member_client.post(reply_url(topic), {"body": "One", "submission_key": KEY})
    member_client.post(reply_url(topic), {"body": "Two", "submission_key": "f" * 32})
    assert topic.posts.count() == 3


def test_malformed_submission_key_is_ignored(member_client, topic):
    for _ in range(2):
        member_client.post(reply_url(topic), {"body": "Same", "submission_key": "not-a-key"})
    assert topic.posts.filter(body_markdown="Same").count() == 2


def test_same_key_from_another_member_is_their_own_post(member_client, other_member, topic):
    member_client.post(reply_url(topic), {"body": "Mine", "submission_key": KEY})
    other = Client()
    other.force_login(other_member)
    other.post(reply_url(topic), {"body": "Theirs", "submission_key": KEY})
    assert topic.posts.count() == 3


def test_double_submitted_topic_starts_one_topic(member_client, category):
    url = reverse("forum:new_topic", kwargs={"slug": category.slug})
    data = {"title": "Hello", "body": "New here", "submission_key": KEY}
    first = member_client.post(url, data)
    second = member_client.post(url, data)
    assert Topic.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_rendered_forms_carry_fresh_submission_keys(member_client, topic):
    keys = [
        re.search(r'name="submission_key" value="([0-9a-f]{32})"', html).group(1)
        for html in (
            member_client.get(reply_url(topic)).content.decode(),
            member_client.get(reply_url(topic)).content.decode(),
        )
    ]
    assert keys[0] != keys[1]


def test_racing_submissions_with_same_key_make_one_post(member, topic):
    """Nothing is looked up before the post's INSERT: the database's constraint refuses a
    second post with the key (as for two requests racing), and nothing of it stays."""
    first = actions.create_reply(topic, author=member, body="Race", submission_key=KEY)
    actions.save_draft(member, key="reply:race", fields={"body": "Race"})
    topic.refresh_from_db()
    topic.category.refresh_from_db()
    counters = (topic.last_position, topic.reply_count, topic.category.post_count)
    again = actions.create_reply(
        topic, author=member, body="Race", submission_key=KEY, draft_key="reply:race"
    )
    assert again.pk == first.pk
    assert topic.posts.filter(body_markdown="Race").count() == 1
    topic.refresh_from_db()
    topic.category.refresh_from_db()
    assert (topic.last_position, topic.reply_count, topic.category.post_count) == counters
    assert not Draft.objects.filter(user=member, key="reply:race").exists()


def test_racing_topic_submissions_with_same_key_make_one_topic(member, category, monkeypatch):
    original = actions._already_submitted
    first = actions.create_topic(
        category, author=member, title="Race", body="x", submission_key=KEY
    )
    calls = {"n": 0}

    def miss_once(author, key):
        calls["n"] += 1
        return None if calls["n"] == 1 else original(author, key)

    monkeypatch.setattr(actions, "_already_submitted", miss_once)
    again = actions.create_topic(
        category, author=member, title="Race", body="x", submission_key=KEY
    )
    assert again.pk == first.pk
    assert Topic.objects.count() == 1


# --- Cost -----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("members_pages_rendered")
@pytest.mark.parametrize("replies", [3, 40])
def test_topic_page_for_member_costs_same_queries_with_a_draft(
    member, topic, django_assert_num_queries, replies
):
    for number in range(replies):
        actions.create_reply(topic, author=UserFactory(), body=f"reply {number}")
    client = Client()
    client.force_login(member)
    autosave(client, draft_url(topic), body="draft")
    # session, member, the member's category rights, topic, read state and its update, posts,
    # the member's reactions, all reactions, reaction kinds, recommended, signatures, draft,
    # following, and the header's unread notifications and conversations counts
    with django_assert_num_queries(16):
        client.get(topic.get_absolute_url())
    # Again: the page is read, and its posts and the member's rights are kept (no rights, no
    # reactions, no signatures).
    with django_assert_num_queries(12):
        client.get(topic.get_absolute_url())


@pytest.mark.parametrize("followers", [1, 12])
def test_reply_costs_the_same_queries_however_many_follow_the_topic(
    member, topic, django_assert_num_queries, followers
):
    for number in range(followers):
        actions.create_reply(topic, author=UserFactory(), body=f"I follow this {number}")
    client = Client()
    client.force_login(member)
    client.post(reply_url(topic), {"body": "My first reply", "submission_key": "e" * 32})
    # The member follows the topic now and every follower has an unread line about it, as on a
    # busy topic. Topic with category, session, member; the post's transaction (2: begin and
    # commit, savepoints in tests): lock read, post, search entry, topic and category counters,
    # read state, draft; then the follows, the recipients with their preferences, and in a
    # transaction of their own (2) the gathered notification lines read and brought up to date.
    with django_assert_num_queries(18):
        response = client.post(reply_url(topic), {"body": "And again", "submission_key": KEY})
    assert response.status_code == 302
    assert topic.posts.filter(body_markdown="And again").count() == 1
