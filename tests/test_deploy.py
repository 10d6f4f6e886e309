"""Scale-out and production setup: Redis for shared state, media by setting, stateless app
processes, and docs/deploy.md kept true to the code."""

from __future__ import annotations

import http.cookiejar
import io
import json
import os
import re
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command, get_commands
from django.utils import timezone
from PIL import Image

from stepdown.core.media_storage import S3_BACKEND, default_storage_from_environ
from stepdown.core.static_storage import StaticFilesStorage
from stepdown.uploads.models import Upload
from tests.redis_server import free_port, redis_url  # noqa: F401 - the fixture
from tests.test_cli import STEPDOWN, run_stepdown

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "docs" / "deploy.md"
S3_ENV = {
    "STEPDOWN_MEDIA_STORAGE": "s3",
    "STEPDOWN_S3_BUCKET": "forum-media",
    "STEPDOWN_S3_ENDPOINT_URL": "https://s3.example.org",
    "STEPDOWN_S3_REGION": "eu-central-1",
    "STEPDOWN_S3_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "STEPDOWN_S3_SECRET_ACCESS_KEY": "not-a-real-secret",
    "STEPDOWN_S3_PREFIX": "/stepdown/media/",
    "STEPDOWN_S3_ADDRESSING_STYLE": "path",
}


def last_line(result) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


# --- Media storage by setting ------------------------------------------------------------------


def test_media_storage_is_the_data_directory_when_nothing_is_set():
    assert default_storage_from_environ({}) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    assert default_storage_from_environ({"STEPDOWN_MEDIA_STORAGE": "local"})["BACKEND"] == (
        "django.core.files.storage.FileSystemStorage"
    )


def test_media_storage_refuses_unknown_kinds_and_s3_without_a_bucket():
    with pytest.raises(ImproperlyConfigured, match="'local'.*'s3'"):
        default_storage_from_environ({"STEPDOWN_MEDIA_STORAGE": "ftp"})
    with pytest.raises(ImproperlyConfigured, match="STEPDOWN_S3_BUCKET"):
        default_storage_from_environ({"STEPDOWN_MEDIA_STORAGE": "s3"})


def test_media_storage_leaves_keys_to_boto3_when_they_are_not_set():
    options = default_storage_from_environ(
        {"STEPDOWN_MEDIA_STORAGE": "S3", "STEPDOWN_S3_BUCKET": "media"}
    )["OPTIONS"]
    assert options["bucket_name"] == "media"
    assert not {"access_key", "secret_key", "endpoint_url", "region_name"} & set(options)


def test_media_storage_switches_to_a_private_s3_bucket_when_the_environment_asks(tmp_path):
    script = (
        "from django.core.files.storage import default_storage as d, storages;"
        "s = storages['default'];"
        "print(type(s).__module__ + '.' + type(s).__name__, s.bucket_name, s.endpoint_url,"
        " s.region_name, s.access_key, s.location, s.default_acl, s.file_overwrite,"
        " s.addressing_style, d.bucket_name)"
    )
    result = run_stepdown("shell", "-c", script, data_dir=tmp_path, extra_env=S3_ENV)
    assert last_line(result).split() == [
        S3_BACKEND,
        "forum-media",
        "https://s3.example.org",
        "eu-central-1",
        "AKIDEXAMPLE",
        "stepdown/media",
        "private",
        "False",
        "path",
        "forum-media",  # the default storage, as uploads use it
    ]


