"""Access to every page and endpoint of the foundation that writes, for every persona."""

import pytest

from observatoire.accounts.models import ApiToken

pytestmark = pytest.mark.django_db

ALLOWED = {"analyst"}


@pytest.mark.parametrize(
    "persona", ["anonymous", "reader", "referent_a", "colleague_a", "referent_b", "analyst"]
)
def test_invite_page_is_for_analysts(client_for, authority_a, persona):
    response = client_for(persona).post(
        "/comptes/inviter/", {"email": "new@example.org", "authority": authority_a.pk}
    )
    if persona == "anonymous":
        assert response.status_code == 302 and "/comptes/connexion/" in response["Location"]
    elif persona in ALLOWED:
        assert response.status_code == 302
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(
    "persona", ["anonymous", "reader", "referent_a", "colleague_a", "referent_b", "analyst"]
)
def test_api_tokens_belong_to_their_owner(client_for, users, persona):
    response = client_for(persona).post("/comptes/compte/", {"name": "script"})
    if persona == "anonymous":
        assert response.status_code == 302
        assert not ApiToken.objects.exists()
    else:
        assert response.status_code == 200
        assert ApiToken.objects.get().user == users[persona]


def test_api_token_authenticates_as_its_user(users):
    from django.test import Client

    from observatoire.accounts.api import TokenAuth

    _token, raw = ApiToken.issue(users["referent_a"], "script")
    request = Client().get("/").wsgi_request
    assert TokenAuth().authenticate(request, raw) == users["referent_a"]
    assert TokenAuth().authenticate(request, "faux") is None
