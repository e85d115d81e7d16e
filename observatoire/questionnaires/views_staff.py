"""The analysts' pages: campaign dashboard, sample, invitations, reminders, imports, reopening a
submitted response."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from observatoire.accounts.access import require_analyst
from observatoire.questionnaires import services
from observatoire.questionnaires.access import get_campaign_for, get_response_for
from observatoire.questionnaires.forms import (
    ImportForm,
    NewEditionForm,
    ReopenForm,
    SampleForm,
    XLSFormUploadForm,
)
from observatoire.questionnaires.services import campaigns, collection, importers


def _rates_context(questionnaire) -> dict:
    rates = campaigns.response_rates(questionnaire)
    total = campaigns.StratumRate("", _("Ensemble"), 0, 0, 0, 0)
    for row in rates:
        total.sample += row.sample
        total.invited += row.invited
        total.drafts += row.drafts
        total.submitted += row.submitted
    bars = [
        {
            "row": row,
            "y": 8 + i * 30,
            "width": round(row.rate * 400, 1),
            "percent": round(row.rate * 100),
        }
        for i, row in enumerate(rates)
    ]
    return {
        "questionnaire": questionnaire,
        "rates": rates,
        "total": total,
        "total_percent": round(total.rate * 100),
        "bars": bars,
        "chart_height": 16 + 30 * len(rates),
    }


@login_required
def dashboard(request, code):
    questionnaire = get_campaign_for(request.user, code)
    context = _rates_context(questionnaire) | {
        "sample_form": SampleForm(),
        "edition_form": NewEditionForm(initial={"year": questionnaire.year + 1}),
    }
    return render(request, "questionnaires/campaign.html", context)


@login_required
def rates(request, code):
    """htmx: the response-rate table and chart, refreshed every 30 seconds."""
    questionnaire = get_campaign_for(request.user, code)
    return render(request, "questionnaires/_rates.html", _rates_context(questionnaire))


@require_POST
@login_required
def sample(request, code):
    questionnaire = get_campaign_for(request.user, code)
    form = SampleForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            added = campaigns.add_strata_to_sample(
                questionnaire, form.cleaned_data["strata"], by=request.user
            )
            if form.cleaned_data["sirens"]:
                data = form.cleaned_data["sirens"].read()
                added += campaigns.add_sirens_to_sample(questionnaire, data, by=request.user)
        except importers.ImportRejected as error:
            for message in error.errors[:20]:
                messages.error(request, message)
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)s collectivité ajoutée à l'échantillon.",
                    "%(n)s collectivités ajoutées à l'échantillon.",
                    added,
                )
                % {"n": added},
            )
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return redirect("questionnaires:campaign", code)


@require_POST
@login_required
def invite(request, code):
    questionnaire = get_campaign_for(request.user, code)
    mailing = campaigns.send_invitations(questionnaire, by=request.user)
    messages.success(request, mailing.summary(reminder=False))
    return redirect("questionnaires:campaign", code)


@require_POST
@login_required
def remind(request, code):
    questionnaire = get_campaign_for(request.user, code)
    mailing = campaigns.send_reminders(questionnaire, by=request.user)
    messages.success(request, mailing.summary(reminder=True))
    return redirect("questionnaires:campaign", code)


@login_required
def import_responses(request, code):
    """Upload a LimeSurvey or KoboToolbox export: dry run first, then the real import."""
    questionnaire = get_campaign_for(request.user, code)
    form = ImportForm(request.POST or None, request.FILES or None)
    report, file_errors = None, []
    if request.method == "POST" and form.is_valid():
        try:
            report = importers.import_responses(
                form.cleaned_data["file"].read(),
                questionnaire,
                form.cleaned_data["tool"],
                by=request.user,
                dry_run=form.cleaned_data["dry_run"],
                confirm_names="confirm_names" in request.POST,
            )
        except importers.ImportRejected as error:
            file_errors = error.errors
    context = {
        "questionnaire": questionnaire,
        "form": form,
        "report": report,
        "file_errors": file_errors,
    }
    return render(request, "questionnaires/import.html", context)


@login_required
def export_responses(request, code):
    """The responses as CSV, each line with the questionnaire version it answered."""
    questionnaire = get_campaign_for(request.user, code)
    response = HttpResponse(
        importers.export_responses_csv(questionnaire), content_type="text/csv; charset=utf-8"
    )
    filename = f"{questionnaire.code}-v{questionnaire.version}-reponses.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def create(request):
    """A new questionnaire from an XLSForm file (errors name sheet, row and column)."""
    require_analyst(request.user)
    form = XLSFormUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            questionnaire = services.import_xlsform(
                data["file"].read(),
                code=data["code"],
                year=data["year"],
                population=data["population"],
                by=request.user,
                previous=data["previous"],
                title=data["title"],
            )
        except services.XLSFormError as error:
            errors = error.errors
        else:
            return redirect("questionnaires:campaign", questionnaire.code)
    return render(request, "questionnaires/create.html", {"form": form, "errors": errors})


@require_POST
@login_required
def new_edition(request, code):
    """The next edition starts as a copy of this one (same codes, same wording)."""
    questionnaire = get_campaign_for(request.user, code)
    form = NewEditionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Année invalide."))
        return redirect("questionnaires:campaign", code)
    try:
        edition = services.new_edition(
            questionnaire, year=form.cleaned_data["year"], by=request.user
        )
    except services.XLSFormError as error:
        messages.error(request, error.errors[0])
        return redirect("questionnaires:campaign", code)
    return redirect("questionnaires:campaign", edition.code)


@require_POST
@login_required
def reopen(request, pk):
    response = get_response_for(request.user, pk)
    if not request.user.is_analyst:
        raise PermissionDenied(_("Seul un analyste peut rouvrir une réponse."))
    form = ReopenForm(request.POST)
    if form.is_valid():
        collection.reopen_response(response, reason=form.cleaned_data["reason"], by=request.user)
        messages.success(request, _("La réponse est rouverte."))
    else:
        messages.error(request, _("Indiquez la raison de la réouverture."))
    return redirect("questionnaires:review", pk)
