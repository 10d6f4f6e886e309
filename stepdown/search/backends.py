"""Full-text search behind one interface, on the database the forum runs on.

``get_backend()`` picks the implementation by ``connection.vendor``:

- ``SQLiteBackend``: an FTS5 table over ``search_entry`` (external content, so the text is stored
  once), ranked by where and how often the words occur (see ``SCORE``), snippets from FTS5's
  ``snippet()``.
- ``PostgreSQLBackend``: a generated ``tsvector`` column with a GIN index, ranked with
  ``ts_rank_cd``, snippets from ``ts_headline``.

Both keep the index in ``search_entry`` rows written through the ORM (``index_post``,
``remove_post``, ``reindex_topic``); the engines follow those rows (FTS5 through triggers, the
tsvector as a generated column), inside the same transaction as the forum's write.

Speed at a million posts. Ranking has to look at every candidate, so a word found in a third of
all posts would rank hundreds of thousands of rows. Both backends therefore rank the newest
``STEPDOWN_SEARCH_CANDIDATES`` (1,000) matching posts when more match, and say so ("more than
1,000 posts"); below that, every match is ranked. Finding that newest slice is cheap: FTS5 reads
its doclists backwards by rowid (the post id); PostgreSQL walks the newest posts checking each
(a common word is settled there), else asks the GIN index, in windows of the newest post ids
when many match (see ``PostgreSQLBackend._search``). Ranking uses no statistics over the whole
index, so its cost stays with the candidates. Permissions and filters are part of the same SQL,
never a pass over results in Python.

Snippets: the engines mark matches with private-use characters that the index never stores
(``documents.MARK_START``/``MARK_END``); ``safe_snippet`` escapes the text and only then turns
those marks into ``<mark>`` elements, so member text is never trusted as HTML. (PostgreSQL's
parser reads "<b>"-like text as markup and leaves it out of headlines, so "<" is swapped for
another private-use character while it cuts one, and restored as "&lt;".)
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from django.conf import settings
from django.db import connection, transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .documents import LESS_THAN, MARK_END, MARK_START, entry_fields, is_searchable
from .models import SearchEntry
from .query_syntax import ParsedQuery, fts5_expression, postgresql_tsquery

ENTRY_TEXT_FIELDS = ["topic", "category", "author", "created_at", "title", "body", "extra"]

# The current schema of the SQLite full-text index (the migration holds a frozen copy).
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
POSTGRESQL_CONFIG = "english"  # the text search configuration of the generated column


def candidates_limit() -> int:
    return getattr(settings, "STEPDOWN_SEARCH_CANDIDATES", 1000)


_MARKS = re.compile(f"[{MARK_START}{MARK_END}]")


def safe_snippet(marked: str) -> SafeString:
    """Escape ``marked`` (plain text with match marks) and turn the marks into <mark>."""
    # escape() leaves the private-use marks alone; only they become tags, paired in order.
    text = escape(marked or "").replace(LESS_THAN, "&lt;")
    if MARK_START not in text:
        return mark_safe(_MARKS.sub("", text))  # noqa: S308  # nosec B308 B703
    out: list[str] = []
    open_mark = False
    start = 0
    for found in _MARKS.finditer(text):
        out.append(text[start : found.start()])
        start = found.end()
        opens = found.group() == MARK_START
        if opens != open_mark:
            out.append("<mark>" if opens else "</mark>")
            open_mark = opens
    out.append(text[start:])
    if open_mark:
        out.append("</mark>")
    # Every piece of member text above was escaped; only our own <mark> tags are not.
    return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703


@dataclass(frozen=True)
class Hit:
    post_id: int
    rank: float
    snippet: SafeString


@dataclass(frozen=True)
class Results:
    """One page of hits, best first. ``total`` counts the ranked posts; ``more`` says that more
    posts matched than were ranked (the newest ``total`` of them were)."""

    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    more: bool = False


@dataclass(frozen=True)
class _Filters:
    category_ids: list[int] | None  # None: every category (the searcher may read them all)
    author_id: int | None
    since: datetime | None
    until: datetime | None

    @property
    def any(self) -> bool:
        """Whether any condition applies (else every entry passes)."""
        return not (
            self.category_ids is None
            and self.author_id is None
            and self.since is None
            and self.until is None
        )

    def sql(self, alias: str = "e") -> tuple[str, list]:
        """WHERE conditions on ``search_entry`` (as ``alias``) with their parameters."""
        conditions: list[str] = []
        params: list = []
        if self.category_ids is not None:
            placeholders = ", ".join(["%s"] * len(self.category_ids))
            conditions.append(f"{alias}.category_id IN ({placeholders})")
            params.extend(self.category_ids)
        if self.author_id is not None:
            conditions.append(f"{alias}.author_id = %s")
            params.append(self.author_id)
        if self.since is not None:
            conditions.append(f"{alias}.created_at >= %s")
            params.append(connection.ops.adapt_datetimefield_value(self.since))
        if self.until is not None:
            conditions.append(f"{alias}.created_at < %s")
            params.append(connection.ops.adapt_datetimefield_value(self.until))
        return " AND ".join(conditions) or "TRUE", params


class SearchBackend:
    """The interface: keep entries in step with posts, and search them."""

    vendor = ""

    # --- Keeping the index in step -----------------------------------------------------------

    def index_post(self, post, topic=None) -> None:
        """Add or refresh the entry of ``post`` (in ``topic``, default ``post.topic``); a post
        that is not for everyone's eyes (removed, hidden, waiting) loses it. One statement."""
        topic = topic if topic is not None else post.topic
        if not is_searchable(post, topic):
            self.remove_post(post.pk)
            return
        entry = SearchEntry(**entry_fields(post, topic))
        SearchEntry.objects.bulk_create(
            [entry],
            update_conflicts=True,
            unique_fields=["post"],
            update_fields=ENTRY_TEXT_FIELDS,
        )

    def index_posts(self, posts) -> None:
        """``index_post`` for many searchable posts (each with its topic loaded): one upsert."""
        entries = [SearchEntry(**entry_fields(post, post.topic)) for post in posts]
        if entries:
            SearchEntry.objects.bulk_create(
                entries,
                update_conflicts=True,
                unique_fields=["post"],
                update_fields=ENTRY_TEXT_FIELDS,
            )

    def remove_post(self, post_id: int) -> None:
        """Take a post out of the index (removed, hidden, or deleted)."""
        SearchEntry.objects.filter(post_id=post_id).delete()

    def reindex_topic(self, topic) -> None:
        """Follow a topic's move or new title: one UPDATE for the category of all its posts,
        one for the title on its first post. Statements that change nothing write nothing."""
        from .documents import topic_title

        SearchEntry.objects.filter(topic_id=topic.pk).exclude(category_id=topic.category_id).update(
            category_id=topic.category_id
        )
        title = topic_title(topic)
        SearchEntry.objects.filter(topic_id=topic.pk, post__position=1).exclude(title=title).update(
            title=title
        )

    def start_rebuild(self) -> None:
        """Before ``index.rebuild`` rewrites every entry."""

    def finish_rebuild(self) -> None:
        """After ``index.rebuild`` rewrote the entries (also when it failed half-way): make the
        full-text index match them."""

    # --- Searching -------------------------------------------------------------------------

    def search(
        self,
        query: ParsedQuery,
        *,
        readable_category_ids: Collection[int],
        category: int | None = None,
        author: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        page: int = 1,
        per_page: int = 20,
        all_categories_readable: bool = False,
    ) -> Results:
        """The posts matching ``query`` in categories the searcher may read (and ``category``,
        ``author``, created in [since, until) when given), one page, best first.

        ``readable_category_ids`` is required and always applied: the caller passes the
        categories the searcher may read, and nothing outside them is ever returned. With
        ``all_categories_readable`` (they are every category the forum has: see
        ``queries.readable_categories_for_search``) the index skips that check.
        """
        category_ids = sorted(set(readable_category_ids))
        if category is not None:
            category_ids = [pk for pk in category_ids if pk == category]
        if not category_ids:
            return Results()
        # The searcher may read every category and chose none: no entry's category is checked
        # (the posts shown are checked again as they load, whatever the index says).
        everything = all_categories_readable and category is None
        filters = _Filters(None if everything else category_ids, author, since, until)
        return self._search(query, filters, page=max(1, page), per_page=per_page)

    def _search(self, query: ParsedQuery, filters: _Filters, *, page: int, per_page: int):
        raise NotImplementedError


