import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from stepdown.core.management.commands.mail import stored_messages
from stepdown.forum.models import ArticleCard, Category, Post, Topic

STEPDOWN = str(Path(sys.executable).with_name("stepdown"))


def run_stepdown(*args, data_dir, extra_env=None, timeout=120):
    env = {**os.environ, "STEPDOWN_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)  # these run on the embedded SQLite of their own data dir
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests' process only
    env.update(extra_env or {})
    return subprocess.run(  # noqa: S603 - our own console script
        [STEPDOWN, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.mark.django_db
def test_demo_creates_the_community_once(capsys):
    call_command("demo")
    assert "Created the demo community." in capsys.readouterr().out
    topic = Topic.objects.get(tag="Review, Nov/21")
    assert topic.full_title == (
        "Review, Nov/21: Benzodiazepines: Uses, Dangers, and Clinical Considerations"
    )
    article = ArticleCard.objects.get(topic=topic)
    assert article.doi == "10.3390/neurolint13040059"
    assert "Neurology International" in article.source and "2021" in article.published
    assert topic.reply_count >= 3
    assert topic.posts.filter(is_recommended=True).count() == 2
    assert Category.objects.filter(read_access="members").exists()
    counts = (Category.objects.count(), Topic.objects.count(), Post.objects.count())
    call_command("demo")
    assert "already has categories" in capsys.readouterr().out
    assert (Category.objects.count(), Topic.objects.count(), Post.objects.count()) == counts


def test_data_dir_holds_database_with_wal_and_generated_secret_key(tmp_path):
    data_dir = tmp_path / "data"
    result = run_stepdown("migrate", "-v0", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert (data_dir / "stepdown.sqlite3").exists()
    key = (data_dir / "secret_key").read_text()
    assert len(key) >= 50
    assert oct((data_dir / "secret_key").stat().st_mode & 0o777) == "0o600"
    script = (
        "from django.db import connection; c = connection.cursor();"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0],"
        " c.execute('PRAGMA busy_timeout').fetchone()[0],"
        " connection.settings_dict['OPTIONS']['transaction_mode'])"
    )
    result = run_stepdown("shell", "-c", script, data_dir=data_dir)
    assert result.stdout.splitlines()[-1].split() == ["wal", "20000", "IMMEDIATE"], result.stderr
    # The key is made once and kept.
    run_stepdown("check", data_dir=data_dir)
    assert (data_dir / "secret_key").read_text() == key


def test_django_commands_pass_through(tmp_path):
    result = run_stepdown("help", data_dir=tmp_path)
    assert result.returncode == 0
    for command in ("createsuperuser", "migrate", "demo", "mail"):
        assert command in result.stdout


def test_mail_command_shows_the_newest_stored_email(tmp_path, settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    mail.send_mail("First", "Older body", "noreply@localhost", ["a@example.org"])
    mail.send_mail(
        "Confirm your email",
        "Open http://127.0.0.1:8000/accounts/confirm-email/abc/",
        "noreply@localhost",
        ["b@example.org"],
    )
    assert [m["Subject"] for m in stored_messages(tmp_path / "mail")] == [
        "First",
        "Confirm your email",
    ]
    call_command("mail")
    out = capsys.readouterr().out
    assert "Subject: Confirm your email" in out
    assert "http://127.0.0.1:8000/accounts/confirm-email/abc/" in out
    call_command("mail", "--list")
    out = capsys.readouterr().out
    assert "to a@example.org: First" in out and "to b@example.org: Confirm your email" in out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_migrates_and_serves_pages_and_static_files(tmp_path):
    port = free_port()
    data_dir = tmp_path / "data"
    assert run_stepdown("migrate", "-v0", data_dir=data_dir).returncode == 0
    assert run_stepdown("demo", data_dir=data_dir).returncode == 0
    env = {**os.environ, "STEPDOWN_DATA_DIR": str(data_dir), "STEPDOWN_DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(  # noqa: S603
        [STEPDOWN, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                page = urllib.request.urlopen(base + "/", timeout=5).read().decode()  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        assert "Research and articles" in page
        # DEBUG stays off even when asked for: the error page is ours, not Django's debug page.
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "/no-such-page/", timeout=5)  # noqa: S310
        assert missing.value.code == 404
        assert "We can’t find that page" in missing.value.read().decode()
        # Static files are collected with hashed names and served by WhiteNoise.
        css = page.split('<link rel="stylesheet" href="', 1)[1].split('"', 1)[0]
        assert css.startswith("/static/css/stepdown.") and css != "/static/css/stepdown.css"
        response = urllib.request.urlopen(base + css, timeout=5)  # noqa: S310
        assert response.status == 200
        assert "max-age" in response.headers["Cache-Control"]
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_email_url_switches_to_smtp(tmp_path):
    script = (
        "from django.conf import settings as s;"
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER,"
        " s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL)"
    )
    result = run_stepdown(
        "shell",
        "-c",
        script,
        data_dir=tmp_path,
        extra_env={"EMAIL_URL": "smtp+tls://mailer:p%40ss@mail.example.org:587"},
    )
    assert result.stdout.splitlines()[-1].split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.example.org",
        "587",
        "mailer",
        "p@ss",
        "True",
        "False",
    ], result.stderr


def test_without_email_url_mail_is_written_to_the_data_directory(tmp_path):
    script = "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_FILE_PATH)"
    result = run_stepdown("shell", "-c", script, data_dir=tmp_path, extra_env={"EMAIL_URL": ""})
    backend, path = result.stdout.splitlines()[-1].split()
    assert backend == "django.core.mail.backends.filebased.EmailBackend"
    assert path == str((tmp_path / "mail").resolve())


def test_worker_runs_queued_tasks_of_its_data_dir_including_ones_a_crash_left_running(tmp_path):
    data_dir = tmp_path / "data"
    assert run_stepdown("migrate", "-v0", data_dir=data_dir).returncode == 0
    # Two tasks queued by "the server"; a crashed worker had started the second one an hour ago.
    script = (
        "from datetime import timedelta; from django.utils import timezone;"
        "from django_tasks_db.models import DBTaskResult;"
        "from stepdown.forum.tasks import fill_post_article_cards as task;"
        "queued = task.enqueue(987654); crashed = task.enqueue(987655);"
        "DBTaskResult.objects.filter(pk=crashed.id).update("
        " status='RUNNING', started_at=timezone.now() - timedelta(hours=1));"
        "print(queued.id, crashed.id)"
    )
    result = run_stepdown("shell", "-c", script, data_dir=data_dir)
    ids = result.stdout.splitlines()[-1].split()
    assert len(ids) == 2, result.stderr
    result = run_stepdown("worker", "--batch", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "Queued again 1 task(s) left running by a stopped worker." in result.stdout
    check = (
        "from django_tasks_db.models import DBTaskResult;"
        f"print(*DBTaskResult.objects.filter(pk__in={ids!r}).values_list('status', flat=True))"
    )
    result = run_stepdown("shell", "-c", check, data_dir=data_dir)
    assert result.stdout.splitlines()[-1].split() == ["SUCCESSFUL", "SUCCESSFUL"], result.stderr


def test_worker_stops_when_interrupted_like_ctrl_c(tmp_path):
    data_dir = tmp_path / "data"
    assert run_stepdown("migrate", "-v0", data_dir=data_dir).returncode == 0
    env = {**os.environ, "STEPDOWN_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    worker = subprocess.Popen(  # noqa: S603
        [STEPDOWN, "worker", "--interval", "0.2", "--no-startup-delay"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert "worker is running" in worker.stdout.readline()
        # Logged once the worker's own Ctrl+C handling is in place.
        assert "Starting worker" in worker.stdout.readline()
        worker.send_signal(signal.SIGINT)
        assert worker.wait(timeout=20) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
