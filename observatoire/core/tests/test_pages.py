"""The public pages answer in French, with the accessible layout."""

import pytest

pytestmark = pytest.mark.django_db


def test_home_page_explains_the_site(client):
    html = client.get("/").content.decode()
    assert '<html lang="fr">' in html
    assert 'href="#contenu"' in html and 'id="contenu"' in html
    assert "Le registre des IA" in html and "Données de démonstration" in html


def test_home_page_leads_to_every_module(client):
    """Each module's card links to it, and the header lists the modules."""
    html = client.get("/").content.decode()
    for url in ["/barometre/", "/registre/", "/cas-usage/", "/territoires/"]:
        assert html.count(f'href="{url}"') >= 2, url


def test_demo_banner_is_inside_a_landmark(client):
    """The demo warning sits in a labelled region: axe-core's « region » rule wants all content
    in landmarks, so screen-reader users can reach it from the landmarks list."""
    html = client.get("/").content.decode()
    assert '<section class="demo-banner" aria-label="Avertissement">' in html
