from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from stepdown.core.pagination import page_numbers
from stepdown.notifications import actions as notifications
from stepdown.notifications import queries as notification_queries
from stepdown.notifications.models import Kind, Target

from . import actions, drafts, post_fragments, queries, unread
from .forms import ReplyForm
from .models import Topic
from .permissions import (
    can_moderate_category,
    can_post_in_category,
    can_recommend,
    can_reply,
    editable_post_ids,
    posting_refusal,
    reactable_post_ids,
    require_category,
    require_topic,
    require_visible_post,
)


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def refused_page(
    request: HttpRequest,
    *,
    title: str,
    message: str,
    back: str,
    status: int = 403,
    kept: str = "",
) -> HttpResponse:
    """A calm page saying why an action the member can see is not open to them.

    ``kept``: text the member sent with the refused request, shown back so it is never lost.
    """
    return render(
        request,
        "forum/refused.html",
        {"title": title, "message": message, "back": back, "kept": kept},
        status=status,
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "forum/home.html", {"categories": unread.home_categories(request.user)})


@require_GET
def category(request: HttpRequest, slug: str) -> HttpResponse:
    category = require_category(request.user, slug)
    topics = unread.with_read_state(queries.category_topics(category, request.user), request.user)
    paginator = Paginator(topics, settings.STEPDOWN_TOPICS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "forum/category.html",
        {
            "category": category,
            "page": page,
            "topics": page.object_list,
            "numbers": page_numbers(page.number, paginator.num_pages),
            "may_post": can_post_in_category(request.user, category),
            "following": notification_queries.is_following(
                request.user, target_type=Target.CATEGORY, target_id=category.pk
            ),
        },
    )


def merged_target(user, topic: Topic) -> Topic | None:
    """The topic ``topic`` was merged into, when ``topic`` was merged and ``user`` may read
    it (404 otherwise); None for a topic that was not merged."""
    if topic.merged_into_id is None:
        return None
    return require_topic(user, topic.merged_into_id)


@require_GET
def topic_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    topic = require_topic(request.user, pk)
    return redirect(merged_target(request.user, topic) or topic, permanent=True)


