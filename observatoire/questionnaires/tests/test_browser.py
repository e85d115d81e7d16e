"""The référent's form in a real Chromium: live skip logic, save on change, resume, submit."""

import json
from pathlib import Path

import pytest

from observatoire.conftest import check_accessibility, login
from observatoire.questionnaires.choices import ResponseStatus
from observatoire.questionnaires.expressions import ExpressionError, is_true
from observatoire.questionnaires.models import Response
from observatoire.questionnaires.services import collection, load_builtin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
STATIC = Path(__file__).resolve().parents[1] / "static" / "questionnaires"
CASES = json.loads((Path(__file__).parent / "expression_cases.json").read_text())

REST = {
    "fonction_repondant": "dgs",
    "projet_donnee_2ans": "oui",
    "projet_donnee_futur": "prevu",
    "outils_donnee": "oui",
    "hebergement": "serveurs_propres",
    "cloud": "non",
    "logiciel_libre": "parfois",
    "gouv_regles": "prevu",
    "charte_ethique_ia": "non",
    "cyber_attaque": "non",
    "cyber_strategie": "oui",
    "cyber_iso27001": "non",
}


def test_referent_fills_resumes_and_submits(page, users):
    """Two sections through a skip-logic branch, page closed, answers found, submitted."""
    questionnaire = load_builtin(2024)
    login(page, users["referent_a"])
    page.goto("/questionnaires/")
    page.get_by_role("button", name=f"Répondre {questionnaire.title}").click()
    page.wait_for_url("**/motivations/")
    check_accessibility(page, "questionnaire-section")
    page.get_by_role("group", name="Comment jugez-vous la culture").get_by_label("Bonne").check()
    expect_saved(page, "culture_donnee")

    page.get_by_role("link", name="Intelligence artificielle").click()
    technologies = page.locator("#q-ia_technologies")
    assert technologies.is_hidden()
    page.get_by_label("Oui, au moins une solution est en test").check()
    expect_saved(page, "ia_usage")
    assert technologies.is_visible()
    page.get_by_label("Agent conversationnel (chatbot)").check()
    expect_saved(page, "ia_technologies")
    page.get_by_label("Combien de solutions d'IA").fill("500")
    page.get_by_label("Combien de solutions d'IA").blur()
    page.locator("#status-ia_nombre").get_by_text("Valeur attendue entre 1 et 200.").wait_for()
    check_accessibility(page, "questionnaire-ia")

    context = page.context
    page.close()
    page = context.new_page()
    page.goto("/questionnaires/")
    page.get_by_role("link", name=f"Reprendre {questionnaire.title}").click()
    page.get_by_role("link", name="Intelligence artificielle").click()
    assert page.get_by_label("Agent conversationnel (chatbot)").is_checked()
    assert page.get_by_label("Oui, au moins une solution est en test").is_checked()
    page.get_by_role("link", name="Motivations et freins").click()
    assert page.get_by_role("group", name="Comment jugez-vous").get_by_label("Bonne").is_checked()

    response = Response.objects.get(questionnaire=questionnaire)
    assert response.answers == {
        "culture_donnee": "bonne",
        "ia_usage": "teste",
        "ia_technologies": ["chatbot"],
    }
    collection.save_answers(response, REST, by=users["colleague_a"])
    page.goto(f"/questionnaires/reponses/{response.pk}/relecture/")
    check_accessibility(page, "questionnaire-relecture")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    page.get_by_text("Merci : votre réponse a bien été envoyée.").wait_for()
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED
    page.goto(f"/questionnaires/reponses/{response.pk}/ia/")
    assert page.url.endswith("/relecture/")
    assert page.get_by_role("button", name="Envoyer mes réponses").count() == 0


def expect_saved(page, code):
    page.locator(f"#status-{code}").get_by_text("Enregistré").wait_for()


def test_browser_evaluator_matches_the_python_one(page):
    """expressions.js gives, on every shared case, what expressions.py gives."""
    page.goto("/")
    page.add_script_tag(url="/static/questionnaires/expressions.js")  # inline: CSP refuses
    results = page.evaluate(
        """cases => cases.map(c => {
            try { return window.XLSFormExpressions.isTrue(c.expression, c.answers, c.current); }
            catch (e) { if (e instanceof window.XLSFormExpressions.ExpressionError) return "error"; throw e; }
        })""",
        CASES,
    )
    for case, result in zip(CASES, results, strict=True):
        try:
            python = is_true(case["expression"], case["answers"], case.get("current"))
        except ExpressionError:
            python = "error"
        assert result == python, case["expression"]


def test_analyst_campaign_dashboard_and_import_are_accessible(page, users, authority_b):
    """The campaign dashboard (table and chart) and the import page pass axe-core."""
    from observatoire.questionnaires.services import campaigns

    questionnaire = load_builtin(2024)
    campaigns.add_sirens_to_sample(questionnaire, b"217804905\n212500565\n", by=None)
    login(page, users["analyst"])
    page.goto("/questionnaires/")
    check_accessibility(page, "questionnaires-campagnes")
    page.get_by_role("link", name=questionnaire.title, exact=True).click()
    page.get_by_role("table", name="Réponses de l'échantillon, par strate").wait_for()
    check_accessibility(page, "questionnaires-campagne")
    page.get_by_role("link", name="Importer des réponses").click()
    check_accessibility(page, "questionnaires-import")
