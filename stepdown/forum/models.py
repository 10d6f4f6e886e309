from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Access(models.TextChoices):
    PUBLIC = "public", _("Everyone, guests included")
    MEMBERS = "members", _("Signed-in members only")
    GROUPS = "groups", _("Members of the groups given read access")
    STAFF = "staff", _("Moderators and admins only")


class PostAccess(models.TextChoices):
    MEMBERS = "members", _("Any signed-in member")
    GROUPS = "groups", _("Members of the groups given post access")
    MODERATORS = "moderators", _("Moderators only")


class Approval(models.TextChoices):
    APPROVED = "approved", _("approved")
    PENDING = "pending", _("waiting for a moderator")
    REJECTED = "rejected", _("not approved")


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    read_access = models.CharField(
        _("who may read"), max_length=10, choices=Access.choices, default=Access.PUBLIC
    )
    post_access = models.CharField(
        _("who may start topics and reply"),
        max_length=12,
        choices=PostAccess.choices,
        default=PostAccess.MEMBERS,
    )
    authors_may_recommend = models.BooleanField(
        _("topic authors may recommend replies"), default=False
    )
    # Moderators of this category only (global moderators have User.is_moderator).
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="moderated_categories",
        verbose_name=_("category moderators"),
    )
    # Denormalised so the home page reads one row per category.
    topic_count = models.PositiveIntegerField(default=0, editable=False)
    post_count = models.PositiveIntegerField(default=0, editable=False)
    last_post = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forum:category", kwargs={"slug": self.slug})


class Topic(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="topics")
    tag = models.CharField(
        _("title tag"),
        max_length=40,
        blank=True,
        help_text=_('Shown before the title, e.g. "Review, Nov/21".'),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, allow_unicode=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="topics"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_activity_at = models.DateTimeField(_("last activity"), db_index=True)
    reply_count = models.PositiveIntegerField(_("replies"), default=0)
    # Highest post position handed out; positions are never reused, so pages stay stable.
    last_position = models.PositiveIntegerField(default=0, editable=False)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_locked = models.BooleanField(_("locked"), default=False)
    # Soft deletion by a moderator: gone from lists and pages, restorable.
    is_deleted = models.BooleanField(_("deleted"), default=False)
    # A topic whose first post waits for approval is listed only to its author and moderators.
    approval = models.CharField(
        _("approval"), max_length=10, choices=Approval.choices, default=Approval.APPROVED
    )
    # Set when a moderator merged this topic into another: its address leads there.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_post = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    last_post = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["-is_pinned", "-last_activity_at"]
        indexes = [
            models.Index(
                fields=["category", "-is_pinned", "-last_activity_at"], name="topic_listing"
            ),
            # "Does this category have new activity for the member?": a range per category.
            models.Index(fields=["category", "last_activity_at"], name="topic_category_activity"),
        ]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.full_title

    def get_absolute_url(self) -> str:
        return reverse("forum:topic", kwargs={"pk": self.pk, "slug": self.slug or "-"})

    @property
    def full_title(self) -> str:
        return f"{self.tag}: {self.title}" if self.tag else self.title


class Post(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    # 1-based place in the topic: the page holding a post is arithmetic, never a count.
    position = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="posts"
    )
    body_markdown = models.TextField(_("text"))
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    is_deleted = models.BooleanField(_("deleted"), default=False)
    is_recommended = models.BooleanField(_("recommended"), default=False)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recommended_at = models.DateTimeField(null=True, blank=True)
    # Hidden by moderators (or automatically after reports from trusted members): shown to its
    # author and moderators only, with the reason; restorable.
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("why hidden"), max_length=200, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    # New members' first posts (and posts the safety net holds) wait for a moderator.
    approval = models.CharField(
        _("approval"), max_length=10, choices=Approval.choices, default=Approval.APPROVED
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    # The random key the composer sends with each submission: a second request with the same key
    # (a double click, a retry after a dropped connection) finds this post instead of adding one.
    submission_key = models.CharField(max_length=36, blank=True, default="", editable=False)
    # Cards for the DOI and PubMed links in the text, filled in by a background lookup; stored
    # with the post so the topic page shows them without another query.
    article_cards = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "position"], name="post_position_unique"),
            models.UniqueConstraint(
                fields=["author", "submission_key"],
                condition=~models.Q(submission_key=""),
                name="post_submission_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["topic", "position"],
                condition=models.Q(is_recommended=True),
                name="post_recommended",
            ),
            models.Index(
                fields=["created_at"],
                condition=models.Q(approval="pending"),
                name="post_pending",
            ),
        ]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self) -> str:
        return f"#{self.position} in {self.topic_id}"

    def get_absolute_url(self) -> str:
        return reverse("forum:post", kwargs={"pk": self.pk})


