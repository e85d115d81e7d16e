"""Writes of the diagnostic: start a run, save its answers, score it, share it; new
versions of the grid and duties files."""

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from observatoire.barometre.indicator_specs import for_population
from observatoire.core.audit import acting_as, record_event
from observatoire.diagnostic import scoring
from observatoire.diagnostic.choices import RulesKind, RunStatus
from observatoire.diagnostic.models import RulesVersion, Run
from observatoire.questionnaires.choices import Population, QuestionType
from observatoire.questionnaires.models import Questionnaire, Response
from observatoire.questionnaires.services import collection, current_edition


def current_rules(kind: str) -> RulesVersion:
    """The latest version of a file; the shipped file becomes version 1 the first time."""
    version = RulesVersion.objects.filter(kind=kind).order_by("-number").first()
    if version is None:
        with transaction.atomic():
            version, _ = RulesVersion.objects.get_or_create(
                kind=kind,
                number=1,
                defaults={"text": scoring.shipped_text(kind), "note": "fichier livré"},
            )
    return version


def barometer_questionnaire() -> Questionnaire:
    questionnaire = current_edition(Population.AUTHORITIES)
    if questionnaire is None:
        raise ValidationError("Aucun questionnaire du baromètre n'est chargé.")
    return questionnaire


def check_rules(kind: str, text: str, questionnaire: Questionnaire | None = None) -> None:
    """Raise ValidationError (French, with the line and the field) if the file is wrong."""
    questionnaire = questionnaire or barometer_questionnaire()
    try:
        if kind == RulesKind.GRID:
            scoring.check_grid(text, questionnaire, for_population(Population.AUTHORITIES))
        else:
            scoring.check_duties(text, questionnaire)
    except scoring.GridError as exc:
        raise ValidationError(str(exc)) from exc


@transaction.atomic
def update_rules(kind: str, text: str, *, by, note: str = "") -> RulesVersion:
    """A new version of the grid or duties file, checked first: a bad file changes nothing.
    Runs already scored keep the version they were scored with."""
    text = text.replace("\r\n", "\n")
    check_rules(kind, text)
    current = current_rules(kind)
    if text == current.text:
        return current
    with acting_as(by):
        return RulesVersion.objects.create(
            kind=kind, number=current.number + 1, text=text, note=note[:300], created_by=by
        )


def latest_response(authority) -> Response | None:
    """The authority's latest barometer response with answers (submitted ones first)."""
    return (
        Response.objects.filter(
            authority=authority, questionnaire__population=Population.AUTHORITIES
        )
        .exclude(answers={})
        .order_by("-questionnaire__year", "-status", "-pk")
        .first()
    )


def carried_over(form: collection.LoadedQuestionnaire, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers still valid in the current questionnaire (codes are stable across years)."""
    kept: dict[str, Any] = {}
    for question in form.questions:
        value = answers.get(question.code)
        if value is None or question.type in (QuestionType.NOTE, QuestionType.DATE):
            continue
        try:
            cleaned = form.clean(question, value, answers)
        except collection.AnswerError:
            continue
        if cleaned is not None:
            kept[question.code] = cleaned
            other = question.code + collection.OTHER_SUFFIX
            if other in answers:
                kept[other] = answers[other]
    return collection.relevant_answers(form, kept)


def start_run(authority, *, by, prefill: bool) -> Run:
    """A new diagnostic, blank or pre-filled from the authority's latest barometer response."""
    if getattr(by, "authority_id", None) != authority.pk:
        raise PermissionDenied(_("Seul un référent de la collectivité peut lancer son diagnostic."))
    questionnaire = barometer_questionnaire()
    source = latest_response(authority) if prefill else None
    answers: dict[str, Any] = {}
    if source is not None:
        answers = carried_over(collection.LoadedQuestionnaire.load(questionnaire), source.answers)
    with acting_as(by), transaction.atomic():
        return Run.objects.create(
            authority=authority,
            questionnaire=questionnaire,
            source=source,
            answers=answers,
            prefilled=sorted(k for k in answers if not k.endswith(collection.OTHER_SUFFIX)),
            started_by=by,
        )


def save_run_answers(
    run: Run, changes: dict[str, Any], *, by, form: collection.LoadedQuestionnaire | None = None
) -> tuple[Run, dict[str, str]]:
    """Merge the changed answers (as the barometer form does); a changed pre-filled answer
    is no longer marked as pre-filled."""
    form = form or collection.LoadedQuestionnaire.load(run.questionnaire)
    with acting_as(by), transaction.atomic():
        locked = Run.objects.select_for_update().get(pk=run.pk)
        if locked.is_scored:
            raise PermissionDenied(_("Ce diagnostic est calculé : lancez-en un nouveau."))
        answers, errors = collection.merge_answers(form, locked.answers, changes)
        changed = {
            k
            for k in answers.keys() | locked.answers.keys()
            if answers.get(k) != locked.answers.get(k)
        }
        if changed:
            locked.answers = answers
            locked.prefilled = [c for c in locked.prefilled if c not in changed]
            locked.save()
    return locked, errors


def score_run(run: Run, *, by) -> Run:
    """Check the answers like a barometer response, then score them with the current grid."""
    form = collection.LoadedQuestionnaire.load(run.questionnaire)
    grid_version = current_rules(RulesKind.GRID)
    duties_version = current_rules(RulesKind.DUTIES)
    with acting_as(by), transaction.atomic():
        locked = Run.objects.select_for_update().get(pk=run.pk)
        if locked.is_scored:
            return locked
        errors = collection.check_response(form, locked.answers)
        if errors:
            raise collection.SubmitError(errors)
        locked.answers = collection.relevant_answers(form, locked.answers)
        locked.prefilled = [c for c in locked.prefilled if c in locked.answers]
        scores = scoring.score(scoring.grid_of(grid_version.text), locked.answers)
        locked.scores = scores.as_dict()
        locked.grid, locked.duties = grid_version, duties_version
        locked.status = RunStatus.SCORED
        locked.scored_at = timezone.now()
        locked.save()
    return locked


def share_run(run: Run, *, by) -> Run:
    """Create the run's read-only link (a new one each time: the old one stops working)."""
    if not run.is_scored:
        raise ValidationError("Seul un diagnostic calculé peut être partagé.")
    with acting_as(by), transaction.atomic():
        run.share_token = secrets.token_urlsafe(24)
        run.save()
        record_event("diagnostic.run", str(run.pk), "Lien de partage créé")
    return run


def unshare_run(run: Run, *, by) -> Run:
    with acting_as(by), transaction.atomic():
        run.share_token = ""
        run.save()
        record_event("diagnostic.run", str(run.pk), "Lien de partage retiré")
    return run
