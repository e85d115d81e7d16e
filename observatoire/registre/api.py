"""Register API: public read of published entries, write for the référents of the authority."""

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import ModelSchema, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from pydantic import ConfigDict

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
from observatoire.registre.fields import CONTENT_FIELDS, label
from observatoire.registre.models import Entry
from observatoire.registre.queries import authority_by_siren, filter_entries, for_export

router = Router(tags=["Registre des systèmes d'IA"])


# The product sheet (a foreign key) is chosen on the entry's page, where its list is.
API_FIELDS = [name for name in CONTENT_FIELDS if name != "vendor_product"]


def _titles_as_labels(schema: dict) -> None:
    """The API docs name each field by its label on the pages (ninja would title-case it)."""
    for name, prop in schema["properties"].items():
        if name in API_FIELDS:
            prop["title"] = label(name)


class EntryIn(ModelSchema):
    """What a référent writes: the content fields of the entry form (``fields.py``), each
    optional; a field left out is left as it is."""

    model_config = ConfigDict(json_schema_extra=_titles_as_labels)
    extra_themes: list[str] | None = None

    class Meta:
        model = Entry
        fields = API_FIELDS
        fields_optional = "__all__"


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
    data = payload.dict(exclude_unset=True, exclude_none=True, exclude={"authority_siren"})
    entry = _guard(lambda: services.create_entry(authority, data, by=request.user))
    return Status(201, _record(entry))


@router.patch("/entries/{pk}", auth=token_auth, summary="Modifier un brouillon")
def update_entry(request, pk: int, payload: EntryIn):
    entry = _guard(lambda: get_editable_entry(request.user, pk))
    data = payload.dict(exclude_unset=True, exclude_none=True)
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
