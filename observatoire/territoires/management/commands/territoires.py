"""Load or rebuild the universe of authorities (COG by Etalab).

observatoire territoires import --vintage 2024 [--from PATH]
observatoire territoires build --package-version 6.0.0 --from DIR
observatoire territoires counts --vintage 2024
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from observatoire.core import db
from observatoire.territoires import queries, services
from observatoire.territoires.choices import Stratum


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="Charge un millésime dans la base.")
        load.add_argument("--vintage", type=int, required=True)
        load.add_argument("--from", dest="path", type=Path, help="Fichier .csv.gz à charger.")
        build = sub.add_parser("build", help="Reconstruit le fichier livré depuis le paquet npm.")
        build.add_argument("--package-version", required=True)
        build.add_argument("--from", dest="path", type=Path, required=True)
        counts = sub.add_parser("counts", help="Effectifs par strate d'un millésime chargé.")
        counts.add_argument("--vintage", type=int, required=True)

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"handle_{action}")(**options)
        except services.UniverseError as exc:
            raise CommandError(str(exc)) from exc

    def handle_import(self, vintage, path, **options):
        total = len(services.read_vintage(path or services.vintage_file(vintage)))
        with tqdm(total=total, unit=" collectivités", disable=options["verbosity"] == 0) as bar:
            summary = services.import_vintage(vintage, path, progress=bar.update)
        db.analyze()
        self.stdout.write(
            f"Millésime {vintage} : {summary.created} créées, {summary.updated} mises à jour, "
            f"{summary.deactivated} désactivées."
        )

    def handle_build(self, package_version, path, **options):
        out, rows = services.build_vintage(package_version, path)
        self.stdout.write(f"{out} écrit : {rows} collectivités ({out.stat().st_size} octets).")

    def handle_counts(self, vintage, **options):
        counts = queries.stratum_counts(vintage)
        if not counts:
            raise CommandError(f"Le millésime {vintage} n'est pas chargé.")
        for stratum in Stratum:
            if stratum in counts:
                self.stdout.write(f"{stratum.label:45} {counts[stratum]:>7}")
        self.stdout.write(f"{'Total':45} {sum(counts.values()):>7}")
