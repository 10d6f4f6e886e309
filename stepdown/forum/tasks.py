"""The forum's background tasks, run by ``stepdown worker`` (see ``core.task_queue``).

Each task takes ids, reads the current state and is repeatable: it may run twice (a worker that
crashed mid-task has it queued again), and a second run changes nothing.
"""

from __future__ import annotations

from django_tasks import task, task_backends

from . import post_articles


@task()
def fill_post_article_cards(post_id: int) -> int:
    """Fill the cards under a post from Crossref / PubMed; return how many it has.

    When a lookup failed and may be tried again, the task queues itself for that time (on
    backends that can run a task later; the database backend can).
    """
    result = post_articles.fill_article_cards(post_id)
    if result.retry_at is not None:
        backend = task_backends[fill_post_article_cards.backend]
        if backend.supports_defer:
            fill_post_article_cards.using(run_after=result.retry_at).enqueue(post_id)
    return result.cards
