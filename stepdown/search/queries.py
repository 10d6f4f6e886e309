"""The search page's read: one page of ranked posts, with what the page shows of each."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.safestring import SafeString

from stepdown.forum.models import Post
from stepdown.forum.permissions import public_post_q, public_topic_q

from .backends import get_backend
from .query_syntax import ParsedQuery

RESULTS_PER_PAGE = 20


@dataclass(frozen=True)
class Result:
    post: Post
    snippet: SafeString
    rank: float


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


def search_posts(
    *,
    query: ParsedQuery,
    readable_categories,
    category=None,
    author=None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
) -> ResultsPage:
    """One page of the posts matching ``query`` that the searcher may read, best first.

    ``readable_categories``: the categories the searcher may read (forum.permissions). The index
    filters by them; the posts shown are checked again as they are loaded (for everyone's eyes,
    in a shown topic, still in a readable category), so an index a step behind can never show
    what the searcher may not see. A fixed number of queries whatever the number of results.
    """
    readable_ids = [c.pk for c in readable_categories]
    arguments = {
        "readable_category_ids": readable_ids,
        "category": category.pk if category is not None else None,
        "author": author.pk if author is not None else None,
        "since": since,
        "until": until,
        "per_page": RESULTS_PER_PAGE,
    }
    backend = get_backend()
    found = backend.search(query, page=page, **arguments)
    num_pages = max(1, math.ceil(found.total / RESULTS_PER_PAGE))
    if not found.hits and page > num_pages and found.total:
        page = num_pages  # past the end (an old link): show the last page instead
        found = backend.search(query, page=page, **arguments)
    posts = Post.objects.filter(
        public_post_q(),
        public_topic_q("topic__"),
        pk__in=[hit.post_id for hit in found.hits],
        topic__category_id__in=readable_ids,
    ).select_related("topic", "topic__category", "author")
    by_id = {post.pk: post for post in posts}
    results = [
        Result(post=by_id[hit.post_id], snippet=hit.snippet, rank=hit.rank)
        for hit in found.hits
        if hit.post_id in by_id
    ]
    return ResultsPage(
        results=results,
        total=found.total,
        more=found.more,
        number=min(page, num_pages),
        num_pages=num_pages,
    )
