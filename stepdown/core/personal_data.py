"""Where each app says what personal data it holds about a member, to export and to erase it.

The accounts app owns the member and their deletion, but sits below every app that stores
things about members (forum, later journals and conversations), so it may not import them. Each
of those apps registers a provider here from its ``AppConfig.ready()``; the account pages then
export and erase through the registry without knowing the apps:

    register(PersonalDataProvider(name="forum", export=export_forum_data, erase=erase_forum_data))

A provider's ``export(user)`` returns a JSON-able dict (str, int, bool, None, lists, dicts; dates
as ISO 8601 strings) that becomes the section ``name`` of the member's download.
``erase(user, *, keep_posts)`` removes or anonymises everything the app holds about ``user`` and
runs inside the deletion's transaction, before the user row is deleted; ``keep_posts`` is the
member's choice to leave what they wrote publicly in place, shown as by "former member".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


class EraseFunction(Protocol):
    def __call__(self, user: Any, *, keep_posts: bool) -> None: ...


@dataclass(frozen=True)
class PersonalDataProvider:
    name: str
    export: Callable[[Any], dict[str, Any]]
    erase: EraseFunction


# Top-level keys of the download that the accounts app writes itself.
RESERVED_NAMES = frozenset({"format", "exported_at", "site", "account"})

_providers: dict[str, PersonalDataProvider] = {}


def register(provider: PersonalDataProvider) -> None:
    """Add ``provider``; registering the same provider again changes nothing."""
    if provider.name in RESERVED_NAMES:
        raise ValueError(f"{provider.name!r} is reserved for the account section of the export")
    existing = _providers.get(provider.name)
    if existing is not None and existing != provider:
        raise ValueError(f"a personal data provider named {provider.name!r} is already registered")
    _providers[provider.name] = provider


def providers() -> list[PersonalDataProvider]:
    """Every registered provider, in registration order (the order of INSTALLED_APPS)."""
    return list(_providers.values())


def export_personal_data(user) -> dict[str, dict[str, Any]]:
    """Every provider's export for ``user``, keyed by provider name."""
    return {provider.name: provider.export(user) for provider in providers()}


def erase_personal_data(user, *, keep_posts: bool) -> None:
    """Ask every provider to erase what it holds about ``user``, in the caller's transaction."""
    for provider in providers():
        provider.erase(user, keep_posts=keep_posts)
