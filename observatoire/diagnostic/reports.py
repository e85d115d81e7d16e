"""The diagnostic as a PDF (WeasyPrint, tagged; the chart as SVG from vl-convert), built
synchronously when asked: a few seconds at most, so no job is needed."""

from django.conf import settings
from django.template.loader import render_to_string

from observatoire.barometre.charts import to_svg
from observatoire.diagnostic import queries
from observatoire.diagnostic.models import Run


def report_html(run: Run) -> str:
    context = queries.result_context(run)
    context["peers_svg"] = to_svg(context["peers_spec"])
    if context["history_spec"]:
        context["history_svg"] = to_svg(context["history_spec"])
    return render_to_string("diagnostic/report.html", context)


def build_pdf(run: Run) -> bytes:
    from weasyprint import HTML

    html = report_html(run)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_tags=True)
