"""Questionnaires from the command line.

  observatoire questionnaires load YEAR [--population authorities|citizens]
  observatoire questionnaires import-xlsform FILE --code CODE --year YEAR [--population …]
  observatoire questionnaires export CODE [--output FILE]
  observatoire questionnaires import-responses CODE FILE --tool limesurvey|kobo [--apply]

`load` creates the built-in questionnaire of an edition (idempotent); `import-responses`
is a dry run unless `--apply` is given (all or nothing).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from observatoire.core import db, uploads
from observatoire.questionnaires import services
from observatoire.questionnaires.choices import Population
from observatoire.questionnaires.models import Questionnaire
from observatoire.questionnaires.services import importers


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="charger le questionnaire intégré d'une édition")
        load.add_argument("year", type=int)
        load.add_argument("--population", default="authorities", choices=Population.values)
        xls = sub.add_parser("import-xlsform", help="créer un questionnaire depuis un XLSForm")
        xls.add_argument("file")
        xls.add_argument("--code", required=True)
        xls.add_argument("--year", type=int, required=True)
        xls.add_argument("--population", default="authorities", choices=Population.values)
        export = sub.add_parser("export", help="exporter un questionnaire en XLSForm")
        export.add_argument("code")
        export.add_argument("--output")
        responses = sub.add_parser("import-responses", help="importer des réponses")
        responses.add_argument("code")
        responses.add_argument("file")
        responses.add_argument("--tool", required=True, choices=sorted(importers.SOURCES))
        responses.add_argument("--apply", action="store_true", help="écrire (sinon simulation)")
        responses.add_argument("--confirm-names", action="store_true")

    def handle(self, *args, **options):
        action = options["action"]
        try:
            if action == "load":
                q = services.load_builtin(options["year"], options["population"])
                self.stdout.write(f"{q.code} : {q.questions.count()} questions.")
            elif action == "import-xlsform":
                q = services.import_xlsform(
                    Path(options["file"]),
                    code=options["code"],
                    year=options["year"],
                    population=options["population"],
                )
                self.stdout.write(f"{q.code} : {q.questions.count()} questions.")
            elif action == "export":
                self.export(options)
            else:
                self.import_responses(options)
        except (services.XLSFormError, importers.ImportRejected, uploads.UploadRejected) as error:
            raise CommandError(str(error)) from error

    def export(self, options):
        questionnaire = Questionnaire.objects.filter(code=options["code"]).first()
        if questionnaire is None:
            raise CommandError(f"Questionnaire « {options['code']} » introuvable.")
        output = Path(options["output"] or f"{questionnaire.code}.xlsx")
        output.write_bytes(services.export_xlsform(questionnaire))
        self.stdout.write(f"{output} écrit.")

    def import_responses(self, options):
        questionnaire = Questionnaire.objects.filter(code=options["code"]).first()
        if questionnaire is None:
            raise CommandError(f"Questionnaire « {options['code']} » introuvable.")
        report = importers.import_responses(
            uploads.read_path(options["file"]),
            questionnaire,
            options["tool"],
            by=None,
            dry_run=not options["apply"],
            confirm_names=options["confirm_names"],
        )
        if report.applied:
            db.analyze()
        for line in report.notes + report.name_matches + report.rejected:
            self.stdout.write(line)
        state = "écrit" if report.applied else "rien n'a été écrit"
        self.stdout.write(
            f"{len(report.created)} créées, {len(report.updated)} mises à jour, "
            f"{len(report.unchanged)} inchangées, {len(report.rejected)} erreurs : {state}."
        )
        if report.rejected:
            raise CommandError("Fichier refusé.")
