from datetime import datetime

from django.apps import AppConfig, apps


def embargo_ends() -> list[datetime]:
    editions = apps.get_model("barometre", "Edition").objects.filter(embargo_until__isnull=False)
    return list(editions.values_list("embargo_until", flat=True))


class BarometreConfig(AppConfig):
    name = "observatoire.barometre"
    verbose_name = "Baromètre"

    def ready(self) -> None:
        from observatoire.core.cache import follow

        # Its public pages show the editions' published versions (not the runs or drafts)
        # once their embargo has passed.
        edition = self.get_model("Edition")
        follow("barometre", [edition, self.get_model("PublishedVersion")], embargo_ends)
