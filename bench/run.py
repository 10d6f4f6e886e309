"""Load tests of `stepdown serve` with wrk, beside a bare Django view served the same way.

    .venv/bin/python bench/run.py --data-dir /tmp/sd-bench [--workers 2] [--duration 30]
                                  [--write-duration 60] [--record "label"]

The data directory must hold a forum made by `stepdown bench-data` (see bench/README.md).
It starts `stepdown serve` and gunicorn with bench/bare_settings.py on 127.0.0.1 (same worker
count and gunicorn options), waits until both answer, runs wrk against each page in turn,
checks the posts the write test made, reads each worker's memory, prints a table, and with
--record appends it to bench/RESULTS.md with the machine, the versions and the load.
Never part of `make test`: benchmarks are measured, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shlex
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent
# As `stepdown serve` runs gunicorn (stepdown/cli.py), for the bare view too.
GUNICORN_OPTIONS = [
    "--timeout", "30",
    "--graceful-timeout", "10",
    "--max-requests", "0",
    "--max-requests-jitter", "0",
    "--access-logfile", "/dev/null",
]  # fmt: skip
SEARCH_WORDS = ["taper", "sleep", "garden", "prescriber", "liquid", "walking", "tinnitus", "hold"]
UNLIMITED = "1000000000/m/user,1000000000/m/ip"


@dataclass
class Result:
    name: str
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    requests: int
    load: str
    notes: list[str] = field(default_factory=list)


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def ensure_wrk() -> str:
    """wrk, installed from Debian's package when missing and we are root (as `make test`
    installs chromium)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("Installing Debian's wrk")
        subprocess.run(["apt-get", "update", "-qq"], check=True)  # noqa: S607
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],  # noqa: S607
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is missing: install Debian's wrk package (apt-get install wrk).")
    return found


