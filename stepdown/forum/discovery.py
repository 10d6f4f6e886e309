"""What search engines, link previews and feed readers get: public content only.

Canonical links, OpenGraph and description tags, and the Atom feed link go into the head of
public category and topic pages only (``head_for_topic``, ``head_for_category``, used through
the ``discovery`` template tags). Members-only pages get none of them; their feeds are 404 and
the sitemap leaves them out (``feeds.py``, ``sitemaps.py``).

Absolute addresses (the canonical link, og:url, feeds, sitemap) come from ``STEPDOWN_SITE_URL``,
never from the request's Host header, so they all name the same public address whatever host a
page was reached by (and a guest's cached page is the same for every host). The feed ``<link>``
is a path on the page's own host.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from .member_views import excerpt
from .models import Access, Approval, Category, Post, Topic
from .permissions import is_public_post, public_post_q


def absolute(path: str) -> str:
    """``path`` on the public address (``STEPDOWN_SITE_URL``)."""
    return f"{settings.SITE_URL}{path}"


def is_public(category: Category) -> bool:
    return category.read_access == Access.PUBLIC


def _paged(path: str, page_number: int) -> str:
    return f"{path}?page={page_number}" if page_number > 1 else path


@dataclass(frozen=True)
class PageHead:
    """The discovery tags of one public page."""

    canonical: str  # absolute, on STEPDOWN_SITE_URL, as the sitemap and the feeds say
    og_url: str  # the same address: link previews need the full one
    og_type: str
    title: str
    description: str
    feed_url: str  # a path on the page's own host
    feed_title: str


def _first_post_html(topic: Topic, posts) -> str:
    """The topic's first post's HTML ("" when removed): from the page's posts when it is on
    this page, else one query."""
    for post in posts:
        if post.position == 1:
            return post.body_html if is_public_post(post) else ""
    return (
        Post.objects.filter(public_post_q(), pk=topic.first_post_id)
        .values_list("body_html", flat=True)
        .first()
        or ""
    )


def head_for_topic(topic: Topic, posts, page_number: int) -> PageHead | None:
    """Canonical, OpenGraph and feed tags for a page of ``topic``; None when members-only."""
    if not is_public(topic.category):
        return None
    if topic.is_deleted or topic.approval != Approval.APPROVED:
        return None  # seen by its author or moderators only: nothing for crawlers
    canonical = absolute(_paged(topic.get_absolute_url(), page_number))
    return PageHead(
        canonical=canonical,
        og_url=canonical,
        og_type="article",
        title=topic.full_title,
        description=excerpt(_first_post_html(topic, posts)),
        feed_url=reverse("forum:topic_feed", kwargs={"pk": topic.pk}),
        feed_title=topic.full_title,
    )


def head_for_category(category: Category, page_number: int) -> PageHead | None:
    """Canonical, OpenGraph and feed tags for a page of ``category``; None when members-only."""
    if not is_public(category):
        return None
    canonical = absolute(_paged(category.get_absolute_url(), page_number))
    return PageHead(
        canonical=canonical,
        og_url=canonical,
        og_type="website",
        title=category.name,
        description=" ".join(category.description.split())[:300],
        feed_url=reverse("forum:category_feed", kwargs={"slug": category.slug}),
        feed_title=category.name,
    )
