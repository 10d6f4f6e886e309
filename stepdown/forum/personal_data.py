"""The forum's part of a member's data export and account deletion.

Registered with ``stepdown.core.personal_data`` in ``ForumConfig.ready()``.

Deleting an account, the member chooses:

- keep their posts: posts and topics stay, their author removed, so pages show "former member";
- remove their posts: each post keeps its place (positions never move, so topic pages and links to
  other posts stay stable) but its text is erased and it shows "This post was removed." A topic
  they started is deleted with its title when nobody else's post remains in it; when others
  replied, it stays for their sake, with its first post removed and no author.

Counters count the posts people can read: removing a post takes it off ``Topic.reply_count`` and
``Category.post_count``, and a topic's or category's latest post moves back to the latest one
still readable (``Topic.last_activity_at`` with it).

Mentions: the export lists the posts that mention the member; deletion removes those rows, and,
when the member's posts are removed, the mentions their posts made of others.

Read state (unread tracking): the export lists how far the member read each topic and when they
marked categories or everything read; deletion removes it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Greatest

from stepdown.core.personal_data import PersonalDataProvider

from .models import ArticleCard, Category, CategoryRead, Mention, Post, ReadMarker, Topic, TopicRead


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _article(article: ArticleCard) -> dict[str, str]:
    return {
        "title": article.title,
        "authors": article.authors,
        "source": article.source,
        "published": article.published,
        "doi": article.doi,
        "url": article.url,
        "abstract": article.abstract,
    }


def export_forum_data(user) -> dict[str, Any]:
    """The topics ``user`` started, every post they wrote (the Markdown as written) and the
    posts that mention them."""
    topics = (
        Topic.objects.filter(author=user)
        .select_related("category", "article")
        .order_by("created_at", "pk")
    )
    posts = (
        Post.objects.filter(author=user)
        .select_related("topic", "topic__category")
        .order_by("created_at", "pk")
    )
    return {
        "topics_started": [
            {
                "title": topic.title,
                "tag": topic.tag,
                "category": topic.category.name,
                "created_at": _when(topic.created_at),
                "url": _absolute(topic.get_absolute_url()),
                "article": _article(topic.article) if hasattr(topic, "article") else None,
            }
            for topic in topics
        ],
        "posts": [
            {
                "topic": post.topic.full_title,
                "topic_url": _absolute(post.topic.get_absolute_url()),
                "category": post.topic.category.name,
                "position": post.position,
                "created_at": _when(post.created_at),
                "edited_at": _when(post.edited_at),
                "url": _absolute(post.get_absolute_url()),
                "markdown": post.body_markdown,
                "recommended": post.is_recommended,
                "removed": post.is_deleted,
            }
            for post in posts.iterator(chunk_size=1000)
        ],
        "mentioned_in": [
            {
                "topic": mention.post.topic.full_title,
                "url": _absolute(mention.post.get_absolute_url()),
                "mentioned_at": _when(mention.created_at),
                "removed": mention.post.is_deleted,
            }
            for mention in Mention.objects.filter(user=user)
            .select_related("post", "post__topic")
            .order_by("created_at", "pk")
            .iterator(chunk_size=1000)
        ],
        "reading": _reading(user),
    }


def _reading(user) -> dict[str, Any]:
    """How far the member read each topic, and when they marked things read."""
    marker = ReadMarker.objects.filter(user=user).first()
    return {
        "all_read_before": _when(marker.all_read_before) if marker else None,
        "categories_read_before": [
            {"category": read.category.name, "read_before": _when(read.read_before)}
            for read in CategoryRead.objects.filter(user=user)
            .select_related("category")
            .order_by("category__name")
        ],
        "topics": [
            {
                "topic": read.topic.full_title,
                "url": _absolute(read.topic.get_absolute_url()),
                "read_up_to_post": read.last_read_position,
                "updated_at": _when(read.updated_at),
            }
            for read in TopicRead.objects.filter(user=user)
            .select_related("topic")
            .order_by("updated_at", "pk")
            .iterator(chunk_size=1000)
        ],
    }


def erase_forum_data(user, *, keep_posts: bool) -> None:
    """Take ``user`` out of the forum: their posts kept as "former member" or removed."""
    with transaction.atomic():
        # Where others named them: the rows would go with the account anyway (CASCADE).
        Mention.objects.filter(user=user).delete()
        # Their read state (the rows would go with the account anyway).
        TopicRead.objects.filter(user=user).delete()
        CategoryRead.objects.filter(user=user).delete()
        ReadMarker.objects.filter(user=user).delete()
        if not keep_posts:
            # The text that named others is erased, so are the mentions it made.
            Mention.objects.filter(post__author=user).delete()
            _remove_posts_of(user)
        # Text of posts already removed by a moderator is shown to nobody: it goes either way.
        Post.objects.filter(author=user, is_deleted=True).update(
            body_markdown="", body_html="", article_cards=[]
        )
        Post.objects.filter(author=user).update(author=None)
        Post.objects.filter(recommended_by=user).update(recommended_by=None)
        Topic.objects.filter(author=user).update(author=None)


def _remove_posts_of(user) -> None:
    """Erase the text of every post by ``user`` and delete the topics only they kept alive."""
    topic_ids = set(Post.objects.filter(author=user).values_list("topic_id", flat=True))
    topic_ids |= set(Topic.objects.filter(author=user).values_list("pk", flat=True))
    # The same locks create_reply takes, so no reply lands in a topic while it is judged empty.
    list(Topic.objects.select_for_update().filter(pk__in=topic_ids).order_by("pk").values("pk"))

    others_readable = Post.objects.filter(topic=OuterRef("pk"), is_deleted=False).exclude(
        author=user
    )
    lonely = set(
        Topic.objects.filter(~Exists(others_readable), author=user).values_list("pk", flat=True)
    )
    # Counted before anything changes: only posts people could read are in the counters.
    readable = (
        Post.objects.filter(author=user, is_deleted=False)
        .values("topic_id", "topic__category_id")
        .annotate(posts=Count("pk"), replies=Count("pk", filter=Q(position__gt=1)))
    )
    posts_by_category: Counter[int] = Counter()
    replies_by_topic: dict[int, int] = {}
    for row in readable:
        posts_by_category[row["topic__category_id"]] += row["posts"]
        replies_by_topic[row["topic_id"]] = row["replies"]
    topics_by_category = Counter(
        Topic.objects.filter(pk__in=lonely).values_list("category_id", flat=True)
    )
    category_ids = set(posts_by_category) | set(topics_by_category)

    Post.objects.filter(author=user).exclude(topic_id__in=lonely).update(
        is_deleted=True,
        body_markdown="",
        body_html="",
        article_cards=[],
        is_recommended=False,
        recommended_by=None,
        recommended_at=None,
    )
    Topic.objects.filter(pk__in=lonely).delete()

    for topic in Topic.objects.filter(pk__in=topic_ids - lonely).select_related("last_post"):
        changes: dict[str, Any] = {}
        if replies_by_topic.get(topic.pk):
            changes["reply_count"] = _less(F("reply_count"), replies_by_topic[topic.pk])
        if topic.last_post is None or topic.last_post.is_deleted:
            latest = topic.posts.filter(is_deleted=False).order_by("-position").first()
            changes["last_post"] = latest
            if latest is not None:
                changes["last_activity_at"] = latest.created_at
        if changes:
            Topic.objects.filter(pk=topic.pk).update(**changes)

    for category_id in category_ids:
        # Each topic's last post is now its latest readable one; the newest of those wins.
        latest = (
            Topic.objects.filter(category_id=category_id, last_post__isnull=False)
            .order_by("-last_post_id")
            .values_list("last_post_id", flat=True)
            .first()
        )
        Category.objects.filter(pk=category_id).update(
            post_count=_less(F("post_count"), posts_by_category[category_id]),
            topic_count=_less(F("topic_count"), topics_by_category[category_id]),
            last_post_id=latest,
        )


def _less(counter: F, amount: int) -> Greatest:
    """``counter - amount``, never below zero: a counter already off must not block a deletion."""
    return Greatest(counter - amount, Value(0))


provider = PersonalDataProvider(name="forum", export=export_forum_data, erase=erase_forum_data)
