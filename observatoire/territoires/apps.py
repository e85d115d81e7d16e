from django.apps import AppConfig


class TerritoiresConfig(AppConfig):
    name = "observatoire.territoires"
    verbose_name = "Territoires"
