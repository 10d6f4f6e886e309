import re

import pytest
from django.urls import reverse

from stepdown.forum import actions
from stepdown.forum.models import Post, Topic
from tests.factories import CategoryFactory, UserFactory, make_topic

pytestmark = pytest.mark.django_db


def first_focusable(html: str) -> str:
    """The first link, button or field in the body: what Tab reaches first."""
    body = html.split("<body", 1)[1]
    return re.search(r"<(a|button|input|select|textarea|summary)\b[^>]*>", body).group(0)


# --- Home --------------------------------------------------------------------------------------


def test_home_lists_categories_with_counts_and_latest_post(client, category, member):
    topic = make_topic(category, author=member, title="Slow and steady", replies=2)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Research and articles" in html
    assert "<dt>Topics</dt><dd>1</dd>" in html
    assert "<dt>Posts</dt><dd>3</dd>" in html
    assert "Slow and steady" in html
    assert topic.last_post.get_absolute_url() in html


def test_home_hides_members_only_categories_from_guests(client, category, members_category):
    make_topic(members_category, title="Lounge chat")
    html = client.get("/").content.decode()
    assert "Members&#x27; lounge" not in html and "Lounge chat" not in html


def test_home_shows_members_only_categories_to_members(member_client, members_category):
    make_topic(members_category, title="Lounge chat")
    html = member_client.get("/").content.decode()
    assert "Members only" in html
    assert "Lounge chat" in html


def test_every_page_starts_with_a_jump_to_content_link(client, category):
    topic = make_topic(category)
    for url in [
        "/",
        category.get_absolute_url(),
        topic.get_absolute_url(),
        "/accounts/login/",
        "/accounts/signup/",
        "/no-such-page/",
    ]:
        html = client.get(url).content.decode()
        assert first_focusable(html) == '<a class="skip-link" href="#main">', url
        assert "Jump to content" in html
        assert '<main id="main" tabindex="-1"' in html, url


# --- Category ----------------------------------------------------------------------------------


def test_category_lists_pinned_topics_first_then_latest_activity(client, category):
    old = make_topic(category, title="Older topic")
    pinned = make_topic(category, title="Pinned rules")
    Topic.objects.filter(pk=pinned.pk).update(is_pinned=True)
    new = make_topic(category, title="Newer topic")
    actions.create_reply(old, author=old.author, body="Bumping this one.")
    html = client.get(category.get_absolute_url()).content.decode()
    assert html.index("Pinned rules") < html.index("Older topic") < html.index("Newer topic")
    assert new.title in html


def test_category_pages_topics(client, category, settings):
    settings.STEPDOWN_TOPICS_PER_PAGE = 30
    author = UserFactory()
    for number in range(32):
        actions.create_topic(category, author=author, title=f"Topic {number:02d}", body="x")
    first = client.get(category.get_absolute_url()).content.decode()
    second = client.get(category.get_absolute_url() + "?page=2").content.decode()
    assert "Topic 31" in first and "Topic 00" not in first
    assert "Topic 00" in second and "Topic 01" in second
    assert 'rel="next"' in first


def test_unknown_category_is_a_clear_404(client, db):
    response = client.get("/c/nowhere/")
    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()


def test_members_only_category_is_404_for_guests(client, members_category):
    topic = make_topic(members_category)
    assert client.get(members_category.get_absolute_url()).status_code == 404
    assert client.get(topic.get_absolute_url()).status_code == 404
    assert client.get(topic.first_post.get_absolute_url()).status_code == 404


# --- Topic -------------------------------------------------------------------------------------


def test_topic_shows_twenty_posts_a_page(client, category):
    topic = make_topic(category, replies=44)  # 45 posts: pages of 20, 20 and 5
    first = client.get(topic.get_absolute_url()).content.decode()
    third = client.get(topic.get_absolute_url() + "?page=3").content.decode()
    assert first.count('class="post ') + first.count('class="post"') == 20
    assert "Reply number 19." in first and "Reply number 20." not in first
    assert "Reply number 40." in third and "Reply number 44." in third
    assert "Reply number 39." not in third
    assert 'aria-current="page"><span class="visually-hidden">Page </span>3</span>' in third


def test_topic_page_past_the_end_goes_to_last_page(client, category):
    topic = make_topic(category, replies=25)
    response = client.get(topic.get_absolute_url() + "?page=9")
    assert response.status_code == 302
    assert response["Location"].endswith("?page=2")


def test_topic_with_wrong_slug_redirects_to_its_address(client, category):
    topic = make_topic(category, title="Right title")
    response = client.get(f"/t/{topic.pk}/wrong-title/")
    assert response.status_code == 301
    assert response["Location"] == topic.get_absolute_url()


