"""Public pages of the published editions, open data, the PDF report; the analyst's page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from observatoire.barometre import charts, editorial, formats, opendata, reports, services
from observatoire.barometre import results as res
from observatoire.barometre.choices import EditionStatus
from observatoire.barometre.forms import (
    IndicatorFileForm,
    PublishForm,
    TextsForm,
    WeightingPlanForm,
)
from observatoire.barometre.indicators import for_edition, text_of
from observatoire.barometre.models import ReportJob, WeightingRun
from observatoire.barometre.weighting import plan_of
from observatoire.core import jobs
from observatoire.core.cache import cached_page, topics_stamp

# The public pages are kept in the cache until an edition or a version changes (a
# publication, a correction) or an embargo ends (see apps.py).
public_page = cached_page(topics_stamp("barometre"))


@public_page
def index(request):
    editions = services.public_editions(request.user)
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
    edition = services.get_public_edition(code, request.user)
    version = _version(request, edition)
    texts = editorial.rendered_texts(edition, version)
    sections = []
    for theme_code, theme_item in res.indicators_of(edition, version).themes.items():
        spec, points = res.theme_chart(edition, theme_code, version)
        commentary = texts["commentary"].get(theme_code, "")
        sections.append(
            {"theme": theme_item, "commentary": commentary, "spec": spec, "points": points}
        )
    context = {
        "edition": edition,
        "version": version,
        "summary": texts["summary"],
        "key_figures": res.key_figures(edition, version),
        "sections": sections,
        "versions": edition.versions.all(),
    }
    return render(request, "barometre/note.html", context)


def version_page(request, code, number):
    """One published version: its note, and the figures of its text that changed since the
    previous version (a correction says what it corrected)."""
    edition = services.get_public_edition(code, request.user)
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
    edition = services.get_public_edition(code, request.user)
    iset = res.indicators_of(edition)
    if theme not in iset.themes:
        raise Http404
    spec, points = res.theme_chart(edition, theme)
    texts = editorial.rendered_texts(edition, edition.published_version)
    context = {
        "edition": edition,
        "theme": iset.themes[theme],
        "rows": res.theme_rows(edition, theme),
        "spec": spec,
        "points": points,
        "commentary": texts["commentary"].get(theme, ""),
    }
    return render(request, "barometre/theme.html", context)


@public_page
def indicator(request, code, indicator):
    edition = services.get_public_edition(code, request.user)
    iset = res.indicators_of(edition)
    try:
        item = iset.get(indicator)
    except KeyError as exc:
        raise Http404 from exc
    domain = request.GET.get("domaine", iset.domains[0])
    domain = domain if domain in iset.domains else iset.domains[0]
    level = request.GET.get("niveau", "")
    context = {"edition": edition, "indicator": item, "domain": domain, "level": level}
    context.update(res.indicator_charts(edition, item, domain, level))
    context["headline"] = res.headline(edition, item, domain if level else "", level)
    context["domains"] = [(d, res.DOMAIN_TITLES.get(d, d)) for d in iset.domains]
    return render(request, "barometre/indicator.html", context)


@public_page
def compare(request, code):
    edition = services.get_public_edition(code, request.user)
    # A référent's own stratum is chosen until it picks another one (or none).
    authority = getattr(request.user, "authority", None)
    own = authority.stratum if authority is not None and edition.population == "authorities" else ""
    context = res.comparison(edition, request.GET.get("niveau", own), request.GET.get("avec"))
    context["points"] = res.comparison_points(edition, context)
    context["spec"] = charts.grouped_bars(
        f"{edition.title} — indicateurs principaux", context["points"]
    )
    return render(request, "barometre/compare.html", {"edition": edition, **context})


@public_page
def method(request, code):
    edition = services.get_public_edition(code, request.user)
    return render(request, "barometre/method.html", {"edition": edition, **res.method(edition)})


def download(request, code, name):
    edition = services.get_public_edition(code, request.user)
    try:
        content, content_type = opendata.export_file(edition, name)
    except KeyError as exc:
        raise Http404 from exc
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{edition.code}-{name}"'
    return response


@require_POST
def report_request(request, code):
    edition = services.get_public_edition(code, request.user)
    version = _version(request, edition)
    reports.request_report(edition, version)
    return redirect("barometre:report_status", code=edition.code)


def report_status(request, code):
    edition = services.get_public_edition(code, request.user)
    jobs.recover(ReportJob)
    job = edition.report_jobs.filter(version=edition.published_version).first()
    context = {"edition": edition, "job": job, "worker_alive": jobs.worker_alive()}
    return render(request, "barometre/_report_status.html", context)


def report_pdf(request, code):
    edition = services.get_public_edition(code, request.user)
    job = reports.finished_job(edition, _version(request, edition))
    if job is None:
        raise Http404
    return FileResponse(
        open(job.path, "rb"),
        as_attachment=True,
        filename=f"{edition.code}-v{job.version}.pdf",
        content_type="application/pdf",
    )


def manage(request, code):
    edition = services.get_managed_edition(request.user, code)
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
    edition = services.get_managed_edition(request.user, code)
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
    edition = services.get_managed_edition(request.user, code)
    response = HttpResponse(text_of(edition), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{edition.code}-indicateurs.yaml"'
    return response


def weighting_status(request, code):
    """The latest weighting run, polled by the management page while it runs."""
    edition = services.get_managed_edition(request.user, code)
    jobs.recover(WeightingRun)
    context = {"edition": edition, "run": edition.runs.first(), "worker_alive": jobs.worker_alive()}
    return render(request, "barometre/_weighting_status.html", context)


def manage_texts(request, code):
    """The note's highlights and commentaries: preview (rendered with the working results)
    or save; an unknown figure reference is refused, naming it."""
    edition = services.get_managed_edition(request.user, code)
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
    edition = services.get_managed_edition(request.user, code)
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


@public_page
def chart_spec(request, code, indicator):
    """The Vega-Lite spec of an indicator's trend, as JSON (for reuse by journalists)."""
    edition = services.get_public_edition(code, request.user)
    iset = res.indicators_of(edition)
    try:
        item = iset.get(indicator)
    except KeyError as exc:
        raise Http404 from exc
    spec = charts.trend(item.title, res.series(edition, item, "", ""))
    return HttpResponse(opendata.dumps(spec), content_type="application/json")
