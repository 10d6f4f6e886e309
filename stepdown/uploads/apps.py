from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "stepdown.uploads"
    label = "uploads"
    verbose_name = "Uploads"

    def ready(self) -> None:
        from stepdown.core.personal_data import register

        from .personal_data import PROVIDER

        register(PROVIDER)
