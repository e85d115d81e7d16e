"""In Chromium: the 2024 note with its highlights, commentaries and charts at 1280 and 390 px
wide (charts fit their container, no horizontal scroll), theme and comparison charts, a key
figure opening its indicator on the same population, the analyst's text preview, and an
embargoed edition: invisible to a visitor and the API, previewed by the analyst."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from observatoire.accounts.choices import Role
from observatoire.accounts.factories import UserFactory
from observatoire.barometre import demo
from observatoire.barometre.models import Edition
from observatoire.conftest import check_accessibility, login
from observatoire.territoires import services as territoires

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_fits(page, charts: int) -> None:
    """Every chart drawn, none wider than its container, and no horizontal scroll."""
    page.wait_for_function(
        f"document.querySelectorAll('.chart[data-ready=true]').length >= {charts}"
    )
    page.wait_for_timeout(300)  # vega-embed's resize listener
    overflow = page.evaluate(
        """() => ({page: document.documentElement.scrollWidth - window.innerWidth,
                   charts: [...document.querySelectorAll('.chart')].map(
                     c => c.querySelector('svg').getBoundingClientRect().width - c.clientWidth)})"""
    )
    assert overflow["page"] <= 0, overflow
    assert max(overflow["charts"]) <= 1, overflow


def test_note_charts_widths_key_figure_and_embargo(page):
    """The whole reading path at two widths, then the embargo seen by a visitor and an analyst."""
    territoires.import_vintage(2024)
    demo.load(io.StringIO())

    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/barometre/barometre-2024/")
        assert "La culture de la donnée est jugée" in page.locator("main").inner_text()
        assert "générés pour la démonstration" in page.locator(".editorial").first.inner_text()
        assert_fits(page, charts=6)
        check_accessibility(page, f"barometre-note-{width}")
        page.goto("/barometre/barometre-2024/theme/gouvernance/")
        assert_fits(page, charts=1)
        check_accessibility(page, f"barometre-theme-{width}")
        page.goto("/barometre/barometre-2024/comparer/?niveau=commune_lt_3500")
        assert_fits(page, charts=1)
        check_accessibility(page, f"barometre-comparer-{width}")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/barometre/barometre-2024/")
    card = page.locator(".key-figure", has_text="Culture de la donnée")
    assert "53\u00a0%" in card.inner_text()
    assert "Collectivités de 3 500 habitants et plus" in card.inner_text()
    card.get_by_role("link").click()
    page.wait_for_url("**niveau=plus_3500**")
    assert page.locator("#chiffre").inner_text().startswith("53\u00a0%")

    edition = Edition.objects.get(code="barometre-2024")
    edition.embargo_until = timezone.now() + timedelta(days=2)
    edition.save()
    assert page.goto("/barometre/barometre-2024/").status == 404
    check_accessibility(page, "barometre-embargo-visiteur")
    assert page.request.get("/api/v1/barometre/editions/barometre-2024/results").status == 404
    assert page.request.get("/barometre/barometre-2024/donnees/datapackage.json").status == 404
    codes = [e["code"] for e in page.request.get("/api/v1/barometre/editions").json()]
    assert "barometre-2024" not in codes and "barometre-2023" in codes

    login(page, UserFactory(role=Role.ANALYST))  # after the universe: no factory authority
    page.goto("/barometre/barometre-2024/")
    assert "Aperçu sous embargo." in page.locator(".embargo-note").inner_text()
    assert_fits(page, charts=6)
    check_accessibility(page, "barometre-embargo-apercu-analyste")

    page.goto("/barometre/barometre-2024/gestion/textes/")
    page.get_by_label("Faits saillants").fill("Part : {culture_bonne_correcte|taille=plus_3500}.")
    page.get_by_role("button", name="Aperçu").click()
    preview = page.locator(".preview")
    assert "Part : 53\u00a0%" in preview.inner_text()
    check_accessibility(page, "barometre-textes-apercu")
