"""What the search index holds: one row per readable post, with the text searched and the
columns the filters and the permission check need, so both happen inside the index query.

The full-text index itself depends on the database (see ``backends.py``): on SQLite an FTS5
table ``search_entry_fts`` that reads its text from this table and is kept in step by triggers;
on PostgreSQL a generated ``tsvector`` column ``document`` on this table with a GIN index. Both
are created by the migration, not declared here, so this model is the same on both.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SearchEntry(models.Model):
    """One post as the index sees it. Removed posts have no entry."""

    # The post's id is the entry's id (and the FTS5 rowid): deleting a post deletes its entry.
    post = models.OneToOneField(
        "forum.Post", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    # Copied from the topic so moves and filters are one UPDATE or one WHERE on this table.
    topic = models.ForeignKey(
        "forum.Topic", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    category = models.ForeignKey(
        "forum.Category",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        db_index=False,
        related_name="+",
    )
    created_at = models.DateTimeField()
    # The topic's title (with its tag), on the topic's first post only.
    title = models.TextField(blank=True, default="")
    # The post's visible text, plain (no HTML): what snippets are cut from.
    body = models.TextField(blank=True, default="")
    # Searched but never shown in a snippet: passages behind a content warning, and the shared
    # article's details on a first post.
    extra = models.TextField(blank=True, default="")

    class Meta:
        db_table = "search_entry"
        indexes = [
            models.Index(fields=["category", "post"], name="search_entry_category"),
            models.Index(fields=["author", "post"], name="search_entry_author"),
            models.Index(fields=["created_at"], name="search_entry_created"),
        ]
        verbose_name = "search entry"
        verbose_name_plural = "search entries"

    def __str__(self) -> str:
        return f"search entry for post {self.post_id}"
