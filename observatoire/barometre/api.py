"""Read-only API of the published results (the same numbers as the pages and the CSV)."""

from django.http import HttpRequest
from ninja import Router, Schema

from observatoire.barometre import opendata, services

router = Router(tags=["Baromètre"])


class EditionOut(Schema):
    code: str
    title: str
    year: int
    population: str
    vintage: int
    published_version: int
    is_demo: bool


class ResultOut(Schema):
    indicateur: str
    modalite: str
    domaine: str
    niveau: str
    estimation: float | None
    erreur_type: float | None
    ic_bas: float | None
    ic_haut: float | None
    effectif: int
    diffusion: str
    evolution: float | None
    evolution_p: float | None
    ecart_ensemble: float | None
    ecart_ensemble_p: float | None


@router.get("/editions", response=list[EditionOut])
def list_editions(request: HttpRequest):
    """Published editions of the barometer and of the citizens' poll (none under embargo)."""
    return list(services.public_editions())


@router.get("/editions/{code}/results", response=list[ResultOut])
def edition_results(request: HttpRequest, code: str, indicateur: str = "", domaine: str = ""):
    """Results of the latest published version; suppressed cells have no numbers."""
    edition = services.get_public_edition(code)
    rows = opendata.result_rows(edition)
    if indicateur:
        rows = [r for r in rows if r["indicateur"] == indicateur]
    if domaine:
        rows = [r for r in rows if r["domaine"] == domaine]
    return rows