class SQLiteBackend(SearchBackend):
    vendor = "sqlite"

    # How many times the query matched a column of the row: highlight() adds one mark per match.
    _MATCHES = (
        "(length(highlight(search_entry_fts, {column}, %s, '')) - length(search_entry_fts.{name}))"
    )
    # Title matches count most, then the post's text (per 400 characters, so a long post does
    # not win by length alone), then warned passages and article details. Like PostgreSQL's
    # ts_rank_cd, it uses no statistics over the whole index: bm25 would, and for a common word
    # or phrase those cost a pass over every post that has it, however few are ranked.
    # Most entries have no title (replies) and no extra text: those are not highlighted.
    SCORE = (
        "CASE WHEN search_entry_fts.title = '' THEN 0"
        f" ELSE 2.5 * {_MATCHES.format(column=0, name='title')} END"
        f" + {_MATCHES.format(column=1, name='body')}"
        " / (1.0 + length(search_entry_fts.body) / 400.0)"
        " + CASE WHEN search_entry_fts.extra = '' THEN 0"
        f" ELSE 0.5 * {_MATCHES.format(column=2, name='extra')}"
        " / (1.0 + length(search_entry_fts.extra) / 400.0) END"
    )

    def _matching(self, filters: _Filters) -> tuple[str, str, list]:
        """The FROM clause, and the conditions (after MATCH) with their parameters, for the
        entries the filters allow."""
        where, params = filters.sql()
        if filters.author_id is not None:
            # One member's posts: the author index is the short list to start from.
            return (
                "search_entry e CROSS JOIN search_entry_fts ON search_entry_fts.rowid = e.post_id",
                where,
                params,
            )
        if not filters.any:
            return "search_entry_fts", where, params
        # Otherwise the FTS5 table drives (its doclists give matches newest first), and each
        # match's entry is looked up to check the filters.
        condition = (
            "EXISTS (SELECT 1 FROM search_entry e"  # nosec B608
            f" WHERE e.post_id = search_entry_fts.rowid AND {where})"
        )
        return "search_entry_fts", condition, params

    def _search(self, query, filters, *, page, per_page):
        match = fts5_expression(query)
        source, where, params = self._matching(filters)
        limit = candidates_limit()
        with connection.cursor() as cursor:
            # The newest matches, one past the limit: how many match (up to that), and if more
            # than the limit, the post id below which nothing is ranked. FTS5 reads its doclists
            # newest first, so a "From" date or a common word stops early. Only an "up to" date
            # alone reads oldest first, counting, and then finds that post id separately.
            oldest_first = filters.until is not None and filters.since is None
            cursor.execute(
                f"SELECT search_entry_fts.rowid FROM {source} "  # nosec B608
                f"WHERE search_entry_fts MATCH %s AND {where} "
                f"ORDER BY search_entry_fts.rowid {'ASC' if oldest_first else 'DESC'} LIMIT %s",
                [match, *params, limit + 1],
            )
            matches = [row[0] for row in cursor.fetchall()]
            total = len(matches)
            floor = None
            if total > limit:
                total = limit
                if not oldest_first:
                    floor = matches[limit]
                else:
                    cursor.execute(
                        f"SELECT search_entry_fts.rowid FROM {source} "  # nosec B608
                        f"WHERE search_entry_fts MATCH %s AND {where} "
                        "ORDER BY search_entry_fts.rowid DESC LIMIT 1 OFFSET %s",
                        [match, *params, limit],
                    )
                    floor = cursor.fetchone()[0]
            if total == 0 or (page - 1) * per_page >= total:
                return Results(total=total, more=floor is not None)
            if floor is not None:
                bound, bound_params = " AND search_entry_fts.rowid > %s", [floor]
            else:
                # All matches are known: rank exactly those (a lookup each, not another pass
                # over a rare phrase's every occurrence).
                bound = " AND search_entry_fts.rowid IN (SELECT value FROM json_each(%s))"
                bound_params = [json.dumps(matches)]
            # Rank the candidates and keep one page; only that page gets snippets.
            cursor.execute(
                "SELECT ranked.post_id, ranked.score, "  # nosec B608
                "snippet(search_entry_fts, 1, %s, %s, '…', 28) FROM ("
                f" SELECT search_entry_fts.rowid AS post_id, {self.SCORE} AS score"
                f" FROM {source} WHERE search_entry_fts MATCH %s AND {where}{bound}"
                " ORDER BY score DESC, search_entry_fts.rowid DESC LIMIT %s OFFSET %s"
                ") ranked CROSS JOIN search_entry_fts ON search_entry_fts.rowid = ranked.post_id "
                "WHERE search_entry_fts MATCH %s ORDER BY ranked.score DESC, ranked.post_id DESC",
                [
                    MARK_START,
                    MARK_END,
                    MARK_START,
                    MARK_START,
                    MARK_START,
                    match,
                    *params,
                    *bound_params,
                    per_page,
                    (page - 1) * per_page,
                    match,
                ],
            )
            hits = [
                Hit(post_id=pk, rank=score, snippet=safe_snippet(snippet))
                for pk, score, snippet in cursor.fetchall()
            ]
        return Results(hits=hits, total=total, more=floor is not None)

    # FTS5 is told what to forget with the old text ('delete'); told to forget a row it never
    # indexed (its triggers were missing, say after Django rebuilt the altered table), it fails
    # with "database disk image is malformed". So a rebuild writes the entries without triggers,
    # then rebuilds the FTS5 index from them and puts the triggers (back) in one transaction.
    _TRIGGERS = ("search_entry_fts_insert", "search_entry_fts_delete", "search_entry_fts_update")

    def start_rebuild(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for trigger in self._TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")

    def finish_rebuild(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in SQLITE_SCHEMA:  # the table if missing, the triggers
                cursor.execute(statement)
            cursor.execute("INSERT INTO search_entry_fts(search_entry_fts) VALUES ('rebuild')")
        with transaction.atomic(), connection.cursor() as cursor:
            # One segment: the fastest reads.
            cursor.execute("INSERT INTO search_entry_fts(search_entry_fts) VALUES ('optimize')")


class PostgreSQLBackend(SearchBackend):
    vendor = "postgresql"
    # ts_rank_cd weights for D, C, B, A: extra is C, body B, title A.
    WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'::real[]"
    # 1: divide by 1 + log(length), so a long post does not win by length alone.
    NORMALIZATION = 1
    HEADLINE = (
        f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=35, MinWords=15, '
        'ShortWord=3, MaxFragments=2, FragmentDelimiter=" … "'
    )
    # The walk: the newest WALK times the candidate limit of posts the filters allow.
    WALK = 16
    # Windows of newest post ids for rarer words: each at most MAX_GROWTH times the one before.
    MAX_GROWTH = 16

    def _search(self, query, filters, *, page, per_page):
        """Where the candidates come from, cheapest first:

        1. The walk: the newest ``WALK * limit`` posts the filters allow (their ids and the
           lowest of them read first, from an index), newest first, each checked against the
           query, stopping at ``limit`` + 1 matches. A common word is settled here, without the
           GIN index (which would first gather every post that has the word); a rarer one may
           use the GIN index, bounded to those posts. The first ``limit`` matches are the
           candidates.
        2. If the walk saw every post the filters allow, its matches are all there are.
        3. Otherwise the GIN index: the matches, up to ``limit`` + 1 of them. If there are more,
           windows of the newest post ids, each sized by how dense the matches were in the
           last, until one holds more than ``limit``; its newest ``limit`` are ranked.
        """
        tsquery, query_params = postgresql_tsquery(query, POSTGRESQL_CONFIG)
        where, params = filters.sql()
        limit = candidates_limit()
        walk = self.WALK * limit
        walk_keys = self._walk_keys(filters)
        newest_first = ", ".join(f"{key} DESC" for key in walk_keys)
        keys = ", ".join(walk_keys)
        indexed = (f"e.document @@ {tsquery} AND {where}", [*query_params, *params])
        more = False
        floor = None
        with connection.cursor() as cursor:
            walked_count, lowest, newest = self._walk_extent(
                cursor, where, params, newest_first, walk
            )
            # The newest posts the filters allow (from an index alone), joined to their entries
            # and tested: for a common word the planner walks them newest first and stops
            # early; for a rarer one it takes the GIN index, bounded to the walk's post ids.
            # (The outer order repeats the inner one exactly, so the planner sees the rows come
            # sorted and can stop at the limit.)
            cursor.execute(
                f"SELECT m.post_id FROM (SELECT {keys} FROM search_entry e"  # nosec B608
                f" WHERE {where} ORDER BY {newest_first} LIMIT %s"
                ") recent JOIN search_entry m ON m.post_id = recent.post_id"
                f" WHERE m.document @@ {tsquery} AND m.post_id >= %s"
                f" ORDER BY {newest_first.replace('e.', 'recent.')} LIMIT %s",
                [*params, walk, *query_params, lowest or 0, limit + 1],
            )
            ids = [row[0] for row in cursor.fetchall()]
            if len(ids) > limit:
                ids, more = ids[:limit], True
            else:
                if walked_count == walk:  # the walk did not see every post allowed
                    found = len(ids)
                    # At the walk's density, would all posts hold well over ``limit`` matches?
                    # Then go straight to the windows, skipping the count of everything.
                    likely_more = found * newest > 4 * limit * max(1, newest - lowest)
                    if likely_more:
                        floor = self._window_floor(cursor, indexed, newest, lowest, found, limit)
                    if floor is not None:
                        ids, more = None, True
                    else:
                        cursor.execute(
                            "SELECT e.post_id FROM search_entry e "  # nosec B608
                            f"WHERE {indexed[0]} LIMIT %s",
                            [*indexed[1], limit + 1],
                        )
                        ids = [row[0] for row in cursor.fetchall()]
                        if len(ids) > limit:
                            ids, more = None, True
                            if not likely_more:
                                floor = self._window_floor(
                                    cursor, indexed, newest, lowest, found, limit
                                )
            total = limit if more else len(ids)
            if total == 0 or (page - 1) * per_page >= total:
                return Results(total=total, more=more)
            if ids is not None:
                candidates, candidate_params, order = "e.post_id = ANY(%s)", [ids], "e.post_id"
            elif floor is not None:
                candidates = f"{indexed[0]} AND e.post_id > %s"
                candidate_params, order = [*indexed[1], floor], "e.post_id"
            else:
                # The newest of all matches. ``+ 0``: no index gives this order, so the planner
                # keeps to the GIN index instead of walking every post for a rarer word.
                candidates, candidate_params = indexed
                order = "e.post_id + 0"
            # The newest ``limit`` candidates; rank them and keep one page; only that page gets
            # headlines.
            cursor.execute(
                "SELECT ranked.post_id, ranked.score, "  # nosec B608
                f"ts_headline('{POSTGRESQL_CONFIG}'::regconfig, replace(e.body, '<', %s), "
                f"{tsquery}, %s) "
                "FROM ("
                f" SELECT newest.post_id, ts_rank_cd({self.WEIGHTS}, newest.document, {tsquery},"
                f" {self.NORMALIZATION}) AS score"
                " FROM ("
                "  SELECT e.post_id, e.document FROM search_entry e"
                f"  WHERE {candidates} ORDER BY {order} DESC LIMIT %s"
                " ) newest ORDER BY score DESC, newest.post_id DESC LIMIT %s OFFSET %s"
                ") ranked JOIN search_entry e ON e.post_id = ranked.post_id "
                "ORDER BY ranked.score DESC, ranked.post_id DESC",
                [
                    LESS_THAN,
                    *query_params,
                    self.HEADLINE,
                    *query_params,
                    *candidate_params,
                    limit,
                    per_page,
                    (page - 1) * per_page,
                ],
            )
            hits = [
                Hit(post_id=pk, rank=score, snippet=safe_snippet(headline))
                for pk, score, headline in cursor.fetchall()
            ]
        return Results(hits=hits, total=total, more=more)

    def finish_rebuild(self) -> None:
        # Fresh statistics for the planner (how common each word is decides its plans), and a
        # fresh visibility map so the walk's ids come from an index alone. VACUUM cannot run in
        # a transaction (a caller's, or a test's): then the statistics only.
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                cursor.execute("ANALYZE search_entry")
            else:
                cursor.execute("VACUUM (ANALYZE) search_entry")

    @staticmethod
    def _walk_keys(filters: _Filters) -> list[str]:
        """What the walk goes down, newest first: post ids, or dates when only an "up to" date
        is given (the date index starts the walk there, not at the newest post)."""
        if filters.until is not None and filters.since is None:
            return ["e.created_at", "e.post_id"]
        return ["e.post_id"]

    @staticmethod
    def _walk_extent(cursor, where: str, params: list, newest_first: str, walk: int):
        """How many posts the walk covers (``walk`` at most), the lowest post id among them, and
        the newest post id of all."""
        cursor.execute(
            "SELECT count(*), min(w.post_id), "  # nosec B608
            "(SELECT max(post_id) FROM search_entry) FROM ("
            f" SELECT e.post_id FROM search_entry e WHERE {where}"
            f" ORDER BY {newest_first} LIMIT %s) w",
            [*params, walk],
        )
        return cursor.fetchone()

    def _window_floor(self, cursor, indexed, newest: int, lowest: int, found: int, limit: int):
        """The lower post-id bound of a window of newest posts holding more than ``limit``
        matches (None: only everything does). The walk found ``found`` matches among the posts
        above ``lowest``; each window that falls short says how dense the matches are, and the
        next one is sized to hold about half as many again as needed."""
        span = max(1, newest - lowest)
        condition, params = indexed
        while True:
            growth = math.ceil(1.5 * limit / found) if found else self.MAX_GROWTH
            span *= min(self.MAX_GROWTH, max(2, growth))
            if span >= newest:
                return None
            cursor.execute(
                "SELECT count(*) FROM (SELECT 1 FROM search_entry e "  # nosec B608
                f"WHERE {condition} AND e.post_id > %s LIMIT %s) capped",
                [*params, newest - span, limit + 1],
            )
            found = cursor.fetchone()[0]
            if found > limit:
                return newest - span


@cache
def _backend_for(vendor: str) -> SearchBackend:
    backends = {"sqlite": SQLiteBackend, "postgresql": PostgreSQLBackend}
    if vendor not in backends:
        raise RuntimeError(f"Stepdown's search supports SQLite and PostgreSQL, not {vendor}.")
    return backends[vendor]()


def get_backend() -> SearchBackend:
    """The search backend for the database the forum runs on."""
    return _backend_for(connection.vendor)
