"""The référent of a small commune runs its diagnostic in Chromium from its 2024 barometer
response: lands on its authority's page, changes one answer, computes, sees its place
against its stratum on the chart, opens a recommended use case and downloads the PDF (its
text checked with pdftotext); another authority's référent and a reader are refused."""

import io
import re
import shutil
import subprocess

import pytest

from observatoire.accounts.choices import Role
from observatoire.accounts.factories import UserFactory
from observatoire.barometre import demo as barometre_demo
from observatoire.cas_usage import demo as cas_usage_demo
from observatoire.conftest import check_accessibility, login
from observatoire.diagnostic.models import Run
from observatoire.questionnaires.models import Response
from observatoire.territoires import services as territoires

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils absent")
def test_small_commune_runs_its_diagnostic(page, browser, live_server, tmp_path):
    """The whole path of a diagnostic works, accessibly, and stays private."""
    territoires.import_vintage(2024)
    barometre_demo.load(io.StringIO())
    cas_usage_demo.load(io.StringIO())
    response = (
        Response.objects.filter(
            questionnaire__code="barometre-2024", authority__stratum="commune_lt_3500"
        )
        .select_related("authority")
        .order_by("pk")
        .first()
    )
    authority = response.authority
    referent = UserFactory(role=Role.REFERENT, authority=authority)

    login(page, referent)
    page.wait_for_url("**/ma-collectivite/")
    assert page.get_by_role("heading", level=1).inner_text() == str(authority)
    check_accessibility(page, "diagnostic-ma-collectivite")
    page.get_by_role("link", name="Lancer un diagnostic").click()
    check_accessibility(page, "diagnostic-accueil")
    page.get_by_label(re.compile("Reprendre les réponses")).check()
    page.get_by_role("button", name="Commencer").click()
    page.wait_for_url(re.compile(r"/diagnostic/\d+/"))
    run = Run.objects.get(authority=authority)
    assert run.source == response and "gouv_regles" in run.prefilled

    # Change one answer in the governance part: saved at once, no longer marked pre-filled.
    page.goto(f"/diagnostic/{run.pk}/gouvernance/")
    question = page.locator("#q-comite_donnee")
    assert question.locator(".prefilled").count() == 1
    new_value = "oui" if run.answers.get("comite_donnee") != "oui" else "non"
    question.locator(f"#comite_donnee-{new_value}").check()
    page.locator("#status-comite_donnee").get_by_text(re.compile("Enregistré à")).wait_for()
    check_accessibility(page, "diagnostic-section")
    page.reload()
    assert page.locator("#q-comite_donnee .prefilled").count() == 0
    run.refresh_from_db()
    assert run.answers["comite_donnee"] == new_value and "comite_donnee" not in run.prefilled

    page.get_by_role("link", name="Relecture et calcul").click()
    page.get_by_role("button", name="Calculer mon diagnostic").click()
    page.wait_for_url(f"**/diagnostic/{run.pk}/resultat/")
    page.locator("#chart-peers[data-ready=true]").wait_for()
    assert page.locator("#chart-peers svg .mark-rect path").count() >= 7
    summary = page.get_by_role("table", name="Score par axe (sur 100)").inner_text()
    assert "Communes de moins de 3 500 habitants" in summary
    sentences = page.locator(".sentences").inner_text()
    assert re.search(r"Votre collectivité (ne )?fait (pas )?partie des \d+\u00a0%", sentences)
    check_accessibility(page, "diagnostic-resultat")

    case_link = page.get_by_role("link", name=re.compile("Voir le cas d'usage")).first
    case_title = case_link.locator("xpath=ancestor::li").locator("strong").inner_text()
    case_link.click()
    page.wait_for_url(re.compile(r"/cas-usage/\d+/"))
    assert page.get_by_role("heading", level=1).inner_text() == case_title
    page.go_back()

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le PDF").click()
    pdf = tmp_path / "diagnostic.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()  # fmt: skip
    flat = " ".join(text.split())
    run.refresh_from_db()
    for expected in [
        f"Autodiagnostic de {authority}",
        f"Score d'ensemble : {run.scores['overall']} sur 100",
        "Votre place parmi vos pairs",
        "Vos scores par axe et ceux de vos pairs",
        "Votre feuille de route",
        "Obligations légales qui s'appliquent à votre collectivité",
    ]:
        assert expected in flat, expected
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True).stdout.decode()
    assert re.search(r"Tagged:\s+yes", info)

    result_url = f"/diagnostic/{run.pk}/resultat/"
    elsewhere = Response.objects.exclude(authority=authority).exclude(authority=None).first()
    for outsider in (
        UserFactory(role=Role.REFERENT, authority=elsewhere.authority),
        UserFactory(role=Role.READER),
    ):
        context = browser.new_context(base_url=live_server.url, locale="fr-FR")
        other = context.new_page()
        login(other, outsider)
        assert other.goto(result_url).status == 403
        assert other.goto(f"/diagnostic/{run.pk}/resultat.pdf").status == 403
        context.close()
