from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "stepdown.accounts"
    label = "accounts"
    verbose_name = "Accounts"
