from django.apps import AppConfig


class BarometreConfig(AppConfig):
    name = "observatoire.barometre"
    verbose_name = "Baromètre"

    def ready(self) -> None:
        from observatoire.core.cache import follow

        # Its public pages show the editions' published versions: not the runs or drafts.
        follow("barometre", [self.get_model("Edition"), self.get_model("PublishedVersion")])
