"""The PDF report is a publication: a cover, the highlights and commentaries with their
figures, one section per theme, the method annex, and a tagged PDF/UA file with its
language and title — checked by reading the file with poppler's tools."""

import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from observatoire.barometre import services
from observatoire.barometre.factories import make_edition
from observatoire.barometre.models import Result
from observatoire.barometre.services import reports
from observatoire.barometre.tests.test_manage import FILE, SAMPLE, ia_answers

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils absent"),
]


def catalogue_entries(pdf: Path) -> bytes:
    """The PDF's decompressed streams (where WeasyPrint writes the catalogue and XMP)."""
    data = pdf.read_bytes()
    out = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        end = data.find(b"endstream", match.end())
        try:
            out.append(zlib.decompress(data[match.end() : end]))
        except zlib.error:
            continue
    return b"\n".join(out)


def test_the_report_reads_as_a_publication(users):
    """Cover (title, version, publisher, licence), highlights, a commentary with its figure
    and footnoted margin, the theme's section, the method annex; tagged PDF/UA-1 with the
    document's language and title."""
    edition = make_edition(SAMPLE, answers=ia_answers)
    services.update_indicators(edition, FILE, by=users["analyst"])
    services.weight_edition(edition)
    services.update_texts(
        edition,
        "Un tiers des collectivités a déployé l'IA.",
        {"ia": "L'IA est déployée par {ia_deployee} des collectivités interrogées."},
        by=users["analyst"],
    )
    services.publish_edition(edition)
    job = reports.request_report(edition, 1, background=False)
    assert job.status == "done", job.error
    pdf = Path(job.path)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()  # fmt: skip
    words = " ".join(text.split())
    cover = subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True, check=True).stdout.decode()  # fmt: skip
    for expected in ["Note de conjoncture", edition.title, "Version 1 des résultats",
                     "Observatoire data, IA et cybersécurité des territoires",
                     "Licence Ouverte / Open Licence 2.0"]:  # fmt: skip
        assert expected in " ".join(cover.split()), expected
    value = Result.objects.get(edition=edition, version=1, indicator="ia_deployee", domain="")
    figure = f"{round(100 * value.estimate)} %"
    assert "Faits saillants" in words and "Un tiers des collectivités a déployé l'IA." in words
    assert f"L'IA est déployée par {figure}1 des collectivités interrogées." in words
    assert "1. marge d’erreur ±" in words  # the figure's footnote
    assert "Intelligence artificielle" in words and "Chiffres clés" in words
    annex = words[words.index("Annexe : méthode") :]
    for heading in ["Univers et échantillon", "Pondération", "Marges d’erreur", "Règle de diffusion"]:  # fmt: skip
        assert heading in annex, heading
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True).stdout.decode()
    assert "Tagged:          yes" in info and "PDF version:     1.7" in info
    assert f"Title:           {edition.title} — note de conjoncture, version 1" in info
    entries = catalogue_entries(pdf)
    assert b"/Lang (fr)" in entries and b'pdfuaid:part="1"' in entries
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    # No near-empty page: on every page but the cover and the last, words (chart labels
    # included) run over at least half the page's height, the running footer left out.
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True).stdout.decode()  # fmt: skip
    assert pages >= 3
    for number, page in enumerate(bbox.split("<page ")[1:], start=1):
        if number in (1, pages):
            continue
        tops = [float(y) for y in re.findall(r'yMin="([\d.]+)"', page) if float(y) < 780]
        assert max(tops) - min(tops) > 842 / 2, (number, min(tops), max(tops))


def test_chart_labels_are_whole_in_the_pdf():
    """A chart's long bar labels stay inside the chart in the PDF: no word of them starts
    left of the page margin (they were measured in one font and drawn in a wider one, so
    their first letters ran past the image's edge and were cut)."""
    from weasyprint import HTML

    from observatoire.barometre import charts

    points = [
        {"modalite": "Culture de la donnée « bonne » ou « correcte »", "estimation": 0.5,
         "ic_bas": 0.4, "ic_haut": 0.6},
        {"modalite": "Données utilisées par domaine : énergie et éclairage public",
         "estimation": 0.3, "ic_bas": 0.2, "ic_haut": 0.4},
    ]  # fmt: skip
    image = reports._img(charts.theme_bars("Motivations et usages", points, width=420))
    html = (
        "<html><head><style>@page { size: A4; margin: 20mm } body { margin: 0 } "
        f'img {{ width: 100% }}</style></head><body><img alt="" src="{image}"></body></html>'
    )
    pdf = HTML(string=html).write_pdf()
    layout = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    words = re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]*)</word>', layout)
    assert {"Culture", "énergie"} <= {word for _x, word in words}
    margin = 20 / 25.4 * 72  # points
    assert [word for x, word in words if float(x) < margin - 0.5] == []
