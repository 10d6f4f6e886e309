"""The search page: /search/?q=…&category=…&author=…&from=…&to=…&page=… (GET, no JavaScript)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from stepdown.core import ratelimit
from stepdown.core.pagination import page_numbers

from .backends import candidates_limit
from .forms import SearchForm
from .queries import readable_categories_for_search, search_posts


def _page_number(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 10_000))
    except ValueError:
        return 1


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Search the posts the reader may read. Without a query, the empty form and some help;
    with a query that cannot be searched or a bad filter, the form again with a message beside
    the field and everything typed kept (status 400)."""
    categories, all_readable = readable_categories_for_search(request.user)
    asked = any(request.GET.get(name) for name in ("q", "category", "author", "from", "to"))
    form = SearchForm(request.GET if asked else None, categories=categories)
    context = {"form": form, "searched": False, "candidates": candidates_limit()}
    status = 200
    if asked and not form.is_valid():
        status = 400  # filters alone search nothing, too: the form asks for words
    elif asked:
        verdict = ratelimit.hit(request, "search")
        if not verdict.allowed:
            response = render(
                request,
                "search/search.html",
                {**context, "retry_minutes": verdict.retry_minutes},
                status=429,
            )
            response["Retry-After"] = str(verdict.retry_after)
            return response
        since, until = form.date_range()
        page = search_posts(
            query=form.cleaned_data["parsed"],
            readable_categories=categories,
            all_categories_readable=all_readable,
            category=form.cleaned_data["category"],
            author=form.cleaned_data["author"],
            since=since,
            until=until,
            page=_page_number(request.GET.get("page")),
        )
        context.update(
            searched=True,
            page=page,
            numbers=page_numbers(page.number, page.num_pages),
        )
    return render(request, "search/search.html", context, status=status)
