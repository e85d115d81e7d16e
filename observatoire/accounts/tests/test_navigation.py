"""Every signed-in user can reach their account (API tokens), analysts the invitation page."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["reader", "referent_a", "analyst"])
def test_header_links_to_the_account_page(client_for, persona):
    """The header links to « Mon compte », where API tokens are managed."""
    html = client_for(persona).get("/").content.decode()
    assert 'href="/comptes/compte/"' in html and "Mon compte" in html


def test_anonymous_header_has_no_account_link(client):
    """An anonymous visitor is offered the login page, not an account page."""
    html = client.get("/").content.decode()
    assert 'href="/comptes/compte/"' not in html


def test_analyst_reaches_the_invitation_from_the_account_page(client_for):
    """The invitation page is linked from the analyst's account page."""
    html = client_for("analyst").get("/comptes/compte/").content.decode()
    assert 'href="/comptes/inviter/"' in html
