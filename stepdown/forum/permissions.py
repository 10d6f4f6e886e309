"""Who may see and do what in the forum.

`can_*` answer with a bool; `require_*` return the object or raise Http404, so a member can never
learn that something they may not see exists.

Roles:
- guests read public categories;
- members read public and members-only categories, and start topics and reply where the
  category's post access lets them; a suspended member (``accounts.standing``) still reads but
  may not post, reply, react or edit;
- groups (Django's auth groups) get per-category rights through ``CategoryAccess``: read a
  "groups" category, start topics, reply (where post access is "groups"), moderate;
- moderators: global ones (``User.is_moderator``) and admins (superusers and staff accounts)
  moderate everywhere; a category's own moderators (``Category.moderators``, or a group with
  ``can_moderate``) moderate that category only. Every moderator role counts only once the
  account has two-factor sign-in. Moderators read staff-only categories, see hidden and waiting
  posts and removed topics of the categories they moderate, reply in locked topics and post in
  moderators-only categories.

Cost: a member's group rights and moderator appointments in every category are one query
(``_member_rights``), kept on the user object for the request and in the cache until anything
a reader could see changes (the guest page cache's generation, which group, access and
appointment changes replace); listings carry them in their own query (``readable_categories``
is one queryset, used as a subquery).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from stepdown.accounts.standing import is_suspended, suspension_message
from stepdown.accounts.two_factor import has_two_factor
from stepdown.core import page_cache

from .models import Access, Approval, Category, CategoryAccess, Post, PostAccess, Topic

logger = logging.getLogger(__name__)

# --- Roles -----------------------------------------------------------------------------------


def has_global_role(user) -> bool:
    """Global moderators and admins, with or without two-factor sign-in yet."""
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser or user.is_staff or user.is_moderator)


def is_moderator(user) -> bool:
    """Global moderators and admins moderate everywhere, once they have two-factor sign-in."""
    if not has_global_role(user):
        return False
    return has_two_factor(user)


@dataclass(frozen=True)
class CategoryRights:
    """What a member's groups and moderator appointments give them in one category."""

    group_read: bool = False
    group_start: bool = False
    group_reply: bool = False
    group_moderate: bool = False
    appointed_moderator: bool = False

    @property
    def moderates(self) -> bool:
        return self.group_moderate or self.appointed_moderator


NO_RIGHTS = CategoryRights()
_RIGHTS = ("group_read", "group_start", "group_reply", "group_moderate", "appointed_moderator")
_ANNOTATIONS = tuple(f"viewer_{name}" for name in _RIGHTS)
_MEMBER_RIGHTS_CACHE = "_stepdown_forum_rights"
_RIGHTS_CACHE = "fragments"  # kept with the rendered posts, under the same generation
_TWO_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def _rights_expressions(user, category_ref) -> dict:
    """SQL for each of ``user``'s rights in the category ``category_ref`` (an ``OuterRef``)."""
    access = CategoryAccess.objects.filter(category=category_ref, group__user=user.pk)
    appointed = Category.moderators.through.objects.filter(category=category_ref, user=user.pk)
    flags = ("can_read", "can_start", "can_reply", "can_moderate")
    expressions = {
        f"viewer_group_{name.removeprefix('can_')}": Exists(access.filter(**{name: True}))
        for name in flags
    }
    expressions["viewer_appointed_moderator"] = Exists(appointed)
    return expressions


def _member_rights(user) -> dict[int, CategoryRights]:
    """Every category where ``user``'s groups or appointments give rights.

    Kept on the user object for the rest of the request, and in the ``fragments`` cache under
    the guest page cache's generation: joining or leaving a group, a category's access rights
    and moderator appointments are all database writes that replace the generation, so a kept
    answer is never used after they change. One query when it is not kept.
    """
    cached = getattr(user, _MEMBER_RIGHTS_CACHE, None)
    if cached is not None:
        return cached
    store = caches[_RIGHTS_CACHE]
    seconds = settings.STEPDOWN_FRAGMENT_CACHE_SECONDS
    key = None
    if seconds > 0:
        try:
            key = f"forum-rights:{user.pk}:{page_cache.generation_now()}"  # before the rows
            cached = store.get(key)
        except Exception:  # a cache that is down costs a query, never the page
            logger.warning("Could not read a member's rights from the cache", exc_info=True)
    if cached is None:
        rows = (
            Category.objects.annotate(**_rights_expressions(user, OuterRef("pk")))
            .filter(
                Q(viewer_group_read=True)
                | Q(viewer_group_start=True)
                | Q(viewer_group_reply=True)
                | Q(viewer_group_moderate=True)
                | Q(viewer_appointed_moderator=True)
            )
            .values_list("pk", *_ANNOTATIONS)
        )
        cached = {pk: CategoryRights(*(bool(flag) for flag in flags)) for pk, *flags in rows}
        if key is not None:
            try:
                store.set(key, cached, seconds)
            except Exception:
                logger.warning("Could not keep a member's rights in the cache", exc_info=True)
    setattr(user, _MEMBER_RIGHTS_CACHE, cached)
    return cached


