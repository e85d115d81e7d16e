"""Public pages of the published editions, open data, the PDF report; the analyst's page."""

from urllib.parse import urlencode

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from observatoire.barometre import access, charts, editorial, explore, opendata, queries
from observatoire.barometre.models import ReportJob
from observatoire.barometre.services import reports
from observatoire.core import jobs
from observatoire.core.cache import cached_page, topics_stamp

# The public pages are kept in the cache until an edition or a version changes (a
# publication, a correction) or an embargo ends (see apps.py).
public_page = cached_page(topics_stamp("barometre"))


@public_page
def index(request):
    editions = access.public_editions(request.user)
    return render(request, "barometre/index.html", {"editions": editions})


def _version(request, edition):
    try:
        version = int(request.GET.get("version", edition.published_version))
    except ValueError as exc:
        raise Http404 from exc
    if not 1 <= version <= edition.published_version:
        raise Http404
    return version


@public_page
def note(request, code):
    edition = access.get_public_edition(code, request.user)
    version = _version(request, edition)
    texts = editorial.rendered_texts(edition, version)
    sections = []
    for theme_code, theme_item in queries.indicators_of(edition, version).themes.items():
        spec, points = queries.theme_chart(edition, theme_code, version)
        commentary = texts["commentary"].get(theme_code, "")
        sections.append(
            {"theme": theme_item, "commentary": commentary, "spec": spec, "points": points}
        )
    context = {
        "edition": edition,
        "version": version,
        "summary": texts["summary"],
        "key_figures": queries.key_figures(edition, version),
        "sections": sections,
        "versions": edition.versions.all(),
    }
    return render(request, "barometre/note.html", context)


def version_page(request, code, number):
    """One published version: its note, and the figures of its text that changed since the
    previous version (a correction says what it corrected)."""
    edition = access.get_public_edition(code, request.user)
    version = get_object_or_404(edition.versions, number=number)
    context = {
        "edition": edition,
        "version": version,
        "changed": editorial.changed_figures(edition, number),
        "changed_results": editorial.changed_results(edition, number),
    }
    return render(request, "barometre/version.html", context)


@public_page
def theme(request, code, theme):
    edition = access.get_public_edition(code, request.user)
    iset = queries.indicators_of(edition)
    if theme not in iset.themes:
        raise Http404
    spec, points = queries.theme_chart(edition, theme)
    texts = editorial.rendered_texts(edition, edition.published_version)
    context = {
        "edition": edition,
        "theme": iset.themes[theme],
        "rows": queries.theme_rows(edition, theme),
        "spec": spec,
        "points": points,
        "commentary": texts["commentary"].get(theme, ""),
    }
    return render(request, "barometre/theme.html", context)


def _indicator(request, code: str, indicator: str):
    """The public edition, its indicators and the one asked for (404 if unknown)."""
    edition = access.get_public_edition(code, request.user)
    iset = queries.indicators_of(edition)
    try:
        return edition, iset, iset.get(indicator)
    except KeyError as exc:
        raise Http404 from exc


@public_page
def indicator(request, code, indicator):
    edition, iset, item = _indicator(request, code, indicator)
    domain = request.GET.get("domaine", iset.domains[0])
    domain = domain if domain in iset.domains else iset.domains[0]
    level = request.GET.get("niveau", "")
    context = {"edition": edition, "indicator": item, "domain": domain, "level": level}
    context.update(queries.indicator_charts(edition, item, domain, level))
    context["headline"] = queries.headline(edition, item, domain if level else "", level)
    context["domains"] = [(d, queries.DOMAIN_TITLES.get(d, d)) for d in iset.domains]
    return render(request, "barometre/indicator.html", context)


@public_page
def compare(request, code):
    edition = access.get_public_edition(code, request.user)
    # A référent's own stratum is chosen until it picks another one (or none).
    authority = getattr(request.user, "authority", None)
    own = authority.stratum if authority is not None and edition.population == "authorities" else ""
    context = queries.comparison(edition, request.GET.get("niveau", own), request.GET.get("avec"))
    context["points"] = queries.comparison_points(edition, context)
    context["spec"] = charts.grouped_bars(
        f"{edition.title} — indicateurs principaux", context["points"]
    )
    return render(request, "barometre/compare.html", {"edition": edition, **context})


@public_page
def method(request, code):
    edition = access.get_public_edition(code, request.user)
    return render(request, "barometre/method.html", {"edition": edition, **queries.method(edition)})


def download(request, code, name):
    edition = access.get_public_edition(code, request.user)
    try:
        content, content_type = opendata.export_file(edition, name)
    except KeyError as exc:
        raise Http404 from exc
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{edition.code}-{name}"'
    return response


@require_POST
def report_request(request, code):
    edition = access.get_public_edition(code, request.user)
    version = _version(request, edition)
    reports.request_report(edition, version)
    return redirect("barometre:report_status", code=edition.code)


def report_status(request, code):
    edition = access.get_public_edition(code, request.user)
    jobs.recover(ReportJob)
    job = edition.report_jobs.filter(version=edition.published_version).first()
    context = {"edition": edition, "job": job, "worker_alive": jobs.worker_alive()}
    return render(request, "barometre/_report_status.html", context)


def report_pdf(request, code):
    edition = access.get_public_edition(code, request.user)
    job = reports.finished_job(edition, _version(request, edition))
    if job is None:
        raise Http404
    return FileResponse(
        open(job.path, "rb"),
        as_attachment=True,
        filename=f"{edition.code}-v{job.version}.pdf",
        content_type="application/pdf",
    )


@public_page
def chart_spec(request, code, indicator):
    """The Vega-Lite spec of an indicator's trend, as JSON (for reuse by journalists)."""
    edition, _iset, item = _indicator(request, code, indicator)
    spec = charts.trend(item.title, queries.series(edition, item, "", ""))
    return HttpResponse(opendata.dumps(spec), content_type="application/json")


# The explorer: cross-tabulations for everyone (models: views_staff).
def _is_analyst(user) -> bool:
    return user.is_analyst


def explorer_context(request, edition, analyst: bool) -> dict:
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
    context = explorer_context(request, edition, analyst)
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


def saved_model(request, code, pk):
    saved = access.get_saved_model(request.user, code, pk)
    return render(request, "barometre/saved_model.html", {"edition": saved.edition, "saved": saved})
