from django.apps import AppConfig


class TerritoiresConfig(AppConfig):
    name = "observatoire.territoires"
    verbose_name = "Territoires"

    def ready(self) -> None:
        from observatoire.core.cache import follow

        follow("territoires", self.get_models())  # its public pages are renewed on any change
