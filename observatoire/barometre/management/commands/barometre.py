"""The barometer's chain for one edition: weight, compute, publish (with the PDF), export.

observatoire barometre weight EDITION
observatoire barometre compute EDITION
observatoire barometre publish EDITION [--note "correction: …"]
observatoire barometre export EDITION [--out DIR]
"""

import time
from contextlib import contextmanager
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from observatoire.barometre import estimation, opendata, services
from observatoire.barometre.models import Edition
from observatoire.barometre.services import reports


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["weight", "compute", "publish", "export"])
        parser.add_argument("edition", help="code de l'édition, par ex. barometre-2024")
        parser.add_argument("--note", default="", help="note de version (correction)")
        parser.add_argument("--out", default=".", help="dossier des fichiers exportés")

    def handle(self, *args, action, edition, note, out, **options):
        try:
            item = Edition.objects.get(code=edition)
        except Edition.DoesNotExist as exc:
            raise CommandError(f"Édition inconnue : {edition}") from exc
        start = time.perf_counter()
        try:
            summary = getattr(self, f"do_{action}")(item, note=note, out=Path(out))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"{summary} ({time.perf_counter() - start:.1f} s)"))

    @contextmanager
    def _stages(self, desc, stages):
        """A bar over named stages; ``progress(stage)`` is called as each one starts."""
        order = list(stages)
        with tqdm(total=len(order), desc=desc, unit="étape", file=self.stderr) as bar:

            def progress(stage):
                bar.n = order.index(stage)
                bar.set_postfix_str(stages[stage])

            yield progress
            bar.n = len(order)
            bar.set_postfix_str("terminé")

    def do_weight(self, edition, **_):
        with self._stages("Pondération", services.RUN_STAGES) as progress:
            result = services.weight_edition(edition, progress=progress)
        report = result.weighted.report
        return (
            f"{edition.code} : {report['n']:.0f} réponses pondérées, poids de {report['min']:.3g} "
            f"à {report['max']:.3g}, taille effective {report['effective_n']:.0f}, "
            f"{len(result.rows)} résultats"
        )

    def do_compute(self, edition, **_):
        with self._stages("Calcul", estimation.STAGES) as progress:
            result = services.compute_edition(edition, progress=progress)
        suppressed = sum(r["flag"] == "suppress" for r in result.rows)
        return f"{edition.code} : {len(result.rows)} résultats, dont {suppressed} non diffusés"

    def do_publish(self, edition, note, **_):
        with tqdm(total=2, desc="Publication", unit="étape", file=self.stderr) as bar:
            version = services.publish_edition(edition, note=note)
            bar.update(1)
            job = reports.request_report(edition, version.number, background=False)
            bar.update(1)
        return (
            f"{edition.code} : version {version.number} publiée, rapport {job.get_status_display()}"
        )

    def do_export(self, edition, out, **_):
        # One folder per edition with the site's file names: datapackage.json, plan.yaml and
        # reproduire.R find the files beside them.
        folder = out / edition.code
        folder.mkdir(parents=True, exist_ok=True)
        for name in tqdm(opendata.EXPORTS, desc="Export", unit="fichier", file=self.stderr):
            content, _type = opendata.export_file(edition, name)
            path = folder / name
            path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return f"{edition.code} : {len(opendata.EXPORTS)} fichiers écrits dans {folder}"
