"""Reading the questionnaire's HTML form, and presenting answers.

The form is generated from the questionnaire (not a Django Form class): each question
posts its values under its code; « ne sait pas » and « refus » are extra values of the
same name (`_nsp`, `_refus`), so one rule reads every type.
"""

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from observatoire.core import formats
from observatoire.core.uploads import BoundedFileField
from observatoire.questionnaires.choices import (
    DONT_KNOW,
    REFUSED,
    SPECIAL_ANSWERS,
    Population,
    QuestionType,
)
from observatoire.questionnaires.models import Question, Questionnaire
from observatoire.questionnaires.services.collection import (
    OTHER,
    OTHER_SUFFIX,
    AnswerError,
    LoadedQuestionnaire,
)
from observatoire.territoires.choices import Stratum


def submitted_values(questions: list[Question], post, only: str = "") -> dict[str, Any]:
    """Raw values posted for the questions (all of them, or only the one named)."""
    values: dict[str, Any] = {}
    for question in questions:
        if question.type == QuestionType.NOTE or (only and question.code != only):
            continue
        items = [v.strip() for v in post.getlist(question.code) if v.strip()]
        if question.type == QuestionType.SELECT_MULTIPLE:
            values[question.code] = items or None
        else:
            values[question.code] = (items[0] if len(items) == 1 else items) or None
        if question.has_other:
            values[question.code + OTHER_SUFFIX] = post.get(question.code + OTHER_SUFFIX, "")
    return values


def changed_values(
    form: LoadedQuestionnaire, submitted: dict[str, Any], initial: dict[str, Any]
) -> dict[str, Any]:
    """The submitted values that differ from what the page showed (merge, don't overwrite)."""
    questions = form.by_code()
    changes = {}
    for code, raw in submitted.items():
        question = questions.get(code)
        if question is None:
            if (raw or None) != initial.get(code):
                changes[code] = raw
            continue
        try:
            cleaned = form.clean(question, raw, initial)
        except AnswerError:
            changes[code] = raw
            continue
        if cleaned != initial.get(code):
            changes[code] = raw
    return changes


def initial_from_post(post) -> dict[str, Any]:
    try:
        data = json.loads(post.get("_initial", "{}"))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def french_number(value: float | int | Decimal) -> str:
    return formats.french(f"{value:,}").removesuffix(",0")


def display_answer(form: LoadedQuestionnaire, question: Question, answers: dict[str, Any]) -> str:
    """An answer as a French reader reads it."""
    value = answers.get(question.code)
    if value is None:
        return ""
    if value in (DONT_KNOW, REFUSED):
        return str(SPECIAL_ANSWERS[value])
    labels: dict[str, str] = dict(form.choices.get(question.choice_list, []))
    other = answers.get(question.code + OTHER_SUFFIX, "")
    labels[OTHER] = f"Autre : {other}" if other else "Autre"
    if isinstance(value, list):
        return " ; ".join(str(labels.get(v, v)) for v in value)
    if question.type in {QuestionType.INTEGER, QuestionType.DECIMAL}:
        return french_number(value)
    if question.type == QuestionType.DATE:
        year, month, day = str(value).split("-")
        return f"{day}/{month}/{year}"
    return labels.get(value, str(value))


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Raison de la réouverture"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SampleForm(forms.Form):
    strata = forms.MultipleChoiceField(
        label=_("Strates à inclure en entier"),
        choices=Stratum.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sirens = BoundedFileField(
        label=_("Ou une liste de SIREN (CSV : colonne « siren », « email » facultative)"),
        required=False,
    )


class ImportForm(forms.Form):
    file = BoundedFileField(label=_("Fichier exporté (CSV ou XLSX)"))
    tool = forms.ChoiceField(
        label=_("Outil d'origine"),
        choices=[("limesurvey", "LimeSurvey"), ("kobo", "KoboToolbox")],
    )
    dry_run = forms.BooleanField(
        label=_("Simulation : montrer ce qui serait fait sans rien enregistrer"),
        required=False,
        initial=True,
    )


class XLSFormUploadForm(forms.Form):
    file = BoundedFileField(label=_("Fichier XLSForm (XLSX : feuilles survey, choices, settings)"))
    code = forms.SlugField(
        label=_("Code"), max_length=60, help_text=_("Par exemple barometre-2025.")
    )
    title = forms.CharField(
        label=_("Titre de l'édition"),
        max_length=200,
        help_text=_(
            "Par exemple « Baromètre 2025 » : il remplace celui du fichier, qui peut être "
            "celui de l'édition exportée."
        ),
    )
    year = forms.IntegerField(label=_("Année"), min_value=2000, max_value=2100)
    population = forms.ChoiceField(label=_("Population"), choices=Population.choices)
    previous = forms.ModelChoiceField(
        label=_("Édition précédente"),
        queryset=Questionnaire.objects.all(),
        required=False,
        help_text=_("Les changements de libellé par rapport à elle seront enregistrés."),
    )


class NewEditionForm(forms.Form):
    year = forms.IntegerField(
        label=_("Année de la nouvelle édition"), min_value=2000, max_value=2100
    )
