from django.apps import AppConfig


class JournalsConfig(AppConfig):
    name = "stepdown.journals"
    label = "journals"
    verbose_name = "Journals"

    def ready(self) -> None:
        # The journals' part of a member's export and account deletion (accounts cannot import
        # us), and the system check that reminds the admin to check the crisis numbers.
        from stepdown.core import crisis  # noqa: F401  (registers check_crisis_locale)
        from stepdown.core.personal_data import register

        from .personal_data import provider

        register(provider)