def rights_in(user, category: Category) -> CategoryRights:
    """``user``'s group rights and appointments in ``category``."""
    if not user.is_authenticated:
        return NO_RIGHTS
    return _member_rights(user).get(category.pk, NO_RIGHTS)


def moderates_category(user, category: Category) -> bool:
    """Holds a moderator's place in ``category`` (admins and global moderators everywhere, the
    category's own moderators there), with two-factor sign-in: they read it whatever its
    access, even while suspended."""
    if not user.is_authenticated or not user.is_active:
        return False
    if not (has_global_role(user) or rights_in(user, category).moderates):
        return False
    return has_two_factor(user)


def can_moderate_category(user, category: Category) -> bool:
    """Moderate ``category``: its moderators (:func:`moderates_category`), not while their own
    account is suspended."""
    return moderates_category(user, category) and not is_suspended(user)


# --- Reading ---------------------------------------------------------------------------------


def can_read_category(user, category: Category) -> bool:
    """Public: everyone; members: signed-in members; groups: members of a group with read
    access; staff: nobody else. Moderators of the category read it whatever its access."""
    if category.read_access == Access.PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if category.read_access == Access.MEMBERS:
        return True
    if category.read_access == Access.GROUPS and rights_in(user, category).group_read:
        return True
    return moderates_category(user, category)


def _with_two_factor(user, condition: Q) -> Q | None:
    """``condition`` and "``user`` has two-factor sign-in", in SQL unless already known."""
    known = getattr(user, "_stepdown_has_two_factor", None)
    if known is None:
        return Q(
            condition,
            Exists(Authenticator.objects.filter(user=user.pk, type__in=_TWO_FACTOR_TYPES)),
        )
    return condition if known else None


def readable_categories(user) -> QuerySet[Category]:
    """The categories ``user`` may read, in their display order: one queryset, usable as a
    subquery (the group and moderator checks are part of it)."""
    categories = Category.objects.all()
    if not user.is_authenticated:
        return categories.filter(read_access=Access.PUBLIC)
    if is_moderator(user):
        return categories
    here = OuterRef("pk")
    access = CategoryAccess.objects.filter(category=here, group__user=user.pk)
    appointed = Category.moderators.through.objects.filter(category=here, user=user.pk)
    readable = Q(read_access__in=[Access.PUBLIC, Access.MEMBERS]) | Q(
        Q(read_access=Access.GROUPS), Exists(access.filter(can_read=True))
    )
    moderates = _with_two_factor(
        user, Q(Exists(appointed)) | Q(Exists(access.filter(can_moderate=True)))
    )
    if moderates is not None:
        readable |= moderates
    return categories.filter(readable)


def readers_among(user_ids, category: Category) -> set[int]:
    """The members among ``user_ids`` who may read ``category`` (one query, none for public
    and members-only categories): notifications go to them only."""
    ids = set(user_ids)
    if not ids or category.read_access in (Access.PUBLIC, Access.MEMBERS):
        return ids
    member = OuterRef("pk")
    access = CategoryAccess.objects.filter(category=category, group__user=member)
    appointed = Category.moderators.through.objects.filter(category=category, user=member)
    two_factor = Exists(Authenticator.objects.filter(user=member, type__in=_TWO_FACTOR_TYPES))
    staff = (
        Q(is_superuser=True)
        | Q(is_staff=True)
        | Q(is_moderator=True)
        | Q(Exists(appointed))
        | Q(Exists(access.filter(can_moderate=True)))
    )
    readers = Q(staff, two_factor)
    if category.read_access == Access.GROUPS:
        readers |= Q(Exists(access.filter(can_read=True)))
    return set(
        get_user_model()
        .objects.filter(pk__in=ids, is_active=True)
        .filter(readers)
        .values_list("pk", flat=True)
    )


def _prefixed(prefix: str, **lookups) -> Q:
    return Q(**{f"{prefix}{name}": value for name, value in lookups.items()})


def public_topic_q(prefix: str = "") -> Q:
    """Topics everyone who reads the category sees: approved, not removed, not merged away."""
    return _prefixed(prefix, is_deleted=False, merged_into__isnull=True, approval=Approval.APPROVED)


