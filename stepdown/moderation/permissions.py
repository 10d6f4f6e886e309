"""Who may report what, who works the queue, and who moderates what.

Any active member reports what they can see: a post or topic in a category they may read, a
member's page, a message in a conversation they take part in. Moderators and admins work the
queue once they have two-factor sign-in (``forum.permissions.is_moderator``); they read a
reported message through its report, never the rest of the conversation.

Two reaches of moderation:

- **content** (hide, remove, lock, pin, move, merge, split): whoever moderates the category the
  post or topic is in (``forum.permissions.can_moderate_category``: global moderators and
  admins, the category's own moderators, groups allowed to moderate it; all with two-factor
  sign-in);
- **members and the site-wide tools** (the report queue, warnings, suspensions and bans, the
  audit log, the dashboard): global moderators and admins with two-factor sign-in
  (:func:`can_moderate`), since reports and a member's standing reach across categories and
  into private messages.
"""

from __future__ import annotations

from django.http import Http404

from stepdown.accounts.standing import is_suspended
from stepdown.forum.models import Post, Topic
from stepdown.forum.permissions import (
    can_moderate_category,
    can_read_topic,
    can_see_post,
    has_global_role,
    is_moderator,
)


def has_moderator_role(user) -> bool:
    """Global moderators and admins, with or without two-factor sign-in yet."""
    return has_global_role(user)


def can_moderate(user) -> bool:
    """Work the report queue, members' standing, the audit log and the dashboard: a global
    moderator or admin with two-factor sign-in, not suspended themselves."""
    return is_moderator(user) and not is_suspended(user)


def can_sanction(user, member) -> bool:
    """Warn, suspend or ban ``member``, or lift a suspension or ban of theirs: never oneself
    (a suspended moderator does not lift their own suspension), never an admin; other
    moderators and staff only by an admin. The caller has checked :func:`can_moderate`."""
    if member.pk == user.pk:
        return False
    if member.is_superuser:
        return False
    if member.is_moderator or member.is_staff:
        return bool(user.is_superuser)
    return True


def can_report(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def require_report_type(target_type: str) -> str:
    from .models import TargetType

    if target_type not in TargetType.values:
        raise Http404("Nothing to report here.")
    return target_type


# --- Content --------------------------------------------------------------------------------


def can_moderate_topic(user, topic: Topic) -> bool:
    """Moderate ``topic`` and its posts: a moderator of its category."""
    return can_moderate_category(user, topic.category)


def topic_visible_to(user, topic: Topic) -> bool:
    """Whether ``user`` may see ``topic`` at all (so a refusal may say so, rather than 404)."""
    return can_read_topic(user, topic)


def post_visible_to(user, post: Post) -> bool:
    """Whether ``user`` may see ``post`` (not removed, not hidden from them, topic readable)."""
    return can_read_topic(user, post.topic) and can_see_post(user, post)


def post_to_moderate(pk: int) -> Post:
    """The post ``pk`` whatever its state (hidden, removed), with its topic and category; 404
    when there is none. Callers check the moderator's reach before using it."""
    post = Post.objects.select_related("topic", "topic__category", "author").filter(pk=pk).first()
    if post is None:
        raise Http404("No such post.")
    return post


def topic_to_moderate(pk: int) -> Topic:
    """The topic ``pk`` whatever its state, with its category; 404 when there is none."""
    topic = Topic.objects.select_related("category", "author").filter(pk=pk).first()
    if topic is None:
        raise Http404("No such topic.")
    return topic
