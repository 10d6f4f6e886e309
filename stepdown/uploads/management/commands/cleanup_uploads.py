"""``stepdown cleanup_uploads``: remove images that were added but never shown in a post.

An image starts "unused" and stays so until a post of its uploader shows it. One still unused
``STEPDOWN_UPLOAD_UNUSED_DAYS`` days (7 by default) after it was added is removed, file and
record. ``--dry-run`` lists what would go and removes nothing. Run it daily (cron, a timer).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from stepdown.uploads.actions import delete_unused_uploads

DEFAULT_UNUSED_DAYS = 7


def unused_days() -> int:
    """How long an image may wait for a post (STEPDOWN_UPLOAD_UNUSED_DAYS, at least 1)."""
    return max(1, int(getattr(settings, "STEPDOWN_UPLOAD_UNUSED_DAYS", DEFAULT_UNUSED_DAYS)))


class Command(BaseCommand):
    help = (
        "Remove images never shown in a post, added more than STEPDOWN_UPLOAD_UNUSED_DAYS "
        "days ago; --dry-run lists them and removes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be removed, remove nothing"
        )

    def handle(self, *args, **options):
        try:
            days = unused_days()
        except (TypeError, ValueError) as error:
            raise CommandError("STEPDOWN_UPLOAD_UNUSED_DAYS must be a whole number.") from error
        dry_run = options["dry_run"]
        uploads = delete_unused_uploads(
            added_before=timezone.now() - timedelta(days=days), dry_run=dry_run
        )
        for upload in uploads:
            self.stdout.write(
                f"{'would remove' if dry_run else 'removed'} {upload.storage_name} "
                f"(added {upload.created:%Y-%m-%d}, {filesizeformat(upload.bytes)})"
            )
        total = filesizeformat(sum(upload.bytes for upload in uploads))
        verb = "Would remove" if dry_run else "Removed"
        self.stdout.write(
            f"{verb} {len(uploads)} unused image(s), {total}, "
            f"not in any post {days} day(s) after they were added."
        )
