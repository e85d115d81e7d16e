"""The use-case catalogue's commands.

observatoire cas_usage import-pstw [--from FILE]   import or refresh the PSTW catalogue
observatoire cas_usage reindex                     rebuild the full-text search index
observatoire cas_usage load-thesaurus [--from FILE] add the shipped thesaurus groups
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from observatoire.cas_usage import pstw, services
from observatoire.cas_usage.models import UseCase
from observatoire.core import db


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import-pstw", help="Importe le catalogue Public Sector Tech Watch.")
        load.add_argument("--from", dest="path", type=Path, help="Fichier CSV du catalogue.")
        sub.add_parser("reindex", help="Reconstruit l'index de recherche plein texte.")
        thesaurus = sub.add_parser(
            "load-thesaurus", help="Charge le thésaurus fourni (sans toucher aux groupes modifiés)."
        )
        thesaurus.add_argument("--from", dest="path", type=Path, help="Fichier YAML du thésaurus.")

    def handle(self, *args, action, **options):
        quiet = options["verbosity"] == 0
        if action == "load-thesaurus":
            try:
                created, updated = services.load_thesaurus(
                    options["path"] or services.THESAURUS_FILE
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            self.stdout.write(f"Thésaurus : {created} groupes ajoutés, {updated} mis à jour.")
            return
        if action == "reindex":
            with tqdm(total=UseCase.objects.count(), unit=" cas", disable=quiet) as bar:
                count = services.reindex_all(progress=bar.update)
            self.stdout.write(f"{count} cas d'usage indexés.")
            return
        path = options["path"] or pstw.shared_file()
        if path is None or not path.is_file():
            raise CommandError(
                "Fichier PSTW introuvable : indiquez-le avec --from ou placez-le dans "
                "../shared/data/pstw/."
            )
        with tqdm(total=pstw.count_rows(path), unit=" lignes", disable=quiet) as bar:
            summary = services.import_pstw(path, progress=bar.update)
        db.analyze()
        for error in summary.errors:
            self.stderr.write(str(error))
        for warning in summary.warnings:
            self.stderr.write(f"Avertissement — {warning}")
        self.stdout.write(str(summary))
