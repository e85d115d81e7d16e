"""A visitor reads the 2024 note in Chromium: key figures, an indicator's interactive chart,
another stratum, a stratum compared with the whole, the CSV and the PDF (rendered with
pdftoppm: charts are not blank)."""

import io
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from observatoire.barometre import demo
from observatoire.conftest import check_accessibility
from observatoire.territoires import services as territoires

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
THEMES = ["Motivations et usages", "Organisation et outils", "Gouvernance des données",
          "Numérique responsable", "Intelligence artificielle", "Cybersécurité"]  # fmt: skip


def coloured_chart_pixels(pdf: Path, workdir: Path) -> list[int]:
    """For each chart of the PDF (found by its x-axis title: "Édition" for a trend, "Estimation"
    for a theme's bars), the number of coloured pixels (data marks; axes, grid and text are
    grey) in the area above that title, rendered by pdftoppm."""
    from PIL import Image

    resolution = 50
    subprocess.run(["pdftoppm", "-r", str(resolution), "-png", str(pdf), str(workdir / "p")], check=True)  # fmt: skip
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True).stdout.decode()  # fmt: skip
    images = sorted(workdir.glob("p-*.png"))
    counts = []
    for number, page in enumerate(re.split(r"<page ", bbox)[1:]):
        image = Image.open(images[number]).convert("RGB")
        scale = resolution / 72
        for match in re.finditer(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">(Édition|Estimation)</word>', page):  # fmt: skip
            bottom = float(match.group(1)) * scale
            height = 200 if match.group(2) == "Édition" else 60
            area = image.crop((0, max(0, bottom - height * scale), image.width, bottom))
            pixels = np.asarray(area, dtype=np.int16)
            counts.append(int(((pixels.max(axis=2) - pixels.min(axis=2)) > 60).sum()))
    return counts


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils absent")
def test_visitor_reads_note_chart_stratum_csv_and_pdf(page, tmp_path, start_worker):
    """The whole public path of the 2024 barometer works, accessibly (the PDF is built by a
    real worker process)."""
    territoires.import_vintage(2024)
    demo.load(io.StringIO())
    start_worker()

    page.goto("/barometre/barometre-2024/")
    key = page.locator(".key-figure", has_text="Au moins un projet data")
    assert "65\u00a0%" in key.inner_text()
    assert "marge d’erreur" in key.inner_text()
    check_accessibility(page, "barometre-note-2024")

    key.get_by_role("link").click()
    page.wait_for_url("**/indicateur/projet_donnee_2ans/")
    page.locator("#chart-trend[data-ready=true]").wait_for()
    page.locator("#chart-trend .mark-symbol path").first.hover(force=True)
    tooltip = page.locator("#vg-tooltip-element.visible")
    tooltip.wait_for()
    assert "IC à 95 %" in tooltip.inner_text() and "Répondants (n)" in tooltip.inner_text()
    check_accessibility(page, "barometre-indicateur")

    page.get_by_label("Comparer l’ensemble avec").select_option(label="Communes de moins de 3 500 habitants")  # fmt: skip
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**niveau=commune_lt_3500**")
    heading = page.get_by_role("heading", name=re.compile("Communes de moins de 3 500"))
    assert heading.count() == 1
    page.locator("#chart-trend[data-ready=true]").wait_for()
    assert "42\u00a0%" in page.locator("table").first.inner_text()

    page.get_by_role("link", name="Comparer", exact=True).click()
    page.get_by_label("Ma strate").select_option(label="Communes de 10 000 à 100 000 habitants")
    page.get_by_role("button", name="Comparer").click()
    page.wait_for_url("**niveau=commune_10000_100000**")
    row = page.get_by_role("row", name=re.compile("Projets d.IA par domaine"))
    assert "écart significatif (p\u00a0<\u00a00,05)" in row.inner_text()
    assert "écart non significatif" in page.locator("table").inner_text()
    check_accessibility(page, "barometre-comparer")

    page.get_by_role("link", name="Note de conjoncture").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Résultats (CSV)").click()
    csv_path = tmp_path / "resultats.csv"
    download.value.save_as(csv_path)
    assert csv_path.read_text().startswith("edition,annee,version,theme,indicateur")

    page.get_by_role("button", name="Générer le rapport PDF").click()
    link = page.get_by_role("link", name="Télécharger le rapport (PDF)")
    link.wait_for(timeout=120_000)
    with page.expect_download() as download:
        link.click()
    pdf = tmp_path / "rapport.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()  # fmt: skip
    for heading_text in ["Note de conjoncture", "Chiffres clés", *THEMES, "Annexe : méthode"]:
        assert heading_text in text, heading_text
    counts = coloured_chart_pixels(pdf, tmp_path)
    assert len(counts) == 6 + 7  # one bar chart per theme, one trend per key figure
    assert min(counts) > 20, counts
