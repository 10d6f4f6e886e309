"""The `stepdown` console script.

stepdown serve [--host 127.0.0.1] [--port 8000] [--workers N]
    migrate, collect static files, then serve with gunicorn (DEBUG off, WhiteNoise static)
stepdown worker [--batch]  run queued background tasks (article cards, email); Ctrl+C stops it
stepdown demo      create the demo community if the database has no categories yet
stepdown mail      show the newest email written to the data directory (no EMAIL_URL set)
stepdown backup [PATH]     archive the embedded SQLite database, secret key and media (live)
stepdown restore PATH      put such an archive back (server and worker stopped; --force)
stepdown bench-data        a large made-up forum for benchmarks (bench/README.md)
stepdown <django command> ...   any Django management command: migrate, createsuperuser, ...
"""

from __future__ import annotations

import argparse
import os
import sys


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _mark_data_dir_in_use() -> None:
    """Hold the data directory shared for this process's life (gunicorn inherits it through
    exec), so `stepdown restore` refuses to replace the database under a running forum."""
    from stepdown.core import locks

    try:
        locks.keep_data_dir_in_use()
    except locks.DataDirInUse:
        sys.exit("A restore is running on this data directory; start again when it is done.")


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="stepdown serve", description="Serve the forum.")
    parser.add_argument("--host", default=os.environ.get("STEPDOWN_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("STEPDOWN_PORT", "8000")))
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("STEPDOWN_WORKERS", str(os.cpu_count() or 2))),
        help="gunicorn worker processes (default: one per core)",
    )
    args = parser.parse_args(argv)

    # Hashed static file names, collected once here and served by WhiteNoise in every worker.
    os.environ["STEPDOWN_STATIC_MANIFEST"] = "1"
    os.environ.pop("STEPDOWN_DEBUG", None)
    _setup_django()
    from django.core.management import call_command

    from stepdown.core import locks, static_storage

    _mark_data_dir_in_use()
    # App processes starting at once (here or on other machines sharing Redis) take turns, so
    # a migration runs once and static files are not written by two processes together.
    with locks.lock("serve-setup", wait=900, ttl=60):
        call_command("migrate", interactive=False, verbosity=0)
        static_storage.collect_if_changed()  # once per release, not under a running server

    host = f"[{args.host}]" if ":" in args.host and not args.host.startswith("[") else args.host
    print(f"Stepdown is serving at http://{host}:{args.port}/ (Ctrl+C stops it)", flush=True)
    max_requests = max(0, int(os.environ.get("STEPDOWN_MAX_REQUESTS", "0") or 0))
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"{host}:{args.port}",
        "--workers",
        str(max(1, args.workers)),
        "--timeout",
        "30",
        "--graceful-timeout",
        "10",
        # Workers are not recycled by default: a restart recompiles templates and empties the
        # page cache, which showed as p99 spikes in bench/RESULTS.md. A site that wants it sets
        # STEPDOWN_MAX_REQUESTS (each worker restarts after about that many requests).
        "--max-requests",
        str(max_requests),
        "--max-requests-jitter",
        str(max_requests // 10),
        "--access-logfile",
        os.environ.get("STEPDOWN_ACCESS_LOG", "-"),
        # gunicorn's control socket lives at one path per user: two servers on one machine
        # would take each other's. Nothing of ours uses it.
        "--no-control-socket",
    ]
    os.execv(sys.executable, command)  # noqa: S606 - our own interpreter and fixed arguments
    return 0  # pragma: no cover - execv does not return


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "serve":
        return serve(argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    if argv and argv[0] == "worker":
        _mark_data_dir_in_use()
    if argv and argv[0] == "bench-data":
        argv[0] = "bench_data"

    if not argv:
        print(__doc__)
        argv = ["help"]
    execute_from_command_line(["stepdown", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