@require_GET
def topic(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    topic = require_topic(request.user, pk)
    merged = merged_target(request.user, topic)
    if merged is not None:
        # Not permanent: a moderator may still undo the merge.
        return redirect(merged)
    if slug != topic.slug:
        return redirect(topic, permanent=True)
    number = _page_number(request)
    last = queries.page_count(topic)
    if number > last:
        return redirect(f"{topic.get_absolute_url()}?page={last}")
    user = request.user
    page = queries.topic_page(topic, number, user)
    first_new = _record_reading(user, topic, page)
    queries.attach_my_reactions(page.posts, user)
    may_react = reactable_post_ids(user, topic, page.posts)
    may_reply = can_reply(user, topic)
    may_moderate = can_moderate_category(user, topic.category)
    # What decides each post's HTML for this reader (forum/post_fragments.py).
    view = {
        "user": user,
        "topic": topic,
        "may_reply": may_reply,
        "may_react": may_react,
        "may_edit": editable_post_ids(user, page.posts),
        "may_recommend": {p.pk for p in page.posts if _may_recommend(user, p, topic)},
        "may_moderate": may_moderate,
        "reaction_kinds": queries.active_reaction_kinds() if may_react else [],
        "site_root": request.build_absolute_uri("/").rstrip("/"),
    }
    # The member's saved reply to this topic, so the box below holds what they were writing.
    draft = drafts.draft_for(user, drafts.reply_key(topic)) if may_reply else None
    return render(
        request,
        "forum/topic.html",
        {
            **view,
            "category": topic.category,
            "page": page,
            "posts": page.posts,
            "posts_with_html": list(
                zip(page.posts, post_fragments.render_posts(request, page.posts, view), strict=True)
            ),
            "numbers": page.numbers(),
            "recommended": queries.recommended_posts(topic),
            "reply_refusal": _reply_refusal(user, topic, may_reply),
            "form": ReplyForm(initial=draft.fields if draft else None),
            "draft": draft,
            "following": notification_queries.is_following(
                user, target_type=Target.TOPIC, target_id=topic.pk
            ),
            "draft_url": reverse("forum:reply_draft", kwargs={"pk": topic.pk}),
            "first_new": first_new,
        },
    )


def _reply_refusal(user, topic: Topic, may_reply: bool) -> str:
    """Why a signed-in member sees no reply box (the topic page says it calmly)."""
    if may_reply or not user.is_authenticated:
        return ""
    return posting_refusal(user, topic.category, topic)


# The notifications reading a topic page answers: about its posts (replies, mentions, quotes,
# reactions) and the new topic itself. Not moderators' notes, which say something of their own
# (and may point into the topic, e.g. at its reply form): the member opens those.
_READ_WITH_TOPIC = (Kind.REPLY, Kind.NEW_TOPIC, Kind.MENTION, Kind.QUOTE, Kind.REACTION)


def _record_reading(user, topic: Topic, page: queries.TopicPage) -> int | None:
    """Count the page as read by a member, up to the last position it covers (posts hidden
    from them included, so they never stay "new"), and mark read their notifications about the
    posts shown and about the topic (as Discourse does); return the position of the first post
    shown that they had not read before (None if none, and always for guests, who write
    nothing). Nothing is written when nothing is new; no query is added for the notifications
    unless some are unread (``_reading_state``)."""
    if not user.is_authenticated:
        return None
    pointers = {
        # Forum notifications point at a post's permalink, or (a new topic) at the topic's
        # address, whatever its slug was then: both stay the same when the title changes.
        "urls": [post.get_absolute_url() for post in page.posts],
        "prefixes": [reverse("forum:topic_short", kwargs={"pk": topic.pk})],
        "kinds": _READ_WITH_TOPIC,
    }
    seen, notes_unread = _reading_state(
        user, topic, notifications.unread_pointing_at(user, **pointers)
    )
    if notes_unread:
        notifications.mark_read_pointing_at(user, **pointers)
    covered = queries.page_end(topic, page.number)
    if covered <= seen:
        return None
    actions.mark_topic_read(user, topic, position=covered)
    return next((post.position for post in page.posts if post.position > seen), None)


def _reading_state(user, topic: Topic, notes: QuerySet) -> tuple[int, bool]:
    """``unread.seen_position`` for a signed-in member, and whether any of ``notes`` exists,
    asked in that one query (an uncorrelated EXISTS on the member's unread notifications)."""
    row = (
        unread.with_read_state(Topic.objects.filter(pk=topic.pk), user)
        .annotate(notes_unread=Exists(notes))
        .values_list("last_position", "new_posts", "notes_unread")
        .first()
    )
    if row is None:  # gone since it was read: nothing to mark
        return topic.last_position, False
    return row[0] - row[1], bool(row[2])


def _may_recommend(user, post, topic: Topic) -> bool:
    post.topic = topic  # already loaded: no query per post
    return can_recommend(user, post)


@require_GET
def post_permalink(request: HttpRequest, pk: int) -> HttpResponse:
    """The "Link to comment" address: the topic page that holds the post, at the post."""
    post = require_visible_post(request.user, pk)
    topic = post.topic
    number = queries.page_of_position(post.position)
    query = f"?page={number}" if number > 1 else ""
    return redirect(f"{topic.get_absolute_url()}{query}#post-{post.pk}")


@require_POST
def recommend(request: HttpRequest, pk: int) -> HttpResponse:
    post = require_visible_post(request.user, pk)
    if not can_recommend(request.user, post):
        return refused_page(
            request,
            title=_("You cannot recommend this post"),
            message=_(
                "Moderators, and topic authors where the category allows it, recommend replies."
            ),
            back=post.get_absolute_url(),
        )
    recommended = request.POST.get("recommended") != "0"
    actions.set_recommended(post, by=request.user, recommended=recommended)
    if recommended:
        messages.success(request, _("The post is now in Recommended posts."))
    else:
        messages.success(request, _("The post is no longer recommended."))
    return redirect(post)
