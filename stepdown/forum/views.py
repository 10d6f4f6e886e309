from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stepdown.core import ratelimit
from stepdown.core.pagination import page_numbers

from . import actions, article_lookup, queries, quotes
from .forms import ReplyForm, TopicForm
from .models import Topic
from .permissions import (
    can_post_in_category,
    can_recommend,
    can_reply,
    editable_post_ids,
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


def _rate_limited(request, action, template, category, form, topic=None) -> HttpResponse | None:
    """The form page again, with what was typed and a note to wait, when over the limit."""
    verdict = ratelimit.hit(request, action)
    if verdict.allowed:
        return None
    response = render(
        request,
        template,
        {
            "category": category,
            "topic": topic,
            "form": form,
            "retry_minutes": verdict.retry_minutes,
        },
        status=429,
    )
    response["Retry-After"] = str(verdict.retry_after)
    return response


def refused_page(
    request: HttpRequest, *, title: str, message: str, back: str, status: int = 403
) -> HttpResponse:
    """A calm page saying why an action the member can see is not open to them."""
    return render(
        request,
        "forum/refused.html",
        {"title": title, "message": message, "back": back},
        status=status,
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "forum/home.html", {"categories": queries.home_categories(request.user)})


@require_GET
def category(request: HttpRequest, slug: str) -> HttpResponse:
    category = require_category(request.user, slug)
    paginator = Paginator(queries.category_topics(category), settings.STEPDOWN_TOPICS_PER_PAGE)
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
        },
    )


@require_http_methods(["GET", "POST"])
def new_topic(request: HttpRequest, slug: str) -> HttpResponse:
    category = require_category(request.user, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_post_in_category(request.user, category):
        return refused_page(
            request,
            title=_("You cannot start a topic here"),
            message=_("Only moderators start topics in %(category)s.") % {"category": category},
            back=category.get_absolute_url(),
        )
    lookup_enabled = article_lookup.lookup_enabled()
    if request.method == "POST" and "lookup" in request.POST:
        # "Fill in from DOI or PubMed link": show the form again, card filled, nothing saved.
        values = {name: request.POST.get(name, "") for name in TopicForm.base_fields}
        status, found = 200, False
        verdict = ratelimit.hit(request, "article_lookup")
        if not verdict.allowed:
            status = 429
            note = _(
                "You have looked up many articles in a short time. Please try again in about "
                "%(minutes)d minutes, or type the details in."
            ) % {"minutes": verdict.retry_minutes}
        else:
            try:
                card = article_lookup.lookup(values["article_lookup"])
            except article_lookup.ArticleLookupError as error:
                if error.reason == "unrecognised":
                    note = _(
                        "That doesn't look like a DOI or a PubMed link. A DOI starts with 10. "
                        "(e.g. 10.3390/neurolint13040059); you can also type the details in."
                    )
                else:
                    note = _(
                        "We couldn't fetch the details just now. Nothing you wrote is lost; "
                        "you can type them in below, or try again later."
                    )
            else:
                values.update(article_lookup.form_fields(card))
                found = True
                note = _(
                    "The article's details are filled in below. Please check them before posting."
                )
        response = render(
            request,
            "forum/new_topic.html",
            {
                "category": category,
                "form": TopicForm(initial=values),
                "lookup_enabled": lookup_enabled,
                "lookup_note": note,
                "lookup_found": found,
            },
            status=status,
        )
        if status == 429:
            response["Retry-After"] = str(verdict.retry_after)
        return response
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        limited = _rate_limited(request, "new_topic", "forum/new_topic.html", category, form)
        if limited:
            return limited
        topic = actions.create_topic(
            category,
            author=request.user,
            title=form.cleaned_data["title"],
            tag=form.cleaned_data["tag"],
            body=form.cleaned_data["body"],
            article=form.article(),
        )
        messages.success(request, _("Your topic is posted."))
        return redirect(topic)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "forum/new_topic.html",
        {"category": category, "form": form, "lookup_enabled": lookup_enabled},
        status=status,
    )


@require_GET
def topic_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    topic = require_topic(request.user, pk)
    return redirect(topic, permanent=True)


@require_GET
def topic(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    topic = require_topic(request.user, pk)
    if slug != topic.slug:
        return redirect(topic, permanent=True)
    number = _page_number(request)
    last = queries.page_count(topic)
    if number > last:
        return redirect(f"{topic.get_absolute_url()}?page={last}")
    page = queries.topic_page(topic, number)
    user = request.user
    may_moderate_recommend = [p.pk for p in page.posts if _may_recommend(user, p, topic)]
    queries.attach_reactions(page.posts, user)
    may_react = reactable_post_ids(user, topic, page.posts)
    return render(
        request,
        "forum/topic.html",
        {
            "topic": topic,
            "category": topic.category,
            "page": page,
            "posts": page.posts,
            "numbers": page.numbers(),
            "recommended": queries.recommended_posts(topic),
            "may_reply": can_reply(user, topic),
            "may_recommend": set(may_moderate_recommend),
            "may_react": may_react,
            "reaction_kinds": queries.active_reaction_kinds() if may_react else [],
            "may_edit": editable_post_ids(user, page.posts),
            "form": ReplyForm(),
            "site_root": request.build_absolute_uri("/").rstrip("/"),
        },
    )


def _may_recommend(user, post, topic: Topic) -> bool:
    post.topic = topic  # already loaded: no query per post
    return can_recommend(user, post)


@require_http_methods(["GET", "POST"])
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    topic = require_topic(request.user, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_reply(request.user, topic):
        if topic.is_locked:
            message = _("This topic is locked, so it takes no new replies.")
        else:
            message = _("Only moderators post in %(category)s.") % {"category": topic.category}
        return refused_page(
            request,
            title=_("You cannot reply here"),
            message=message,
            back=topic.get_absolute_url(),
        )

    initial = {}
    if request.method == "GET":  # ?quote=<post id>: start the reply with that post quoted
        quoted = quotes.quoted_post(request.user, topic, request.GET.get("quote"))
        if quoted is not None:
            initial["body"] = quotes.quote_markdown(quoted)
    form = ReplyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        limited = _rate_limited(request, "reply", "forum/reply.html", topic.category, form, topic)
        if limited:
            return limited
        post = actions.create_reply(topic, author=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("Your reply is posted."))
        return redirect(post)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "forum/reply.html",
        {"topic": topic, "category": topic.category, "form": form},
        status=status,
    )


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
