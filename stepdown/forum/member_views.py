"""Member pages (what a member wrote, as far as the reader may see it) and mention suggestions.

The member page shows the profile as the member chose (see ``profiles``): picture or initials,
display name, about, taper signature, and what they wrote in categories the reader may read, in
two lists chosen by plain links (no JavaScript): "Posts" (every post, newest first: the default)
and "Topics" (the topics they started, ``?show=topics``), each paged. Suggestions show usernames
only. Never an e-mail address or anything from the account page.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.functions import Length, Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.views.decorators.http import require_GET

from stepdown.accounts.queries import require_active_member
from stepdown.core.pagination import page_numbers
from stepdown.core.text import MENTION_NAME_MAX_LENGTH
from stepdown.notifications import queries as notification_queries
from stepdown.notifications.models import Target

from . import profiles
from .models import Post
from .permissions import public_post_q, public_topic_q, readable_categories

SUGGESTIONS_SHOWN = 8
# What may follow "@" in a suggestion request: the characters a mention's name may hold.
_PREFIX = re.compile(rf"[\w.+-]{{1,{MENTION_NAME_MAX_LENGTH}}}")
EXCERPT_LENGTH = 200
# The member page's lists (``?show=``). The default has no parameter, so its pages (``?page=N``)
# stay in the guest page cache; ``?show=topics`` pages are rendered for each request
# (``core.page_cache`` keeps only pages asked for with at most ``?page=N``).
SHOW_POSTS = "posts"
SHOW_TOPICS = "topics"
# A content warning's passage (rendered by core.text as <details>, never nested) stays hidden in
# an excerpt: only its label shows, in brackets.
_CONTENT_WARNING = re.compile(r"<details\b[^>]*>\s*<summary>(.*?)</summary>.*?</details>", re.S)


def excerpt(body_html: str) -> str:
    """The start of a post's text as plain text, content-warned passages left out."""
    text = _CONTENT_WARNING.sub(lambda m: f" [{m.group(1)}] ", body_html)
    text = " ".join(html.unescape(strip_tags(text)).split())
    return Truncator(text).chars(EXCERPT_LENGTH)


def _readable_posts_by(member, viewer):
    """``member``'s posts that ``viewer`` may read: those everyone sees (approved, not hidden
    or removed, in a topic listed to all) in a category open to them."""
    return Post.objects.filter(
        public_post_q(),
        public_topic_q("topic__"),
        author=member,
        topic__category__in=readable_categories(viewer),
    )


@dataclass(frozen=True)
class _SignatureOf:
    """The member as the ``taper_signatures`` tag asks for authors (it reads ``author_id``)."""

    author_id: int


def _chosen_list(request: HttpRequest) -> str:
    """``topics`` for ``?show=topics``; anything else is the default list, the posts."""
    return SHOW_TOPICS if request.GET.get("show") == SHOW_TOPICS else SHOW_POSTS


@require_GET
def member(request: HttpRequest, username: str) -> HttpResponse:
    """A member's page: picture (or initials), name and display name, about, when they joined,
    post count, taper signature, and what they wrote that the reader may read: their posts,
    newest first, or with ``?show=topics`` the topics they started (their opening posts), newest
    first, each list paged: each part as the member chose (``profiles.shown_parts``). A constant
    number of queries whatever their history and whichever list: the member, the counts, one page
    of the list; for signed-in readers also whether they follow the member, and the signature
    when shown."""
    member = require_active_member(username)
    viewer = request.user
    shown = profiles.shown_parts(viewer, member)
    context = {"member": member, "shown": shown, "posts": [], "post_count": 0, "topic_count": 0}
    if shown.counts_needed:
        posts = _readable_posts_by(member, viewer)
        counts = posts.aggregate(posts=Count("pk"), topics=Count("pk", filter=Q(position=1)))
        context.update(post_count=counts["posts"], topic_count=counts["topics"])
    if shown.activity:
        show = _chosen_list(request)
        listed, count, per_page = posts, counts["posts"], settings.STEPDOWN_POSTS_PER_PAGE
        if show == SHOW_TOPICS:
            # A topic they started is its opening post: the same posts, so the same rules.
            listed, count = posts.filter(position=1), counts["topics"]
            per_page = settings.STEPDOWN_TOPICS_PER_PAGE
        paginator = Paginator(
            listed.select_related("topic", "topic__category").order_by("-created_at", "-pk"),
            per_page,
        )
        paginator.count = count  # counted above with the other list: no second count query
        page = paginator.get_page(request.GET.get("page"))
        posts_shown = list(page.object_list)
        for post in posts_shown:
            post.excerpt = excerpt(post.body_html)
        context.update(
            show=show,
            # Page links keep the list; the default list's are plain ?page=N.
            page_query="show=topics&" if show == SHOW_TOPICS else "",
            page=page,
            posts=posts_shown,
            numbers=page_numbers(page.number, paginator.num_pages),
        )
    if shown.signature:
        context["signature_of"] = [_SignatureOf(author_id=member.pk)]
    if viewer.is_authenticated and not shown.own:
        context["following"] = notification_queries.is_following(
            viewer, target_type=Target.MEMBER, target_id=member.pk
        )
    return render(request, "forum/member.html", context)


@require_GET
def member_suggest(request: HttpRequest) -> HttpResponse:
    """Up to 8 active members whose name starts with ``?q=`` (the searcher left out), as a
    fragment for the composer's mention list (static/js/mentions.js). Signed-in members only."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    prefix = request.GET.get("q", "").strip().removeprefix("@")
    members = []
    if _PREFIX.fullmatch(prefix):
        members = list(
            get_user_model()
            .objects.filter(is_active=True, username__istartswith=prefix)
            .exclude(pk=request.user.pk)
            .order_by(Length("username"), Lower("username"), "pk")
            .only("pk", "username")[:SUGGESTIONS_SHOWN]
        )
    response = render(
        request, "forum/_member_suggestions.html", {"members": members, "prefix": prefix}
    )
    response["Cache-Control"] = "private, no-store"
    return response
