from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "stepdown.pages"
    label = "pages"
