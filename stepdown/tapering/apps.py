from django.apps import AppConfig


class TaperingConfig(AppConfig):
    name = "stepdown.tapering"
    label = "tapering"
    verbose_name = "Taper tools"

    def ready(self) -> None:
        # Load and validate the drug catalogue at start: a malformed entry stops the server
        # with a message naming the drug and field, instead of failing on a member's request.
        from .catalogue import load_catalogue

        load_catalogue()

        # Saved plans in a member's export and account deletion (accounts cannot import us).
        from stepdown.core.personal_data import register

        from .personal_data import provider

        register(provider)
