"""Read-only API of the published results (the same numbers as the pages and the CSV)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import HttpError

from observatoire.accounts.access import require_analyst
from observatoire.accounts.api import token_auth
from observatoire.barometre import access, explore, opendata
from observatoire.barometre.views import public_page

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
@decorate_view(public_page)
def list_editions(request: HttpRequest):
    """Published editions of the barometer and of the citizens' poll (none under embargo)."""
    return list(access.public_editions())


@router.get("/editions/{code}/results", response=list[ResultOut])
def edition_results(request: HttpRequest, code: str, indicateur: str = "", domaine: str = ""):
    """Results of the latest published version; suppressed cells have no numbers."""
    edition = access.get_public_edition(code)
    rows = opendata.result_rows(edition)
    if indicateur:
        rows = [r for r in rows if r["indicateur"] == indicateur]
    if domaine:
        rows = [r for r in rows if r["domaine"] == domaine]
    return rows


# --- the explorer (cross-tabulations) -------------------------------------------------
class ExplorerVariableOut(Schema):
    cle: str
    libelle: str
    groupe: str
    modalites: list[str]
    reserve_analystes: bool
    numerique: bool


class ExplorerCellOut(Schema):
    ligne: str
    colonne: str
    estimation: float | None
    ic_bas: float | None
    ic_haut: float | None
    erreur_type: float | None
    effectif: int | None
    diffusion: str


class ExplorerTestOut(Schema):
    methode: str
    statistique: float
    ddl_numerateur: float
    ddl_denominateur: float
    p: float
    conclusion: str


class ExplorerOut(Schema):
    edition: str
    lignes: str
    colonnes: str
    filtre: str
    pourcentage: str
    effectif: int
    cellules: list[ExplorerCellOut]
    test: ExplorerTestOut | None


def _explorer_variables(code: str, analyst: bool) -> list[dict]:
    data = explore.load(access.get_public_edition(code))
    return [
        {
            "cle": v.key,
            "libelle": v.label,
            "groupe": v.group,
            "modalites": list(v.categories),
            "reserve_analystes": v.analyst_only,
            "numerique": v.numeric,
        }
        for v in explore.variables_for(data, analyst)
    ]


def _explorer(request: HttpRequest, code: str, analyst: bool) -> dict:
    edition = access.get_public_edition(code)
    try:
        result = explore.explore(edition, explore.Query.from_params(request.GET), analyst=analyst)
    except explore.ExploreError as exc:
        raise HttpError(400, str(exc)) from exc
    test = result.test
    return {
        "edition": edition.code,
        "lignes": result.rows.key,
        "colonnes": result.columns.key,
        "filtre": result.query.filter,
        "pourcentage": result.query.view,
        "effectif": result.n,
        "cellules": result.cell_rows(),
        "test": None
        if test is None
        else {
            "methode": "Rao-Scott (F, correction du second ordre)",
            "statistique": test.statistic,
            "ddl_numerateur": test.ndf,
            "ddl_denominateur": test.ddf,
            "p": test.p_value,
            "conclusion": result.conclusion,
        },
    }


@router.get("/editions/{code}/explorer/variables", response=list[ExplorerVariableOut])
def explorer_variables(request: HttpRequest, code: str):
    """Variables the public may cross (questions, indicators, published breakdowns)."""
    return _explorer_variables(code, analyst=False)


@router.get("/editions/{code}/explorer", response=ExplorerOut)
def explorer_table(
    request: HttpRequest,
    code: str,
    lignes: str,
    colonnes: str,
    filtre: str = "",
    pct: str = "ligne",
):
    """A weighted cross-tabulation with its Rao–Scott test; the same parameters and numbers
    as the page ``/barometre/<edition>/explorer/`` (suppressed cells have no numbers)."""
    return _explorer(request, code, analyst=False)


@router.get("/editions/{code}/explorer/analyste", response=ExplorerOut, auth=token_auth)
def explorer_table_analyst(
    request: HttpRequest,
    code: str,
    lignes: str,
    colonnes: str,
    filtre: str = "",
    pct: str = "ligne",
):
    """Analysts: the same with the région and the values the public does not get (their
    ``diffusion`` still says ``suppress``)."""
    try:
        require_analyst(request.user)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return _explorer(request, code, analyst=True)
