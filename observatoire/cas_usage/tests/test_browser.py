"""The catalogue in a real Chromium: search, filter, read, follow; propose and publish."""

import pytest

from observatoire.cas_usage.models import UseCase
from observatoire.conftest import check_accessibility, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_searches_filters_and_follows_similar_case(page, cited):
    """Search "cantine", keep deployed cases, open Nantes' case, then a similar case."""
    page.goto("/cas-usage/")
    check_accessibility(page, "cas-usage-catalogue")
    page.get_by_label("Rechercher un cas d'usage").fill("cantine")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/cas-usage/?q=cantine*")
    page.get_by_role("complementary").get_by_role("link", name="Déployé (1)").click()
    page.wait_for_url("**stage=deploye*")
    results = page.get_by_role("region", name="1 cas d'usage")
    assert results.locator("mark").first.inner_text() == "cantines"
    check_accessibility(page, "cas-usage-recherche-cantine")
    results.get_by_role("link", name="Prévision des effectifs des cantines scolaires").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Prévision des effectifs")
    assert page.get_by_role("cell", name="98\u00a0%").is_visible()
    check_accessibility(page, "cas-usage-nantes")
    similar = page.get_by_role("region", name="Cas similaires").get_by_role("link").first
    title = similar.inner_text()
    similar.click()
    assert page.get_by_role("heading", level=1).inner_text() == title
    check_accessibility(page, "cas-usage-similaire")


def test_referent_proposes_and_analyst_publishes(page, users):
    """A référent's proposal waits for moderation; once an analyst publishes it, it is found."""
    login(page, users["referent_a"])
    page.goto("/cas-usage/")
    page.get_by_role("link", name="Proposer un cas d'usage").click()
    check_accessibility(page, "cas-usage-proposer")
    page.get_by_label("Titre", exact=True).fill("Capteurs de remplissage des conteneurs à verre")
    page.get_by_label("Résumé").fill("Des capteurs signalent les conteneurs pleins aux tournées.")
    page.get_by_label("Domaine").select_option(label="Déchets")
    page.get_by_label("Technologie").select_option(label="Capteurs et objets connectés")
    page.get_by_label("Stade", exact=True).select_option(label="Déployé")
    page.get_by_role("button", name="Proposer ce cas d'usage").click()
    page.get_by_text("votre cas d'usage est transmis aux analystes").wait_for()
    case = UseCase.objects.get(title__startswith="Capteurs de remplissage")
    assert case.status == "proposed"
    page.get_by_role("button", name="Se déconnecter").click()

    login(page, users["analyst"])
    page.goto("/cas-usage/moderation/")
    check_accessibility(page, "cas-usage-moderation")
    page.get_by_role("link", name="Capteurs de remplissage des conteneurs à verre").click()
    page.get_by_label("Publier").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.get_by_text("Décision enregistrée").wait_for()
    case.refresh_from_db()
    assert case.status == "published"
    page.goto("/cas-usage/?q=conteneur")
    assert page.get_by_role(
        "link", name="Capteurs de remplissage des conteneurs à verre"
    ).is_visible()
