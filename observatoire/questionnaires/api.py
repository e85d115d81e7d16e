"""Questionnaires API: questionnaires (public read), responses (analysts read; the
authority's référents write), imports of survey-tool exports (analysts)."""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from observatoire.accounts.access import require_analyst, require_referent
from observatoire.accounts.api import token_auth
from observatoire.core.api import Pagination
from observatoire.core.uploads import read_upload
from observatoire.questionnaires.access import get_campaign_for, get_response_for
from observatoire.questionnaires.choices import Population
from observatoire.questionnaires.models import Questionnaire, Response
from observatoire.questionnaires.services import collection, current_edition, importers

router = Router(tags=["Questionnaires"])


class ChoiceOut(Schema):
    list_name: str
    value: str
    label: str


class QuestionOut(Schema):
    code: str
    section: str
    type: str
    label: str
    hint: str
    required: bool
    relevant: str
    constraint: str
    constraint_message: str
    choice_list: str
    has_other: bool
    minimum: float | None
    maximum: float | None
    allow_dont_know: bool
    allow_refusal: bool
    previous_label: str

    @staticmethod
    def resolve_section(obj) -> str:
        return obj.section.code


class SectionOut(Schema):
    code: str
    title: str
    relevant: str


class QuestionnaireSummary(Schema):
    code: str
    title: str
    population: str
    year: int
    version: int
    previous_code: str | None

    @staticmethod
    def resolve_previous_code(obj) -> str | None:
        return obj.previous.code if obj.previous_id else None


class QuestionnaireOut(QuestionnaireSummary):
    sections: list[SectionOut]
    questions: list[QuestionOut]
    choices: list[ChoiceOut]

    @staticmethod
    def resolve_sections(obj):
        return list(obj.sections.all())

    @staticmethod
    def resolve_questions(obj):
        return list(obj.questions.select_related("section"))

    @staticmethod
    def resolve_choices(obj):
        return list(obj.choices.all())


class ResponseOut(Schema):
    id: int
    questionnaire: str
    questionnaire_version: int
    authority_siren: str | None
    authority_code: str | None
    respondent: str
    status: str
    source: str
    submitted_at: datetime | None
    answers: dict[str, Any]

    @staticmethod
    def resolve_questionnaire(obj) -> str:
        return obj.questionnaire.code

    @staticmethod
    def resolve_authority_siren(obj) -> str | None:
        return obj.authority.siren if obj.authority_id else None

    @staticmethod
    def resolve_authority_code(obj) -> str | None:
        return obj.authority.code if obj.authority_id else None


class SaveOut(Schema):
    response: ResponseOut
    errors: dict[str, str]


class AnswersIn(Schema):
    answers: dict[str, Any]


class ImportOut(Schema):
    dry_run: bool
    applied: bool
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    rejected: list[str]
    name_matches: list[str]
    ignored_columns: list[str]
    notes: list[str]


def _guard(call):
    try:
        return call()
    except PermissionDenied as error:
        raise HttpError(403, str(error) or "Accès refusé.") from error
    except collection.ResponseLocked as error:
        raise HttpError(409, str(error)) from error


@router.get("/", response=list[QuestionnaireSummary])
def list_questionnaires(request):
    """Every questionnaire, newest edition first."""
    return Questionnaire.objects.select_related("previous")


@router.get("/{code}", response=QuestionnaireOut)
def get_questionnaire(request, code: str):
    """A questionnaire with its sections, questions (codes stable across editions) and choices."""
    return get_object_or_404(Questionnaire.objects.select_related("previous"), code=code)


@router.get("/{code}/responses", response=list[ResponseOut], auth=token_auth)
@paginate(Pagination, page_size=500)
def list_responses(request, code: str, status: str = ""):
    """All responses of a questionnaire, each with the questionnaire version it answered."""
    _guard(lambda: require_analyst(request.user))
    responses = Response.objects.filter(questionnaire__code=code).select_related(
        "questionnaire", "authority"
    )
    return responses.filter(status=status) if status else responses.order_by("pk")


@router.post("/{code}/responses", response={200: ResponseOut}, auth=token_auth)
def start_response(request, code: str):
    """The référent's response for its authority (created as a draft the first time)."""
    _guard(lambda: require_referent(request.user))
    questionnaire = get_object_or_404(Questionnaire, code=code, population=Population.AUTHORITIES)
    if questionnaire != current_edition(Population.AUTHORITIES):
        raise HttpError(403, "Cette édition est close : seule la dernière est ouverte.")
    return collection.start_response(questionnaire, request.user.authority, by=request.user)


@router.get("/responses/{pk}", response=ResponseOut, auth=token_auth)
def get_response(request, pk: int):
    """One response: for the authority's référents and the analysts."""
    return _guard(lambda: get_response_for(request.user, pk))


@router.patch("/responses/{pk}/answers", response=SaveOut, auth=token_auth)
def save_answers(request, pk: int, payload: AnswersIn):
    """Merge the given answers (null removes one); others are kept. Invalid ones are listed."""
    response = _guard(lambda: get_response_for(request.user, pk))
    saved, errors = _guard(
        lambda: collection.save_answers(response, payload.answers, by=request.user)
    )
    return {"response": saved, "errors": errors}


@router.post("/responses/{pk}/submit", response={200: ResponseOut, 400: dict}, auth=token_auth)
def submit(request, pk: int):
    """Send and lock the response; 400 with the missing or invalid answers otherwise."""
    response = _guard(lambda: get_response_for(request.user, pk))
    try:
        return _guard(lambda: collection.submit_response(response, by=request.user))
    except collection.SubmitError as error:
        return Status(400, {"detail": str(error), "errors": error.errors})


@router.post("/{code}/import", response={200: ImportOut, 400: dict}, auth=token_auth)
def import_file(
    request,
    code: str,
    file: UploadedFile = File(...),  # noqa: B008 (ninja's declaration style)
    tool: str = Form(...),
    dry_run: bool = Form(True),
    confirm_names: bool = Form(False),
):
    """Import a LimeSurvey or KoboToolbox export (dry run by default); all or nothing."""
    questionnaire = _guard(lambda: get_campaign_for(request.user, code))
    data = read_upload(file)
    try:
        report = importers.import_responses(
            data,
            questionnaire,
            tool,
            by=request.user,
            dry_run=dry_run,
            confirm_names=confirm_names,
        )
    except importers.ImportRejected as error:
        return Status(400, {"detail": "Fichier refusé.", "errors": error.errors})
    return Status(200, report)
