"""The search page's read: one page of ranked posts, with what the page shows of each."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from urllib.parse import quote

from django.db.models import F, Func, IntegerField, Subquery
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from stepdown.forum.models import Category, Post
from stepdown.forum.permissions import public_post_q, public_topic_q, readable_categories

from .backends import get_backend
from .query_syntax import ParsedQuery

RESULTS_PER_PAGE = 20


@dataclass(frozen=True)
class Result:
    """What the page shows of one matching post: plain values, not models (the post's text and
    HTML are never loaded: the snippet comes from the index)."""

    post_id: int
    url: str
    title: str
    tag: str
    position: int
    created_at: datetime
    author_name: str | None  # None: a former member
    author_url: str
    category_name: str
    category_url: str
    snippet: SafeString
    rank: float

    # What the result's line says, worked out here: a dozen template tags and filters for each
    # of twenty results cost more than the rest of the page.
    @property
    def place(self) -> str:
        """ "Topic start" or "Reply #N"."""
        if self.position == 1:
            return gettext("Topic start")
        return gettext("Reply #%(n)s") % {"n": self.position}

    @cached_property
    def local_created_at(self) -> datetime:
        return timezone.localtime(self.created_at)

    @property
    def date_shown(self) -> str:
        return dateformat.format(self.local_created_at, "j M Y")


@dataclass(frozen=True)
class ResultsPage:
    results: list[Result] = field(default_factory=list)
    total: int = 0
    more: bool = False  # more posts matched than ``total`` (the newest ones were ranked)
    number: int = 1
    num_pages: int = 1

    @property
    def start_index(self) -> int:
        """The number of the page's first result (for <ol start>)."""
        return (self.number - 1) * RESULTS_PER_PAGE + 1

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def addresses(name: str, key: str, hole: str) -> Callable[[object], str]:
    """``reverse(name, kwargs={key: value})`` for many values, reversing once: the address is
    cut around ``hole`` (a value the URL pattern accepts) and each value quoted as ``reverse``
    quotes it. For the twenty results of a page, where reverse() each time costs more than the
    rest of their addresses' work."""
    head, tail = reverse(name, kwargs={key: hole}).split(hole)
    safe = RFC3986_SUBDELIMS + "/~:@"
    return lambda value: f"{head}{quote(str(value), safe=safe)}{tail}"


# How many categories the forum has, beside each readable one (a subquery: no query of its own).
_CATEGORIES_IN_ALL = Subquery(
    # Func, not Count: an aggregate here would group the subquery by every column.
    Category.objects.order_by()
    .annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
    .values("n")
)


def readable_categories_for_search(user) -> tuple[list[Category], bool]:
    """The categories ``user`` may read (``forum.permissions.readable_categories``), and whether
    they are every category the forum has (then the index need not check each match's
    category). One query."""
    categories = list(readable_categories(user).annotate(categories_in_all=_CATEGORIES_IN_ALL))
    return categories, bool(categories) and len(categories) == categories[0].categories_in_all


def search_posts(
    *,
    query: ParsedQuery,
    readable_categories,
    all_categories_readable: bool = False,
    category=None,
    author=None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
) -> ResultsPage:
    """One page of the posts matching ``query`` that the searcher may read, best first.

    ``readable_categories``: the categories the searcher may read (forum.permissions), and
    ``all_categories_readable`` whether they are all there are (both from
    ``readable_categories_for_search``). The index filters by them; the posts shown are checked
    again as they are loaded (for everyone's eyes, in a shown topic, still in a readable
    category), so an index a step behind can never show what the searcher may not see. A fixed
    number of queries whatever the number of results.
    """
    readable_ids = [c.pk for c in readable_categories]
    arguments = {
        "readable_category_ids": readable_ids,
        "category": category.pk if category is not None else None,
        "author": author.pk if author is not None else None,
        "since": since,
        "until": until,
        "per_page": RESULTS_PER_PAGE,
        "all_categories_readable": all_categories_readable,
    }
    backend = get_backend()
    found = backend.search(query, page=page, **arguments)
    num_pages = max(1, math.ceil(found.total / RESULTS_PER_PAGE))
    if not found.hits and page > num_pages and found.total:
        page = num_pages  # past the end (an old link): show the last page instead
        found = backend.search(query, page=page, **arguments)
    # The page's posts, checked again (for everyone's eyes, in a shown topic, in a readable
    # category): one query for the few columns shown.
    rows = Post.objects.filter(
        public_post_q(),
        public_topic_q("topic__"),
        pk__in=[hit.post_id for hit in found.hits],
        topic__category_id__in=readable_ids,
    ).values_list(
        "pk",
        "position",
        "created_at",
        "topic__title",
        "topic__tag",
        "topic__category_id",
        "author__username",
    )
    by_id = {row[0]: row for row in rows}
    categories = {c.pk: c for c in readable_categories}
    category_urls: dict[int, str] = {}
    post_url = addresses("forum:post", "pk", "9876543210")
    member_url = addresses("forum:member", "username", "stepdown-hole")
    results = []
    for hit in found.hits:
        row = by_id.get(hit.post_id)
        if row is None:
            continue
        pk, position, created_at, title, tag, category_id, username = row
        shown_in = categories[category_id]
        if category_id not in category_urls:
            category_urls[category_id] = shown_in.get_absolute_url()
        results.append(
            Result(
                post_id=pk,
                url=post_url(pk),
                title=title,
                tag=tag,
                position=position,
                created_at=created_at,
                author_name=username,
                author_url=member_url(username) if username is not None else "",
                category_name=shown_in.name,
                category_url=category_urls[category_id],
                snippet=hit.snippet,
                rank=hit.rank,
            )
        )
    return ResultsPage(
        results=results,
        total=found.total,
        more=found.more,
        number=min(page, num_pages),
        num_pages=num_pages,
    )
