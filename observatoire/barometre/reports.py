"""The PDF report (WeasyPrint; charts as SVG from vl-convert), generated in the background.

A request creates a ``ReportJob`` and runs it in a thread (``core.background``: the report
of an edition takes a few seconds); the note's page polls its status.  The same
published version always gives the same content (no date, sorted data), and the file's
SHA-256 is kept on the job.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from observatoire.barometre import charts, editorial
from observatoire.barometre import results as res
from observatoire.barometre.choices import JobStatus
from observatoire.barometre.models import Edition, ReportJob
from observatoire.core import background as bg


def report_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "barometre"
    path.mkdir(parents=True, exist_ok=True)
    return path


PUBLISHER = "Observatoire data, IA et cybersécurité des territoires"
LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"
# A4 less the margins is about 680 CSS px wide: charts are drawn at that width, so their
# labels and numbers keep the size of the text (never shrunk, never cut).
PAGE_WIDTH = 360  # plot width; the labels' column takes the rest


def report_html(edition: Edition, version: int) -> str:
    """The report as HTML: cover, highlights and key figures, one section per theme
    (commentary, chart, table, trends of its key figures), method annex."""
    iset = res.indicators_of(edition, version)
    texts = editorial.rendered_texts(edition, version)
    sections: list[dict[str, Any]] = []
    for code, theme, indicators in iset.by_theme():
        spec, _points = res.theme_chart(edition, code, version, width=PAGE_WIDTH)
        charts_svg = [(_img(spec), f"{theme['title']} : résultats du thème, ensemble")]
        for indicator in indicators:
            if indicator.key is None:
                continue
            points = [
                p
                for p in res.series(edition, indicator, "", "")
                if int(p["edition"]) <= edition.year
            ]
            trend = charts.trend(f"{indicator.title} — évolution", points, width=260)
            trend["height"] = 170
            charts_svg.append((_img(trend), f"{indicator.title} : évolution par édition"))
        sections.append(
            {
                "theme": theme,
                "commentary": texts["commentary"].get(code, ""),
                "charts": charts_svg,
                "rows": res.theme_rows(edition, code, version),
            }
        )
    published = edition.versions.filter(number=version).first()
    context = {
        "edition": edition,
        "version": version,
        "published_at": published.created_at if published else None,
        "publisher": PUBLISHER,
        "site_url": settings.SITE_URL.rstrip("/"),
        "licence": LICENCE,
        "summary": texts["summary"],
        "key_figures": res.key_figures(edition, version),
        "sections": sections,
        **res.method(edition),
    }
    html = render_to_string("barometre/report.html", context)
    return html.replace('href="/', f'href="{context["site_url"]}/')


def _img(spec: dict[str, Any]) -> str:
    """The chart as an SVG data URI (an image the tagged PDF can describe)."""
    return "data:image/svg+xml;base64," + base64.b64encode(charts.to_svg(spec).encode()).decode()


def build_pdf(edition: Edition, version: int) -> bytes:
    """A tagged, accessible PDF (PDF/UA-1: structure, language and title from the HTML)."""
    from weasyprint import HTML

    html = report_html(edition, version)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")


def run_job(job_id: int) -> None:
    """Build the PDF of a job; the job records success or the error."""
    job = ReportJob.objects.select_related("edition").get(pk=job_id)
    job.status = JobStatus.RUNNING
    job.save()
    try:
        pdf = build_pdf(job.edition, job.version)
        path = report_dir() / f"{job.edition.code}-v{job.version}.pdf"
        path.write_bytes(pdf)
        job.path, job.sha256 = str(path), hashlib.sha256(pdf).hexdigest()
        job.status = JobStatus.DONE
    except Exception as exc:  # the status page shows it; the analyst can retry
        job.status, job.error = JobStatus.FAILED, str(exc)[:2000]
    job.finished_at = timezone.now()
    job.save()


def request_report(edition: Edition, version: int, background: bool = True) -> ReportJob:
    """Start (or reuse) the generation of a version's report."""
    job = ReportJob.objects.filter(edition=edition, version=version).first()
    if job is not None and job.status in (JobStatus.PENDING, JobStatus.RUNNING):
        return job
    if job is not None and job.status == JobStatus.DONE and Path(job.path).exists():
        return job
    job = job or ReportJob(edition=edition, version=version)
    job.status, job.error = JobStatus.PENDING, ""
    job.save()
    if background:
        bg.start(run_job, job.pk)
    else:
        run_job(job.pk)
        job.refresh_from_db()
    return job


def finished_job(edition: Edition, version: int) -> ReportJob | None:
    job = ReportJob.objects.filter(edition=edition, version=version, status=JobStatus.DONE).first()
    return job if job is not None and Path(job.path).exists() else None
