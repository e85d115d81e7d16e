"""An authority's page."""

import pytest

from observatoire.territoires.factories import AuthorityFactory

pytestmark = pytest.mark.django_db


def test_authority_page_links_to_its_ai_register(client):
    """From an authority's page, a visitor reaches its public register of AI systems."""
    AuthorityFactory(code="78490", siren="217804905", name="Plaisir")
    html = client.get("/territoires/commune/78490/").content.decode()
    assert 'href="/registre/collectivite/217804905/"' in html
