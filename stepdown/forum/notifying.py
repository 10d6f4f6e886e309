"""What the forum tells members, through the notifications app.

- a reply: the topic's followers (kind reply, gathered per topic);
- a new topic: followers of its category and of its author (kind new_topic);
- a mention: the members newly named in a post, new or edited (kind mention);
- a quote: the authors of the posts a reply quotes (kind quote);
- a reaction: the post's author (kind reaction, gathered per post).

A member told about a post as mentioned or quoted is not also told about it as a follower. The
author of a new topic or reply follows it too, if their preferences say so (the default).
``notifications.actions.notify`` then leaves out the actor, members who blocked the actor,
inactive accounts and kinds a member turned off. Called by ``actions`` after the write has
committed, so a notification problem can never undo a post.

Nobody hears of what they could not read: every list of recipients is narrowed to the members
who may read the category (``permissions.readers_among``: one query for groups and staff
categories, none for public and members-only ones), and a post or topic that not everyone sees
(waiting for approval, hidden, removed) tells nobody; whoever approves it calls these functions
then.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from stepdown.notifications import actions as notifications
from stepdown.notifications import queries as notification_queries
from stepdown.notifications.models import Kind, Target

from .models import Approval, Post, Reaction, Topic
from .permissions import is_public_post, public_post_q, readers_among

# The attribution line quotes.quote_markdown writes (and composer quoting copies): a link to the
# quoted post's permalink inside a blockquote.
_QUOTED_POST = re.compile(r"^\s*>.*\]\(/p/(\d{1,18})/\)", re.MULTILINE)


def _name(user) -> str:
    return user.username if user is not None else _("A former member")


def _follow_own_topic(author, topic: Topic, *, started: bool, known: bool = False) -> None:
    """The author follows ``topic`` if their preferences say so; ``known``: they have a follow
    row for it already (following, or stopped following), so nothing changes."""
    if author is None or known:
        return
    prefs = notification_queries.preferences_for(author)
    if prefs.follow_started if started else prefs.follow_replied:
        notifications.follow_by_default(author, target_type=Target.TOPIC, target_id=topic.pk)


def quoted_authors(post: Post) -> set[int]:
    """Authors of the posts ``post`` quotes (same-site permalinks in its blockquotes)."""
    ids = {int(pk) for pk in _QUOTED_POST.findall(post.body_markdown)}
    ids.discard(post.pk)
    if not ids:
        return set()
    return set(
        Post.objects.filter(public_post_q(), pk__in=ids, author__isnull=False).values_list(
            "author_id", flat=True
        )
    )


def _is_public(post: Post, topic: Topic) -> bool:
    """Whether everyone who reads the category sees ``post`` (only then is anyone told)."""
    if topic.is_deleted or topic.merged_into_id is not None:
        return False
    return topic.approval == Approval.APPROVED and is_public_post(post)


def _readers(ids: set[int], topic: Topic) -> set[int]:
    """The members among ``ids`` who may read ``topic``'s category (no query for nobody)."""
    return readers_among(ids, topic.category) if ids else set()


def _tell_mentioned(post: Post, topic: Topic, mentioned) -> set[int]:
    ids = _readers({user.pk for user in mentioned}, topic)
    if ids:
        notifications.notify(
            ids,
            kind=Kind.MENTION,
            actor=post.author,
            text=_("%(name)s mentioned you in “%(title)s”")
            % {"name": _name(post.author), "title": topic.full_title},
            url=post.get_absolute_url(),
            group_key=f"mention:{post.pk}",
        )
    return ids


def _tell_quoted(post: Post, topic: Topic, skip: set[int]) -> set[int]:
    ids = _readers(quoted_authors(post) - skip, topic)
    if ids:
        notifications.notify(
            ids,
            kind=Kind.QUOTE,
            actor=post.author,
            text=_("%(name)s quoted you in “%(title)s”")
            % {"name": _name(post.author), "title": topic.full_title},
            url=post.get_absolute_url(),
            group_key=f"quote:{post.pk}",
        )
    return ids


def after_reply(post: Post, *, mentioned=()) -> None:
    """Tell those who should know about a new reply; the author follows the topic."""
    topic = post.topic
    if not _is_public(post, topic):
        return
    told = _tell_mentioned(post, topic, mentioned)
    told |= _tell_quoted(post, topic, told)
    # One read for the followers and for whether the author has a follow row already.
    follows = notification_queries.follow_states(Target.TOPIC, topic.pk)
    followers = {pk for pk, muted in follows.items() if not muted} - told
    followers = _readers(followers, topic)
    if followers:
        notifications.notify(
            followers,
            kind=Kind.REPLY,
            actor=post.author,
            text=_("%(name)s replied to “%(title)s”")
            % {"name": _name(post.author), "title": topic.full_title},
            url=post.get_absolute_url(),
            group_key=f"topic:{topic.pk}",
        )
    _follow_own_topic(post.author, topic, started=False, known=post.author_id in follows)


def after_new_topic(topic: Topic, post: Post, *, mentioned=()) -> None:
    """Tell followers of the category and of the author about a new topic."""
    if not _is_public(post, topic):
        return
    told = _tell_mentioned(post, topic, mentioned)
    followers = set(notification_queries.followers(Target.CATEGORY, topic.category_id))
    if topic.author_id:
        followers |= set(notification_queries.followers(Target.MEMBER, topic.author_id))
    followers = _readers(followers - told, topic)
    if followers:
        notifications.notify(
            followers,
            kind=Kind.NEW_TOPIC,
            actor=topic.author,
            text=_("%(name)s started “%(title)s” in %(category)s")
            % {
                "name": _name(topic.author),
                "title": topic.full_title,
                "category": topic.category.name,
            },
            url=topic.get_absolute_url(),
        )
    _follow_own_topic(topic.author, topic, started=True)


def after_edit(post: Post, *, mentioned=()) -> None:
    """An edit tells only the members it newly mentions."""
    if _is_public(post, post.topic):
        _tell_mentioned(post, post.topic, mentioned)


def after_reaction(reaction: Reaction) -> None:
    """Tell the post's author that someone reacted (gathered per post while unread)."""
    post = reaction.post
    if not post.author_id:
        return
    recipients = _readers({post.author_id}, post.topic)
    if not recipients:
        return
    notifications.notify(
        recipients,
        kind=Kind.REACTION,
        actor=reaction.user,
        text=_("%(name)s reacted “%(reaction)s” to your post in “%(title)s”")
        % {
            "name": _name(reaction.user),
            "reaction": _(reaction.kind.label),
            "title": post.topic.full_title,
        },
        url=post.get_absolute_url(),
        group_key=f"reactions:{post.pk}",
    )
