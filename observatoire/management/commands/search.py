"""observatoire search reindex: rebuild every full-text index (catalogue and register)."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from observatoire.cas_usage import services as cas_usage
from observatoire.cas_usage.models import UseCase
from observatoire.registre import services as registre
from observatoire.registre.models import Entry

# Each index: its name on screen, how many objects, how to rebuild it.
INDEXES = [
    ("Catalogue des cas d'usage", UseCase.objects.count, cas_usage.reindex_all),
    ("Registre des IA", Entry.objects.count, registre.reindex_all),
]


class Command(BaseCommand):
    help = "Recherche plein texte : reconstruit tous les index (catalogue et registre)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("reindex", help="Reconstruit tous les index de recherche.")

    def handle(self, *args, action, **options):
        for name, count, rebuild in INDEXES:
            with tqdm(total=count(), desc=name, disable=options["verbosity"] == 0) as bar:
                done = rebuild(progress=bar.update)
            self.stdout.write(
                f"{name} : {done} fiche{'s' if done > 1 else ''} indexée{'s' if done > 1 else ''}."
            )
