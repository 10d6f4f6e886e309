"""Who may see and do what in the forum.

`can_*` answer with a bool; `require_*` return the object or raise Http404, so a member can never
learn that something they may not see exists.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from stepdown.accounts.two_factor import has_two_factor

from .models import Access, Category, Post, PostAccess, Topic


def is_moderator(user) -> bool:
    """Moderators and admins moderate everywhere, once they have two-factor sign-in."""
    if not user.is_authenticated:
        return False
    if not (user.is_superuser or user.is_moderator):
        return False
    return has_two_factor(user)


def can_read_category(user, category: Category) -> bool:
    if category.read_access == Access.PUBLIC:
        return True
    return user.is_authenticated


def readable_categories(user) -> QuerySet[Category]:
    """The categories ``user`` may read, in their display order."""
    categories = Category.objects.all()
    if not user.is_authenticated:
        categories = categories.filter(read_access=Access.PUBLIC)
    return categories


def can_post_in_category(user, category: Category) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if not can_read_category(user, category):
        return False
    if category.post_access == PostAccess.MODERATORS:
        return is_moderator(user)
    return True


def can_reply(user, topic: Topic) -> bool:
    if not can_post_in_category(user, topic.category):
        return False
    if topic.is_locked:
        return is_moderator(user)
    return True


def can_recommend(user, post: Post) -> bool:
    """Moderators recommend replies; so does the topic author where the category allows it."""
    if not user.is_authenticated:
        return False
    if post.is_deleted:
        return False
    if post.position == 1:
        return False
    if is_moderator(user):
        return True
    topic = post.topic
    if not topic.category.authors_may_recommend:
        return False
    return topic.author_id == user.pk and post.author_id != user.pk


def require_category(user, slug: str) -> Category:
    category = Category.objects.filter(slug=slug).first()
    if category is None or not can_read_category(user, category):
        raise Http404("No such category.")
    return category


def require_topic(user, pk: int) -> Topic:
    topic = Topic.objects.select_related("category", "author", "article").filter(pk=pk).first()
    if topic is None or not can_read_category(user, topic.category):
        raise Http404("No such topic.")
    return topic


def require_visible_post(user, pk: int) -> Post:
    """A post that exists, is not deleted and sits in a category ``user`` may read."""
    post = (
        Post.objects.select_related("topic", "topic__category")
        .filter(pk=pk, is_deleted=False)
        .first()
    )
    if post is None or not can_read_category(user, post.topic.category):
        raise Http404("No such post.")
    return post


def can_react_in_topic(user, topic: Topic) -> bool:
    """Members react in topics they can read; a locked topic takes reactions from moderators."""
    if not user.is_authenticated or not user.is_active:
        return False
    if not can_read_category(user, topic.category):
        return False
    if topic.is_locked:
        return is_moderator(user)
    return True


def can_react(user, post: Post) -> bool:
    """React to ``post``: never to a removed post, never to one's own."""
    if post.is_deleted:
        return False
    if post.author_id is not None and post.author_id == user.pk:
        return False
    return can_react_in_topic(user, post.topic)


def reactable_post_ids(user, topic: Topic, posts) -> set[int]:
    """The posts of one topic page ``user`` may react to, without a query per post."""
    if not can_react_in_topic(user, topic):
        return set()
    return {p.pk for p in posts if not p.is_deleted and p.author_id != user.pk}


def edit_window_minutes() -> int:
    return getattr(settings, "STEPDOWN_EDIT_WINDOW_MINUTES", 60 * 24)


def edit_window_open(post: Post, now=None) -> bool:
    """Whether the author's editing window (set by admins) is still open for ``post``."""
    now = now or timezone.now()
    return now <= post.created_at + timedelta(minutes=edit_window_minutes())


def is_own_post(user, post: Post) -> bool:
    return user.is_authenticated and post.author_id is not None and post.author_id == user.pk


def can_edit_post(user, post: Post, now=None) -> bool:
    """Authors edit within the window; moderators edit any time."""
    if not user.is_authenticated or not user.is_active:
        return False
    if post.is_deleted:
        return False
    if is_moderator(user):
        return True
    if not is_own_post(user, post):
        return False
    return edit_window_open(post, now)


def editable_post_ids(user, posts) -> set[int]:
    """The posts of one topic page ``user`` may edit, without a query per post."""
    if not user.is_authenticated:
        return set()
    now = timezone.now()
    return {p.pk for p in posts if can_edit_post(user, p, now)}


def can_revert_post(user, post: Post) -> bool:
    """Moderators restore an earlier revision."""
    if post.is_deleted:
        return False
    return is_moderator(user)
