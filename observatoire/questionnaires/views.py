"""Pages of the référent's form (sections, htmx save, review, submit) and the analyst's."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from observatoire.accounts.access import require_acts_for_an_authority, require_referent
from observatoire.questionnaires.access import get_response_for
from observatoire.questionnaires.choices import (
    DONT_KNOW,
    REFUSED,
    SPECIAL_ANSWERS,
    Population,
    ResponseStatus,
)
from observatoire.questionnaires.forms import (
    ReopenForm,
    changed_values,
    display_answer,
    initial_from_post,
    submitted_values,
)
from observatoire.questionnaires.models import Questionnaire, Response
from observatoire.questionnaires.services import collection, current_edition, export_xlsform
from observatoire.questionnaires.services.collection import OTHER, OTHER_SUFFIX, LoadedQuestionnaire


@login_required
def index(request):
    """Référents: their questionnaires; analysts: the campaigns; readers: nothing."""
    require_acts_for_an_authority(request.user)
    if request.user.is_analyst:
        campaigns = Questionnaire.objects.select_related("previous")
        return render(request, "questionnaires/campaigns.html", {"campaigns": campaigns})
    responses = {
        r.questionnaire_id: r
        for r in Response.objects.filter(authority_id=request.user.authority_id or 0)
    }
    # The current edition can be answered; earlier ones only appear if answered.
    editions = Questionnaire.objects.filter(population=Population.AUTHORITIES)
    current = current_edition(Population.AUTHORITIES)
    rows = [(q, responses.get(q.pk)) for q in editions if q == current or q.pk in responses]
    return render(request, "questionnaires/index.html", {"rows": rows})


@require_POST
@login_required
def start(request, code):
    require_referent(request.user)
    questionnaire = get_object_or_404(Questionnaire, code=code, population=Population.AUTHORITIES)
    if questionnaire != current_edition(Population.AUTHORITIES):
        raise PermissionDenied(_("Cette édition est close : seule la dernière est ouverte."))
    response = collection.start_response(questionnaire, request.user.authority, by=request.user)
    return redirect("questionnaires:response", response.pk)


@login_required
def response_home(request, pk):
    """Resume where the référent stopped: the first section with missing answers."""
    response = get_response_for(request.user, pk)
    if response.status == ResponseStatus.SUBMITTED:
        return redirect("questionnaires:review", pk)
    section = first_incomplete(LoadedQuestionnaire.load(response.questionnaire), response.answers)
    if section is not None:
        return redirect("questionnaires:section", pk, section.code)
    return redirect("questionnaires:review", pk)


def first_incomplete(form, answers):
    """The first section with relevant questions left unanswered (None: all answered)."""
    progress = collection.section_progress(form, answers)
    for section in form.questionnaire.sections.all():
        done, total = progress.get(section.pk, (0, 0))
        if done < total:
            return section
    return None


def section_parts(questionnaire, section_code):
    """The loaded form, the sections, the one asked for (404 if unknown) and its questions."""
    form = LoadedQuestionnaire.load(questionnaire)
    sections = list(questionnaire.sections.all())
    current = next((s for s in sections if s.code == section_code), None)
    if current is None:
        raise Http404
    return form, sections, current, [q for q in form.questions if q.section_id == current.pk]


@login_required
def section(request, pk, section_code):
    """One part of the questionnaire; POST (without JavaScript) saves the changed answers."""
    response = get_response_for(request.user, pk)
    if response.status == ResponseStatus.SUBMITTED:
        return redirect("questionnaires:review", pk)
    form, sections, current, questions = section_parts(response.questionnaire, section_code)
    errors: dict[str, str] = {}
    if request.method == "POST":
        changes = changed_values(
            form, submitted_values(questions, request.POST), initial_from_post(request.POST)
        )
        response, errors = _save(response, changes, request.user, form)
        if not errors:
            following = sections[sections.index(current) + 1 :]
            if "previous" in request.POST and sections.index(current) > 0:
                return redirect(
                    "questionnaires:section", pk, sections[sections.index(current) - 1].code
                )
            if following:
                return redirect("questionnaires:section", pk, following[0].code)
            return redirect("questionnaires:review", pk)
    context = section_context(response, form, sections, current, questions, errors)
    return render(request, "questionnaires/section.html", context)


def _save(response, changes, user, form):
    try:
        return collection.save_answers(response, changes, by=user, form=form)
    except collection.ResponseLocked as error:
        raise PermissionDenied(str(error)) from error


def section_context(response, form, sections, current, questions, errors):
    """What section.html needs; `response` is anything with `answers` and `questionnaire`
    (a barometer response, a diagnostic run)."""
    progress = collection.section_progress(form, response.answers)
    index = sections.index(current)
    answers = response.answers
    initial = {
        key: value
        for key, value in answers.items()
        if key in {q.code for q in questions}
        or key.removesuffix("_other") in {q.code for q in questions}
    }
    return {
        "response": response,
        "questionnaire": response.questionnaire,
        "sections": [(s, *progress.get(s.pk, (0, 0))) for s in sections],
        "section": current,
        "position": index + 1,
        "count": len(sections),
        "is_first": index == 0,
        "items": [question_item(form, current, q, answers, errors) for q in questions],
        "answers_json": answers,
        "initial_json": json.dumps(initial),
        "errors": errors,
        "urls": {"section": "questionnaires:section", "review": "questionnaires:review"},
    }


def question_item(form, section, question, answers, errors) -> dict:
    """What the template needs to draw one question."""
    value = answers.get(question.code)
    selected = value if isinstance(value, list) else [value]
    options = [
        {"value": v, "label": label, "checked": v in selected}
        for v, label in form.choices.get(question.choice_list, [])
    ]
    if question.has_other:
        options.append({"value": OTHER, "label": _("Autre"), "checked": OTHER in selected})
    specials = [
        {"value": v, "label": label, "checked": v in selected}
        for v, label, allowed in (
            (DONT_KNOW, SPECIAL_ANSWERS[DONT_KNOW], question.allow_dont_know),
            (REFUSED, SPECIAL_ANSWERS[REFUSED], question.allow_refusal),
        )
        if allowed
    ]
    relevant = " and ".join(f"({e})" for e in (section.relevant, question.relevant) if e)
    return {
        "question": question,
        "options": options,
        "specials": specials,
        "text": "" if value in (None, DONT_KNOW, REFUSED) else _input_text(value),
        "other": answers.get(question.code + OTHER_SUFFIX, ""),
        "other_selected": OTHER in selected,
        "error": errors.get(question.code, ""),
        "relevant": relevant,
        "hidden": not form.is_relevant(question, answers),
    }


def _input_text(value) -> str:
    if isinstance(value, float):
        return str(value).removesuffix(".0").replace(".", ",")
    return str(value)


@require_POST
@login_required
def save(request, pk):
    """htmx: save one question as soon as it changes; returns its status line."""
    response = get_response_for(request.user, pk)
    form = LoadedQuestionnaire.load(response.questionnaire)
    return save_one(request, form, lambda changes: _save(response, changes, request.user, form))


def save_one(request, form, save) -> HttpResponse:
    """The question named by `_only`, saved by `save(changes) -> (object, errors)`: its
    status line (shared by every object that keeps answers to a questionnaire)."""
    code = request.POST.get("_only", "")
    questions = [q for q in form.questions if q.code == code]
    if not questions:
        raise Http404
    _saved, errors = save(submitted_values(questions, request.POST, only=code))
    context = {"error": errors.get(code, ""), "saved_at": timezone.localtime()}
    return render(request, "questionnaires/_save_status.html", context)


@login_required
def review(request, pk):
    """All answers on one page; POST sends (and locks) the response."""
    response = get_response_for(request.user, pk)
    form = LoadedQuestionnaire.load(response.questionnaire)
    errors: dict[str, str] = {}
    if request.method == "POST" and response.status == ResponseStatus.DRAFT:
        try:
            collection.submit_response(response, by=request.user)
        except collection.SubmitError as error:
            errors = error.errors
        else:
            messages.success(request, _("Merci : votre réponse a bien été envoyée."))
            return redirect("questionnaires:review", pk)
    errors = errors or collection.check_response(form, response.answers)
    context = {
        "response": response,
        "sections": review_sections(form, response.answers, errors),
        "errors": errors,
        "reopen_form": ReopenForm() if request.user.is_analyst else None,
    }
    return render(request, "questionnaires/review.html", context)


def review_sections(form, answers, errors, marked=()) -> list[tuple]:
    """(section, rows) of the relevant answers, as the review page shows them; `marked`
    codes are flagged (a diagnostic's pre-filled answers)."""
    sections = []
    for section in form.questionnaire.sections.all():
        rows = [
            {
                "question": q,
                "display": display_answer(form, q, answers),
                "error": errors.get(q.code, ""),
                "marked": q.code in marked,
            }
            for q in form.questions
            if q.section_id == section.pk and q.type != "note" and form.is_relevant(q, answers)
        ]
        sections.append((section, rows))
    return sections


def export(request, code):
    """The questionnaire as an XLSForm file (public: the questionnaire is public)."""
    questionnaire = get_object_or_404(Questionnaire, code=code)
    response = HttpResponse(
        export_xlsform(questionnaire),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"{questionnaire.code}-v{questionnaire.version}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
