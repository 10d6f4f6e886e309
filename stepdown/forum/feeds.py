"""Atom feeds of public content (django.contrib.syndication).

- ``/c/<slug>/feed/``: the newest topics of a public category;
- ``/t/<id>/feed/``: the newest posts of a topic in a public category.

A members-only, groups or staff category's feeds, and its topics', are 404 for everyone, signed in
or not: a feed is read by programs that keep and pass on what they fetch. Removed, hidden and
waiting posts never appear (nor removed, waiting or merged topics), and
an entry's summary is a short excerpt (content-warned passages left out), never the full text.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from .discovery import absolute, is_public
from .member_views import excerpt
from .models import Category, Post, Topic
from .permissions import is_public_post, public_post_q, public_topic_q

FEED_ENTRIES = 20


def _author_name(user) -> str:
    return user.username if user is not None else _("former member")


class _PublicFeed(Feed):
    feed_type = Atom1Feed

    def author_name(self) -> str:
        return settings.SITE_NAME

    def item_author_name(self, item) -> str:
        return _author_name(item.author)


class CategoryFeed(_PublicFeed):
    """The newest topics of a public category, with the start of each first post."""

    def get_object(self, request, slug: str) -> Category:
        category = Category.objects.filter(slug=slug).first()
        if category is None or not is_public(category):
            raise Http404("No such feed.")
        return category

    def title(self, obj: Category) -> str:
        return f"{obj.name} · {settings.SITE_NAME}"

    def subtitle(self, obj: Category) -> str:
        return obj.description

    def link(self, obj: Category) -> str:
        return absolute(obj.get_absolute_url())

    def feed_url(self, obj: Category) -> str:
        return absolute(reverse("forum:category_feed", kwargs={"slug": obj.slug}))

    def items(self, obj: Category):
        return (
            Topic.objects.filter(public_topic_q(), category=obj)
            .select_related("author", "first_post")
            .order_by("-created_at", "-pk")[:FEED_ENTRIES]
        )

    def item_title(self, item: Topic) -> str:
        return item.full_title

    def item_link(self, item: Topic) -> str:
        return absolute(item.get_absolute_url())

    def item_description(self, item: Topic) -> str:
        first = item.first_post
        if first is None or not is_public_post(first):
            return ""
        return escape(excerpt(first.body_html))

    def item_pubdate(self, item: Topic):
        return item.created_at

    def item_updateddate(self, item: Topic):
        return item.last_activity_at


class TopicFeed(_PublicFeed):
    """The newest posts of a topic in a public category (removed posts left out)."""

    def get_object(self, request, pk: int) -> Topic:
        topic = Topic.objects.select_related("category").filter(public_topic_q(), pk=pk).first()
        if topic is None or not is_public(topic.category):
            raise Http404("No such feed.")
        return topic

    def title(self, obj: Topic) -> str:
        return f"{obj.full_title} · {settings.SITE_NAME}"

    def link(self, obj: Topic) -> str:
        return absolute(obj.get_absolute_url())

    def feed_url(self, obj: Topic) -> str:
        return absolute(reverse("forum:topic_feed", kwargs={"pk": obj.pk}))

    def items(self, obj: Topic):
        return (
            Post.objects.filter(public_post_q(), topic=obj)
            .select_related("author")
            .order_by("-position")[:FEED_ENTRIES]
        )

    def item_title(self, item: Post) -> str:
        name = _author_name(item.author)
        if item.position == 1:
            return _("%(name)s started the topic") % {"name": name}
        return _("Reply #%(number)d by %(name)s") % {"number": item.position, "name": name}

    def item_link(self, item: Post) -> str:
        return absolute(item.get_absolute_url())

    def item_description(self, item: Post) -> str:
        return escape(excerpt(item.body_html))

    def item_pubdate(self, item: Post):
        return item.created_at

    def item_updateddate(self, item: Post):
        return item.edited_at or item.created_at