class ArticleCard(models.Model):
    """A research article a topic shares, shown as a card above the first post."""

    topic = models.OneToOneField(Topic, on_delete=models.CASCADE, related_name="article")
    title = models.CharField(_("article title"), max_length=300)
    authors = models.CharField(_("authors"), max_length=500, blank=True)
    source = models.CharField(_("journal or source"), max_length=200, blank=True)
    published = models.CharField(
        _("publication date"),
        max_length=40,
        blank=True,
        help_text=_("As the source gives it, e.g. 2021, Nov 2021 or 2021-11-09."),
    )
    doi = models.CharField(_("DOI"), max_length=200, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    abstract = models.TextField(_("abstract or summary"), blank=True)

    class Meta:
        verbose_name = _("shared article")
        verbose_name_plural = _("shared articles")

    def __str__(self) -> str:
        return self.title

    @property
    def link(self) -> str:
        """Where "Read the full article" points: the given link, else the DOI resolver."""
        if self.url:
            return self.url
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return ""


class ReactionKind(models.Model):
    """A way to respond to a post without words (Like, Thanks, Hug, Insightful); set by admins."""

    slug = models.SlugField(_("slug"), max_length=30, unique=True)
    label = models.CharField(_("label"), max_length=40)
    icon = models.CharField(
        _("icon"),
        max_length=100,
        blank=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9_/-]+\.svg$",
                _("A path to an SVG among the site's own static files, e.g. img/reactions/hug.svg"),
            )
        ],
        help_text=_(
            "Optional: a small SVG among the site's own static files, e.g. "
            "img/reactions/hug.svg. The label is always shown too."
        ),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive reactions are neither offered nor shown.")
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("reaction kind")
        verbose_name_plural = _("reaction kinds")

    def __str__(self) -> str:
        return self.label


class Reaction(models.Model):
    """One member's reaction to one post: at most one per member and post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions"
    )
    kind = models.ForeignKey(ReactionKind, on_delete=models.CASCADE, related_name="reactions")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="reaction_one_per_member")
        ]
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")

    def __str__(self) -> str:
        return f"{self.kind_id} on {self.post_id} by {self.user_id}"


class PostRevision(models.Model):
    """One version of a post's text; number 1 is the text as first posted."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("number"))
    body_markdown = models.TextField(_("text"))
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(_("created"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["post", "number"]
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="post_revision_number_unique")
        ]
        verbose_name = _("post revision")
        verbose_name_plural = _("post revisions")

    def __str__(self) -> str:
        return f"{self.post_id} r{self.number}"


class Draft(models.Model):
    """What a member is writing, saved on the server while they type, so no words are lost.

    ``key`` names the composer: ``reply:<topic id>`` or ``topic:<category id>``. ``fields`` holds
    the composer's text fields by name (body, title, tag, the article card's fields).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts"
    )
    key = models.CharField(max_length=40)
    fields = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="draft_one_per_composer")
        ]
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")

    def __str__(self) -> str:
        return f"{self.key} by {self.user_id}"


class Mention(models.Model):
    """A member named with @ in a post: kept so notifications can tell them."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="mention_once_per_post")
        ]
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")

    def __str__(self) -> str:
        return f"{self.user_id} in {self.post_id}"


class ArticleLookup(models.Model):
    """What Crossref or PubMed said about one identifier found in posts, fetched once.

    ``identifier`` is ``doi:<lower-case DOI>`` or ``pmid:<digits>``; ``details`` holds the card's
    fields when ``status`` is found.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be looked up")
        FOUND = "found", _("found")
        FAILED = "failed", _("not found or unreachable")

    identifier = models.CharField(max_length=220, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    details = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("article lookup")
        verbose_name_plural = _("article lookups")

    def __str__(self) -> str:
        return self.identifier


class TopicRead(models.Model):
    """How far one member has read one topic: the highest post position a page showed them.

    Only ever moves forward (see ``actions.mark_topic_read``). Guests have no read state.
    """

    # No index of its own: the unique (user, topic) index serves lookups by member.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="topic_reads",
        db_index=False,
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="reads")
    last_read_position = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            # Also the index every unread lookup uses: (member, topic) finds one row.
            models.UniqueConstraint(fields=["user", "topic"], name="topic_read_once")
        ]
        verbose_name = _("topic read")
        verbose_name_plural = _("topics read")

    def __str__(self) -> str:
        return f"{self.user_id} read {self.topic_id} to #{self.last_read_position}"


class ReadMarker(models.Model):
    """A member's "Mark all read": everything last active before ``all_read_before`` is read.

    One row per member, rewritten in one statement however many topics it covers.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="read_marker",
    )
    all_read_before = models.DateTimeField()

    class Meta:
        verbose_name = _("read marker")
        verbose_name_plural = _("read markers")

    def __str__(self) -> str:
        return f"{self.user_id} read all before {self.all_read_before:%Y-%m-%d %H:%M}"


class CategoryRead(models.Model):
    """A member's "Mark this category read": all in it active before ``read_before`` is read."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="category_reads",
        db_index=False,
    )
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="reads")
    read_before = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="category_read_once")
        ]
        verbose_name = _("category read")
        verbose_name_plural = _("categories read")

    def __str__(self) -> str:
        return f"{self.user_id} read {self.category_id} before {self.read_before:%Y-%m-%d %H:%M}"


class CategoryAccess(models.Model):
    """What one group may do in one category (for categories whose access is "groups")."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="group_access")
    group = models.ForeignKey("auth.Group", on_delete=models.CASCADE, related_name="forum_access")
    can_read = models.BooleanField(_("read"), default=True)
    can_start = models.BooleanField(_("start topics"), default=True)
    can_reply = models.BooleanField(_("reply"), default=True)
    can_moderate = models.BooleanField(_("moderate"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "group"], name="category_access_once")
        ]
        verbose_name = _("group access")
        verbose_name_plural = _("group access")

    def __str__(self) -> str:
        return f"{self.group} in {self.category}"