@pytest.fixture
def memory_storage(settings, tmp_path):
    """Uploads kept in memory, not on disk: the code must use the storage API only."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    return settings.MEDIA_ROOT


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (20, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def test_uploads_are_stored_served_and_removed_through_the_storage_when_it_is_not_on_disk(
    member_client, memory_storage
):
    image = SimpleUploadedFile("lake.png", png(), content_type="image/png")
    response = member_client.post("/uploads/new/", {"image": image, "description": "A lake"})
    assert response.status_code == 302
    upload = Upload.objects.get()
    assert type(default_storage._wrapped).__name__ == "InMemoryStorage"
    assert default_storage.exists(upload.storage_name)

    served = member_client.get(upload.url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == default_storage.open(upload.storage_name).read()
    assert served["Content-Type"] == upload.content_type
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"

    Upload.objects.update(created=timezone.now() - timedelta(days=30))
    call_command("cleanup_uploads", stdout=io.StringIO())
    assert not default_storage.exists(upload.storage_name)
    assert not memory_storage.exists()  # nothing was ever written to the data directory


def test_static_manifest_is_never_missing_or_partial_while_another_process_collects(tmp_path):
    storage = StaticFilesStorage(location=tmp_path)
    storage.hashed_files = {f"css/{n}.css": f"css/{n}.0123456789ab.css" for n in range(2000)}
    storage.save_manifest()
    stop, broken, reads = threading.Event(), [], [0]

    def read_like_a_serving_process():
        while not stop.is_set():
            content = storage.read_manifest()
            try:
                assert json.loads(content)["paths"]["css/1999.css"]
            except (TypeError, ValueError, KeyError, AssertionError) as error:
                broken.append(error)
            reads[0] += 1

    reader = threading.Thread(target=read_like_a_serving_process)
    reader.start()
    try:
        for _ in range(150):
            storage.save_manifest()
    finally:
        stop.set()
        reader.join(timeout=30)
    assert reads[0] > 100 and broken == []


@pytest.fixture
def static_sources(tmp_path, settings):
    """A static source folder of this test's own, seen by the finders."""
    from django.contrib.staticfiles import finders

    source = tmp_path / "source"
    (source / "css").mkdir(parents=True)
    (source / "css" / "site.css").write_text("body { color: #222; }\n")
    settings.STATICFILES_DIRS = [source]
    settings.STATIC_ROOT = tmp_path / "collected"
    finders.get_finder.cache_clear()
    yield source
    finders.get_finder.cache_clear()


def test_the_static_fingerprint_changes_with_any_source(static_sources, settings):
    from stepdown.core.static_storage import sources_fingerprint

    first = sources_fingerprint()
    assert sources_fingerprint() == first
    (static_sources / "css" / "site.css").write_text("body { color: #111; }\n")
    changed = sources_fingerprint()
    assert changed != first
    (static_sources / "css" / "new.css").write_text("p {}\n")
    assert sources_fingerprint() not in (first, changed)
    settings.STATIC_URL = "/assets/"
    assert sources_fingerprint() != changed


def test_static_files_are_collected_once_per_release_not_under_a_running_server(
    static_sources, settings, monkeypatch
):
    from stepdown.core import static_storage

    root = Path(settings.STATIC_ROOT)
    collected = []

    def collectstatic(name, **kwargs):  # stands in for the real one, which a process test runs
        collected.append(name)
        root.mkdir(exist_ok=True)
        (root / "staticfiles.json").write_text("{}")

    monkeypatch.setattr("django.core.management.call_command", collectstatic)
    assert static_storage.collect_if_changed() is True
    # A second process of the same release collects nothing under the first one.
    assert static_storage.collect_if_changed() is False
    assert collected == ["collectstatic"]
    # A new release (a changed source) collects again, and so does a wiped manifest.
    (static_sources / "css" / "site.css").write_text("body { color: #111; }\n")
    assert static_storage.collect_if_changed() is True
    (root / "staticfiles.json").unlink()
    assert static_storage.collect_if_changed() is True
    assert collected == ["collectstatic"] * 3


# --- Shared state on Redis -----------------------------------------------------------------------

STATE_SCRIPT = (
    "from django.conf import settings as s; from django.core.cache import caches;"
    "from stepdown.core import locks;"
    "print(type(caches['default']).__name__, s.SESSION_ENGINE.rsplit('.', 1)[-1],"
    " locks.backend_name())"
)


