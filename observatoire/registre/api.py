"""Register API: public read of published entries, write for the référents of the authority."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.errors import HttpError

from observatoire.accounts.api import token_auth
from observatoire.core.api import MAX_OFFSET
from observatoire.core.cache import cached_page, topics_stamp
from observatoire.registre import services
from observatoire.registre.access import (
    get_editable_entry,
    get_reviewable_entry,
    get_visible_entry,
    visible_entries,
)
from observatoire.registre.exports import EXPORTERS
from observatoire.registre.queries import authority_by_siren, filter_entries, for_export

router = Router(tags=["Registre des systèmes d'IA"])


class EntryIn(Schema):
    name: str | None = None
    summary: str | None = None
    description: str | None = None
    service: str | None = None
    team: str | None = None
    owner_role: str | None = None
    elected_official: str | None = None
    contact_email: str | None = None
    public_url: str | None = None
    theme: str | None = None
    extra_themes: list[str] | None = None
    technology: str | None = None
    lifecycle: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    keywords: str | None = None
    goal: str | None = None
    previous_process: str | None = None
    alternatives: str | None = None
    proportionality: str | None = None
    decision_integration: str | None = None
    automation: str | None = None
    human_oversight: str | None = None
    staff_training: str | None = None
    contest_procedure: str | None = None
    volume_per_year: int | None = None
    risks: str | None = None
    individual_decisions: bool | None = None
    crpa_contribution: str | None = None
    crpa_data: str | None = None
    crpa_parameters: str | None = None
    crpa_operations: str | None = None
    in_rules_inventory: bool | None = None
    personal_data: bool | None = None
    personal_data_categories: str | None = None
    legal_basis: str | None = None
    dpia_status: str | None = None
    hosting_kind: str | None = None
    hosting_country: str | None = None
    model_size: str | None = None
    requests_per_year: int | None = None
    frugality_measures: str | None = None


class EntryCreate(EntryIn):
    authority_siren: str


class AIActIn(Schema):
    answers: dict[str, bool]


def _record(entry) -> dict:
    return EXPORTERS["json"].record(entry)


def _guard(call):
    """Service errors as HTTP errors: 403 for access, 422 with the French message for data."""
    try:
        return call()
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "Accès refusé.") from exc
    except ValidationError as exc:
        raise HttpError(422, "; ".join(exc.messages)) from exc


@router.get("/entries", summary="Fiches publiées (et, pour un référent, celles de sa collectivité)")
def list_entries(
    request,
    q: str = "",
    authority: str = "",
    theme: str = "",
    technology: str = "",
    level: str = "",
    limit: int = 100,
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    params = {
        "q": q,
        "authority": authority,
        "theme": theme,
        "technology": technology,
        "level": level,
    }
    entries, _query = filter_entries(for_export(visible_entries(request.user)), params)
    limit = max(1, min(limit, 500))
    return [_record(e) for e in entries[offset : offset + limit]]


@router.get("/entries/{pk}", summary="Une fiche")
@decorate_view(cached_page(topics_stamp("registre", "territoires")))
def get_entry(request, pk: int):
    return _record(_guard(lambda: get_visible_entry(request.user, pk)))


@router.post(
    "/entries", auth=token_auth, response={201: dict}, summary="Créer une fiche (brouillon)"
)
def create_entry(request, payload: EntryCreate):
    authority = authority_by_siren(payload.authority_siren)
    if authority is None:
        raise HttpError(404, "Collectivité introuvable.")
    data = payload.dict(exclude_none=True, exclude={"authority_siren"})
    entry = _guard(lambda: services.create_entry(authority, data, by=request.user))
    return Status(201, _record(entry))


@router.patch("/entries/{pk}", auth=token_auth, summary="Modifier un brouillon")
def update_entry(request, pk: int, payload: EntryIn):
    entry = _guard(lambda: get_editable_entry(request.user, pk))
    data = payload.dict(exclude_none=True)
    return _record(_guard(lambda: services.update_entry(entry, data, by=request.user)))


@router.post("/entries/{pk}/ai-act", auth=token_auth, summary="Classer au regard de l'AI Act")
def classify_entry(request, pk: int, payload: AIActIn):
    entry = _guard(lambda: get_editable_entry(request.user, pk))
    return _guard(
        lambda: services.classify_entry(entry, payload.answers, by=request.user)
    ).as_dict()


@router.post("/entries/{pk}/submit", auth=token_auth, summary="Soumettre à relecture")
def submit_entry(request, pk: int):
    entry = _guard(lambda: get_editable_entry(request.user, pk))
    return _record(_guard(lambda: services.submit_entry(entry, by=request.user)))


@router.post("/entries/{pk}/approve", auth=token_auth, summary="Approuver et publier")
def approve_entry(request, pk: int):
    entry = _guard(lambda: get_reviewable_entry(request.user, pk))
    return _record(_guard(lambda: services.approve_entry(entry, by=request.user)))
