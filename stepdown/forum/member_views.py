"""Member pages (what a member wrote, as far as the reader may see it) and mention suggestions.

The member page shows the profile as the member chose (see ``profiles``): picture or initials,
display name, about, taper signature, and posts in categories the reader may read. Suggestions
show usernames only. Never an e-mail address or anything from the account page.
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


@require_GET
def member(request: HttpRequest, username: str) -> HttpResponse:
    """A member's page: picture (or initials), name and display name, about, when they joined,
    post count, taper signature and their posts the reader may read, newest first: each part as
    the member chose (``profiles.shown_parts``). A constant number of queries whatever their
    history: the member, the counts, one page of posts; for signed-in readers also whether they
    follow the member, and the signature when shown."""
    member = require_active_member(username)
    viewer = request.user
    shown = profiles.shown_parts(viewer, member)
    context = {"member": member, "shown": shown, "posts": [], "post_count": 0, "topic_count": 0}
    if shown.counts_needed:
        posts = _readable_posts_by(member, viewer)
        counts = posts.aggregate(posts=Count("pk"), topics=Count("pk", filter=Q(position=1)))
        context.update(post_count=counts["posts"], topic_count=counts["topics"])
    if shown.activity:
        paginator = Paginator(
            posts.select_related("topic", "topic__category").order_by("-created_at", "-pk"),
            settings.STEPDOWN_POSTS_PER_PAGE,
        )
        paginator.count = counts["posts"]  # counted above with the topics: no second count query
        page = paginator.get_page(request.GET.get("page"))
        posts_shown = list(page.object_list)
        for post in posts_shown:
            post.excerpt = excerpt(post.body_html)
        context.update(
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
