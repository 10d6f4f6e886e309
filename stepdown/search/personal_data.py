"""The search index's part of a member's export and account deletion.

The index holds copies of a member's post text. When they leave and their posts go, so do the
copies; when their posts stay (as by "former member"), the entries stay without their name.
"""

from __future__ import annotations

from stepdown.core.personal_data import PersonalDataProvider

from .models import SearchEntry


def export_search_data(user) -> dict:
    """The index holds nothing beyond the posts the forum's section lists: say how many."""
    return {"indexed_posts": SearchEntry.objects.filter(author=user).count()}


def erase_search_data(user, *, keep_posts: bool) -> None:
    """Remove ``user``'s entries with their posts, or keep them unsigned with kept posts."""
    entries = SearchEntry.objects.filter(author=user)
    if keep_posts:
        entries.update(author=None)
    else:
        entries.delete()


provider = PersonalDataProvider(name="search", export=export_search_data, erase=erase_search_data)
