"""`stepdown backup` and `stepdown restore` for the embedded SQLite (stepdown/core/backup.py).

Each test runs the real console script on data directories of its own, as an admin would.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import tarfile
import threading
import uuid

import pytest

from tests.test_cli import STEPDOWN, run_stepdown

COUNTS_SCRIPT = (
    "from stepdown.forum.models import Topic, Post; from stepdown.accounts.models import User;"
    "print('COUNTS', User.objects.count(), Topic.objects.count(), Post.objects.count())"
)
IMAGE = "uploads/2025/01/" + "ab" * 16 + ".png"


def counts(data_dir) -> list[int]:
    result = run_stepdown("shell", "-c", COUNTS_SCRIPT, data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("COUNTS"))
    return [int(number) for number in line.split()[1:]]


@pytest.fixture(scope="module")
def forum_dir(tmp_path_factory):
    """A data directory with the demo community and one stored image."""
    data_dir = tmp_path_factory.mktemp("forum")
    assert run_stepdown("migrate", "-v0", data_dir=data_dir).returncode == 0
    assert run_stepdown("demo", data_dir=data_dir).returncode == 0
    image = data_dir / "media" / IMAGE
    image.parent.mkdir(parents=True)
    image.write_bytes(b"\x89PNG not really, but bytes to keep")
    return data_dir


@pytest.fixture(scope="module")
def archive(forum_dir, tmp_path_factory):
    path = tmp_path_factory.mktemp("backups") / "forum.tar.gz"
    result = run_stepdown("backup", str(path), data_dir=forum_dir)
    assert result.returncode == 0, result.stderr
    assert f"Backed up to {path}" in result.stdout
    return path


def read_manifest(path) -> dict:
    with tarfile.open(path) as archive:
        return json.load(archive.extractfile("manifest.json"))


def test_backup_archive_holds_database_key_media_and_manifest_readable_by_owner_only(
    archive, forum_dir
):
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        assert {"stepdown.sqlite3", "secret_key", f"media/{IMAGE}", "manifest.json"} <= names
        assert tar.extractfile("secret_key").read() == (forum_dir / "secret_key").read_bytes()
    manifest = read_manifest(archive)
    topics, posts = manifest["summary"]["topics"], manifest["summary"]["posts"]
    assert [manifest["summary"]["members"], topics, posts] == counts(forum_dir)
    assert manifest["tables"]["forum_post"] == posts
    assert (manifest["media_files"], manifest["secret_key_included"]) == (1, True)
    assert manifest["format"] == 1 and manifest["stepdown_version"]


def test_backup_is_one_consistent_snapshot_when_another_thread_writes_meanwhile(tmp_path):
    data_dir = tmp_path / "busy"
    assert run_stepdown("migrate", "-v0", data_dir=data_dir).returncode == 0
    stop, written, errors = threading.Event(), [0], []

    def write_pairs():
        # Every transaction adds two rows: a consistent copy holds an even number.
        connection = sqlite3.connect(data_dir / "stepdown.sqlite3", timeout=30)
        connection.isolation_level = None
        try:
            while not stop.is_set():
                connection.execute("BEGIN IMMEDIATE")
                for _ in range(2):
                    connection.execute(
                        "INSERT INTO django_session VALUES (?, 'x', '2099-01-01 00:00:00')",
                        (uuid.uuid4().hex,),
                    )
                connection.execute("COMMIT")
                written[0] += 2
        except sqlite3.Error as error:
            errors.append(error)
        finally:
            connection.close()

    writer = threading.Thread(target=write_pairs)
    writer.start()
    try:
        while written[0] < 200 and writer.is_alive():
            threading.Event().wait(0.01)
        path = tmp_path / "busy.tar.gz"
        result = run_stepdown("backup", str(path), data_dir=data_dir)
        at_end_of_backup = written[0]
    finally:
        stop.set()
        writer.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert errors == []  # the writer never met "database is locked"
    copied = read_manifest(path)["tables"]["django_session"]
    assert copied % 2 == 0
    assert 200 <= copied <= at_end_of_backup
    with tarfile.open(path) as tar:
        tar.extract("stepdown.sqlite3", tmp_path / "copy", filter="data")
    connection = sqlite3.connect(tmp_path / "copy" / "stepdown.sqlite3")
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert connection.execute("SELECT count(*) FROM django_session").fetchone()[0] == copied
    connection.close()


def test_restore_brings_back_database_media_and_key_into_a_fresh_data_dir(
    archive, forum_dir, tmp_path
):
    fresh = tmp_path / "fresh"
    result = run_stepdown("restore", str(archive), data_dir=fresh)
    assert result.returncode == 0, result.stderr
    assert "Restored the backup" in result.stdout
    assert counts(fresh) == counts(forum_dir)
    assert (fresh / "media" / IMAGE).read_bytes() == (forum_dir / "media" / IMAGE).read_bytes()
    assert (fresh / "secret_key").read_bytes() == (forum_dir / "secret_key").read_bytes()
    assert oct((fresh / "stepdown.sqlite3").stat().st_mode & 0o777) == "0o600"
    unapplied = run_stepdown("showmigrations", "--plan", data_dir=fresh).stdout
    assert "[X]" in unapplied and "[ ]" not in unapplied


def test_restore_refuses_to_replace_a_forum_unless_forced_and_then_moves_it_aside(
    archive, tmp_path
):
    target = tmp_path / "target"
    assert run_stepdown("migrate", "-v0", data_dir=target).returncode == 0
    assert run_stepdown("demo", data_dir=target).returncode == 0
    before = (target / "stepdown.sqlite3").read_bytes()
    refused = run_stepdown("restore", str(archive), data_dir=target)
    assert refused.returncode != 0
    assert "already holds a forum" in refused.stderr and "--force" in refused.stderr
    assert (target / "stepdown.sqlite3").read_bytes() == before

    forced = run_stepdown("restore", "--force", str(archive), data_dir=target)
    assert forced.returncode == 0, forced.stderr
    [aside] = target.glob("before-restore-*")
    assert (aside / "stepdown.sqlite3").read_bytes() == before
    assert f"is in {aside}" in forced.stdout


def test_restore_refuses_while_a_worker_runs_on_the_data_dir(archive, tmp_path):
    target = tmp_path / "running"
    assert run_stepdown("migrate", "-v0", data_dir=target).returncode == 0
    env = {**os.environ, "STEPDOWN_DATA_DIR": str(target), "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    worker = subprocess.Popen(  # noqa: S603 - our own console script
        [STEPDOWN, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        for line in worker.stdout:
            if "worker is running" in line:
                break
        refused = run_stepdown("restore", "--force", str(archive), data_dir=target)
        assert refused.returncode != 0
        assert "stop it first" in refused.stderr
        assert not list(target.glob("before-restore-*"))
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    restored = run_stepdown("restore", "--force", str(archive), data_dir=target)
    assert restored.returncode == 0, restored.stderr


def rewritten(archive, tmp_path, name, *, change=None, extra=None):
    """A copy of ``archive`` with one member's bytes changed, or an extra member added."""
    path = tmp_path / name
    with tarfile.open(archive) as source, tarfile.open(path, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            if change and member.name == change[0]:
                data = change[1](data)
                member.size = len(data)
            target.addfile(member, io.BytesIO(data) if data is not None else None)
        if extra:
            info = tarfile.TarInfo(extra)
            info.size = 4
            target.addfile(info, io.BytesIO(b"evil"))
    return path


def test_restore_refuses_damaged_or_tampered_archives_and_changes_nothing(archive, tmp_path):
    flipped = rewritten(
        archive,
        tmp_path,
        "flipped.tar.gz",
        change=("stepdown.sqlite3", lambda data: data[:4096] + data[4096:8192][::-1] + data[8192:]),
    )
    escaping = rewritten(archive, tmp_path, "escaping.tar.gz", extra="media/../../escaped")
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[:2000])
    target = tmp_path / "untouched"
    for bad, message in (
        (flipped, "does not match its checksum"),
        (escaping, "unexpected entry"),
        (truncated, "not a readable Stepdown backup"),
    ):
        result = run_stepdown("restore", str(bad), data_dir=target)
        assert result.returncode != 0 and message in result.stderr, result.stderr
    assert not (target / "stepdown.sqlite3").exists()
    assert not (tmp_path / "escaped").exists()


def test_backup_with_postgresql_points_to_pg_dump_and_fails(tmp_path):
    result = run_stepdown(
        "backup",
        data_dir=tmp_path,
        extra_env={"DATABASE_URL": "postgres://nobody@127.0.0.1:1/nothing"},
    )
    assert result.returncode != 0
    assert "pg_dump" in result.stderr and "docs/deploy.md" in result.stderr
    assert not (tmp_path / "backups").exists()
