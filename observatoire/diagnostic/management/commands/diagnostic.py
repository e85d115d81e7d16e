"""The diagnostic's data files and the peers' scores.

observatoire diagnostic check grille|obligations [FILE]     check a file (the current version by default)
observatoire diagnostic update grille|obligations FILE [--note …]   save it as a new version
observatoire diagnostic peers                               compute the peers' axis scores now
"""

import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from observatoire.diagnostic import peers, services
from observatoire.diagnostic.choices import RulesKind
from observatoire.diagnostic.scoring import MAX_BYTES


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check", "update", "peers"])
        parser.add_argument("kind", nargs="?", choices=RulesKind.values)
        parser.add_argument("file", nargs="?", help="fichier YAML")
        parser.add_argument("--note", default="", help="note de version")

    def handle(self, *args, action, kind, file, note, **options):
        start = time.perf_counter()
        try:
            summary = getattr(self, f"do_{action}")(kind, file, note)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"{summary} ({time.perf_counter() - start:.1f} s)"))

    def _text(self, kind, file) -> str:
        if kind is None:
            raise CommandError("Indiquez le fichier : grille ou obligations.")
        if file is None:
            return services.current_rules(kind).text
        path = Path(file)
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            raise CommandError(f"{file} : fichier absent ou trop long (200 000 octets au plus).")
        return path.read_text(encoding="utf-8-sig")

    def do_check(self, kind, file, note):
        services.check_rules(kind, self._text(kind, file))
        return f"{RulesKind(kind).label} : aucune erreur."

    def do_update(self, kind, file, note):
        if file is None:
            raise CommandError("Indiquez le fichier YAML à enregistrer.")
        version = services.update_rules(kind, self._text(kind, file), by=None, note=note)
        return f"{RulesKind(kind).label} : version {version.number} en vigueur."

    def do_peers(self, kind, file, note):
        edition = peers.latest_edition()
        if edition is None:
            raise CommandError("Aucune édition publiée du baromètre.")
        with tqdm(total=1, desc="Scores des pairs", file=self.stderr) as bar:
            rows = peers.peer_scores(edition, services.current_rules(RulesKind.GRID))
            bar.update()
        return f"{edition.code} v{edition.published_version} : {len(rows)} scores de pairs."
