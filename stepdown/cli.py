"""The `stepdown` console script.

stepdown serve [--host 127.0.0.1] [--port 8000] [--workers N]
    migrate, collect static files, then serve with gunicorn (DEBUG off, WhiteNoise static)
stepdown demo      create the demo community if the database has no categories yet
stepdown mail      show the newest email written to the data directory (no EMAIL_URL set)
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

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)

    host = f"[{args.host}]" if ":" in args.host and not args.host.startswith("[") else args.host
    print(f"Stepdown is serving at http://{host}:{args.port}/ (Ctrl+C stops it)", flush=True)
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
        "--max-requests",
        "10000",
        "--max-requests-jitter",
        "1000",
        "--access-logfile",
        os.environ.get("STEPDOWN_ACCESS_LOG", "-"),
    ]
    os.execv(sys.executable, command)  # noqa: S606 - our own interpreter and fixed arguments
    return 0  # pragma: no cover - execv does not return


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "serve":
        return serve(argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    if not argv:
        print(__doc__)
        argv = ["help"]
    execute_from_command_line(["stepdown", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
