"""``stepdown worker``: run the queued background tasks (django-tasks-db's worker).

It reads the same settings as the server (data directory, DATABASE_URL), so it sees the queue the
server writes to. Ctrl+C (or SIGTERM) lets the task in hand finish, then stops. ``--batch`` runs
what is queued and exits, for cron-style use and tests. Every option of ``db_worker`` applies.
"""

from __future__ import annotations

from django_tasks_db.management.commands import db_worker

from stepdown.core.task_queue import requeue_abandoned_tasks


class Command(db_worker.Command):
    help = (
        "Run Stepdown's background tasks (article cards, email) as they are queued; "
        "--batch runs what is queued, then exits."
    )

    def handle(self, *args, **options):
        requeued = requeue_abandoned_tasks()
        if requeued and options["verbosity"]:
            self.stdout.write(f"Queued again {requeued} task(s) left running by a stopped worker.")
        if options["verbosity"] and not options["batch"]:
            self.stdout.write("Stepdown's worker is running queued tasks (Ctrl+C stops it).")
        return super().handle(*args, **options)
