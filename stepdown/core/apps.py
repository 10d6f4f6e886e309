from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "stepdown.core"
    label = "core"
