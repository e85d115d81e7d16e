"""Demo content: the cases the source documents cite, and the PSTW catalogue when present."""

from observatoire.cas_usage import pstw, services
from observatoire.cas_usage.choices import Origin
from observatoire.cas_usage.models import UseCase


def load(stdout) -> None:
    created, updated = services.load_thesaurus()
    if created or updated:
        stdout.write(f"Thésaurus : {created} groupes ajoutés, {updated} mis à jour.")
    created, updated = services.load_cited_cases()
    if created or updated:
        stdout.write(f"Cas d'usage cités : {created} créés, {updated} mis à jour.")
    path = pstw.shared_file()
    if path is None:
        stdout.write(
            "Catalogue européen PSTW absent : placez le fichier CSV dans ../shared/data/pstw/ "
            "puis lancez « observatoire cas_usage import-pstw --from CHEMIN.csv »."
        )
    elif not UseCase.objects.filter(origin=Origin.PSTW).exists():
        stdout.write(f"Import du catalogue européen PSTW depuis {path}…")
        stdout.write(str(services.import_pstw(path)))
