from django.apps import AppConfig


class DiagnosticConfig(AppConfig):
    name = "observatoire.diagnostic"
    verbose_name = "Autodiagnostic"
