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
