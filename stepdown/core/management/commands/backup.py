"""``stepdown backup [PATH]``: one archive of the embedded SQLite database, secret key and media.

Safe while the server and worker run (SQLite's online backup API). PATH is a file or a folder;
by default the archive goes to the data directory's ``backups/``. The archive is readable by its
owner only: it holds the secret key and members' health data. With PostgreSQL, use pg_dump
(docs/deploy.md).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from stepdown.core.backup import BackupError, create_backup, describe


class Command(BaseCommand):
    help = (
        "Back up the embedded SQLite database, the secret key and the uploaded media into one "
        ".tar.gz archive, while the forum runs. PostgreSQL: use pg_dump (docs/deploy.md)."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            help="archive file or folder (default: backups/ in the data directory)",
        )

    def handle(self, *args, **options):
        target = Path(options["path"]).expanduser().resolve() if options["path"] else None
        try:
            path, manifest = create_backup(target)
        except BackupError as error:
            raise CommandError(str(error)) from error
        media = (
            f"{manifest.media_files} media file(s), {filesizeformat(manifest.media_bytes)}"
            if manifest.media_included
            else "no media (kept in the S3 bucket: back the bucket up separately)"
        )
        key = (
            "the secret key"
            if manifest.secret_key_included
            else "no secret key (SECRET_KEY is set in the environment: keep it safe too)"
        )
        self.stdout.write(f"Backed up to {path}: {describe(manifest.summary)}; {media}; {key}.")