def setup_django(data_dir: Path) -> None:
    os.environ["STEPDOWN_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def describe_forum(writers: int) -> dict:
    """The pages to load, and sessions of bench members (one reader, ``writers`` writers)."""
    from django.conf import settings
    from django.db import connection
    from django.db.models import Max

    from stepdown.forum.bench_data import sign_in
    from stepdown.forum.models import Topic

    per_page = settings.STEPDOWN_POSTS_PER_PAGE
    longest = Topic.objects.order_by("-last_position").first()
    if longest is None:
        sys.exit("This data directory has no forum: run `stepdown bench-data` first.")
    ordinary = (
        Topic.objects.filter(last_position__gte=per_page + 1, last_position__lt=200)
        .exclude(pk=longest.pk)
        .order_by("pk")
    )
    topic = ordinary.first() or longest
    writing = list(ordinary.values_list("pk", flat=True)[1 : writers + 1]) or [topic.pk]
    pages = (longest.last_position - 1) // per_page + 1
    keys = sign_in(writers + 1)
    if len(keys) < writers + 1:
        sys.exit("Not enough bench members to sign in.")
    described = {
        "topic": topic.get_absolute_url(),
        "topic_posts": topic.last_position,
        "long_topic": longest.get_absolute_url(),
        "long_posts": longest.last_position,
        "deep_page": min(500, pages),
        "reader": keys[0],
        "writers": [
            # Half the members write in one shared topic (positions handed out under
            # contention), the others each in a topic of their own.
            f"{key}:{writing[0] if number % 2 == 0 else writing[(number // 2) % len(writing)]}"
            for number, key in enumerate(keys[1:])
        ],
        "max_post": Topic.objects.aggregate(top=Max("last_post_id"))["top"] or 0,
    }
    connection.close()
    return described


def start_server(command: list[str], *, env: dict, log_path: Path) -> subprocess.Popen:
    handle = log_path.open("w")
    return subprocess.Popen(  # noqa: S603 - our own commands
        command,
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"The server for {url} stopped (exit {process.returncode}); see its log.")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - localhost
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"{url} did not answer within {timeout:.0f} s")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def worker_memory_mb(master_pid: int) -> list[float]:
    """Resident memory (MB) of each gunicorn worker: the children of the master process."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid):
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(sizes)


def run_wrk(
    wrk: str,
    name: str,
    url: str,
    *,
    duration: int,
    connections: int,
    threads: int,
    script: str = "",
    args: list[str] | None = None,
) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        if script:
            handle.write((BENCH / "wrk" / script).read_text())
        handle.write((BENCH / "wrk" / "report.lua").read_text())
        lua = handle.name
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        lua,
        url,
    ]
    if args:
        command += ["--", *args]
    load = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    log(f"{name}: wrk -t{threads} -c{connections} -d{duration}s {url}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    os.unlink(lua)
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    data = json.loads(line.removeprefix("BENCH "))
    seconds = data["duration_us"] / 1e6
    result = Result(
        name=name,
        requests_per_second=data["requests"] / seconds,
        p50_ms=data["p50"] / 1000,
        p95_ms=data["p95"] / 1000,
        p99_ms=data["p99"] / 1000,
        errors=data["status_errors"] + data["socket_errors"] + data["timeouts"],
        requests=data["requests"],
        load=load,
    )
    result.ok = data["ok"]  # type: ignore[attr-defined]
    log(
        f"  {result.requests_per_second:.0f} requests/s, p50 {result.p50_ms:.1f} ms, "
        f"p99 {result.p99_ms:.1f} ms, errors {result.errors}"
    )
    return result


def check_writes(run_id: str, max_post_before: int) -> dict:
    """What the write test left: its posts, once each, at consecutive positions."""
    from django.db import connection
    from django.db.models import Count

    from stepdown.forum.models import Post, Topic

    written = Post.objects.filter(pk__gt=max_post_before, body_markdown__startswith="Bench write")
    written = written.filter(body_markdown__contains=run_id)
    # One query for both, so replies still arriving cannot fall between two counts.
    totals = written.order_by().aggregate(
        posts=Count("pk"), texts=Count("body_markdown", distinct=True)
    )
    count, distinct = totals["posts"], totals["texts"]
    topics = set(written.values_list("topic_id", flat=True).distinct())
    gaps = []
    for topic in Topic.objects.filter(pk__in=topics).annotate(rows=Count("posts")):
        if topic.rows != topic.last_position or topic.reply_count != topic.rows - 1:
            gaps.append(topic.pk)
    connection.close()
    return {"posts": count, "duplicates": count - distinct, "inconsistent_topics": gaps}


def machine() -> dict:
    import django

    memory = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    import sqlite3

    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True)  # noqa: S607
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "ram_gb": round(int(memory) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "wrk": (wrk_version.stdout or wrk_version.stderr).split("[")[0].strip(),
    }


def table(results: list[Result]) -> str:
    lines = [
        "| test | requests/s | p50 ms | p95 ms | p99 ms | errors | load before | notes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.requests_per_second:,.0f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | "
            f"{r.p99_ms:.1f} | {r.errors} | {r.load} | {'; '.join(r.notes)} |"
        )
    return "\n".join(lines)


TESTS = ("guest", "signed-in", "deep", "search", "write")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8110)
    parser.add_argument("--bare-port", type=int, default=8111)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--write-duration", type=int, default=60)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--skip-write", action="store_true")
    parser.add_argument(
        "--only",
        metavar="TESTS",
        default=",".join(TESTS),
        help=f"a comma-separated choice of {', '.join(TESTS)} (the bare view always runs)",
    )
    parser.add_argument("--record", metavar="LABEL", help="append the results to RESULTS.md")
    options = parser.parse_args()
    chosen = {name.strip() for name in options.only.split(",") if name.strip()}
    if not chosen <= set(TESTS):
        parser.error(f"--only takes {', '.join(TESTS)}")
    if options.skip_write:
        chosen.discard("write")
    data_dir = options.data_dir.resolve()
    wrk = ensure_wrk()
    setup_django(data_dir)
    forum = describe_forum(options.writers)

    logs = Path(tempfile.mkdtemp(prefix="stepdown-bench-"))
    env = {
        **os.environ,
        "STEPDOWN_DATA_DIR": str(data_dir),
        "STEPDOWN_WORKERS": str(options.workers),
        "STEPDOWN_ACCESS_LOG": "/dev/null",
        # Load tests are one address and a few members: lift the limits meant for people.
        "STEPDOWN_RL_REPLY": UNLIMITED,
        "STEPDOWN_RL_SEARCH": UNLIMITED,
        "STEPDOWN_RL_COMPOSER": UNLIMITED,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    stepdown = start_server(
        [
            str(VENV_BIN / "stepdown"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(options.port),
            "--workers",
            str(options.workers),
        ],
        env=env,
        log_path=logs / "stepdown.log",
    )
    bare = start_server(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.bare_wsgi:application",
            "--bind",
            f"127.0.0.1:{options.bare_port}",
            "--workers",
            str(options.workers),
            *GUNICORN_OPTIONS,
        ],
        env=env,
        log_path=logs / "bare.log",
    )
    site = f"http://127.0.0.1:{options.port}"
    results: list[Result] = []
    checks: dict = {}
    try:
        wait_until_up(f"http://127.0.0.1:{options.bare_port}/", bare)
        wait_until_up(f"{site}/", stepdown)
        common = {
            "duration": options.duration,
            "connections": options.connections,
            "threads": options.threads,
        }
        # A short warm-up: templates compiled, caches filled, pages read from disk once.
        for url in (forum["topic"], forum["long_topic"], "/search/?q=taper"):
            run_wrk(wrk, "warm-up", site + url, duration=3, connections=4, threads=1)
        bare_result = run_wrk(
            wrk, "bare Django view", f"http://127.0.0.1:{options.bare_port}/", **common
        )
        results.append(bare_result)
        reader = [forum["reader"]]
        if "guest" in chosen:
            guest = run_wrk(
                wrk,
                f"guest topic page ({min(20, forum['topic_posts'])} posts)",
                site + forum["topic"],
                **common,
            )
            guest.notes.append(
                f"{guest.requests_per_second / bare_result.requests_per_second:.0%} of bare"
            )
            results.append(guest)
            uncached = run_wrk(
                wrk,
                "guest topic page, page cache bypassed",
                site + forum["topic"] + "?page=1&nocache=1",
                **common,
            )
            results.append(uncached)
        if "signed-in" in chosen:
            results.append(
                run_wrk(
                    wrk,
                    "signed-in topic page",
                    site + forum["topic"],
                    script="signed_in.lua",
                    args=reader,
                    **common,
                )
            )
            # The same page rendered for the member each time (their kept pages bypassed by an
            # extra query parameter): what a page nobody has asked for yet costs.
            results.append(
                run_wrk(
                    wrk,
                    "signed-in topic page, member's page cache bypassed",
                    site + forum["topic"] + "?page=1&nocache=1",
                    script="signed_in.lua",
                    args=reader,
                    **common,
                )
            )
        if "deep" in chosen:
            # Page 1 against a deep page: one request at a time, so the latency is the time the
            # page takes, not time spent queueing behind 31 others; both rendered every time (an
            # extra parameter bypasses the member's kept pages), so the pages are compared.
            one_at_a_time = {"duration": options.duration, "connections": 1, "threads": 1}
            first = run_wrk(
                wrk,
                f"signed-in long topic ({forum['long_posts']:,} posts), page 1, one at a time",
                site + forum["long_topic"] + "?page=1&nocache=1",
                script="signed_in.lua",
                args=reader,
                **one_at_a_time,
            )
            results.append(first)
            deep = run_wrk(
                wrk,
                f"signed-in long topic, page {forum['deep_page']}, one at a time",
                f"{site}{forum['long_topic']}?page={forum['deep_page']}&nocache=1",
                script="signed_in.lua",
                args=reader,
                **one_at_a_time,
            )
            deep.notes.append(f"p50 {deep.p50_ms / first.p50_ms:.2f}x page 1")
            results.append(deep)
        if "search" in chosen:
            search = run_wrk(
                wrk,
                "search (guest, 8 words in turn)",
                site + "/",
                script="search.lua",
                args=SEARCH_WORDS,
                **common,
            )
            results.append(search)
            # Every search computed: an extra parameter keeps each out of the kept pages.
            computed = run_wrk(
                wrk,
                "search, page cache bypassed (every search computed)",
                site + "/",
                script="search.lua",
                args=["fresh", *SEARCH_WORDS],
                **common,
            )
            results.append(computed)
            # What one member waits for a search, with nobody else searching (computed).
            alone = run_wrk(
                wrk,
                "search computed, one at a time",
                site + "/",
                script="search.lua",
                args=["fresh", *SEARCH_WORDS],
                duration=options.duration,
                connections=1,
                threads=1,
            )
            results.append(alone)
        if "write" in chosen:
            run_id = secrets.token_hex(8)
            csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
            writes = run_wrk(
                wrk,
                f"{options.writers} members posting replies",
                site + "/",
                duration=options.write_duration,
                connections=options.writers,
                threads=options.writers,
                script="write.lua",
                args=[run_id, csrf, *forum["writers"]],
            )
            time.sleep(3)  # requests wrk left in flight finish before anything is counted
            checks = check_writes(run_id, forum["max_post"])
            locked = (logs / "stepdown.log").read_text(errors="replace").count("database is locked")
            answered = writes.ok  # type: ignore[attr-defined]
            writes.notes.append(
                f"{checks['posts']} replies stored, {answered} answered with a redirect "
                f"(a stored reply without one was in flight when wrk stopped; fewer stored "
                f"would be lost replies), {checks['duplicates']} stored twice, "
                f"{len(checks['inconsistent_topics'])} topics with gaps, {locked} 'database is "
                f"locked', {writes.requests - answered} errors"
            )
            results.append(writes)
        memory = worker_memory_mb(stepdown.pid)
        bare_memory = worker_memory_mb(bare.pid)
    finally:
        stop_server(stepdown)
        stop_server(bare)

    report = table(results)
    memory_line = (
        "Resident memory after the run: stepdown workers "
        + ", ".join(f"{m:.0f} MB" for m in memory)
        + "; bare workers "
        + ", ".join(f"{m:.0f} MB" for m in bare_memory)
        + "."
    )
    print()
    print(report)
    print()
    print(memory_line)
    print(f"Server logs: {logs}")
    if options.record:
        info = machine()
        command = "python bench/run.py " + shlex.join(sys.argv[1:])
        section = "\n".join(
            [
                f"## {options.record}",
                "",
                f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
                f"- Machine: {info['cores']} cores ({info['cpu']}), {info['ram_gb']} GB RAM; "
                f"Python {info['python']}, Django {info['django']}, SQLite {info['sqlite']}, "
                f"{info['wrk']}; wrk on the same machine",
                f"- Forum: {forum['long_posts']:,}-post long topic; guest and signed-in topic "
                f"page {forum['topic']} ({forum['topic_posts']} posts)",
                f"- Command: `{command}` ({options.workers} gunicorn workers each, "
                f"wrk -t{options.threads} -c{options.connections} -d{options.duration}s)",
                "",
                report,
                "",
                memory_line,
                "",
            ]
        )
        with (BENCH / "RESULTS.md").open("a") as handle:
            handle.write("\n" + section)
        log("Recorded in bench/RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
