"""Answers: cleaning, skip logic, save (merging only changed keys), submit, reopen.

Stored values (see models.py): a choice value (str), a list of values for a multiple
choice, a number, a text, an ISO date, DONT_KNOW / REFUSED, or no key when skipped.
"Other, specify" stores OTHER as the value and the text under `<code>_other`.
"""

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from observatoire.core import formats
from observatoire.core.audit import acting_as, read_before, record_event
from observatoire.questionnaires.choices import (
    DONT_KNOW,
    REFUSED,
    QuestionType,
    ResponseStatus,
)
from observatoire.questionnaires.expressions import ExpressionError, is_true
from observatoire.questionnaires.models import Question, Questionnaire, Response

OTHER = "other"
OTHER_SUFFIX = "_other"
CHOICE_TYPES = {
    QuestionType.SELECT_ONE,
    QuestionType.LIKERT,
    QuestionType.YES_NO_PLANNED,
    QuestionType.SELECT_MULTIPLE,
}


class AnswerError(ValueError):
    """A French message about one answer."""


class ResponseLocked(ValueError):
    """The response was submitted: it must be reopened by an analyst first."""


@dataclass
class LoadedQuestionnaire:
    """A questionnaire loaded once: questions in order, choice values per list."""

    questionnaire: Questionnaire
    questions: list[Question]
    choices: dict[str, list[tuple[str, str]]]
    section_relevant: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, questionnaire: Questionnaire) -> "LoadedQuestionnaire":
        """Read once per process: a questionnaire's sections, questions and choices are
        written with it and never changed (services.create_from_form; a new version is a
        new questionnaire), and every save of an answer needs them. Read-only: share it."""
        key = (questionnaire.pk, questionnaire.created_at)
        loaded = _LOADED.get(key)
        if loaded is None:
            choices: dict[str, list[tuple[str, str]]] = {}
            for choice in questionnaire.choices.order_by("list_name", "order"):
                choices.setdefault(choice.list_name, []).append((choice.value, choice.label))
            loaded = cls(
                questionnaire,
                list(questionnaire.questions.select_related("section")),
                choices,
                dict(questionnaire.sections.values_list("pk", "relevant")),
            )
            if len(_LOADED) >= 16:
                _LOADED.clear()
            _LOADED[key] = loaded
        return replace(loaded, questionnaire=questionnaire)  # the caller's own instance

    def by_code(self) -> dict[str, Question]:
        return {q.code: q for q in self.questions}

    def is_relevant(self, question: Question, answers: dict[str, Any]) -> bool:
        return _holds(self.section_relevant.get(question.section_id, ""), answers) and _holds(
            question.relevant, answers
        )

    def clean(self, question: Question, value: Any, answers: dict[str, Any]) -> Any:
        """A submitted value as it will be stored (None: no answer); AnswerError if bad."""
        return clean_answer(question, value, self.choices.get(question.choice_list, []), answers)


_LOADED: dict[tuple, LoadedQuestionnaire] = {}


def _holds(expression: str, answers: dict[str, Any], current: Any = None) -> bool:
    try:
        return is_true(expression, answers, current)
    except ExpressionError:
        return True


def _special(question: Question, value: Any) -> str | None:
    if value == DONT_KNOW:
        if not question.allow_dont_know:
            raise AnswerError("« Ne sait pas » n'est pas proposé pour cette question.")
        return DONT_KNOW
    if value == REFUSED:
        if not question.allow_refusal:
            raise AnswerError("Le refus de répondre n'est pas proposé pour cette question.")
        return REFUSED
    return None


