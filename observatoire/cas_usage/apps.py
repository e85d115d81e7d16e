from django.apps import AppConfig


class CasUsageConfig(AppConfig):
    name = "observatoire.cas_usage"
    verbose_name = "Cas d'usage"
