from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Access(models.TextChoices):
    PUBLIC = "public", _("Everyone, guests included")
    MEMBERS = "members", _("Signed-in members only")


class PostAccess(models.TextChoices):
    MEMBERS = "members", _("Any signed-in member")
    MODERATORS = "moderators", _("Moderators only")


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
            )
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

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "position"], name="post_position_unique")
        ]
        indexes = [
            models.Index(
                fields=["topic", "position"],
                condition=models.Q(is_recommended=True),
                name="post_recommended",
            )
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
