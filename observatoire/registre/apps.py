from django.apps import AppConfig


class RegistreConfig(AppConfig):
    name = "observatoire.registre"
    verbose_name = "Registre des systèmes d'IA"
