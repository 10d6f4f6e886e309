"""Posts that wait for a moderator: new members' first posts, and posts the safety net holds.

The rules (settings in ``config/settings.py``):

- A member at trust level *new* (``TrustLevel.NEW``) whose approved posts number fewer than
  ``STEPDOWN_APPROVAL_FIRST_POSTS`` (2; 0 turns it off) posts with ``Post.approval = pending``
  (a new topic: ``Topic.approval = pending`` too). Moderators and admins never wait.
- A post matching a safety phrase (``core.safety``) waits too when ``STEPDOWN_SAFETY_HOLD`` is
  "hold" (the default "keep" posts it); either way the moderators get an alert.
- Members below trust level *basic* post no links and no images: the composer refuses the
  submission with a clear message and keeps the text (``link_refusal``). Links inside the site
  (quotes of other posts, member pages) are fine.

A waiting post is shown to its author (marked "Waiting for a moderator") and to the category's
moderators only (``permissions.topic_posts_q``), counts nowhere (``counters``) and tells nobody
(``notifying``) until a moderator approves it. ``approve_post`` and ``reject_post`` are the
forum's side of the approval queue; the moderation app calls them inside its own transaction
and writes the audit entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stepdown.accounts.models import TrustLevel
from stepdown.core import safety
from stepdown.core.text import render_markdown

from . import drafts, notifying
from .counters import recount_category, recount_topic
from .models import Approval, Draft, Mention, Post, Topic
from .permissions import has_global_role


def first_posts_setting() -> int:
    return max(0, int(getattr(settings, "STEPDOWN_APPROVAL_FIRST_POSTS", 2)))


def approved_post_count(user) -> int:
    """Posts of ``user`` a moderator approved (or that never needed it), not removed."""
    return Post.objects.filter(author=user, approval=Approval.APPROVED, is_deleted=False).count()


def needs_approval(user) -> bool:
    """Whether ``user``'s next post waits for a moderator as one of their first posts (one
    query for new members, none for anyone else)."""
    if not user.is_authenticated or has_global_role(user):
        return False
    if user.trust_level >= TrustLevel.BASIC:
        return False
    first_posts = first_posts_setting()
    return first_posts > 0 and approved_post_count(user) < first_posts


# --- Links and images ------------------------------------------------------------------------


def may_post_links(user) -> bool:
    """Members from trust level *basic* up (and staff) post links and images."""
    return has_global_role(user) or user.trust_level >= TrustLevel.BASIC


class _LinksAndImages(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links = 0
        self.images = 0

    def handle_starttag(self, tag, attrs) -> None:
        values = dict(attrs)
        if tag == "img":
            self.images += 1
        elif tag == "a" and not _is_same_site(values.get("href") or ""):
            self.links += 1


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def _is_same_site(href: str) -> bool:
    """A link inside the forum: a path ("/p/12/", "/u/rowan/") or the site's own address."""
    href = href.strip()
    site = str(getattr(settings, "SITE_URL", "")).rstrip("/")
    if site and (href == site or href.startswith(site + "/")):
        return True
    if href.startswith("//") or _SCHEME.match(href):
        return False
    return href.startswith(("/", "#"))


def links_and_images(body: str) -> tuple[int, int]:
    """How many links to other sites and images ``body`` would show once posted (through the
    posting renderer, so bare addresses that become links count too)."""
    parser = _LinksAndImages()
    parser.feed(render_markdown(body))
    return parser.links, parser.images


def link_refusal(user, body: str) -> str:
    """Why ``body`` may not be posted by ``user`` yet ("" when it may)."""
    if may_post_links(user):
        return ""
    links, images = links_and_images(body)
    if not links and not images:
        return ""
    return _(
        "Welcome! Links to other sites and images open up once you have been here a little "
        "while (this keeps spam and sellers out). Please take the link or image out for now, "
        "or write the address with spaces. Your text is kept below."
    )


# --- Screening a new post --------------------------------------------------------------------


@dataclass(frozen=True)
class Screening:
    """What happens to a new post: approved or waiting, and what the safety net found."""

    approval: str
    held: bool  # waiting because the safety net holds it (not only as a first post)
    match: safety.SafetyMatch

    @property
    def pending(self) -> bool:
        return self.approval == Approval.PENDING


