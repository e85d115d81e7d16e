"""observatoire backup FILE: the database and the media files in one checked archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from observatoire.core import backup


class Command(BaseCommand):
    help = "Sauvegarde la base de données et les fichiers (téléversés et produits) dans FILE."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Archive à écrire (.tar.gz).")

    def handle(self, *args, file, **options):
        with tqdm(unit=" fichiers", disable=options["verbosity"] == 0) as bar:
            try:
                manifest = backup.backup(file, progress=bar.update)
            except backup.BackupError as exc:
                raise CommandError(str(exc)) from exc
        size = sum(f["size"] for f in manifest["files"].values())
        self.stdout.write(
            f"Sauvegarde écrite : {file} ({len(manifest['files'])} éléments, "
            f"{size / 1e6:.1f} Mo avant compression)."
        )
