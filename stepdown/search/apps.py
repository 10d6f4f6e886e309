from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "stepdown.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        # The index follows the forum's saves and deletions (signals.py explains why signals),
        # and a member's account deletion erases their entries with their posts.
        from stepdown.core.personal_data import register

        from . import signals
        from .personal_data import provider

        signals.connect()
        register(provider)
