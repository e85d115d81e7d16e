"""A home per role, in a real Chromium: the analyst reaches every management page from
its dashboard by clicks alone; a référent's home shows what waits for it; a reader sees
no page meant for référents."""

import pytest

from observatoire.barometre.factories import EditionFactory
from observatoire.cas_usage.choices import Status as CaseStatus
from observatoire.cas_usage.factories import UseCaseFactory
from observatoire.conftest import check_accessibility, login
from observatoire.registre.choices import Status as EntryStatus
from observatoire.registre.factories import EntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each link of the dashboard and the heading (h1) of the page it leads to.
MANAGEMENT_PAGES = [
    ("File de modération des cas d'usage", "modérer"),
    ("Toutes les fiches à gérer", "Gérer le registre"),
    ("Vérifier les correspondances", "Organisations du catalogue"),
    ("Thésaurus des cas d'usage", "Thésaurus du catalogue"),
    ("Gérer Édition 2025", "Gestion de l’édition"),
    ("Textes Édition 2025", "Textes de la note"),
    ("Questionnaire 2025", "Questionnaire 2025"),
    ("Importer des réponses Questionnaire 2025", "Importer des réponses"),
    ("Créer un questionnaire à partir d'un fichier XLSForm", "Nouveau questionnaire"),
    ("Inviter un référent", "Inviter un référent"),
    ("Comptes verrouillés", "Connexions bloquées"),
    ("Journal des modifications", "Journal"),
    ("Ajouter un produit d'éditeur au registre", "Nouvelle fiche produit"),
    ("Tous les autodiagnostics", "Autodiagnostic"),
    ("Grille de l'autodiagnostic", "Autodiagnostic"),
]


# The pages this change touched, checked by axe-core on the way.
CHECKED = {
    "Journal des modifications": "journal-filtres",
    "File de modération des cas d'usage": "moderation-cas-usage",
}


def test_analyst_reaches_every_management_page_from_its_dashboard(page, users, authority_a):
    """After login the analyst lands on its dashboard and, by clicks alone, opens each
    management page (none refused), including the barometer's management page."""
    edition = EditionFactory(code="edition-2025", title="Édition 2025")
    edition.questionnaire.title = "Questionnaire 2025"
    edition.questionnaire.save()
    UseCaseFactory(title="Capteurs de fuites", status=CaseStatus.PROPOSED)
    EntryFactory(authority=authority_a, name="Tri du courrier", status=EntryStatus.IN_REVIEW)
    login(page, users["analyst"])
    page.wait_for_url("**/tableau-de-bord/")
    assert page.get_by_role("link", name="Capteurs de fuites").is_visible()
    assert page.get_by_role("link", name="Tri du courrier").is_visible()
    check_accessibility(page, "tableau-de-bord-analyste")
    for link, heading in MANAGEMENT_PAGES:
        page.get_by_role("link", name=link, exact=True).click()
        page.wait_for_load_state()
        assert "tableau-de-bord" not in page.url, link
        assert heading in page.get_by_role("heading", level=1).inner_text(), link
        if link in CHECKED:
            check_accessibility(page, CHECKED[link])
        page.get_by_role("link", name="Tableau de bord").click()
        page.wait_for_url("**/tableau-de-bord/")
    page.get_by_role("link", name="Gérer Édition 2025").click()
    page.wait_for_url("**/barometre/edition-2025/gestion/")
    check_accessibility(page, "gestion-edition-depuis-tableau-de-bord")


def test_referent_home_shows_what_waits_for_it(page, users, authority_a):
    """The référent lands on its authority's page: the entry a colleague submitted waits
    for its review, a link opens it; its notification switches are on its account page."""
    EntryFactory(
        authority=authority_a,
        name="Tri du courrier",
        status=EntryStatus.IN_REVIEW,
        submitted_by=users["colleague_a"],
    )
    login(page, users["referent_a"])
    page.wait_for_url("**/ma-collectivite/")
    assert page.get_by_text("1 fiche attend votre relecture").is_visible()
    check_accessibility(page, "accueil-referent")
    page.get_by_role("link", name="Relire « Tri du courrier »").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Tri du courrier"
    page.get_by_role("link", name="Mon compte").click()
    switch = page.get_by_label("Une fiche du registre de ma collectivité attend ma relecture")
    assert switch.is_checked()
    switch.uncheck()
    page.get_by_role("button", name="Enregistrer mes préférences").click()
    page.get_by_text("Vos préférences de notification sont enregistrées.").wait_for()
    assert not page.get_by_label(
        "Une fiche du registre de ma collectivité attend ma relecture"
    ).is_checked()
    check_accessibility(page, "compte-notifications")


def test_reader_sees_no_page_meant_for_referents(page, users):
    """A reader lands on the home page; no link to the questionnaires or to managing a
    register anywhere it goes, and typing those addresses is refused."""
    login(page, users["reader"])
    for path in ["/", "/registre/", "/cas-usage/", "/comptes/compte/"]:
        page.goto(path)
        for name in [
            "Questionnaires",
            "Mes questionnaires",
            "Gérer le registre",
            "Ma collectivité",
        ]:
            assert page.get_by_role("link", name=name, exact=False).count() == 0, (path, name)
    check_accessibility(page, "compte-lecteur")
    for path in ["/questionnaires/", "/registre/gerer/", "/ma-collectivite/"]:
        assert page.goto(path).status == 403, path
