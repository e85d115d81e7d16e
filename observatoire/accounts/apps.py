from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "observatoire.accounts"
    verbose_name = "Comptes"