def clean_answer(
    question: Question,
    value: Any,
    choices: list[tuple[str, str]],
    answers: dict[str, Any] | None = None,
) -> Any:
    """Check one answer against its question: type, choices, bounds, constraint."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list):
        specials = [v for v in value if v in (DONT_KNOW, REFUSED)]
        if specials and len(value) > 1:
            raise AnswerError("« Ne sait pas » ou « refus » ne se combinent pas avec une réponse.")
        if specials:
            value = specials[0]
        elif question.type != QuestionType.SELECT_MULTIPLE:
            if len(value) != 1:
                raise AnswerError("Une seule réponse est attendue.")
            value = value[0]
    special = _special(question, value)
    if special is not None:
        return special
    cleaned = _clean_typed(question, value, [v for v, _ in choices])
    if question.constraint and not _holds(question.constraint, answers or {}, cleaned):
        raise AnswerError(question.constraint_message or "Cette réponse n'est pas acceptée.")
    return cleaned


def _clean_typed(question: Question, value: Any, values: list[str]) -> Any:
    kind = question.type
    order = [*values, OTHER]
    allowed = set(values) | ({OTHER} if question.has_other else set())
    if kind == QuestionType.NOTE:
        raise AnswerError("Cette note n'attend pas de réponse.")
    if kind == QuestionType.SELECT_MULTIPLE:
        items = value.split() if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise AnswerError("Une liste de choix est attendue.")
        unknown = [i for i in items if i not in allowed]
        if unknown:
            raise AnswerError(f"Choix inconnu : « {unknown[0]} ».")
        return sorted(set(items), key=order.index)
    if kind in CHOICE_TYPES:
        if not isinstance(value, str) or value not in allowed:
            raise AnswerError(f"Choix inconnu : « {value} ».")
        return value
    if kind in {QuestionType.INTEGER, QuestionType.DECIMAL}:
        return _clean_number(question, value)
    if kind == QuestionType.DATE:
        try:
            return datetime.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise AnswerError("Date attendue au format AAAA-MM-JJ.") from None
    text = str(value).strip()
    if len(text) > 5000:
        raise AnswerError("Texte trop long (5 000 caractères au plus).")
    return text or None


def _clean_number(question: Question, value: Any) -> int | float:
    if isinstance(value, bool):
        raise AnswerError("Nombre attendu.")
    text = str(value).strip().replace("\u202f", "").replace(" ", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise AnswerError("Nombre attendu.") from None
    if not number.is_finite():
        raise AnswerError("Nombre attendu.")
    if question.type == QuestionType.INTEGER and number != number.to_integral_value():
        raise AnswerError("Nombre entier attendu.")
    low, high = question.minimum, question.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        raise AnswerError(
            question.constraint_message or f"Valeur attendue entre {_fr(low)} et {_fr(high)}."
        )
    return int(number) if question.type == QuestionType.INTEGER else float(number)


def _fr(number: Decimal | None) -> str:
    if number is None:
        return "…"
    return formats.exact(number)


def start_response(questionnaire: Questionnaire, authority, *, by: Any) -> Response:
    """The authority's response to the edition, created as a draft the first time."""
    with acting_as(by), transaction.atomic():
        response, _ = Response.objects.get_or_create(
            questionnaire=questionnaire,
            authority=authority,
            defaults={"questionnaire_version": questionnaire.version, "source": "web"},
        )
    return response


def save_answers(
    response: Response, changes: dict[str, Any], *, by: Any, form: LoadedQuestionnaire | None = None
) -> tuple[Response, dict[str, str]]:
    """Merge the changed answers into the stored ones, under a row lock.

    Only the keys in `changes` are touched, so two référents saving different questions
    at the same time both keep their answers; for the same question the last save wins.
    A None or empty value removes the answer (skipped). Returns the fresh response and
    the French errors by code (those answers are not saved).
    """
    form = form or LoadedQuestionnaire.load(response.questionnaire)
    # Writers of one response wait for each other on its row: under the lock, only the
    # merge, one UPDATE of the answers and the audit entry (its "before" is this read, its
    # name from the joined questionnaire and authority: no more reads).
    with acting_as(by), transaction.atomic():
        locked = (
            Response.objects.select_for_update(of=("self",))
            .select_related("questionnaire", "authority")
            .get(pk=response.pk)
        )
        if locked.status == ResponseStatus.SUBMITTED:
            raise ResponseLocked(
                _("Cette réponse a été envoyée : elle ne peut plus être modifiée.")
            )
        answers, errors = merge_answers(form, locked.answers, changes)
        if answers != locked.answers:
            read_before(locked)
            locked.answers = answers
            locked.save(update_fields=["answers", "updated_at"])
    return locked, errors


