"""`stepdown bench-data`: a large made-up forum for benchmarks (see bench/README.md)."""

from __future__ import annotations

import time

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from stepdown.forum import bench_data


class Command(BaseCommand):
    help = (
        "Fill the database with made-up members, topics and posts for benchmarks "
        "(default: 1,000,000 posts over 20,000 topics by 50,000 members, one topic of 10,000 "
        "posts). Refuses a forum with content of its own unless --force. With --sign-in N, "
        "prints session keys of N bench members instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=50_000)
        parser.add_argument("--topics", type=int, default=20_000)
        parser.add_argument("--posts", type=int, default=1_000_000)
        parser.add_argument(
            "--posts-in-long-topic",
            type=int,
            default=10_000,
            help="posts in the first topic, for paging deep into a long topic (0: none)",
        )
        parser.add_argument("--categories", type=int, default=6)
        parser.add_argument(
            "--reactions", type=float, default=0.1, help="share of posts with reactions"
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--force", action="store_true", help="add to a forum with content")
        parser.add_argument("--no-search-index", action="store_true")
        parser.add_argument(
            "--sign-in", type=int, default=0, metavar="N", help="print N bench session keys"
        )

    def handle(self, *args, **options):
        if options["sign_in"]:
            for key in bench_data.sign_in(options["sign_in"]):
                self.stdout.write(key)
            return
        if min(options["members"], options["topics"], options["posts"]) < 1:
            raise CommandError("--members, --topics and --posts must be at least 1.")
        if options["posts"] < options["topics"]:
            raise CommandError("--posts must be at least --topics (every topic has a post).")
        if not options["force"] and bench_data.has_real_content():
            raise CommandError(
                "This forum has topics or members of its own: use an empty data directory "
                "(STEPDOWN_DATA_DIR) for benchmarks, or --force to add to it."
            )
        plan = bench_data.Plan(
            members=options["members"],
            topics=options["topics"],
            posts=options["posts"],
            long_topic_posts=options["posts_in_long_topic"],
            categories=options["categories"],
            reactions=options["reactions"],
            seed=options["seed"],
        )
        began = time.monotonic()

        def progress(message: str) -> None:
            self.stdout.write(f"{time.monotonic() - began:7.1f}s  {message}")

        summary = bench_data.generate(plan, progress=progress)
        if options["no_search_index"]:
            self.stdout.write("Search index not built (--no-search-index).")
        elif "search_reindex" in get_commands():
            call_command("search_reindex", verbosity=0)
            progress("search index built")
        else:
            self.stdout.write("No search app installed: no search index to build.")
        if connection.vendor == "postgresql":
            # Planner statistics for the tables just filled (autovacuum may be off, or not have
            # run yet): without them PostgreSQL guesses the tables are nearly empty, and a
            # search page read its 20 posts by walking every topic (55 ms instead of 1).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            progress("statistics gathered")
        self.stdout.write(
            f"Made {summary.members} members, {summary.categories} categories, "
            f"{summary.topics} topics, {summary.posts} posts and {summary.reactions} reactions "
            f"in {time.monotonic() - began:.0f} s; the long topic is /t/{summary.long_topic_id}/."
        )
