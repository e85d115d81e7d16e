"""The analysts' pages of the barometer: an edition's life cycle, weighting plan, indicators and texts; the explorer's models."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from observatoire.accounts.access import require_analyst
from observatoire.barometre import access, editorial, explore, services
from observatoire.barometre.choices import EditionStatus
from observatoire.barometre.forms import (
    IndicatorFileForm,
    PublishForm,
    TextsForm,
    WeightingPlanForm,
)
from observatoire.barometre.indicator_specs import for_edition, text_of
from observatoire.barometre.models import WeightingRun
from observatoire.barometre.views import explorer_context
from observatoire.barometre.weighting import plan_of
from observatoire.core import formats, jobs


def manage(request, code):
    edition = access.get_managed_edition(request.user, code)
    form = WeightingPlanForm.for_plan(plan_of(edition))
    if request.method == "POST":
        form = WeightingPlanForm(request.POST)
        if form.is_valid():
            services.update_plan(edition, form.cleaned_data, by=request.user)
            messages.success(request, "Plan de pondération enregistré.")
            return redirect("barometre:manage", code=edition.code)
    return _manage_page(request, edition, plan_form=form)


def _manage_page(request, edition, *, plan_form=None, indicator_form=None, status=200):
    jobs.recover(WeightingRun)
    indicator_form = indicator_form or IndicatorFileForm(initial={"text": text_of(edition)})
    context = {
        "edition": edition,
        "form": plan_form or WeightingPlanForm.for_plan(plan_of(edition)),
        "indicator_form": indicator_form,
        "indicator_set": for_edition(edition),
        "report": edition.weighting_report,
        "run": edition.runs.first(),
        "runs": edition.runs.select_related("started_by")[:5],
        "worker_alive": jobs.worker_alive(),
    }
    return render(request, "barometre/manage.html", context, status=status)


@require_POST
def manage_indicators(request, code):
    """Replace the indicator file (pasted or uploaded); a file with an error changes nothing."""
    edition = access.get_managed_edition(request.user, code)
    form = IndicatorFileForm(request.POST, request.FILES)
    if "restore" in request.POST or form.is_valid():
        try:
            text = "" if "restore" in request.POST else form.cleaned_data["content"]
            services.update_indicators(edition, text, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                "Fichier des indicateurs enregistré. Lancez « Pondérer et calculer » pour "
                "recalculer les résultats ; les pages publiées changent à la publication suivante.",
            )
            return redirect("barometre:manage", code=edition.code)
    return _manage_page(request, edition, indicator_form=form, status=400)


def indicator_file(request, code):
    edition = access.get_managed_edition(request.user, code)
    response = HttpResponse(text_of(edition), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{edition.code}-indicateurs.yaml"'
    return response


def weighting_status(request, code):
    """The latest weighting run, polled by the management page while it runs."""
    edition = access.get_managed_edition(request.user, code)
    jobs.recover(WeightingRun)
    context = {"edition": edition, "run": edition.runs.first(), "worker_alive": jobs.worker_alive()}
    response = render(request, "barometre/_weighting_status.html", context)
    if request.headers.get("HX-Request") and not (context["run"] and context["run"].is_active):
        response["HX-Refresh"] = "true"  # the run ended: the page's run list and report too
    return response


def manage_texts(request, code):
    """The note's highlights and commentaries: preview (rendered with the working results)
    or save; an unknown figure reference is refused, naming it."""
    edition = access.get_managed_edition(request.user, code)
    iset = for_edition(edition)
    form = TextsForm.for_edition(edition, iset, request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        summary, commentary = form.texts()
        try:
            if "preview" in request.POST:
                editorial.check_texts(summary, commentary, iset)
                preview = editorial.preview(edition, summary, commentary, iset)
            else:
                services.update_texts(edition, summary, commentary, by=request.user)
                messages.success(request, "Textes de la note enregistrés.")
                return redirect("barometre:manage_texts", code=edition.code)
        except ValidationError as exc:
            form.add_error(None, exc)
    status = 400 if request.method == "POST" and form.errors else 200
    context = {"edition": edition, "form": form, "preview": preview, "iset": iset}
    return render(request, "barometre/manage_texts.html", context, status=status)


@require_POST
def manage_action(request, code, action):
    edition = access.get_managed_edition(request.user, code)
    try:
        if action == "ponderer":
            services.start_weighting(edition, by=request.user)
            done = "Pondération lancée : suivez son avancement ci-dessous."
        elif action == "publier":
            form = PublishForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors_text())
            version = services.publish_edition(edition, by=request.user, **form.cleaned_data)
            done = f"Version {version.number} publiée."
            if edition.is_embargoed:
                done += f" Sous embargo jusqu’au {formats.datetime_fr(edition.embargo_until)} : aperçu réservé aux analystes."
        elif action in EditionStatus.values:
            services.move_edition(edition, action, by=request.user)
            done = f"Statut de l’édition : {EditionStatus(action).label}."
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("barometre:manage", code=edition.code)


def model(request, code):
    """Analysts: fit a model from the page (GET, shareable), save it (POST)."""
    require_analyst(request.user)
    edition = access.get_public_edition(code)
    context = explorer_context(request, edition, True)
    outcome = request.GET.get("y", "")
    explanatory = request.GET.getlist("x")
    context.update(outcome=outcome, explanatory=explanatory)
    status = 200
    if outcome:
        try:
            context["model"] = explore.run_model(edition, outcome, explanatory)
        except explore.ExploreError as exc:
            context["error"], status = str(exc), 400
    return render(request, "barometre/explorer_model.html", context, status=status)


@require_POST
def model_save(request, code):
    require_analyst(request.user)
    edition = access.get_public_edition(code)
    try:
        result = explore.run_model(edition, request.POST.get("y", ""), request.POST.getlist("x"))
        saved = services.save_model(edition, result, request.POST.get("title", ""), by=request.user)
    except (explore.ExploreError, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        query = urlencode(
            {"y": request.POST.get("y", ""), "x": request.POST.getlist("x")}, doseq=True
        )
        return redirect(reverse("barometre:explorer_model", args=[edition.code]) + "?" + query)
    messages.success(request, "Modèle enregistré : citez-le par son adresse.")
    return redirect("barometre:saved_model", code=edition.code, pk=saved.pk)
