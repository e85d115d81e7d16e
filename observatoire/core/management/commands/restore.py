"""observatoire restore FILE: replace the database and the media files by a backup's."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from observatoire.core import backup


class Command(BaseCommand):
    help = "Restaure une sauvegarde : remplace la base de données et les fichiers."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Archive écrite par observatoire backup.")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive",
            help="Ne demande pas de confirmation.",
        )  # fmt: skip

    def handle(self, *args, file, interactive, **options):
        if not file.is_file():
            raise CommandError(f"Archive introuvable : {file}.")
        if interactive:
            answer = input(
                "La base de données et les fichiers actuels seront remplacés. Continuer ? [oui/non] "
            )
            if answer.strip().lower() not in {"oui", "o"}:
                raise CommandError("Restauration annulée.")
        try:
            manifest = backup.restore(file)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Sauvegarde du {manifest['created_at'][:16].replace('T', ' à ')} restaurée "
            f"({len(manifest['files'])} éléments)."
        )
