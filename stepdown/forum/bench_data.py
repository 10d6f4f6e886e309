"""A large made-up forum for benchmarks: `stepdown bench-data` (see bench/README.md).

Rows are written straight to the database in batches (explicit ids, one INSERT per batch of
rows), not through the actions: a million posts take minutes, not hours. What the actions would
have kept is computed here and written once: positions, ``Topic.last_position``,
``reply_count``, ``first_post``, ``last_post``, ``last_activity_at``, and the categories' topic
and post counts and last posts, so every page works as on a real forum. Post text is rendered by
the real renderer, a few dozen bodies reused. Posts are numbered in time order across topics,
as on a live forum, so a topic's posts are spread through the table.

Members are named ``bench<N>`` and share one password (``BENCH_PASSWORD``); they are established
members who accepted the guidelines. ``sign_in(count)`` makes sessions for the first members,
for load tests of signed-in pages.
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from stepdown.core.text import render_markdown

from .models import Category, Post, Reaction, ReactionKind, Topic

BENCH_PASSWORD = "bench password, not for real use"  # noqa: S105 - made-up members
BENCH_PREFIX = "bench"
BATCH = 5000
YEARS = 2

_WORDS = (
    "taper slow steady sleep anxiety withdrawal diazepam clonazepam lorazepam dose week month "
    "hold reduce liquid titration patience support walk breathe calm doctor prescriber journal "
    "symptom wave window garden morning evening tea friend family hope rest progress setback"
).split()
_SENTENCES = (
    "Thank you for sharing this, it helps to know I am not the only one.",
    "I held at this dose for three weeks before the next cut, and it made a real difference.",
    "Sleep is still patchy, but the mornings are easier than a month ago.",
    "My prescriber agreed to a slower plan once I showed her my journal.",
    "Walking in the garden every evening has become the anchor of my day.",
    "The waves come and go; writing them down lets me see the windows between them.",
    "Be gentle with yourself: small steps still count as steps.",
    "I switched to a liquid so I could make smaller reductions.",
    "Some days are heavy. Today I rested, and that was enough.",
    "Has anyone else noticed the tinnitus easing after a hold?",
)


@dataclass(frozen=True)
class Plan:
    members: int
    topics: int
    posts: int
    long_topic_posts: int
    categories: int = 6
    reactions: float = 0.1  # share of posts with reactions
    seed: int = 1


@dataclass(frozen=True)
class Summary:
    members: int
    categories: int
    topics: int
    posts: int
    reactions: int
    long_topic_id: int | None


class ForumNotEmpty(Exception):
    """The database already holds topics or members of its own."""


def has_real_content() -> bool:
    """Whether the forum holds anything not made by this generator."""
    User = get_user_model()
    return (
        Topic.objects.exclude(title__startswith="Bench topic").exists()
        or User.objects.exclude(username__startswith=BENCH_PREFIX).exists()
    )


class _Table:
    """INSERTs into one model's table: every column at its default unless a row sets it."""

    def __init__(self, model: type[models.Model], varying: Sequence[str], **fixed):
        fields = list(model._meta.concrete_fields)
        self.index = {field.attname: number for number, field in enumerate(fields)}
        self.varying = [self.index[name] for name in varying]
        self.template = []
        for field in fields:
            if field.attname in fixed:
                value = fixed[field.attname]
            elif field.attname in varying or field.primary_key:
                value = None
            elif field.has_default():
                value = field.get_default()
            elif field.null:
                value = None
            else:
                value = "" if isinstance(field, models.CharField | models.TextField) else None
            self.template.append(field.get_db_prep_save(value, connection))
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        marks = ", ".join(["%s"] * len(fields))
        table = quote(model._meta.db_table)
        # Table and column names from the model, values as parameters.
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608  # nosec B608
        self.pk_index = self.index[model._meta.pk.attname]

    def rows(self, values: Iterable[tuple]) -> list[list]:
        out = []
        for pk, *rest in values:
            row = list(self.template)
            row[self.pk_index] = pk
            for number, value in zip(self.varying, rest, strict=True):
                row[number] = value
            out.append(row)
        return out

    def insert(self, values: Iterable[tuple]) -> None:
        rows = self.rows(values)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(self.sql, rows)


