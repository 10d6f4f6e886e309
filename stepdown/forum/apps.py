from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "stepdown.forum"
    label = "forum"
    verbose_name = "Forum"

    def ready(self) -> None:
        # The forum's part of a member's export and account deletion (accounts cannot import us).
        from stepdown.core.personal_data import register

        from .personal_data import provider

        register(provider)
