"""The PDF report (WeasyPrint; charts as SVG from vl-convert), generated in the background.

A request creates a ``ReportJob`` and runs it in a thread (``core.background``: the report
of an edition takes a few seconds); the note's page polls its status.  The same
published version always gives the same content (no date, sorted data), and the file's
SHA-256 is kept on the job.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from observatoire.barometre import charts
from observatoire.barometre import results as res
from observatoire.barometre.choices import JobStatus
from observatoire.barometre.models import Edition, ReportJob
from observatoire.core import background as bg


def report_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "barometre"
    path.mkdir(parents=True, exist_ok=True)
    return path


def report_html(edition: Edition, version: int) -> str:
    """The report as HTML: cover, key figures, one section per theme, method annex."""
    iset = res.indicators_of(edition, version)
    sections: list[dict[str, Any]] = []
    published = {
        (r.indicator, r.category): r for r in res.published(edition, version).filter(domain="")
    }
    for code, theme, indicators in iset.by_theme():
        bars = []
        for indicator in indicators:
            r = published.get((indicator.code, res.main_category(indicator)))
            if r is not None:
                p = res.point(r, indicator, edition.year, "")
                p["modalite"] = _short(indicator.title)
                bars.append(p)
        charts_svg = [charts.to_svg(charts.theme_bars(f"{theme['title']} — {edition.year}", bars))]
        for indicator in indicators:
            if indicator.key is None:
                continue
            points = [
                p
                for p in res.series(edition, indicator, "", "")
                if int(p["edition"]) <= edition.year
            ]
            charts_svg.append(charts.to_svg(charts.trend(indicator.title, points, width=440)))
        sections.append(
            {"theme": theme, "charts": charts_svg, "rows": res.theme_rows(edition, code, version)}
        )
    context = {
        "edition": edition,
        "version": version,
        "key_figures": res.key_figures(edition, version),
        "sections": sections,
        **res.method(edition),
    }
    return render_to_string("barometre/report.html", context)


def _short(text: str, size: int = 48) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def build_pdf(edition: Edition, version: int) -> bytes:
    from weasyprint import HTML

    html = report_html(edition, version)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


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