def test_settings_put_cache_sessions_rate_limits_and_locks_on_redis_when_redis_url_is_set(
    tmp_path,
):
    # Only settings are read: nothing connects to this (unreachable) Redis.
    result = run_stepdown(
        "shell",
        "-c",
        STATE_SCRIPT,
        data_dir=tmp_path,
        extra_env={"REDIS_URL": "redis://127.0.0.1:1/3"},
    )
    assert last_line(result).split() == ["RedisCache", "cached_db", "redis"]


def test_settings_keep_sessions_in_the_database_and_locks_on_files_without_redis(tmp_path):
    result = run_stepdown(
        "shell", "-c", STATE_SCRIPT, data_dir=tmp_path, extra_env={"REDIS_URL": ""}
    )
    assert last_line(result).split() == ["LocMemCache", "db", "file"]


LIMITS_SCRIPT = (
    "from stepdown.forum.permissions import edit_window_minutes;"
    "from stepdown.uploads.forms import upload_limits;"
    "limits = upload_limits();"
    "print(edit_window_minutes(), limits['max_bytes'], limits['max_pixels'], limits['max_side'])"
)


def test_settings_take_the_edit_window_and_upload_limits_from_the_environment(tmp_path):
    result = run_stepdown(
        "shell",
        "-c",
        LIMITS_SCRIPT,
        data_dir=tmp_path,
        extra_env={
            "STEPDOWN_EDIT_WINDOW_MINUTES": "45",
            "STEPDOWN_UPLOAD_MAX_BYTES": "2000000",
            "STEPDOWN_UPLOAD_MAX_PIXELS": "12000000",
            "STEPDOWN_UPLOAD_MAX_SIDE": "1600",
        },
    )
    assert last_line(result).split() == ["45", "2000000", "12000000", "1600"]


def test_settings_keep_the_edit_window_and_upload_limit_defaults(settings):
    # The test settings are config/settings.py read from an environment without these names.
    assert settings.STEPDOWN_EDIT_WINDOW_MINUTES == 60 * 24
    assert settings.STEPDOWN_UPLOAD_MAX_BYTES == 8 * 1024 * 1024
    assert settings.STEPDOWN_UPLOAD_MAX_PIXELS == 40_000_000
    assert settings.STEPDOWN_UPLOAD_MAX_SIDE == 2048


