"""sitemap.xml and robots.txt: the public forum only.

``/sitemap.xml`` is an index of the sections below (and of each section's further pages: the
framework's paginator, 50,000 addresses a page, ``?p=N``); each section is served by
django.contrib.sitemaps' own view at ``/sitemap-<section>.xml``. Only the home page, public
categories and the topics everyone sees in public categories are listed; members-only, groups and
staff ones never are.

Addresses are absolute on ``STEPDOWN_SITE_URL`` (not on the Sites framework's domain, which
nobody sets up), so the index is built here rather than by the framework's ``index`` view.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from .discovery import absolute
from .models import Access, Category, Topic
from .permissions import public_topic_q

# Areas that are private or personal: crawlers have no business there (most need sign-in
# anyway). Everything else, the public forum above all, is open to them.
DISALLOWED = (
    "/account/",
    "/accounts/",
    "/notifications/",
    "/messages/",
    "/journal/",
    "/taper/plans/",
    "/compose/",
    "/unread/",
    "/moderation/",
    "/uploads/",
    "/u/suggest/",
    "/search/",
    "/admin/",
)


class _SiteSitemap(Sitemap):
    """Absolute addresses on STEPDOWN_SITE_URL, whatever the request's host."""

    def get_protocol(self, protocol=None) -> str:
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class HomeSitemap(_SiteSitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self) -> list[str]:
        return ["forum:home"]

    def location(self, item: str) -> str:
        return reverse(item)


class CategorySitemap(_SiteSitemap):
    changefreq = "hourly"
    priority = 0.8

    def items(self):
        return (
            Category.objects.filter(read_access=Access.PUBLIC)
            .select_related("last_post")
            .only("pk", "slug", "position", "name", "last_post__created_at")
            .order_by("position", "name", "pk")
        )

    def lastmod(self, item: Category):
        return item.last_post.created_at if item.last_post else None

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("last_post__created_at"))["latest"]


class TopicSitemap(_SiteSitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self):
        return (
            Topic.objects.filter(public_topic_q(), category__read_access=Access.PUBLIC)
            .only("pk", "slug", "last_activity_at")
            .order_by("pk")
        )

    def lastmod(self, item: Topic):
        return item.last_activity_at

    def get_latest_lastmod(self):
        # One aggregate, not every topic loaded (the framework's default).
        return self.items().aggregate(latest=Max("last_activity_at"))["latest"]


SITEMAPS = {"home": HomeSitemap, "categories": CategorySitemap, "topics": TopicSitemap}


@require_safe
@x_robots_tag
def sitemap_index(request: HttpRequest) -> TemplateResponse:
    """The index of every section's pages (the framework's template and paginator)."""
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        location = absolute(reverse("sitemap_section", kwargs={"section": section}))
        last_modified = sitemap.get_latest_lastmod()
        entries.append(SitemapIndexItem(location, last_modified))
        for page in range(2, sitemap.paginator.num_pages + 1):
            entries.append(SitemapIndexItem(f"{location}?p={page}", last_modified))
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), "Allow: /", ""]
    lines.append(f"Sitemap: {absolute(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
