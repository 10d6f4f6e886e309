"""Quoting a post in a reply, and content warnings, at the HTTP edge."""

import html as html_lib
import re

import pytest
from django.contrib.auth.models import AnonymousUser

from stepdown.forum import actions, quotes
from stepdown.forum.models import Post, Topic
from tests.factories import UserFactory, make_topic


def body_field(page: str) -> str:
    match = re.search(r'<textarea name="body"[^>]*>\n?(.*?)</textarea>', page, re.S)
    assert match, "no body textarea"
    return html_lib.unescape(match.group(1))


@pytest.fixture
def quoted_topic(category):
    author = UserFactory(username="river_walker")
    return make_topic(category, author=author, body="Day 40.\n\nStill **steady**.")


def test_topic_shows_quote_link_on_each_post_for_members_who_may_reply(member_client, quoted_topic):
    actions.create_reply(quoted_topic, author=quoted_topic.author, body="Another.")
    page = member_client.get(quoted_topic.get_absolute_url()).content.decode()
    for post in quoted_topic.posts.all():
        assert f'href="/t/{quoted_topic.pk}/reply/?quote={post.pk}"' in page
    assert page.count('class="post__quote"') == 2


def test_topic_shows_no_quote_link_to_guests(client, quoted_topic):
    page = client.get(quoted_topic.get_absolute_url()).content.decode()
    assert "?quote=" not in page


def test_topic_shows_no_quote_link_when_topic_is_locked(member_client, quoted_topic):
    Topic.objects.filter(pk=quoted_topic.pk).update(is_locked=True)
    page = member_client.get(quoted_topic.get_absolute_url()).content.decode()
    assert "?quote=" not in page


def test_reply_page_prefills_quote_with_attribution_and_link_when_quote_given(
    member_client, quoted_topic
):
    post = quoted_topic.first_post
    page = member_client.get(f"/t/{quoted_topic.pk}/reply/?quote={post.pk}").content.decode()
    assert body_field(page) == (
        f"> **river\\_walker** [wrote](/p/{post.pk}/):\n> Day 40.\n>\n> Still **steady**.\n\n"
    )


def test_posted_quote_renders_as_blockquote_linking_back_to_source(member_client, quoted_topic):
    post = quoted_topic.first_post
    page = member_client.get(f"/t/{quoted_topic.pk}/reply/?quote={post.pk}").content.decode()
    body = body_field(page) + "Glad to read this."
    response = member_client.post(f"/t/{quoted_topic.pk}/reply/", {"body": body})
    assert response.status_code == 302
    reply = Post.objects.get(position=2, topic=quoted_topic)
    assert reply.body_html.startswith("<blockquote>\n<p><strong>river_walker</strong> ")
    assert f'<a href="/p/{post.pk}/" rel="nofollow ugc noopener">wrote</a>:' in reply.body_html
    assert "<p>Glad to read this.</p>" in reply.body_html


@pytest.mark.parametrize("quote", ["abc", "-1", "0", "999999", "1" * 40, ""])
def test_reply_page_ignores_quote_that_names_no_post(member_client, quoted_topic, quote):
    response = member_client.get(f"/t/{quoted_topic.pk}/reply/?quote={quote}")
    assert response.status_code == 200
    assert body_field(response.content.decode()) == ""


def test_reply_page_ignores_quote_of_post_in_another_topic(member_client, category, quoted_topic):
    elsewhere = make_topic(category, body="Somewhere else.")
    url = f"/t/{quoted_topic.pk}/reply/?quote={elsewhere.first_post.pk}"
    response = member_client.get(url)
    assert response.status_code == 200
    assert "Somewhere else" not in body_field(response.content.decode())


def test_reply_page_ignores_quote_of_removed_post(member_client, quoted_topic):
    reply = actions.create_reply(quoted_topic, author=quoted_topic.author, body="Removed words.")
    Post.objects.filter(pk=reply.pk).update(is_deleted=True)
    page = member_client.get(f"/t/{quoted_topic.pk}/reply/?quote={reply.pk}").content.decode()
    assert body_field(page) == ""
    assert "Removed words" not in page


def test_quoted_post_is_none_for_reader_who_may_not_see_the_category(members_category):
    topic = make_topic(members_category, body="Members only words.")
    post = topic.first_post
    assert quotes.quoted_post(AnonymousUser(), topic, str(post.pk)) is None
    assert quotes.quoted_post(topic.author, topic, str(post.pk)) == post


def test_reply_post_with_quote_param_keeps_what_member_typed(member_client, quoted_topic):
    post = quoted_topic.first_post
    response = member_client.post(f"/t/{quoted_topic.pk}/reply/?quote={post.pk}", {"body": "   "})
    assert response.status_code == 400
    assert "Day 40" not in body_field(response.content.decode())


def test_guest_following_quote_link_is_sent_to_sign_in_and_back(client, quoted_topic):
    post = quoted_topic.first_post
    response = client.get(f"/t/{quoted_topic.pk}/reply/?quote={post.pk}")
    assert response.status_code == 302
    assert "next=" in response["Location"] and f"quote%3D{post.pk}" in response["Location"]


def test_quote_of_former_member_post_says_former_member(member_client, quoted_topic):
    post = quoted_topic.first_post
    Post.objects.filter(pk=post.pk).update(author=None)
    page = member_client.get(f"/t/{quoted_topic.pk}/reply/?quote={post.pk}").content.decode()
    assert body_field(page).startswith(f"> **former member** [wrote](/p/{post.pk}/):\n")


def test_reply_with_content_warning_shows_closed_labelled_box(member_client, quoted_topic):
    body = "Before.\n\n:::cw Self-harm mention\nThe hard part.\n:::\n\nAfter."
    member_client.post(f"/t/{quoted_topic.pk}/reply/", {"body": body})
    page = member_client.get(quoted_topic.get_absolute_url()).content.decode()
    assert (
        '<details class="content-warning"><summary>Content warning: Self-harm mention</summary>'
        in page
    )
    assert "<p>The hard part.</p>\n</details>" in page


def test_composer_help_mentions_content_warning_syntax(member_client, quoted_topic):
    page = member_client.get(f"/t/{quoted_topic.pk}/reply/").content.decode()
    assert ":::cw Label" in page
