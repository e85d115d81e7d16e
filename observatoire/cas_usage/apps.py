from django.apps import AppConfig


class CasUsageConfig(AppConfig):
    name = "observatoire.cas_usage"
    verbose_name = "Cas d'usage"

    def ready(self) -> None:
        from observatoire.core.cache import follow

        follow("cas_usage", self.get_models())  # its public pages are renewed on any change
