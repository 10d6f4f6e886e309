from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "stepdown.conversations"
    label = "conversations"
    verbose_name = "Conversations"

    def ready(self) -> None:
        # Conversations' part of a member's export and account deletion.
        from stepdown.core.personal_data import register

        from .personal_data import provider

        register(provider)
