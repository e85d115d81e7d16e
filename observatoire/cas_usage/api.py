"""Use cases over the API: search and read for everyone; propose, update, moderate with a token."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from observatoire.accounts.api import token_auth
from observatoire.cas_usage import access, queries, services
from observatoire.cas_usage.choices import Domain, LinkKind, Stage, Technology
from observatoire.cas_usage.models import UseCase
from observatoire.core.api import Pagination

router = Router(tags=["Cas d'usage"])


class ParticipantOut(Schema):
    name: str
    stratum: str
    role: str
    authority_code: str | None = None

    @staticmethod
    def resolve_authority_code(obj) -> str | None:
        return obj.authority.code if obj.authority else None


class ResultSchema(Schema):
    indicator: str
    before: Decimal | None = None
    after: Decimal | None = None
    unit: str = ""
    note: str = ""
    source: str


class LinkSchema(Schema):
    kind: LinkKind
    title: str
    url: str = ""
    resource_type: str = ""


class CaseSummaryOut(Schema):
    id: int
    title: str
    summary: str
    domain: str
    technology: str
    stage: str
    country: str
    scope: str
    actor: str
    language: str
    origin: str
    status: str
    excerpt: str | None = None

    @staticmethod
    def resolve_excerpt(obj) -> str | None:
        return getattr(obj, "search_excerpt", None)


class CaseOut(CaseSummaryOut):
    description: str
    stage_reason: str
    start_year: int | None
    end_year: int | None
    cost: str
    funding: str
    supplier: str
    lessons: str
    organisation: str
    impacts: list[str]
    external_url: str
    attribution: str
    participants: list[ParticipantOut]
    results: list[ResultSchema]
    links: list[LinkSchema]
    register_entries: list[int]

    @staticmethod
    def resolve_register_entries(obj) -> list[int]:
        return list(obj.register_entries.published().values_list("pk", flat=True))

    @staticmethod
    def resolve_participants(obj):
        return list(obj.participants.all())

    @staticmethod
    def resolve_results(obj):
        return list(obj.results.all())

    @staticmethod
    def resolve_links(obj):
        return list(obj.links.all())


class CaseIn(Schema):
    title: str
    summary: str
    description: str = ""
    domain: Domain
    technology: Technology
    stage: Stage
    stage_reason: str = ""
    start_year: int | None = None
    end_year: int | None = None
    cost: str = ""
    funding: str = ""
    supplier: str = ""
    lessons: str = ""
    contact_name: str = ""
    contact_email: str = ""
    results: list[ResultSchema] = []
    links: list[LinkSchema] = []


class ModerationIn(Schema):
    decision: str
    reason: str = ""


def _case(request, pk: int) -> UseCase:
    try:
        return access.get_visible_case(request.user, pk)
    except UseCase.DoesNotExist as exc:
        raise HttpError(404, "Cas d'usage introuvable.") from exc


def _invalid(exc: ValidationError) -> HttpError:
    return HttpError(422, " ".join(exc.messages))


@router.get("/cases", response=list[CaseSummaryOut])
@paginate(Pagination, page_size=20)
def list_cases(
    request: HttpRequest,
    q: str = "",
    scope: str = "france",
    domain: str = "",
    technology: str = "",
    stage: str = "",
    stratum: str = "",
    country: str = "",
):
    """Published cases; `q` searches in French (accents, plurals, word forms), best first."""
    params = {"q": q, "scope": scope, "domain": domain, "technology": technology}
    params |= {"stage": stage, "stratum": stratum, "country": country}
    return queries.search_cases(queries.Filters.from_params(params)).results


@router.get("/cases/{pk}", response=CaseOut)
def get_case(request: HttpRequest, pk: int):
    return _case(request, pk)


def _write(payload: CaseIn) -> tuple[dict, list[dict], list[dict]]:
    data = payload.dict()
    results, links = data.pop("results"), data.pop("links")
    return data, results, links


@router.post("/cases", response={201: CaseOut}, auth=token_auth)
def propose_case(request: HttpRequest, payload: CaseIn):
    """A référent proposes a case for its authority; it waits for moderation."""
    data, results, links = _write(payload)
    try:
        case = services.propose_case(data, results=results, links=links, by=request.user)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return Status(201, case)


@router.put("/cases/{pk}", response={200: CaseOut, 202: CaseOut}, auth=token_auth)
def update_case(request: HttpRequest, pk: int, payload: CaseIn):
    """The authority that carries the case (or an analyst) replaces its content.

    A référent's edit of a published case answers 202: it waits for an analyst's
    moderation and the case keeps its published content until then.
    """
    try:
        case = access.get_editable_case(request.user, pk)
    except UseCase.DoesNotExist as exc:
        raise HttpError(404, "Cas d'usage introuvable.") from exc
    data, results, links = _write(payload)
    try:
        case = services.update_case(case, data, results=results, links=links, by=request.user)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return Status(202 if case.pending_edit else 200, case)


@router.post("/cases/{pk}/moderation", response=CaseOut, auth=token_auth)
def moderate_case(request: HttpRequest, pk: int, payload: ModerationIn):
    """An analyst publishes (`accept`), asks for changes (`changes`) or rejects (`reject`)."""
    case = _case(request, pk)
    try:
        return services.moderate_case(case, payload.decision, payload.reason, by=request.user)
    except ValidationError as exc:
        raise _invalid(exc) from exc


@router.post("/cases/{pk}/adoptions", response={201: dict}, auth=token_auth)
def declare_adoption(request: HttpRequest, pk: int):
    """ "We do this too", for the référent's authority."""
    adoption = services.declare_adoption(_case(request, pk), by=request.user)
    return Status(201, {"use_case": pk, "authority": adoption.authority.code})
