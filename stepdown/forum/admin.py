"""Admin pages: categories are set up here; topics and posts are moderated here.

Posts are written through the site (so counters, positions and rendered HTML stay right); the
admin changes only the flags a moderator sets, and re-renders text through the one renderer.
"""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext

from . import actions
from .models import ArticleCard, Category, CategoryAccess, Post, ReactionKind, Topic


class CategoryAccessInline(admin.TabularInline):
    """What each group may do here: read a "groups" category, start topics and reply where
    posting is for "groups", moderate this category. Groups and their members are set up under
    Authentication and Authorization → Groups (and on each member's page)."""

    model = CategoryAccess
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position", "read_access", "post_access", "topic_count")
    list_editable = ("position",)
    list_filter = ("read_access", "post_access")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("topic_count", "post_count")
    # Searched by name rather than listed: a forum has far more members than a page can list.
    autocomplete_fields = ("moderators",)
    inlines = [CategoryAccessInline]


class ArticleCardInline(admin.StackedInline):
    model = ArticleCard
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("full_title", "category", "author", "reply_count", "is_pinned", "is_locked")
    list_filter = ("category", "is_pinned", "is_locked")
    search_fields = ("title", "tag")
    fields = ("category", "tag", "title", "slug", "author", "is_pinned", "is_locked")
    readonly_fields = ("category", "author")
    inlines = [ArticleCardInline]

    def has_add_permission(self, request):
        return False  # topics are started on the site, with their first post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("__str__", "topic", "author", "created_at", "is_deleted", "is_recommended")
    list_filter = ("is_deleted", "is_recommended")
    search_fields = ("body_markdown",)
    fields = ("topic", "position", "author", "body_markdown", "is_deleted", "is_recommended")
    readonly_fields = ("topic", "position", "author")

    def has_add_permission(self, request):
        return False  # posts are written on the site

    def save_model(self, request, obj, form, change):
        if "body_markdown" in form.changed_data:
            # Through the action, so the admin's change is a kept revision like any other edit.
            edited = actions.edit_post(
                obj, editor=request.user, body=obj.body_markdown, reason=gettext("admin")
            )
            obj.body_html, obj.edited_at = edited.body_html, edited.edited_at
        super().save_model(request, obj, form, change)


@admin.register(ReactionKind)
class ReactionKindAdmin(admin.ModelAdmin):
    list_display = ("label", "slug", "icon", "position", "active")
    list_editable = ("position", "active")
    prepopulated_fields = {"slug": ("label",)}
