"""Refusals and missing pages answer in French, inside the site's layout."""

import pytest

pytestmark = pytest.mark.django_db


def test_forbidden_page_says_why_and_offers_login(client):
    """An anonymous visitor refused the audit log reads the reason and gets a login link."""
    response = client.get("/journal/")
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="fr">' in html and "Accès refusé" in html
    assert "Réservé aux analystes" in html
    assert "/comptes/connexion/?next=/journal/" in html


@pytest.mark.parametrize("persona", ["reader", "referent_a"])
def test_forbidden_page_for_a_signed_in_user_has_no_login_link(client_for, persona):
    """A signed-in user without the right sees the reason, not an invitation to log in again."""
    response = client_for(persona).get("/journal/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Réservé aux analystes" in html and "?next=" not in html


def test_missing_page_is_french(client, settings):
    """With DEBUG off, an unknown address gets the French 404 page."""
    settings.DEBUG = False
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