def test_unknown_topic_is_a_clear_404(client, db):
    response = client.get("/t/999999/anything/")
    assert response.status_code == 404
    assert "Go to the forum’s front page" in response.content.decode()


def test_topic_shows_article_card_above_first_post(client, category):
    topic = make_topic(
        category,
        tag="Review, Nov/21",
        title="Benzodiazepines: Uses, Dangers, and Clinical Considerations",
        body="My thoughts on this review.",
        article=actions.ArticleDetails(
            title="Benzodiazepines: Uses, Dangers, and Clinical Considerations",
            authors="Edinoff AN, et al.",
            source="Neurology International",
            published="2021",
            doi="10.3390/neurolint13040059",
            abstract="A narrative review.",
        ),
    )
    html = client.get(topic.get_absolute_url()).content.decode()
    assert '<span class="topic-tag">Review, Nov/21:</span>' in html
    assert "<title>Review, Nov/21: Benzodiazepines" in html
    main = html[html.index("<main") :]  # the head's description quotes the first post too
    assert main.index('class="article-card"') < main.index("My thoughts on this review.")
    assert "Edinoff AN, et al." in html and "A narrative review." in html
    assert (
        '<a class="button" href="https://doi.org/10.3390/neurolint13040059" '
        'rel="noopener nofollow ugc">Read the full article</a>' in html
    )


def test_topic_invites_guests_to_sign_in_instead_of_reply_box(client, category):
    topic = make_topic(category)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "Create an account or sign in to comment" in html
    assert reverse("account_signup") in html and reverse("account_login") in html
    assert 'name="body"' not in html


def test_topic_shows_reply_box_to_members(member_client, category):
    topic = make_topic(category)
    html = member_client.get(topic.get_absolute_url()).content.decode()
    assert 'name="body"' in html
    assert "Create an account or sign in to comment" not in html


def test_topic_has_link_to_comment_and_share_on_every_post(client, category):
    topic = make_topic(category, replies=3)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert html.count(">Link to comment</a>") == 4
    assert html.count("<summary>Share</summary>") == 4
    for post in topic.posts.all():
        assert f'value="http://testserver/p/{post.pk}/"' in html
        assert f"mailto:?subject=A%20topic&amp;body=http%3A//testserver/p/{post.pk}/" in html


def test_topic_page_loads_nothing_from_other_sites(client, category, settings):
    topic = make_topic(category)
    html = client.get(topic.get_absolute_url()).content.decode()
    own = ("http://testserver/", f"{settings.SITE_URL}/")  # the canonical link is on SITE_URL
    for attribute in re.findall(r'(?:src|href)="([^"]+)"', html):
        if attribute.startswith(("http://", "https://")) and not attribute.startswith(own):
            # Only member-written links may point elsewhere; none load anything.
            raise AssertionError(attribute)
    assert '<link rel="stylesheet" href="/static/' in html


@pytest.mark.parametrize("replies", [3, 40])
def test_topic_page_query_count_does_not_grow_with_posts(
    client, category, django_assert_num_queries, replies
):
    topic = make_topic(category, replies=replies)
    actions.set_recommended(topic.posts.get(position=2), by=topic.author, recommended=True)
    # topic+category+article, posts, reactions, recommended, taper signatures of the authors
    with django_assert_num_queries(5):
        client.get(topic.get_absolute_url())


@pytest.mark.parametrize("topics", [2, 25])
def test_category_and_home_query_counts_do_not_grow(
    client, category, django_assert_num_queries, topics
):
    author = UserFactory()
    for number in range(topics):
        actions.create_topic(category, author=author, title=f"Topic {number}", body="x")
    with django_assert_num_queries(3):  # category, count, topics with authors and last posts
        client.get(category.get_absolute_url())
    with django_assert_num_queries(1):
        client.get("/")


