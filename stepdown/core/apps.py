from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "stepdown.core"
    label = "core"

    def ready(self) -> None:
        from django.core.signals import setting_changed
        from django.db import connections
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from . import page_cache

        # The guest page cache watches every write (core/page_cache.py); signals here only
        # invalidate cached pages.
        connection_created.connect(page_cache.install, dispatch_uid="page_cache_install")
        for connection in connections.all(initialized_only=True):
            page_cache.install(connection)
        post_migrate.connect(page_cache.bump_on_signal, dispatch_uid="page_cache_migrate")
        setting_changed.connect(page_cache.bump_on_signal, dispatch_uid="page_cache_settings")
