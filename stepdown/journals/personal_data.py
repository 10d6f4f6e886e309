"""The journals' part of a member's data export and account deletion.

Registered with ``stepdown.core.personal_data`` in ``JournalsConfig.ready()``. A journal is
health data: account deletion erases it completely, whatever the member chose for their posts.
"""

from __future__ import annotations

from typing import Any

from stepdown.core.personal_data import PersonalDataProvider

from .actions import delete_journal
from .exports import journal_export


def export_journal_data(user) -> dict[str, Any]:
    """The member's journal, consent log and settings, as in the journal's own JSON export."""
    return journal_export(user)


def erase_journal_data(user, *, keep_posts: bool) -> None:
    """Delete the member's journal and consent records (``keep_posts`` concerns the forum)."""
    delete_journal(user)


provider = PersonalDataProvider(
    name="journals", export=export_journal_data, erase=erase_journal_data
)
