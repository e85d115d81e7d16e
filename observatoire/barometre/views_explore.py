"""The explorer's pages: cross-tabulations for everyone, models for analysts."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from observatoire.accounts.access import require_analyst
from observatoire.barometre import access, explore, services


def _is_analyst(user) -> bool:
    return bool(getattr(user, "is_analyst", False))


def _page_context(request, edition, analyst: bool) -> dict:
    data = explore.load(edition)
    variables = explore.variables_for(data, analyst)
    return {
        "edition": edition,
        "analyst": analyst,
        "variables": variables,
        "filters": [v for v in variables if v.categories],
        "views": explore.VIEW_TITLES,
        "saved_models": edition.saved_models.all() if analyst else [],
    }


def explorer(request, code):
    """The form, and the table with its test, chart and CSV link once a query is given."""
    edition = access.get_public_edition(code)
    analyst = _is_analyst(request.user)
    context = _page_context(request, edition, analyst)
    status = 200
    if request.GET.get("lignes") or request.GET.get("colonnes"):
        try:
            query = explore.Query.from_params(request.GET)
            result = explore.explore(edition, query, analyst=analyst)
        except explore.ExploreError as exc:
            context["error"], status = str(exc), 400
        else:
            spec, points = explore.chart(result)
            query_string = urlencode(query.params())
            base = reverse("barometre:explorer", args=[edition.code])
            context.update(
                query=query,
                result=result,
                spec=spec,
                points=points,
                share_url=request.build_absolute_uri(f"{base}?{query_string}"),
                csv_url=reverse("barometre:explorer_csv", args=[edition.code]) + "?" + query_string,
            )
    return render(request, "barometre/explorer.html", context, status=status)


def explorer_csv(request, code):
    """The table of a query as CSV (the same numbers as the page)."""
    edition = access.get_public_edition(code)
    analyst = _is_analyst(request.user)
    try:
        result = explore.explore(edition, explore.Query.from_params(request.GET), analyst=analyst)
    except explore.ExploreError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(explore.to_csv(result, edition), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{edition.code}-exploration.csv"'
    return response


def model(request, code):
    """Analysts: fit a model from the page (GET, shareable), save it (POST)."""
    require_analyst(request.user)
    edition = access.get_public_edition(code)
    context = _page_context(request, edition, True)
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


def saved_model(request, code, pk):
    saved = access.get_saved_model(request.user, code, pk)
    return render(request, "barometre/saved_model.html", {"edition": saved.edition, "saved": saved})
