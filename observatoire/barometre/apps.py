from django.apps import AppConfig


class BarometreConfig(AppConfig):
    name = "observatoire.barometre"
    verbose_name = "Baromètre"
