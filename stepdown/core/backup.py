"""Backups of the embedded SQLite setup, for ``stepdown backup`` and ``stepdown restore``.

An archive is one ``.tar.gz``, readable by its owner only (it holds the secret key and members'
health data), with:

  stepdown.sqlite3   a consistent copy of the database made with SQLite's online backup API,
                     so the server and worker keep running (and writing) meanwhile
  secret_key         the data directory's key (absent when SECRET_KEY comes from the environment)
  media/...          uploaded files, when they are kept in the data directory
  manifest.json      format, Stepdown and SQLite versions, time, rows per table, the media files'
                     count and size, and the database copy's SHA-256 (written last)

The database is copied first, then the media: an image added meanwhile is in the archive without
a record (harmless), and one removed meanwhile as unused is missing (its record, never shown in a
post, answers 404).

Restoring checks the archive before touching anything (names, checksum, ``PRAGMA
integrity_check``, row counts), takes the data directory alone (no server or worker may run on
it), moves what was there into ``before-restore-<time>/``, puts the archive's files in place and
applies migrations, so a backup from an older version comes back up to date.

PostgreSQL is backed up with ``pg_dump`` instead (docs/deploy.md).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.db import connections

from stepdown.core import locks

FORMAT = 1
DATABASE_NAME = "stepdown.sqlite3"
KEY_NAME = "secret_key"
MANIFEST_NAME = "manifest.json"
MEDIA_DIR = "media"
# Tables summed up for people ("12 members, 40 topics, ..."); all tables are counted.
SUMMARY_MODELS = (
    ("members", settings.AUTH_USER_MODEL),
    ("topics", "forum.Topic"),
    ("posts", "forum.Post"),
    ("images", "uploads.Upload"),
)


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass
class Manifest:
    created: str
    stepdown_version: str
    sqlite_version: str
    database_sha256: str
    tables: dict[str, int]
    media_files: int = 0
    media_bytes: int = 0
    media_included: bool = True
    secret_key_included: bool = True
    format: int = FORMAT
    summary: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            raw = json.loads(data)
            if raw.get("format") != FORMAT:
                raise BackupError(
                    f"This archive has format {raw.get('format')!r}; this Stepdown reads {FORMAT}."
                )
            return cls(**raw)
        except (ValueError, TypeError) as error:
            raise BackupError("The archive's manifest.json is damaged.") from error


def uses_sqlite() -> bool:
    """Whether the database is the embedded SQLite (without connecting to it)."""
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


def database_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def data_dir() -> Path:
    return Path(settings.DATA_DIR)


def media_root() -> Path | None:
    """The local media folder, or None when uploads live elsewhere (an S3 bucket)."""
    if isinstance(default_storage, FileSystemStorage):
        return Path(default_storage.location)
    return None


def stepdown_version() -> str:
    try:
        return metadata.version("stepdown")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        return "unknown"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _table_counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    # Names come from the database's own catalogue, quoted as identifiers.
    return {
        name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608  # nosec B608
        for name in names
    }


def _summary(tables: dict[str, int]) -> dict[str, int]:
    summary = {}
    for label, model_label in SUMMARY_MODELS:
        try:
            table = apps.get_model(model_label)._meta.db_table
        except LookupError:  # pragma: no cover - an app left out of INSTALLED_APPS
            continue
        summary[label] = tables.get(table, 0)
    return summary


def describe(summary: dict[str, int]) -> str:
    """ "5 members, 12 topics, 80 posts, 3 images", in that order."""
    order = [label for label, _ in SUMMARY_MODELS]
    labels = sorted(summary, key=lambda label: order.index(label) if label in order else 99)
    return ", ".join(f"{summary[label]} {label}" for label in labels)


def _integrity(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
    finally:
        connection.close()


def copy_database(source: Path, target: Path) -> dict[str, int]:
    """Copy the live database ``source`` to ``target`` with SQLite's online backup API.

    One step, so the copy is a single consistent snapshot; in WAL mode writers go on meanwhile.
    The copy is a plain single file (rollback journal). Returns its rows per table.
    """
    if not source.exists():
        raise BackupError(f"There is no database at {source} yet (run `stepdown migrate`).")
    live = sqlite3.connect(source, timeout=60)
    copy = sqlite3.connect(target)
    try:
        live.execute("PRAGMA busy_timeout = 60000")
        live.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
        return _table_counts(copy)
    finally:
        copy.close()
        live.close()


def _media_files(root: Path | None) -> list[Path]:
    if root is None or not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def default_archive_path() -> Path:
    return data_dir() / "backups" / f"stepdown-{datetime.now(UTC):%Y%m%d-%H%M%S}.tar.gz"


def create_backup(target: Path | None = None) -> tuple[Path, Manifest]:
    """Write an archive of the database, secret key and media to ``target`` (a file, or a
    folder to put a dated file in; default: the data directory's ``backups/``)."""
    if not uses_sqlite():
        raise BackupError(
            "The database is PostgreSQL: back it up with pg_dump, and the media and secret key "
            "with your file backups (docs/deploy.md, 'Backups')."
        )
    if target is None:
        target = default_archive_path()
    elif target.is_dir():
        target = target / default_archive_path().name
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_file = data_dir() / KEY_NAME
    key_included = not os.environ.get("SECRET_KEY") and key_file.exists()
    root = media_root()
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as work:
        database_copy = Path(work) / DATABASE_NAME
        tables = copy_database(database_path(), database_copy)
        partial = target.with_name(target.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        media_files = media_bytes = 0
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                archive.add(database_copy, arcname=DATABASE_NAME)
                if key_included:
                    archive.add(key_file, arcname=KEY_NAME)
                for path in _media_files(root):
                    assert root is not None
                    name = f"{MEDIA_DIR}/{path.relative_to(root).as_posix()}"
                    try:
                        size = path.stat().st_size
                        archive.add(path, arcname=name)
                    except FileNotFoundError:  # removed since the listing
                        continue
                    media_files += 1
                    media_bytes += size
                manifest = Manifest(
                    created=datetime.now(UTC).isoformat(timespec="seconds"),
                    stepdown_version=stepdown_version(),
                    sqlite_version=sqlite3.sqlite_version,
                    database_sha256=_sha256(database_copy),
                    tables=tables,
                    media_files=media_files,
                    media_bytes=media_bytes,
                    media_included=root is not None,
                    secret_key_included=key_included,
                    summary=_summary(tables),
                )
                data = manifest.to_json()
                info = tarfile.TarInfo(MANIFEST_NAME)
                info.size = len(data)
                info.mtime = int(datetime.now(UTC).timestamp())
                info.mode = 0o600
                archive.addfile(info, io.BytesIO(data))
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return target, manifest


def _checked_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """The archive's members, refusing anything but our own files and folders."""
    members = archive.getmembers()
    for member in members:
        path = PurePosixPath(member.name)
        if path.is_absolute() or ".." in path.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"The archive holds an unexpected entry: {member.name!r}.")
        if path.parts[0] not in {DATABASE_NAME, KEY_NAME, MANIFEST_NAME, MEDIA_DIR}:
            raise BackupError(f"The archive holds an unexpected entry: {member.name!r}.")
    return members


def unpack_and_verify(archive_path: Path, into: Path) -> Manifest:
    """Unpack ``archive_path`` into the folder ``into`` and check it thoroughly."""
    try:
        with tarfile.open(archive_path, mode="r:gz") as archive:
            members = _checked_members(archive)
            if hasattr(tarfile, "data_filter"):
                archive.extractall(into, members=members, filter="data")
            else:  # pragma: no cover - Python 3.11 before 3.11.4; names checked above
                archive.extractall(into, members=members)  # noqa: S202  # nosec B202
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupError(f"{archive_path} is not a readable Stepdown backup ({error}).") from error
    manifest_file = into / MANIFEST_NAME
    database = into / DATABASE_NAME
    if not manifest_file.is_file() or not database.is_file():
        raise BackupError(f"{archive_path} is not a complete Stepdown backup.")
    manifest = Manifest.from_json(manifest_file.read_bytes())
    if _sha256(database) != manifest.database_sha256:
        raise BackupError("The database in the archive does not match its checksum.")
    integrity = _integrity(database)
    if integrity != "ok":
        raise BackupError(f"The database in the archive is damaged: {integrity}")
    connection = sqlite3.connect(database)
    try:
        tables = _table_counts(connection)
    finally:
        connection.close()
    if tables != manifest.tables:
        raise BackupError("The database in the archive does not hold the rows its manifest lists.")
    media = into / MEDIA_DIR
    found = [path for path in media.rglob("*") if path.is_file()] if media.is_dir() else []
    if len(found) != manifest.media_files:
        raise BackupError(
            f"The archive lists {manifest.media_files} media files but holds {len(found)}."
        )
    return manifest


def has_content(database: Path, media: Path | None) -> bool:
    """Whether a restore would overwrite something: members or topics in the database, or
    files in the media folder. A fresh data directory (even after `migrate`) has none."""
    if media is not None and any(path.is_file() for path in media.rglob("*")):
        return True
    if not database.exists():
        return False
    tables = [
        apps.get_model(label)._meta.db_table
        for _, label in SUMMARY_MODELS
        if label != "uploads.Upload"
    ]
    connection = sqlite3.connect(database, timeout=20)
    try:
        for table in tables:
            try:
                if connection.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():  # noqa: S608  # nosec B608
                    return True
            except sqlite3.OperationalError as error:
                if "no such table" in str(error):  # not migrated yet
                    continue
                raise
        return False
    except sqlite3.DatabaseError:  # unreadable: something is there, so only --force replaces it
        return True
    finally:
        connection.close()


def _move_aside(paths: list[Path], into: Path) -> None:
    into.mkdir(mode=0o700)
    for path in paths:
        if path.exists():
            shutil.move(path, into / path.name)


def restore_backup(archive_path: Path, *, force: bool = False) -> tuple[Manifest, Path | None]:
    """Put the archive's database, secret key and media in place of the data directory's.

    Refuses while a server or worker runs on the data directory, and, without ``force``, when
    the data directory already has content. What was there is moved to
    ``before-restore-<time>/`` (returned), never deleted. Then applies migrations.
    """
    if not uses_sqlite():
        raise BackupError(
            "The database is PostgreSQL: restore it with pg_restore (docs/deploy.md, "
            "'Restore drill')."
        )
    if not archive_path.is_file():
        raise BackupError(f"There is no backup at {archive_path}.")
    try:
        with locks.data_dir_alone():
            return _restore_alone(archive_path, force=force)
    except locks.DataDirInUse as error:
        raise BackupError(
            "Stepdown is running on this data directory (stepdown serve or stepdown worker): "
            "stop it first, then restore."
        ) from error


def _restore_alone(archive_path: Path, *, force: bool) -> tuple[Manifest, Path | None]:
    database = database_path()
    root = media_root()
    with tempfile.TemporaryDirectory(dir=data_dir(), prefix=".restore-") as work:
        staged = Path(work)
        manifest = unpack_and_verify(archive_path, staged)
        if manifest.media_files and root is None:
            raise BackupError(
                "The archive holds media files, but uploads are kept in an S3 bucket here; "
                "unset STEPDOWN_MEDIA_STORAGE to restore to the data directory."
            )
        if has_content(database, root) and not force:
            raise BackupError(
                f"The data directory {data_dir()} already holds a forum. Stop here if that is a "
                "mistake; to replace it (it is moved aside, not deleted), run again with --force."
            )
        connections.close_all()
        wal = [database.with_name(database.name + suffix) for suffix in ("-wal", "-shm")]
        key_file = data_dir() / KEY_NAME
        aside = None
        if database.exists() or (root is not None and root.exists()):
            aside = data_dir() / f"before-restore-{datetime.now(UTC):%Y%m%d-%H%M%S}"
            number = 1
            while aside.exists():  # two restores within a second
                number += 1
                aside = aside.with_name(f"{aside.name.split('.')[0]}.{number}")
            replaced = [database, *wal]
            if root is not None:
                replaced.append(root)
            if manifest.secret_key_included:
                replaced.append(key_file)
            _move_aside(replaced, aside)
        os.replace(staged / DATABASE_NAME, database)
        os.chmod(database, 0o600)
        if manifest.secret_key_included:
            os.replace(staged / KEY_NAME, key_file)
            os.chmod(key_file, 0o600)
        if root is not None and (staged / MEDIA_DIR).is_dir():
            shutil.move(staged / MEDIA_DIR, root)  # the old folder was moved aside
    # Still alone: a backup from an older version is brought up to date before any server can
    # start on it.
    call_command("migrate", interactive=False, verbosity=0)
    return manifest, aside
