from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "stepdown.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from stepdown.core.personal_data import register

        from .personal_data import provider

        register(provider)
