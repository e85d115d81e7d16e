"""A visitor finds an authority from the home page, in a real Chromium."""

import pytest

from observatoire.conftest import check_accessibility
from observatoire.territoires.choices import Kind
from observatoire.territoires.factories import AuthorityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_besancon_from_home(page):
    AuthorityFactory(code="25056", name="Besançon", population=119_198, departement="25")
    AuthorityFactory(
        kind=Kind.EPCI,
        code="242500106",
        name="Grand Besançon Métropole",
        population=196_000,
        epci_type="METRO",
    )
    page.goto("/")
    check_accessibility(page, "accueil")
    page.get_by_role("link", name="Chercher une collectivité").click()
    page.get_by_label("Nom, code INSEE ou SIREN").fill("besancon")
    page.get_by_role("link", name="Besançon (25)").click()
    page.wait_for_url("**/territoires/commune/25056/")
    assert page.get_by_role("heading", level=1).inner_text() == "Besançon"
    check_accessibility(page, "collectivite-besancon")