def listed_topics_q(user, prefix: str = "") -> Q:
    """Topics every list shows ``user`` (Latest, Unread, a category's page for non-moderators):
    not removed, not merged away, and approved or the member's own (waiting ones marked).
    ``prefix``: the path to the topic, e.g. ``"topic__"`` on posts."""
    shown = _prefixed(prefix, approval=Approval.APPROVED)
    if user.is_authenticated:
        shown |= _prefixed(prefix, author=user.pk)
    return _prefixed(prefix, is_deleted=False, merged_into__isnull=True) & shown


def category_topics_q(user, category: Category) -> Q:
    """The topics of ``category``'s page: moderators of it also see removed and waiting ones."""
    if can_moderate_category(user, category):
        return Q(merged_into__isnull=True)
    return listed_topics_q(user)


def public_post_q(prefix: str = "") -> Q:
    """Posts everyone who reads the topic sees: approved, not hidden, not removed."""
    return _prefixed(prefix, is_deleted=False, is_hidden=False, approval=Approval.APPROVED)


def topic_posts_q(user, category: Category) -> Q:
    """The posts a topic page shows ``user``: approved, not hidden ones, and removed ones as a
    short "removed" line (as before); hidden and waiting posts to their author and the
    category's moderators only, marked. Others do not see them at all: the page shows fewer
    posts, and every post keeps its position."""
    if can_moderate_category(user, category):
        return Q()
    shown = Q(is_deleted=True) | Q(is_hidden=False, approval=Approval.APPROVED)
    if user.is_authenticated:
        shown |= Q(author=user.pk)
    return shown


def can_read_topic(user, topic: Topic) -> bool:
    """Read ``topic``: its category is readable; a removed topic only by the category's
    moderators; a waiting (or refused) one by its author and those moderators. A topic merged
    into another is readable as far as the address goes: its pages lead to the other."""
    if not can_read_category(user, topic.category):
        return False
    if topic.merged_into_id is not None:
        return True
    if topic.is_deleted:
        return can_moderate_category(user, topic.category)
    if topic.approval != Approval.APPROVED:
        return is_own_topic(user, topic) or can_moderate_category(user, topic.category)
    return True


def is_own_topic(user, topic: Topic) -> bool:
    return user.is_authenticated and topic.author_id is not None and topic.author_id == user.pk


def can_see_post(user, post: Post) -> bool:
    """See ``post`` on its own (permalink, quote, edit, history): not removed; approved and not
    hidden, or one's own, or in a category one moderates. The topic is checked by the caller."""
    if post.is_deleted:
        return False
    if not post.is_hidden and post.approval == Approval.APPROVED:
        return True
    if is_own_post(user, post):
        return True
    return can_moderate_category(user, post.topic.category)


def is_public_post(post: Post) -> bool:
    return not post.is_deleted and not post.is_hidden and post.approval == Approval.APPROVED


def require_category(user, slug: str) -> Category:
    row = Category.objects.filter(slug=slug).first()
    if row is None:
        raise Http404("No such category.")
    if not can_read_category(user, row):
        raise Http404("No such category.")
    return row


def require_topic(user, pk: int, *, details: bool = True) -> Topic:
    """A topic ``user`` may read (a merged one too: callers send readers to ``merged_into``),
    with its category, and with ``details`` its author and article card (the composer shows
    neither, so it loads less)."""
    related = ("category", "author", "article") if details else ("category",)
    try:
        topic = Topic.objects.select_related(*related).get(pk=pk)
    except Topic.DoesNotExist:
        raise Http404("No such topic.") from None
    if not can_read_topic(user, topic):
        raise Http404("No such topic.")
    return topic


def require_visible_post(user, pk: int) -> Post:
    """A post that exists, is not removed, sits in a topic ``user`` may read and is shown to
    them (approved and not hidden, their own, or in a category they moderate)."""
    posts = Post.objects.select_related("topic", "topic__category").filter(pk=pk, is_deleted=False)
    post = posts.first()
    if post is None:
        raise Http404("No such post.")
    if not can_read_topic(user, post.topic) or post.topic.merged_into_id is not None:
        raise Http404("No such post.")
    if not can_see_post(user, post):
        raise Http404("No such post.")
    return post


# --- Writing ---------------------------------------------------------------------------------


