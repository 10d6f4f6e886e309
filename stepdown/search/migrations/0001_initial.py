"""The search index: the entry table, and the full-text index the database offers.

SQLite: an FTS5 table ``search_entry_fts`` with ``search_entry`` as its external content (the
text is stored once) and triggers that keep it in step with every INSERT, UPDATE and DELETE on
``search_entry``. PostgreSQL: a generated ``tsvector`` column ``document`` and a GIN index on it.

Note for later migrations: Django rebuilds a SQLite table to alter it, which drops its triggers.
A migration that alters ``search_entry`` must create them again (the SQL is in
``stepdown.search.backends.SQLITE_SCHEMA``; ``stepdown search_reindex`` also restores them).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Frozen copies of the schema at this migration (backends.py holds the current one).
SQLITE_SCHEMA = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_entry_fts USING fts5("
    "title, body, extra, content='search_entry', content_rowid='post_id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS search_entry_fts_insert AFTER INSERT ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(rowid, title, body, extra) "
    "VALUES (new.post_id, new.title, new.body, new.extra); END",
    "CREATE TRIGGER IF NOT EXISTS search_entry_fts_delete AFTER DELETE ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(search_entry_fts, rowid, title, body, extra) "
    "VALUES ('delete', old.post_id, old.title, old.body, old.extra); END",
    "CREATE TRIGGER IF NOT EXISTS search_entry_fts_update "
    "AFTER UPDATE OF title, body, extra ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(search_entry_fts, rowid, title, body, extra) "
    "VALUES ('delete', old.post_id, old.title, old.body, old.extra); "
    "INSERT INTO search_entry_fts(rowid, title, body, extra) "
    "VALUES (new.post_id, new.title, new.body, new.extra); END",
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS search_entry_fts_update",
    "DROP TRIGGER IF EXISTS search_entry_fts_delete",
    "DROP TRIGGER IF EXISTS search_entry_fts_insert",
    "DROP TABLE IF EXISTS search_entry_fts",
]
POSTGRESQL_SCHEMA = [
    "ALTER TABLE search_entry ADD COLUMN document tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english'::regconfig, title), 'A') || "
    "setweight(to_tsvector('english'::regconfig, body), 'B') || "
    "setweight(to_tsvector('english'::regconfig, extra), 'C')) STORED",
    "CREATE INDEX search_entry_document ON search_entry USING gin (document)",
]
POSTGRESQL_UNDO = [
    "DROP INDEX IF EXISTS search_entry_document",
    "ALTER TABLE search_entry DROP COLUMN IF EXISTS document",
]


def create_full_text_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_SCHEMA, "postgresql": POSTGRESQL_SCHEMA}.get(vendor)
    if statements is None:
        raise RuntimeError(f"Stepdown's search supports SQLite and PostgreSQL, not {vendor}.")
    for statement in statements:
        schema_editor.execute(statement)


def drop_full_text_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_UNDO, "postgresql": POSTGRESQL_UNDO}.get(vendor, []):
        schema_editor.execute(statement)


def index_existing_posts(apps, schema_editor):
    """A forum upgraded to this version has posts already: index them (batched)."""
    from stepdown.search.documents import entry_fields, is_searchable

    Post = apps.get_model("forum", "Post")
    SearchEntry = apps.get_model("search", "SearchEntry")
    posts = Post.objects.select_related("topic", "topic__article").order_by("pk")
    batch = []
    for post in posts.iterator(chunk_size=2000):
        if is_searchable(post, post.topic):
            batch.append(SearchEntry(**entry_fields(post, post.topic)))
        if len(batch) == 2000:
            SearchEntry.objects.bulk_create(batch)
            batch = []
    SearchEntry.objects.bulk_create(batch)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("forum", "0006_moderation_and_trust"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "post",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="forum.post",
                    ),
                ),
                ("created_at", models.DateTimeField()),
                ("title", models.TextField(blank=True, default="")),
                ("body", models.TextField(blank=True, default="")),
                ("extra", models.TextField(blank=True, default="")),
                (
                    "author",
                    models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "category",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="forum.category",
                    ),
                ),
                (
                    "topic",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="forum.topic",
                    ),
                ),
            ],
            options={
                "verbose_name": "search entry",
                "verbose_name_plural": "search entries",
                "db_table": "search_entry",
                "indexes": [
                    models.Index(fields=["category", "post"], name="search_entry_category"),
                    models.Index(fields=["author", "post"], name="search_entry_author"),
                    models.Index(fields=["created_at"], name="search_entry_created"),
                ],
            },
        ),
        migrations.RunPython(create_full_text_index, drop_full_text_index),
        migrations.RunPython(index_existing_posts, migrations.RunPython.noop),
    ]