def _next_id(model) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _bodies(rng: random.Random, count: int = 40) -> list[tuple[str, str]]:
    """(markdown, html) pairs rendered once by the posting renderer."""
    bodies = []
    for number in range(count):
        paragraphs = [
            " ".join(rng.choice(_SENTENCES) for _ in range(rng.randint(1, 4)))
            for _ in range(rng.randint(1, 4))
        ]
        if number % 5 == 0:
            paragraphs.append("- " + "\n- ".join(rng.sample(_WORDS, 3)))
        if number % 7 == 0:
            paragraphs.insert(0, f"**{rng.choice(_WORDS).capitalize()}** matters here.")
        markdown = "\n\n".join(paragraphs)
        bodies.append((markdown, render_markdown(markdown)))
    return bodies


def _topic_sizes(rng: random.Random, plan: Plan) -> list[int]:
    """Posts per topic: the first topic holds ``long_topic_posts``; the rest share the others
    unevenly (most topics short, some long), each at least one."""
    if plan.topics < 1:
        return []
    long_size = min(plan.long_topic_posts, plan.posts) if plan.long_topic_posts else 0
    others = plan.topics - (1 if long_size else 0)
    sizes = [long_size] if long_size else []
    left = plan.posts - long_size
    if others <= 0:
        sizes[0] += max(0, left)
        return sizes
    base = [1] * others
    extra = max(0, left - others)
    weights = [rng.lognormvariate(0, 1) for _ in range(others)]
    for index in rng.choices(range(others), weights=weights, k=extra):
        base[index] += 1
    return sizes + base


def generate(plan: Plan, *, progress: Callable[[str], None] = lambda message: None) -> Summary:
    """Write ``plan``'s members, categories, topics, posts and reactions; returns what it made."""
    rng = random.Random(plan.seed)
    now = timezone.now()
    start = now - timedelta(days=365 * YEARS)
    span = (now - start).total_seconds()
    adapt = connection.ops.adapt_datetimefield_value

    member_ids = _insert_members(plan, start, span, now, adapt)
    progress(f"{plan.members} members")
    categories = _categories(plan)

    # Each topic starts somewhere in the first 90% of the span and runs to a later time; posts
    # get their ids in time order across all topics.
    sizes = _topic_sizes(rng, plan)
    timeline = []  # (seconds after start, topic number, position)
    for number, size in enumerate(sizes):
        begins = rng.uniform(0, span * 0.9)
        ends = rng.uniform(begins, span) if size > 1 else begins
        step = (ends - begins) / max(1, size - 1)
        timeline.extend((begins + step * p, number, p + 1) for p in range(size))
    timeline.sort()

    first_topic = _next_id(Topic)
    first_post = _next_id(Post)
    topic_category = [categories[n % len(categories)].pk for n in range(len(sizes))]
    authors = array("l", (rng.choice(member_ids) for _ in timeline))
    topic_author = [0] * len(sizes)
    topic_first = [0] * len(sizes)
    topic_last = [0] * len(sizes)
    topic_times = [(0.0, 0.0)] * len(sizes)
    category_last: dict[int, int] = {}
    for offset, (moment, number, position) in enumerate(timeline):
        if position == 1:
            topic_author[number] = authors[offset]
            topic_first[number] = first_post + offset
            topic_times[number] = (moment, moment)
        topic_last[number] = first_post + offset
        topic_times[number] = (topic_times[number][0], moment)
        category_last[topic_category[number]] = first_post + offset

    topics = _Table(
        Topic,
        [
            "category_id",
            "title",
            "slug",
            "author_id",
            "created_at",
            "last_activity_at",
            "reply_count",
            "last_position",
        ],
    )
    rows = []
    for number, size in enumerate(sizes):
        title = f"Bench topic {first_topic + number}: {' '.join(rng.sample(_WORDS, 4))}"
        began, ended = topic_times[number]
        rows.append(
            (
                first_topic + number,
                topic_category[number],
                title,
                slugify(title)[:80].strip("-"),
                topic_author[number],
                adapt(start + timedelta(seconds=began)),
                adapt(start + timedelta(seconds=ended)),
                size - 1,
                size,
            )
        )
    for low in range(0, len(rows), BATCH):
        topics.insert(rows[low : low + BATCH])
    progress(f"{len(sizes)} topics")

    bodies = _bodies(rng)
    posts = _Table(
        Post, ["topic_id", "position", "author_id", "body_markdown", "body_html", "created_at"]
    )
    batch = []
    for offset, (moment, number, position) in enumerate(timeline):
        markdown, html = bodies[(offset * 7919) % len(bodies)]
        batch.append(
            (
                first_post + offset,
                first_topic + number,
                position,
                authors[offset],
                markdown,
                html,
                adapt(start + timedelta(seconds=moment)),
            )
        )
        if len(batch) == BATCH:
            posts.insert(batch)
            batch = []
            if (offset + 1) % 100_000 < BATCH and offset + 1 < len(timeline):
                progress(f"{offset + 1} posts")
    if batch:
        posts.insert(batch)
    progress(f"{len(timeline)} posts in all")

    # First and last posts exist now: point the topics and categories at them.
    quote = connection.ops.quote_name
    links = [
        (topic_first[n], topic_last[n], first_topic + n) for n in range(len(sizes)) if sizes[n]
    ]
    link_sql = (
        f"UPDATE {quote(Topic._meta.db_table)} SET {quote('first_post_id')} = %s, "  # noqa: S608  # nosec B608
        f"{quote('last_post_id')} = %s WHERE {quote('id')} = %s"
    )
    for low in range(0, len(links), BATCH):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(link_sql, links[low : low + BATCH])
    with transaction.atomic():
        for category in categories:
            mine = [n for n in range(len(sizes)) if topic_category[n] == category.pk]
            Category.objects.filter(pk=category.pk).update(
                topic_count=len(mine),
                post_count=sum(sizes[n] for n in mine),
                last_post_id=category_last.get(category.pk),
            )

    reactions = _insert_reactions(rng, plan, first_post, len(timeline), member_ids, now, adapt)
    progress(f"{reactions} reactions")
    _reset_sequences()
    return Summary(
        members=plan.members,
        categories=len(categories),
        topics=len(sizes),
        posts=len(timeline),
        reactions=reactions,
        long_topic_id=first_topic if plan.long_topic_posts and sizes else None,
    )