def hidden_fields(page: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", page):
        if 'type="hidden"' in tag:
            name = re.search(r'name="([^"]+)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name:
                fields[name.group(1)] = value.group(1) if value else ""
    return fields


class Browser:
    """One visitor's cookies, sent to any of the app servers."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, url: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(url))  # noqa: S310 - our test servers

    def post(self, url: str, fields: dict[str, str]) -> tuple[int, str]:
        data = urllib.parse.urlencode(fields).encode()
        return self._open(urllib.request.Request(url, data=data))  # noqa: S310

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def start_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603 - our own console script
            [STEPDOWN, "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return server, f"http://127.0.0.1:{port}"


def wait_until_serving(server: subprocess.Popen, base: str, log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=5).read()  # noqa: S310
            return
        except OSError as error:
            if time.monotonic() > deadline or server.poll() is not None:
                raise AssertionError(f"{base} did not serve:\n{log.read_text()}") from error
            time.sleep(0.3)


MEMBER_SCRIPT = (
    "from stepdown.accounts.models import User;"
    "from allauth.account.models import EmailAddress;"
    "u = User.objects.create_user('walker', 'walker@example.org', 'a calm long password 7');"
    "EmailAddress.objects.create(user=u, email=u.email, verified=True, primary=True)"
)


def test_two_app_processes_share_sessions_and_rate_limits_through_redis(tmp_path, redis_url):  # noqa: F811
    """Two `stepdown serve` processes (separate memory, as on two machines) started at the same
    time on a fresh data directory: they take turns to migrate, and a member signed in on one
    is signed in on the other, where the rate limit counted on the first still holds."""
    prefix = f"two-servers-{os.getpid()}"
    env = {
        **os.environ,
        "STEPDOWN_DATA_DIR": str(tmp_path / "data"),
        "REDIS_URL": redis_url,
        "STEPDOWN_CACHE_PREFIX": prefix,
        "STEPDOWN_RL_NEW_TOPIC": "1/h/user",
    }
    env.pop("DATABASE_URL", None)
    env.pop("STEPDOWN_DEBUG", None)
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    servers = [start_server(env, log) for log in logs]
    try:
        for (server, base), log in zip(servers, logs, strict=True):
            wait_until_serving(server, base, log)
        extra = {key: env[key] for key in ("REDIS_URL", "STEPDOWN_CACHE_PREFIX")}
        for command in (("demo",), ("shell", "-c", MEMBER_SCRIPT)):
            result = run_stepdown(*command, data_dir=tmp_path / "data", extra_env=extra)
            assert result.returncode == 0, result.stderr
        (_, first), (_, second) = servers
        browser = Browser()

        _, page = browser.get(first + "/accounts/login/")
        status, page = browser.post(
            first + "/accounts/login/",
            {**hidden_fields(page), "login": "walker", "password": "a calm long password 7"},
        )
        assert status == 200 and "walker" in page
        status, page = browser.get(second + "/account/")
        assert status == 200 and "walker@example.org" in page  # same session on the other one
        client = redis.Redis.from_url(redis_url)
        assert client.keys(f"{prefix}:*django.contrib.sessions.cached_db*")

        topic = {"title": "Week three", "body": "Holding steady this week."}
        _, page = browser.get(first + "/c/tapering-support/new/")
        status, page = browser.post(
            first + "/c/tapering-support/new/", {**hidden_fields(page), **topic}
        )
        assert status == 200 and "Holding steady this week." in page
        _, page = browser.get(second + "/c/tapering-support/new/")
        status, page = browser.post(
            second + "/c/tapering-support/new/", {**hidden_fields(page), **topic}
        )
        assert status == 429  # counted on the first server, refused on the second

        # A running forum is never restored over.
        refused = run_stepdown("restore", "--force", __file__, data_dir=tmp_path / "data")
        assert refused.returncode != 0 and "stop it first" in refused.stderr
    finally:
        for server, _ in servers:
            server.terminate()
        for server, _ in servers:
            server.wait(timeout=30)
        keys = redis.Redis.from_url(redis_url).keys(f"{prefix}:*")
        if keys:
            redis.Redis.from_url(redis_url).delete(*keys)


# --- docs/deploy.md is true to the code --------------------------------------------------------


def environment_reading_code() -> str:
    """The code of every module that reads the environment (settings, cli, media storage...)."""
    files = [ROOT / "config" / "settings.py", *sorted((ROOT / "stepdown").rglob("*.py"))]
    texts = [path.read_text() for path in files if "/tests/" not in str(path)]
    return "\n".join(text for text in texts if "environ" in text)


def test_deploy_guide_names_only_environment_variables_the_code_reads():
    guide = DEPLOY.read_text()
    code = environment_reading_code()
    named = set(re.findall(r"\b(STEPDOWN_[A-Z0-9_]*[A-Z0-9]|[A-Z]+_URL|SECRET_KEY)\b", guide))
    assert {"STEPDOWN_DATA_DIR", "DATABASE_URL", "REDIS_URL", "SECRET_KEY"} <= named
    unknown = sorted(name for name in named if f'"{name}"' not in code)
    assert unknown == [], f"docs/deploy.md names variables nothing reads: {unknown}"


def test_deploy_guide_names_only_stepdown_commands_that_exist():
    guide = DEPLOY.read_text()
    # Invocations: `stepdown x` in text, a line of a code block, or .../bin/stepdown x.
    named = set(re.findall(r"(?:`|^\s*|/bin/)stepdown ([a-z_]+)", guide, flags=re.MULTILINE))
    assert {"serve", "worker", "backup", "restore", "cleanup_uploads", "migrate"} <= named
    known = set(get_commands()) | {"serve"}
    assert sorted(named - known) == []
