from django.apps import AppConfig


class RegistreConfig(AppConfig):
    name = "observatoire.registre"
    verbose_name = "Registre des systèmes d'IA"

    def ready(self) -> None:
        from observatoire.core.cache import follow

        follow("registre", self.get_models())  # its public pages are renewed on any change