def screen(author, *texts: str) -> Screening:
    """Decide, before writing, whether ``author``'s new post waits for a moderator."""
    match = safety.check("\n".join(texts))
    held = bool(match) and safety.holds_posts() and not has_global_role(author)
    pending = held or needs_approval(author)
    return Screening(
        approval=Approval.PENDING if pending else Approval.APPROVED, held=held, match=match
    )


def record_screening(post: Post, screening: Screening) -> None:
    """Alert the moderators about what the safety net found in ``post`` (inside the post's
    transaction, so the post and its alert are written together)."""
    safety.raise_alert(
        screening.match,
        author=post.author,
        target_type=safety.POST,
        target_id=post.pk,
        held=screening.held,
    )


def added_matches(before: str, after: str) -> safety.SafetyMatch:
    """The safety phrases ``after`` matches that ``before`` did not (an edit's new ones)."""
    found = safety.check(after)
    if not found:
        return found
    earlier = set(safety.check(before).matched)
    return safety.SafetyMatch(tuple(p for p in found.matched if p not in earlier))


def record_edit(post: Post, *, before: str, after: str) -> None:
    """An edit that brings in safety phrases the post did not have alerts the moderators (the
    post stays as it is: holding a post others have read would only confuse them)."""
    safety.raise_alert(
        added_matches(before, after),
        author=post.author,
        target_type=safety.POST,
        target_id=post.pk,
    )


# --- The moderators' decisions ---------------------------------------------------------------


def _locked_pending(post: Post) -> tuple[Post, Topic] | None:
    topic = Topic.objects.select_for_update().select_related("category").get(pk=post.topic_id)
    locked = Post.objects.select_for_update().get(pk=post.pk)
    if locked.approval != Approval.PENDING:
        return None
    locked.topic = topic
    return locked, topic


def approve_post(post: Post) -> bool:
    """Show a waiting post (and, for a topic's first post, the topic) to everyone: counters
    recounted, and once committed, everyone the post would have told is told. False when it
    was not waiting (already decided: nothing changes)."""
    with transaction.atomic():
        found = _locked_pending(post)
        if found is None:
            return False
        locked, topic = found
        now = timezone.now()
        topic_fields = {"last_activity_at": max(topic.last_activity_at, now)}
        starts_topic = locked.position == 1 and topic.approval == Approval.PENDING
        if starts_topic:
            topic_fields["approval"] = Approval.APPROVED
        Topic.objects.filter(pk=topic.pk).update(**topic_fields)
        for name, value in topic_fields.items():
            setattr(topic, name, value)
        # Saved after its topic, so whatever follows the post's saves (the search index)
        # finds the topic approved too.
        locked.approval = Approval.APPROVED
        locked.save(update_fields=["approval"])
        recount_topic(topic)
        recount_category(topic.category)
        transaction.on_commit(
            lambda: _tell_after_approval(locked, topic, starts_topic), robust=True
        )
    post.approval = Approval.APPROVED
    return True


def _tell_after_approval(post: Post, topic: Topic, starts_topic: bool) -> None:
    mentioned = list(
        get_user_model().objects.filter(pk__in=Mention.objects.filter(post=post).values("user_id"))
    )
    post.topic = topic
    if starts_topic:
        notifying.after_new_topic(topic, post, mentioned=mentioned)
    else:
        notifying.after_reply(post, mentioned=mentioned)


def reject_post(post: Post) -> bool:
    """Do not show a waiting post (nor, for a topic's first post, the topic). Its text goes
    back to its author as a draft in the same composer, unless they are writing another one
    there, so nothing they wrote is lost. False when it was not waiting."""
    with transaction.atomic():
        found = _locked_pending(post)
        if found is None:
            return False
        locked, topic = found
        locked.approval = Approval.REJECTED
        locked.save(update_fields=["approval"])
        starts_topic = locked.position == 1 and topic.approval == Approval.PENDING
        if starts_topic:
            Topic.objects.filter(pk=topic.pk).update(approval=Approval.REJECTED)
            topic.approval = Approval.REJECTED
        if locked.author_id is not None:
            if starts_topic:
                key = drafts.topic_key(topic.category)
                fields = {"title": topic.title, "tag": topic.tag, "body": locked.body_markdown}
            else:
                key = drafts.reply_key(topic)
                fields = {"body": locked.body_markdown}
            Draft.objects.get_or_create(
                user_id=locked.author_id,
                key=key,
                defaults={"fields": {name: value for name, value in fields.items() if value}},
            )
    post.approval = Approval.REJECTED
    return True
