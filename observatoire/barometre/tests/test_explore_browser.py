"""A visitor explores the 2024 barometer in Chromium: « charte de la donnée » crossed with
« IA déployée ou testée », the test's conclusion, the chart, the CSV; axe-core clean."""

import csv
import io

import pytest

from observatoire.accounts.choices import Role
from observatoire.accounts.factories import UserFactory
from observatoire.barometre import demo
from observatoire.conftest import check_accessibility, login
from observatoire.territoires import services as territoires

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHARTER = "Une charte de la donnée (Sous quelle forme ces règles sont-elles formalisées ?)"
AI = "Intelligence artificielle déployée ou testée"


@pytest.fixture
def demo_data(transactional_db):
    territoires.import_vintage(2024)
    demo.load(io.StringIO())


def test_visitor_crosses_charter_with_ai_and_downloads_the_csv(page, tmp_path, demo_data):
    """From the note to the explorer: the table, the Rao–Scott test in words, the chart and
    the CSV of the same numbers, accessibly."""

    page.goto("/barometre/barometre-2024/")
    page.get_by_role("link", name="Explorer les données").click()
    page.wait_for_url("**/explorer/")
    check_accessibility(page, "barometre-explorer-form")

    page.get_by_label("En lignes").select_option(label=CHARTER)
    page.get_by_label("En colonnes").select_option(label=AI)
    page.get_by_role("button", name="Croiser").click()
    page.wait_for_url("**/explorer/?lignes=*")
    conclusion = page.locator("#test-conclusion").inner_text()
    assert "Test d’indépendance" in conclusion
    assert ("lien significatif (p" in conclusion) or ("pas de lien établi (p" in conclusion)
    page.locator("#chart-explore[data-ready=true]").wait_for()
    assert page.locator("#chart-explore svg .mark-rect path").count() > 0
    table = page.locator("#explorer-table").inner_text()
    assert "Oui" in table and "Non" in table and "Ensemble" in table and "\u00a0%" in table
    share = page.locator("#share-url").input_value()
    assert "lignes=q%3Agouv_documents%3Acharte" in share and "colonnes=i%3Aia_usage" in share
    check_accessibility(page, "barometre-explorer-table")

    with page.expect_download() as download:
        page.locator("#explorer-csv").click()
    path = tmp_path / "exploration.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert {r["lignes"] for r in rows} == {CHARTER}
    assert {r["colonnes"] for r in rows} == {AI}
    whole = next(r for r in rows if r["ligne"] == "Ensemble" and r["colonne"] == "Ensemble")
    assert whole["effectif"] == "289"

    page.goto(share)  # the shared address opens the same table
    assert page.locator("#explorer-table").inner_text() == table


def test_analyst_runs_a_model_and_saves_it_to_quote(page, demo_data):
    """An analyst fits « IA déployée ou testée » on the size band and the data charter,
    reads the odds ratios in French and saves the model; its page is accessible."""
    login(page, UserFactory(role=Role.ANALYST))
    page.goto("/barometre/barometre-2024/explorer/")
    page.get_by_role("link", name="Estimer un modèle").click()
    page.get_by_label("Variable expliquée (oui / non ou nombre)").select_option(label=AI)
    page.get_by_label("Taille", exact=True).check()
    page.get_by_label(CHARTER[:60], exact=False).check()
    page.get_by_role("button", name="Estimer").click()
    table = page.locator("#model-table").inner_text()
    assert "Rapports de cotes" in table and "réf. Communes de moins de 3 500 habitants" in table
    assert "," in table  # French decimal comma
    check_accessibility(page, "barometre-explorer-model")
    page.get_by_label("Titre du modèle enregistré").fill("IA, taille et charte")
    page.get_by_role("button", name="Enregistrer pour le citer").click()
    page.wait_for_url("**/explorer/modeles/*/")
    assert "IA, taille et charte" in page.locator("h1").inner_text()
    check_accessibility(page, "barometre-saved-model")