def test_signed_in_topic_page_query_count_is_constant(client, category, moderator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = make_topic(category, replies=2)
    large = make_topic(category, replies=30)
    client.force_login(moderator)
    counts = []
    for topic in (small, large):
        with CaptureQueriesContext(connection) as context:
            client.get(topic.get_absolute_url())
        counts.append(len(context))
    assert counts[0] == counts[1]


# --- Posting -----------------------------------------------------------------------------------


def test_member_starts_a_topic_with_an_article(member_client, category, member):
    response = member_client.post(
        f"/c/{category.slug}/new/",
        {
            "tag": "Review, Nov/21:",
            "title": "A helpful review",
            "body": "Worth a read.",
            "article_title": "Benzodiazepines: Uses, Dangers, and Clinical Considerations",
            "article_doi": "https://doi.org/10.3390/neurolint13040059",
            "article_abstract": "Summary.",
        },
    )
    topic = Topic.objects.get()
    assert response.status_code == 302
    assert response["Location"] == topic.get_absolute_url()
    assert topic.tag == "Review, Nov/21"
    assert topic.author == member
    assert topic.article.doi == "10.3390/neurolint13040059"
    assert topic.first_post.body_markdown == "Worth a read."
    category.refresh_from_db()
    assert (category.topic_count, category.post_count) == (1, 1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "body": "Text"}, "Please give your topic a title."),
        ({"title": "   ", "body": "Text"}, "Please give your topic a title."),
        ({"title": "x" * 201, "body": "Text"}, "The title is too long: at most 200 characters"),
        ({"title": "Title", "body": ""}, "Please write something before posting."),
        ({"title": "Title", "body": "y" * 50_001}, "This message is too long"),
        (
            {"title": "Title", "body": "Text", "article_title": "A paper", "article_doi": "nope"},
            "This does not look like a DOI.",
        ),
        (
            {
                "title": "Title",
                "body": "Text",
                "article_title": "A paper",
                "article_url": "javascript:alert(1)",
            },
            "Please give a full web address starting with https://.",
        ),
        (
            {"title": "Title", "body": "Text", "article_abstract": "An abstract only"},
            "Please give the article&#x27;s title",
        ),
    ],
)
def test_new_topic_bad_input_is_explained_and_kept(member_client, category, data, message):
    response = member_client.post(f"/c/{category.slug}/new/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Please check what you wrote" in html
    for value in data.values():
        if value.strip() and len(value) < 300:
            assert value in html or value.replace("'", "&#x27;") in html
    if len(data["body"]) > 50_000:
        assert data["body"] in html
    assert Topic.objects.count() == 0 and Post.objects.count() == 0


def test_member_replies_and_lands_on_the_reply(member_client, category):
    topic = make_topic(category, replies=25)
    response = member_client.post(f"/t/{topic.pk}/reply/", {"body": "Thinking of you."})
    post = Post.objects.get(body_markdown="Thinking of you.")
    assert response.status_code == 302
    assert response["Location"] == post.get_absolute_url()
    assert post.position == 27
    topic.refresh_from_db()
    assert topic.reply_count == 26 and topic.last_post == post
    landing = member_client.get(post.get_absolute_url())
    assert landing["Location"] == f"{topic.get_absolute_url()}?page=2#post-{post.pk}"


def test_empty_reply_is_refused_with_message(member_client, category):
    topic = make_topic(category)
    response = member_client.post(f"/t/{topic.pk}/reply/", {"body": "   \n "})
    assert response.status_code == 400
    assert "Please write something before posting." in response.content.decode()
    assert topic.posts.count() == 1


def test_reply_keeps_markdown_indentation(member_client, category):
    topic = make_topic(category)
    member_client.post(f"/t/{topic.pk}/reply/", {"body": "    indented code\n"})
    post = topic.posts.get(position=2)
    assert post.body_markdown == "    indented code\n"
    assert "<pre><code>indented code" in post.body_html


def test_guest_cannot_reply_or_start_topic(client, category):
    topic = make_topic(category)
    response = client.post(f"/t/{topic.pk}/reply/", {"body": "Hello"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    response = client.post(f"/c/{category.slug}/new/", {"title": "T", "body": "B"})
    assert response.status_code == 302
    assert Post.objects.count() == 1 and Topic.objects.count() == 1


def test_reply_to_locked_topic_is_refused_with_message(member_client, category):
    topic = make_topic(category)
    Topic.objects.filter(pk=topic.pk).update(is_locked=True)
    page = member_client.get(topic.get_absolute_url()).content.decode()
    assert "This topic is locked" in page and 'name="body"' not in page
    response = member_client.post(f"/t/{topic.pk}/reply/", {"body": "Hello"})
    assert response.status_code == 403
    assert "This topic is locked, so it takes no new replies." in response.content.decode()
    assert topic.posts.count() == 1


def test_moderator_may_reply_to_locked_topic(client, category, moderator):
    topic = make_topic(category)
    Topic.objects.filter(pk=topic.pk).update(is_locked=True)
    client.force_login(moderator)
    response = client.post(f"/t/{topic.pk}/reply/", {"body": "Locking this for now."})
    assert response.status_code == 302
    assert topic.posts.count() == 2


def test_moderators_only_category_refuses_members(member_client, member):
    announcements = CategoryFactory(slug="news", post_access="moderators")
    response = member_client.post("/c/news/new/", {"title": "Hi", "body": "Hello"})
    assert response.status_code == 403
    assert "Only moderators start topics" in response.content.decode()
    topic = make_topic(announcements)
    response = member_client.post(f"/t/{topic.pk}/reply/", {"body": "Hello"})
    assert response.status_code == 403
    assert Topic.objects.count() == 1 and Post.objects.count() == 1


def test_member_cannot_post_in_members_category_they_cannot_see_as_guest(client, members_category):
    response = client.post(f"/c/{members_category.slug}/new/", {"title": "T", "body": "B"})
    assert response.status_code == 404


def test_post_without_csrf_token_gets_clear_page_with_text_kept(category, member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    topic = make_topic(category)
    response = client.post(f"/t/{topic.pk}/reply/", {"body": "Words I do not want to lose."})
    html = response.content.decode()
    assert response.status_code == 403
    assert "Please send that again" in html
    assert "Words I do not want to lose." in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert topic.posts.count() == 1


# --- Recommended posts -------------------------------------------------------------------------


def test_moderator_recommends_reply_and_it_is_listed_at_top(client, category, moderator):
    topic = make_topic(category, replies=3)
    reply = topic.posts.get(position=3)
    client.force_login(moderator)
    response = client.post(f"/p/{reply.pk}/recommend/", {"recommended": "1"})
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.is_recommended and reply.recommended_by == moderator
    html = client.get(topic.get_absolute_url()).content.decode()
    block = html[html.index("Recommended posts") : html.index('class="post-list"')]
    assert f'href="/p/{reply.pk}/"' in block
    assert "Reply number 2." in block
    client.post(f"/p/{reply.pk}/recommend/", {"recommended": "0"})
    reply.refresh_from_db()
    assert not reply.is_recommended
    assert "Recommended posts" not in client.get(topic.get_absolute_url()).content.decode()


def test_member_cannot_recommend(member_client, category, other_member):
    topic = make_topic(category, author=other_member, replies=1)
    reply = topic.posts.get(position=2)
    response = member_client.post(f"/p/{reply.pk}/recommend/")
    assert response.status_code == 403
    reply.refresh_from_db()
    assert not reply.is_recommended
    assert "/recommend/" not in member_client.get(topic.get_absolute_url()).content.decode()


def test_guest_cannot_recommend(client, category):
    topic = make_topic(category, replies=1)
    reply = topic.posts.get(position=2)
    response = client.post(f"/p/{reply.pk}/recommend/")
    assert response.status_code == 403
    reply.refresh_from_db()
    assert not reply.is_recommended


def test_topic_author_recommends_where_category_allows(client, member, other_member):
    category = CategoryFactory(slug="support", authors_may_recommend=True)
    topic = make_topic(category, author=member)
    reply = actions.create_reply(topic, author=other_member, body="Here's what helped me.")
    client.force_login(member)
    assert client.post(f"/p/{reply.pk}/recommend/").status_code == 302
    reply.refresh_from_db()
    assert reply.is_recommended


def test_topic_author_cannot_recommend_where_category_does_not_allow(
    client, category, member, other_member
):
    topic = make_topic(category, author=member)
    reply = actions.create_reply(topic, author=other_member, body="Here's what helped me.")
    client.force_login(member)
    assert client.post(f"/p/{reply.pk}/recommend/").status_code == 403


def test_recommend_needs_post_method(client, category, moderator):
    topic = make_topic(category, replies=1)
    client.force_login(moderator)
    assert client.get(f"/p/{topic.last_post_id}/recommend/").status_code == 405


# --- Link to comment ---------------------------------------------------------------------------


def test_link_to_comment_opens_the_page_holding_the_post(client, category):
    topic = make_topic(category, replies=59)  # 60 posts, 3 pages
    for position, page in [(1, 1), (20, 1), (21, 2), (41, 3), (60, 3)]:
        post = topic.posts.get(position=position)
        response = client.get(f"/p/{post.pk}/")
        query = f"?page={page}" if page > 1 else ""
        assert response.status_code == 302
        assert response["Location"] == f"{topic.get_absolute_url()}{query}#post-{post.pk}"
        landing = client.get(response["Location"]).content.decode()
        assert f'id="post-{post.pk}" tabindex="-1"' in landing


def test_link_to_deleted_post_is_a_clear_404(client, category):
    topic = make_topic(category, replies=2)
    post = topic.posts.get(position=2)
    Post.objects.filter(pk=post.pk).update(is_deleted=True)
    response = client.get(f"/p/{post.pk}/")
    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "This post was removed." in html and "Reply number 1." not in html


def test_link_to_unknown_post_is_404(client, db):
    assert client.get("/p/123456/").status_code == 404


@pytest.mark.parametrize("title", ["Reply", "Follow", "Feed", "Unread", "Edit"])
def test_topic_titled_like_a_topic_address_still_opens(client, category, title):
    topic = actions.create_topic(category, author=UserFactory(), title=title, body="x")
    assert topic.slug == f"{title.lower()}-topic"
    response = client.get(topic.get_absolute_url())
    assert response.status_code == 200 and f">{title}</h1>" in response.content.decode()
