"""Writes of the questionnaires app: XLSForm import, editions, built-in questionnaires.

Response writes (save, submit, reopen), sampling and invitations, and imports of
survey-tool exports live in this package's `collection`, `campaigns` and `importers`.
"""

from pathlib import Path
from typing import IO, Any

from django.db import transaction

from observatoire.core.audit import acting_as, record_event
from observatoire.questionnaires import xlsform
from observatoire.questionnaires.choices import Population
from observatoire.questionnaires.models import Choice, Question, Questionnaire, Section
from observatoire.questionnaires.xlsform import XLSFormError

XLSFORMS = Path(__file__).parent.parent / "xlsforms"
BUILTIN = {
    Population.AUTHORITIES: ("barometre", XLSFORMS / "barometre.xlsx"),
    Population.CITIZENS: ("citoyens", XLSFORMS / "citoyens.xlsx"),
}

__all__ = [
    "XLSFormError",
    "create_from_form",
    "current_edition",
    "export_xlsform",
    "form_definition",
    "import_xlsform",
    "load_builtin",
    "new_edition",
]


def current_edition(population: str = Population.AUTHORITIES) -> Questionnaire | None:
    """The latest edition of a population: the one référents answer now."""
    return Questionnaire.objects.filter(population=population).order_by("-year", "-pk").first()


def import_xlsform(
    path_or_file: str | Path | bytes | IO[bytes],
    *,
    code: str,
    year: int,
    population: str,
    by: Any = None,
    previous: Questionnaire | None = None,
    title: str = "",
) -> Questionnaire:
    """Create a questionnaire from an XLSForm; raise XLSFormError (French, per row) if bad.

    With `previous`, the new questionnaire is that edition's successor and every question
    whose wording changed keeps the former wording in `previous_label`. A `title` replaces
    the file's: a form exported from last year's edition carries last year's title.
    """
    form = xlsform.read_xlsform(path_or_file)
    form.title = title.strip() or form.title
    if Questionnaire.objects.filter(code=code).exists():
        raise XLSFormError([f"Le questionnaire « {code} » existe déjà."])
    return create_from_form(
        form, code=code, year=year, population=population, by=by, previous=previous
    )


def create_from_form(
    form: xlsform.FormDefinition,
    *,
    code: str,
    year: int,
    population: str,
    by: Any = None,
    previous: Questionnaire | None = None,
) -> Questionnaire:
    with acting_as(by), transaction.atomic():
        questionnaire = Questionnaire.objects.create(
            code=code,
            title=form.title or code,
            population=population,
            year=year,
            version=form.version,
            previous=previous,
        )
        old_labels = (
            dict(previous.questions.values_list("code", "label")) if previous is not None else {}
        )
        questions, changed = [], []
        order = 0
        for section_order, form_section in enumerate(form.sections, start=1):
            section = Section.objects.create(
                questionnaire=questionnaire,
                code=form_section.code,
                title=form_section.title[:200],
                order=section_order,
                relevant=form_section.relevant,
            )
            for fq in form_section.questions:
                order += 1
                old = old_labels.get(fq.code)
                question = Question(
                    questionnaire=questionnaire,
                    section=section,
                    order=order,
                    previous_label=old if old is not None and old != fq.label else "",
                    **vars(fq),
                )
                question.full_clean(exclude=["questionnaire", "section"])
                questions.append(question)
                if question.previous_label:
                    changed.append(fq.code)
        Question.objects.bulk_create(questions)
        choices = [
            Choice(
                questionnaire=questionnaire,
                list_name=c.list_name,
                value=c.value,
                label=c.label,
                order=i,
            )
            for i, c in enumerate(form.choices, start=1)
        ]
        Choice.objects.bulk_create(choices)
        record_event(
            "questionnaires.questionnaire",
            str(questionnaire.pk),
            f"Questionnaire {code} créé : {len(questions)} questions, {len(choices)} choix.",
            {"wording_changed": changed} if changed else None,
        )
    return questionnaire


def form_definition(questionnaire: Questionnaire) -> xlsform.FormDefinition:
    """The questionnaire as an XLSForm structure (also the canonical form for comparisons)."""
    sections = []
    questions = list(questionnaire.questions.all())
    for section in questionnaire.sections.all():
        sections.append(
            xlsform.FormSection(
                code=section.code,
                title=section.title,
                relevant=section.relevant,
                questions=[
                    xlsform.FormQuestion(
                        code=q.code,
                        type=q.type,
                        label=q.label,
                        hint=q.hint,
                        required=q.required,
                        relevant=q.relevant,
                        constraint=q.constraint,
                        constraint_message=q.constraint_message,
                        choice_list=q.choice_list,
                        has_other=q.has_other,
                        minimum=q.minimum.normalize() if q.minimum is not None else None,
                        maximum=q.maximum.normalize() if q.maximum is not None else None,
                        allow_dont_know=q.allow_dont_know,
                        allow_refusal=q.allow_refusal,
                    )
                    for q in questions
                    if q.section_id == section.pk
                ],
            )
        )
    choices = [
        xlsform.FormChoice(c.list_name, c.value, c.label)
        for c in questionnaire.choices.order_by("order", "pk")
    ]
    return xlsform.FormDefinition(
        title=questionnaire.title,
        form_id=questionnaire.code,
        version=questionnaire.version,
        sections=sections,
        choices=choices,
    )


def export_xlsform(questionnaire: Questionnaire) -> bytes:
    """The questionnaire as an XLSForm workbook (XLSX bytes), accepted by pyxform."""
    return xlsform.write_xlsform(form_definition(questionnaire))


def new_edition(previous: Questionnaire, *, year: int, by: Any = None) -> Questionnaire:
    """A new edition starts as a copy of the previous one (same codes, same wording)."""
    code = _edition_code(previous, year)
    if Questionnaire.objects.filter(code=code).exists():
        raise XLSFormError([f"L'édition « {code} » existe déjà."])
    form = form_definition(previous)
    form.version = 1
    return create_from_form(
        form, code=code, year=year, population=previous.population, by=by, previous=previous
    )


def _edition_code(previous: Questionnaire, year: int) -> str:
    stem = previous.code.rsplit("-", 1)[0] if previous.code[-4:].isdigit() else previous.code
    return f"{stem}-{year}"


def load_builtin(year: int, population: str = Population.AUTHORITIES, by: Any = None):
    """The built-in questionnaire of an edition (`barometre-2024`…), created once.

    Idempotent: returns the existing edition. Otherwise the edition is created from the
    shipped XLSForm as the successor of the latest earlier edition, if any, so that any
    wording that differs from that edition is recorded in `previous_label`.
    """
    stem, path = BUILTIN[Population(population)]
    code = f"{stem}-{year}"
    existing = Questionnaire.objects.filter(code=code).first()
    if existing is not None:
        return existing
    previous = (
        Questionnaire.objects.filter(code__startswith=f"{stem}-", year__lt=year)
        .order_by("-year")
        .first()
    )
    form = xlsform.read_xlsform(path)
    form.title = f"{form.title} {year}"
    return create_from_form(
        form, code=code, year=year, population=population, by=by, previous=previous
    )
