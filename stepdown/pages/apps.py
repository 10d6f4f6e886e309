from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "stepdown.pages"
    label = "pages"
    verbose_name = "Pages and crisis resources"

    def ready(self) -> None:
        # core.crisis reads the admin-edited resources through this provider (every app, the
        # journals included, without importing this app); a saved or deleted row clears the
        # cached copy.
        from django.db.models.signals import post_delete, post_save

        from stepdown.core import crisis

        from . import crisis_data
        from .models import CrisisLocale, CrisisResource

        crisis.register_provider(crisis_data.edited_locales)
        for model in (CrisisLocale, CrisisResource):
            post_save.connect(crisis_data.forget, sender=model, dispatch_uid=f"crisis-{model}")
            post_delete.connect(crisis_data.forget, sender=model, dispatch_uid=f"crisis-d-{model}")
