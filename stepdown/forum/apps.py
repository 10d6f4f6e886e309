from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "stepdown.forum"
    label = "forum"
    verbose_name = "Forum"
