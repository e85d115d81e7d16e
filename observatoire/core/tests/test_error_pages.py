"""Refusals and missing pages answer in French, inside the site's layout."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_refused_a_page_is_sent_to_the_login_page(client):
    """Refused the audit log, an anonymous visitor gets the login page, then comes back."""
    response = client.get("/journal/")
    assert response.status_code == 302
    assert response.url == "/comptes/connexion/?next=/journal/"
    assert "Se connecter" in client.get(response.url).content.decode()


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