def _may_write(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return not is_suspended(user)


def can_post_in_category(user, category: Category) -> bool:
    """Start a topic in ``category``: post access "members" lets every reader, "groups" the
    members of a group with start rights, "moderators" nobody else; its moderators always."""
    if not _may_write(user):
        return False
    if not can_read_category(user, category):
        return False
    if category.post_access == PostAccess.MEMBERS:
        return True
    if category.post_access == PostAccess.GROUPS and rights_in(user, category).group_start:
        return True
    return can_moderate_category(user, category)


def _topic_takes_replies(topic: Topic) -> bool:
    if topic.merged_into_id is not None or topic.is_deleted:
        return False
    return topic.approval == Approval.APPROVED


def can_reply(user, topic: Topic) -> bool:
    """Reply in ``topic``: as for starting topics, with the group's reply right; a locked
    topic takes replies from the category's moderators only; removed, waiting and merged
    topics from nobody."""
    if not _may_write(user):
        return False
    category = topic.category
    if not can_read_topic(user, topic) or not _topic_takes_replies(topic):
        return False
    if topic.is_locked:
        return can_moderate_category(user, category)
    if category.post_access == PostAccess.MEMBERS:
        return True
    if category.post_access == PostAccess.GROUPS and rights_in(user, category).group_reply:
        return True
    return can_moderate_category(user, category)


def posting_refusal(user, category: Category, topic: Topic | None = None) -> str:
    """Why ``user`` (signed in, able to read) may not post here: a calm sentence."""
    if is_suspended(user):
        return suspension_message(user)
    if topic is not None:
        if topic.merged_into_id is not None:
            return _("This topic was joined with another one. Please reply there.")
        if not _topic_takes_replies(topic):
            return _("This topic takes no replies while a moderator looks at it.")
        if topic.is_locked:
            return _("This topic is locked, so it takes no new replies.")
    names = {"category": category.name}
    if category.post_access == PostAccess.GROUPS:
        if topic is None:
            return _("Topics in %(category)s are started by members of some groups.") % names
        return _("Replies in %(category)s come from members of some groups.") % names
    if topic is None:
        return _("Only moderators start topics in %(category)s.") % names
    return _("Only moderators post in %(category)s.") % names


def can_recommend(user, post: Post) -> bool:
    """The category's moderators recommend replies; so does the topic author where the
    category allows it. Only posts everyone sees, never the first."""
    if not user.is_authenticated:
        return False
    if not is_public_post(post):
        return False
    if post.position == 1:
        return False
    topic = post.topic
    if can_moderate_category(user, topic.category):
        return True
    if not topic.category.authors_may_recommend:
        return False
    return topic.author_id == user.pk and post.author_id != user.pk


def can_react_in_topic(user, topic: Topic) -> bool:
    """Members react in topics they can read; a locked topic takes reactions from its
    category's moderators only; suspended members do not react."""
    if not _may_write(user):
        return False
    if not can_read_topic(user, topic) or not _topic_takes_replies(topic):
        return False
    if topic.is_locked:
        return can_moderate_category(user, topic.category)
    return True


def can_react(user, post: Post) -> bool:
    """React to ``post``: only to posts everyone sees, never to one's own."""
    if not is_public_post(post):
        return False
    if post.author_id is not None and post.author_id == user.pk:
        return False
    return can_react_in_topic(user, post.topic)


def reactable_post_ids(user, topic: Topic, posts) -> set[int]:
    """The posts of one topic page ``user`` may react to, without a query per post."""
    if not can_react_in_topic(user, topic):
        return set()
    return {p.pk for p in posts if is_public_post(p) and p.author_id != user.pk}


def edit_window_minutes() -> int:
    return getattr(settings, "STEPDOWN_EDIT_WINDOW_MINUTES", 60 * 24)


def edit_window_open(post: Post, now=None) -> bool:
    """Whether the author's editing window (set by admins) is still open for ``post``."""
    now = now or timezone.now()
    return now <= post.created_at + timedelta(minutes=edit_window_minutes())


def is_own_post(user, post: Post) -> bool:
    return user.is_authenticated and post.author_id is not None and post.author_id == user.pk


def can_edit_post(user, post: Post, now=None) -> bool:
    """Authors edit within the window; the category's moderators edit any time; nobody while
    suspended."""
    if not _may_write(user):
        return False
    if post.is_deleted:
        return False
    if can_moderate_category(user, post.topic.category):
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


def can_see_history(user, post: Post) -> bool:
    """See ``post``'s earlier versions (its edit history, diffs and all): its author and the
    category's moderators. Everyone else who sees the post sees that it was edited, not what
    it said before: an earlier version may hold words behind a content warning the author
    later added, or text the author took back or a moderator removed. Whether ``user`` sees
    the post at all is checked by the caller (``require_visible_post``)."""
    if is_own_post(user, post):
        return True
    return can_moderate_category(user, post.topic.category)


def can_revert_post(user, post: Post) -> bool:
    """The category's moderators restore an earlier revision."""
    if post.is_deleted:
        return False
    return can_moderate_category(user, post.topic.category)
