"""Public pages, open data and the PDF of the demo editions (loaded once for the module)."""

import csv
import io
import shutil
import subprocess

import pytest
from frictionless import Resource, Schema

from observatoire.barometre import opendata, queries
from observatoire.barometre.models import Edition
from observatoire.barometre.services import reports
from observatoire.conftest import PERSONAS

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


@pytest.fixture
def edition(demo_module):
    return Edition.objects.get(code="barometre-2024")


PAGES = [
    "/barometre/",
    "/barometre/barometre-2024/",
    "/barometre/barometre-2024/theme/ia/",
    "/barometre/barometre-2024/indicateur/ia_usage/",
    "/barometre/barometre-2024/indicateur/usages_donnee/?domaine=strate&niveau=commune_lt_3500",
    "/barometre/barometre-2024/comparer/?niveau=commune_lt_3500&avec=barometre-2022",
    "/barometre/barometre-2024/methode/",
    "/barometre/sondage-citoyens-2024/",
    "/barometre/sondage-citoyens-2024/indicateur/confiance_ia/?domaine=age",
    "/barometre/sondage-citoyens-2024/methode/",
]


def test_public_pages_render_for_anonymous_visitors(client, edition):
    """Every public page of a published edition opens without an account and is labelled
    as demonstration data."""
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "démonstration" in response.content.decode(), url


def test_note_shows_key_figures_with_margins(client, edition):
    """The note shows each key figure as a French percentage with its margin of error."""
    html = client.get("/barometre/barometre-2024/").content.decode()
    for indicator, cell in queries.key_figures(edition):
        assert indicator.title.replace("'", "&#x27;") in html
        if cell.shown:
            assert cell.value in html and cell.margin in html
    assert f"65{NBSP}%" in html  # at least one data project in the last two years


def test_suppressed_cells_are_never_bare_numbers(client, edition):
    """A cell under the disclosure rule shows "non diffusé", in the page and in the CSV."""
    html = client.get(
        "/barometre/barometre-2024/indicateur/gouv_documents/?domaine=strate"
    ).content.decode()
    assert "non diffusé" in html
    rows = list(csv.DictReader(io.StringIO(opendata.results_csv(edition))))
    suppressed = [r for r in rows if r["diffusion"] == "non_diffuse"]
    assert suppressed and all(r["estimation"] == "" and r["ic_bas"] == "" for r in suppressed)


def test_unpublished_edition_is_not_public(client, edition):
    """An edition without a published version gives 404 on every public page."""
    edition.published_version = 0
    edition.save()
    assert client.get("/barometre/barometre-2024/").status_code == 404
    assert client.get("/barometre/barometre-2024/donnees/resultats.csv").status_code == 404
    edition.published_version = 1
    edition.save()


@pytest.mark.parametrize("persona", PERSONAS)
def test_management_page_and_actions_are_for_analysts(client_for, persona, edition):
    """Only analysts see the management page or run an action; others get 403, anonymous
    visitors the login page."""
    client = client_for(persona)
    page = client.get("/barometre/barometre-2024/gestion/")
    action = client.post("/barometre/barometre-2024/gestion/collecting/")
    edition.refresh_from_db()
    if persona == "analyst":
        assert page.status_code == 200
        assert action.status_code == 302 and edition.status == "collecting"
        edition.status = "published"
        edition.save()
    else:
        refused = 302 if persona == "anonymous" else 403
        assert page.status_code == refused and action.status_code == refused
        assert edition.status == "published"


def test_results_csv_is_valid_against_its_table_schema(client, edition, tmp_path):
    """The published CSV validates against its Table Schema (frictionless)."""
    content = client.get("/barometre/barometre-2024/donnees/resultats.csv").content
    schema = client.get("/barometre/barometre-2024/donnees/resultats.schema.json").json()
    path = tmp_path / "resultats.csv"
    path.write_bytes(content)
    resource = Resource(
        path="resultats.csv", basepath=str(tmp_path), schema=Schema.from_descriptor(schema)
    )
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    parquet = client.get("/barometre/barometre-2024/donnees/resultats.parquet").content
    import polars as pl

    frame = pl.read_parquet(io.BytesIO(parquet))
    assert frame.height == len(content.decode().splitlines()) - 1


def test_csv_numbers_equal_page_and_pdf(client, edition):
    """The overall cells of the CSV, rounded, are the numbers of the theme pages and of the
    PDF; two generations of the same version give the same PDF (reproducible)."""
    rows = [
        r
        for r in csv.DictReader(io.StringIO(opendata.results_csv(edition)))
        if r["domaine"] == "" and r["estimation"]
    ]
    pdf = reports.build_pdf(edition, edition.published_version)
    assert pdf == reports.build_pdf(edition, edition.published_version)
    text = ""
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
    pages = {t: client.get(f"/barometre/barometre-2024/theme/{t}/").content.decode() for t in queries.indicators_of(edition).themes}  # fmt: skip
    for row in rows:
        shown = f"{round(100 * float(row['estimation']))}{NBSP}%"
        assert shown in pages[row["theme"]], row
        if text:
            assert shown.replace(NBSP, " ") in text.replace(NBSP, " "), row


def test_microdata_are_anonymised_and_labelled(edition, tmp_path):
    """Microdata have weights, no authority identifier, and SPSS/Stata labels."""
    import pyreadstat

    frame, _labels, value_labels = opendata.microdata(edition)
    assert frame.height == 289 and "poids" in frame.columns
    assert not {"authority", "code", "siren", "nom", "region"} & set(frame.columns)
    assert value_labels["culture_donnee"][1]
    for fmt, reader in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
        path = tmp_path / f"micro.{fmt}"
        path.write_bytes(opendata.microdata_file(edition, fmt))
        _df, meta = reader(str(path), metadataonly=True, output_format="polars")
        assert meta.number_rows == 289
        assert (
            meta.variable_value_labels["culture_donnee"][1.0] == value_labels["culture_donnee"][1]
        )


def test_api_gives_the_published_numbers(client, edition):
    """The API lists published editions and returns the CSV's numbers."""
    editions = client.get("/api/v1/barometre/editions").json()
    assert {"barometre-2024", "sondage-citoyens-2024"} <= {e["code"] for e in editions}
    rows = client.get(
        "/api/v1/barometre/editions/barometre-2024/results?indicateur=ia_usage&domaine="
    ).json()
    fait = next(r for r in rows if r["modalite"] == "fait" and r["domaine"] == "")
    assert fait["estimation"] == pytest.approx(0.36, abs=0.005)


def test_cli_compute_and_export_print_a_summary(edition, tmp_path):
    """`observatoire barometre compute|export EDITION` end with one summary line."""
    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    call_command("barometre", "compute", "barometre-2024", stdout=out, stderr=err)
    assert "résultats, dont" in out.getvalue()
    assert "Calcul: 100%" in err.getvalue() and "3/3" in err.getvalue()
    call_command("barometre", "export", "barometre-2024", "--out", str(tmp_path), stdout=out, stderr=err)  # fmt: skip
    assert "10 fichiers écrits" in out.getvalue()
    assert (tmp_path / "barometre-2024" / "microdonnees.dta").stat().st_size > 0