def _insert_members(plan: Plan, start, span: float, now, adapt) -> range:
    """``plan.members`` members sharing one password hash (hashing each would take an hour)."""
    User = get_user_model()
    first = _next_id(User)
    users = _Table(
        User,
        ["username", "email", "date_joined"],
        password=make_password(BENCH_PASSWORD),
        is_active=True,
        trust_level=2,
        rules_accepted_at=now,
        rules_version=getattr(settings, "STEPDOWN_RULES_VERSION", ""),
        adult_confirmed_at=now,
    )
    for low in range(0, plan.members, BATCH):
        users.insert(
            (
                first + n,
                f"{BENCH_PREFIX}{first + n}",
                f"{BENCH_PREFIX}{first + n}@bench.invalid",
                adapt(start + timedelta(seconds=span * n / max(1, plan.members) / 2)),
            )
            for n in range(low, min(plan.members, low + BATCH))
        )
    return range(first, first + plan.members)


def _categories(plan: Plan) -> list[Category]:
    categories = []
    base_position = (Category.objects.aggregate(top=Max("position"))["top"] or 0) + 1
    for number in range(max(1, plan.categories)):
        category, _ = Category.objects.get_or_create(
            slug=f"bench-{number + 1}",
            defaults={
                "name": f"Bench category {number + 1}",
                "description": "Made-up topics for benchmarks.",
                "position": base_position + number,
            },
        )
        categories.append(category)
    return categories


def _insert_reactions(rng, plan, first_post, post_count, member_ids, now, adapt) -> int:
    kinds = list(ReactionKind.objects.filter(active=True).values_list("pk", flat=True))
    if not kinds or plan.reactions <= 0 or post_count == 0:
        return 0
    table = _Table(Reaction, ["post_id", "user_id", "kind_id", "created_at"])
    first = _next_id(Reaction)
    created = adapt(now)
    rows = []
    chosen = rng.sample(range(post_count), int(post_count * plan.reactions))
    for offset in chosen:
        people = rng.sample(member_ids, min(len(member_ids), rng.randint(1, 3)))
        for person in people:
            rows.append(
                (first + len(rows), first_post + offset, person, rng.choice(kinds), created)
            )
    for low in range(0, len(rows), BATCH):
        table.insert(rows[low : low + BATCH])
    return len(rows)


def _reset_sequences() -> None:
    """PostgreSQL: move the id sequences past the ids written here (nothing to do on SQLite)."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(
        no_style(), [get_user_model(), Category, Topic, Post, Reaction]
    )
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def sign_in(count: int) -> list[str]:
    """Session keys for the first ``count`` bench members (signed in, as by the sign-in page)."""
    User = get_user_model()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = []
    members = User.objects.filter(username__startswith=BENCH_PREFIX).order_by("pk")[:count]
    for member in members:
        session = store()
        session[SESSION_KEY] = str(member.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = member.get_session_auth_hash()
        session.save()
        keys.append(session.session_key)
    return keys
