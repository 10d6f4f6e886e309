"""Running the background task queue inside a test."""

from django_tasks_db.management.commands import db_worker


def run_queued_tasks() -> None:
    """Run the database worker in this process until nothing is ready (as --batch does)."""
    db_worker.Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()