def merge_answers(
    form: LoadedQuestionnaire, stored: dict[str, Any], changes: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The stored answers with the valid changes applied, and the French errors by code.

    Shared by every object that keeps answers to a questionnaire (responses, diagnostics).
    """
    questions = form.by_code()
    errors: dict[str, str] = {}
    answers = dict(stored)
    for code, value in changes.items():
        base = code.removesuffix(OTHER_SUFFIX)
        if code.endswith(OTHER_SUFFIX) and base in questions and questions[base].has_other:
            _put(answers, code, str(value).strip()[:2000] if value else None)
            continue
        question = questions.get(code)
        if question is None:
            errors[code] = "Question inconnue."
            continue
        try:
            _put(answers, code, form.clean(question, value, {**answers, code: value}))
        except AnswerError as error:
            errors[code] = str(error)
    return answers, errors


def _put(answers: dict[str, Any], code: str, value: Any) -> None:
    if value is None:
        answers.pop(code, None)
    else:
        answers[code] = value


def check_response(form: LoadedQuestionnaire, answers: dict[str, Any]) -> dict[str, str]:
    """Errors that prevent sending: missing required answers and invalid ones."""
    errors: dict[str, str] = {}
    for question in form.questions:
        if question.type == QuestionType.NOTE or not form.is_relevant(question, answers):
            continue
        value = answers.get(question.code)
        if value is None:
            if question.required:
                errors[question.code] = "Réponse obligatoire."
            continue
        try:
            form.clean(question, value, answers)
        except AnswerError as error:
            errors[question.code] = str(error)
    return errors


def relevant_answers(form: LoadedQuestionnaire, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers without those of questions that skip logic hides (as ODK does)."""
    kept = {}
    for question in form.questions:
        if question.code in answers and form.is_relevant(question, answers):
            kept[question.code] = answers[question.code]
            other = question.code + OTHER_SUFFIX
            if other in answers and _mentions_other(answers[question.code]):
                kept[other] = answers[other]
    return kept


def _mentions_other(value: Any) -> bool:
    return value == OTHER or (isinstance(value, list) and OTHER in value)


class SubmitError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__(
            ngettext(
                "%(n)s réponse à compléter ou corriger.",
                "%(n)s réponses à compléter ou corriger.",
                len(errors),
            )
            % {"n": len(errors)}
        )
        self.errors = errors


def submit_response(response: Response, *, by: Any) -> Response:
    """Check, drop hidden answers, and lock the response; SubmitError lists what is wrong."""
    form = LoadedQuestionnaire.load(response.questionnaire)
    with acting_as(by), transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.status == ResponseStatus.SUBMITTED:
            raise ResponseLocked(_("Cette réponse a déjà été envoyée."))
        errors = check_response(form, locked.answers)
        if errors:
            raise SubmitError(errors)
        locked.answers = relevant_answers(form, locked.answers)
        locked.status = ResponseStatus.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.submitted_by = by if getattr(by, "is_authenticated", False) else None
        locked.questionnaire_version = locked.questionnaire.version
        locked.save()
    return locked


def reopen_response(response: Response, *, reason: str, by: Any) -> Response:
    """An analyst reopens a submitted response; the reason is logged."""
    reason = reason.strip()
    if not reason:
        raise AnswerError("Indiquez la raison de la réouverture.")
    with acting_as(by), transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.status != ResponseStatus.SUBMITTED:
            raise AnswerError("Cette réponse n'est pas envoyée.")
        locked.status = ResponseStatus.DRAFT
        locked.save()
        record_event(
            "questionnaires.response",
            str(locked.pk),
            f"Réponse rouverte : {reason}",
            {"reason": reason},
        )
    return locked


def section_progress(
    form: LoadedQuestionnaire, answers: dict[str, Any]
) -> dict[int, tuple[int, int]]:
    """Per section id: (answered, relevant questions) for the progress indicator."""
    progress: dict[int, tuple[int, int]] = {}
    for question in form.questions:
        if question.type == QuestionType.NOTE or not form.is_relevant(question, answers):
            continue
        done, total = progress.get(question.section_id, (0, 0))
        progress[question.section_id] = (done + (question.code in answers), total + 1)
    return progress
