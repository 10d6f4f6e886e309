"""``stepdown restore PATH [--force]``: put a ``stepdown backup`` archive back in place.

Checks the archive first (checksum, SQLite integrity check, row counts). Refuses while
``stepdown serve`` or ``stepdown worker`` runs on the data directory, and, without --force, when
the data directory already holds a forum. What was there is moved to ``before-restore-<time>/``
in the data directory, never deleted. Then applies migrations.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stepdown.core.backup import BackupError, describe, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a `stepdown backup` archive into the data directory (stop the server and "
        "worker first); --force replaces a forum that is there, moving it aside."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive written by `stepdown backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the forum in the data directory (moved to before-restore-<time>/)",
        )

    def handle(self, *args, **options):
        archive = Path(options["path"]).expanduser().resolve()
        try:
            manifest, aside = restore_backup(archive, force=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the backup of {manifest.created} (Stepdown {manifest.stepdown_version}): "
            f"{describe(manifest.summary)}, {manifest.media_files} media file(s)."
        )
        if aside is not None:
            self.stdout.write(f"What was in the data directory before is in {aside}.")
        if not manifest.secret_key_included:
            self.stdout.write(
                "The archive has no secret key: set SECRET_KEY to the one the forum used, or "
                "members will need to sign in again and links in sent emails stop working."
            )
        elif os.environ.get("SECRET_KEY"):
            self.stdout.write(
                "SECRET_KEY is set in the environment, so the restored secret_key file is not "
                "used; unset it to use the backup's key."
            )
