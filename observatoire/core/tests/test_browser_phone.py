"""At a phone's width (375 px) no page is wider than the screen: long addresses, fact lists,
tables and the signed-in header wrap or narrow instead of making the page scroll sideways."""

import pytest
from django.urls import reverse

from observatoire.cas_usage.factories import UseCaseFactory
from observatoire.cas_usage.models import Result
from observatoire.conftest import OUTPUT_DIR, login
from observatoire.registre.choices import Status
from observatoire.registre.factories import full_entry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_SOURCE = (
    "https://interoperable-europe.ec.europa.eu/collection/public-sector-tech-watch/"
    "solution/recital-project-immediate-and-long-term-energy-reduction"
)


def page_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_pages_fit_a_phone(page, users, authority_a):
    """A register entry (its facts side by side at 1280 px), a use case with its results
    table and a long source address, the référent's register and diagnostic-like tables, and
    the analyst's dashboard under its four-link header all fit in 375 px."""
    entry = full_entry(
        authority_a,
        status=Status.PUBLISHED,
        contact_email="direction.relation.usagers.et.numerique@plaisir.example.fr",
    )
    case = UseCaseFactory(authority=authority_a, summary=f"Source citée : {LONG_SOURCE}")
    Result.objects.create(
        use_case=case,
        indicator="Taux de perte des demandes des habitants",
        before=65,
        after=8,
        unit="%",
        source="Rapport d'information du Sénat sur l'intelligence artificielle dans les "
        "collectivités territoriales, mars 2025",
    )
    page.set_viewport_size({"width": 375, "height": 800})
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    public = [entry.get_absolute_url(), case.get_absolute_url()]
    for url in public:
        page.goto(url)
        assert page_width(page) <= 375, url
    login(page, users["referent_a"])
    page.goto(reverse("registre:dashboard"))
    assert page_width(page) <= 375, "registre:dashboard"
    page.context.clear_cookies()
    login(page, users["analyst"])
    page.goto(reverse("dashboard:analyst"))
    page.screenshot(path=str(OUTPUT_DIR / "telephone-tableau-de-bord.png"))
    assert page_width(page) <= 375, "dashboard:analyst"
    page.goto(reverse("core:audit"))
    assert page_width(page) <= 375, "core:audit"
