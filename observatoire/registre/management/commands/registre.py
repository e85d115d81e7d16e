"""The register from the command line.

  observatoire registre export --format nl|eurocities|atrs|csv|json [--authority SIREN] [--output FILE]
  observatoire registre remind [--date AAAA-MM-JJ]

`export` writes the published entries in one format (validated against its standard);
`remind` e-mails the référents of each published entry whose review date has passed.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from observatoire.registre import services
from observatoire.registre.exports import EXPORTERS, ExportError
from observatoire.registre.models import Entry
from observatoire.registre.queries import for_export


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="exporter les fiches publiées")
        export.add_argument("--format", required=True, choices=list(EXPORTERS))
        export.add_argument("--authority", help="SIREN de la collectivité")
        export.add_argument("--output", help="fichier de sortie (sortie standard par défaut)")
        remind = sub.add_parser("remind", help="rappeler les réexamens échus")
        remind.add_argument("--date", help="date de référence (AAAA-MM-JJ), aujourd'hui par défaut")

    def handle(self, *args, **options):
        if options["action"] == "export":
            return self.export(options)
        return self.remind(options)

    def export(self, options):
        entries = for_export(Entry.objects.published())
        if options["authority"]:
            entries = entries.filter(authority__siren=options["authority"])
        entries = list(entries)
        try:
            content = EXPORTERS[options["format"]].write(entries)
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as out:
                out.write(content)
        else:
            self.stdout.write(content, ending="")
        self.stderr.write(f"{len(entries)} fiches exportées au format {options['format']}.")

    def remind(self, options):
        try:
            day = datetime.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as exc:
            raise CommandError("--date : format attendu AAAA-MM-JJ") from exc
        sent = services.send_review_reminders(day)
        self.stdout.write(f"{sent} rappels de réexamen envoyés.")
