from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "observatoire.core"
    verbose_name = "Socle"

    def ready(self) -> None:
        from observatoire.core import audit, search

        audit.connect_signals()
        post_migrate.connect(search.forget_layout, dispatch_uid="search.forget_layout")
