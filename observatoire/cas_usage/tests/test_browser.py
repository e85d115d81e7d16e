"""The catalogue in a real Chromium: search, filter, read, follow; propose and publish."""

import re

import pytest

from observatoire.accounts.choices import Role
from observatoire.accounts.factories import UserFactory
from observatoire.cas_usage import services
from observatoire.cas_usage.choices import Actor, Domain, Technology
from observatoire.cas_usage.factories import UseCaseFactory
from observatoire.cas_usage.models import UseCase
from observatoire.conftest import check_accessibility, login
from observatoire.territoires.factories import AuthorityFactory

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


def test_small_commune_finds_french_cases_with_the_fields_words(page, cited):
    """A référent of a small commune searches « vidéoprotection » then « robot
    conversationnel »: the French authorities' cases come first (the European and national
    ones a click away, in English marked as such); the chatbot's page lists chatbots."""
    services.load_thesaurus()
    village = AuthorityFactory(code="78999", name="Petit-Village", population=1_200)
    referent = UserFactory(role=Role.REFERENT, authority=village)
    english = {"country": "Espagne", "language": "en", "origin": "pstw"}
    UseCaseFactory(title="CCTV cameras in the old town", summary="Video surveillance cameras watch the main square.", domain=Domain.SECURITY, technology=Technology.VISION, **english)  # fmt: skip
    UseCaseFactory(title="Virtual assistant for residents", summary="A chatbot answers residents' questions day and night.", domain=Domain.CITIZENS, technology=Technology.CHATBOT, **english)  # fmt: skip
    UseCaseFactory(title="Aria, the pensioners' chatbot", summary="A chatbot of the national old age insurance fund.", country="France", actor=Actor.NATIONAL, language="en", technology=Technology.CHATBOT)  # fmt: skip
    login(page, referent)
    page.goto("/cas-usage/")
    page.get_by_label("Rechercher un cas d'usage").fill("vidéoprotection")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**q=vid*")
    results = page.get_by_role("region", name="1 cas d'usage")
    assert (
        results.get_by_role("link").first.inner_text().startswith("Vidéosurveillance algorithmique")
    )
    assert results.locator("mark").count() > 0  # the synonyms found are highlighted
    europe = page.get_by_role("navigation", name="Périmètre").get_by_role(
        "link", name="Cas européens (1)"
    )
    check_accessibility(page, "cas-usage-videoprotection")
    europe.click()
    page.wait_for_url("**scope=europe*")
    english_item = page.locator('li.use-case[lang="en"]')
    assert english_item.get_by_role("link").inner_text() == "CCTV cameras in the old town"
    check_accessibility(page, "cas-usage-videoprotection-europe")

    page.goto("/cas-usage/")
    page.get_by_label("Rechercher un cas d'usage").fill("robot conversationnel")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**q=robot*")
    tabs = page.get_by_role("navigation", name="Périmètre")
    assert tabs.get_by_role("link", name="Acteurs nationaux (1)").is_visible()
    found = page.get_by_role("region", name=re.compile(r"^\d+ cas d'usage$"))
    first = found.get_by_role("link").first
    assert first.inner_text() == "« Optimus », l'agent conversationnel de la mairie de Plaisir"
    first.click()
    page.wait_for_url("**/cas-usage/*/")
    check_accessibility(page, "cas-usage-optimus")
    similar = page.get_by_role("region", name="Cas similaires")
    titles = similar.get_by_role("heading", level=3).all_inner_texts()
    chatbots = {"Virtual assistant for residents", "Aria, the pensioners' chatbot"}
    assert titles[0] in chatbots and chatbots <= set(titles)
    assert similar.locator('li[lang="en"]').count() >= 2
