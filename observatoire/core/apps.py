from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "observatoire.core"
    verbose_name = "Socle"

    def ready(self) -> None:
        from observatoire.core import audit

        audit.connect_signals()
