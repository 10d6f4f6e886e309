"""What a report points at: found for the reporter (only what they may see, else 404) and, in
bulk, for the moderators' queue (a fixed number of queries for a page of reports)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from stepdown.conversations.models import Message
from stepdown.conversations.permissions import require_message
from stepdown.conversations.queries import message_url
from stepdown.forum.models import Post, Topic
from stepdown.forum.permissions import require_topic, require_visible_post

from .models import TargetType


@dataclass
class Target:
    type: str
    id: int
    author_id: int | None
    author_name: str
    label: str
    html: str = ""  # stored, sanitised HTML of the reported text
    url: str = ""  # where the reporter finds it again; moderators open messages via the report
    removed: bool = False


def _name(user) -> str:
    return user.username if user is not None else _("former member")


def _post_target(post: Post) -> Target:
    label = _("Post #%(n)d in “%(title)s”") % {"n": post.position, "title": post.topic.full_title}
    return Target(
        TargetType.POST,
        post.pk,
        post.author_id,
        _name(post.author),
        label,
        html="" if post.is_deleted else post.body_html,
        url=post.get_absolute_url(),
        removed=post.is_deleted,
    )


def _topic_target(topic: Topic) -> Target:
    return Target(
        TargetType.TOPIC,
        topic.pk,
        topic.author_id,
        _name(topic.author),
        _("Topic “%(title)s”") % {"title": topic.full_title},
        url=topic.get_absolute_url(),
    )


def _member_target(member) -> Target:
    return Target(
        TargetType.MEMBER,
        member.pk,
        member.pk,
        member.username,
        _("Member %(name)s") % {"name": member.username},
        url=reverse("forum:member", kwargs={"username": member.username}),
        removed=not member.is_active,
    )


def _message_target(message: Message, *, url: str = "") -> Target:
    label = _("Message #%(n)d in the conversation “%(subject)s”") % {
        "n": message.position,
        "subject": message.conversation.subject,
    }
    return Target(
        TargetType.MESSAGE,
        message.pk,
        message.author_id,
        _name(message.author),
        label,
        html="" if message.is_removed else message.body_html,
        url=url,
        removed=message.is_removed,
    )


def reportable(user, target_type: str, target_id: int) -> Target:
    """The thing ``user`` wants to report, if they may see it; 404 otherwise."""
    if target_type == TargetType.POST:
        return _post_target(require_visible_post(user, target_id))
    if target_type == TargetType.TOPIC:
        return _topic_target(require_topic(user, target_id))
    if target_type == TargetType.MEMBER:
        member = get_user_model().objects.filter(pk=target_id, is_active=True).first()
        if member is None:
            raise Http404("No such member.")
        return _member_target(member)
    if target_type == TargetType.MESSAGE:
        message = require_message(user, target_id)
        return _message_target(message, url=message_url(message))
    raise Http404("Nothing to report here.")


def targets_for(reports) -> dict[tuple[str, int], Target]:
    """The targets of a page of reports, for moderators: one query per kind of target."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for report in reports:
        wanted[report.target_type].add(report.target_id)
    found: dict[tuple[str, int], Target] = {}
    if wanted[TargetType.POST]:
        for post in Post.objects.select_related("author", "topic").filter(
            pk__in=wanted[TargetType.POST]
        ):
            found[(TargetType.POST, post.pk)] = _post_target(post)
    if wanted[TargetType.TOPIC]:
        for topic in Topic.objects.select_related("author").filter(pk__in=wanted[TargetType.TOPIC]):
            found[(TargetType.TOPIC, topic.pk)] = _topic_target(topic)
    if wanted[TargetType.MEMBER]:
        for member in get_user_model().objects.filter(pk__in=wanted[TargetType.MEMBER]):
            found[(TargetType.MEMBER, member.pk)] = _member_target(member)
    if wanted[TargetType.MESSAGE]:
        for message in Message.objects.select_related("author", "conversation").filter(
            pk__in=wanted[TargetType.MESSAGE]
        ):
            found[(TargetType.MESSAGE, message.pk)] = _message_target(message)
    return found
