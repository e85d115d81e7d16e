"""An analyst invites a référent by e-mail; the link works once."""

import re

import pytest
from django.core import mail

from observatoire.accounts import services
from observatoire.accounts.choices import Role
from observatoire.accounts.models import User

pytestmark = pytest.mark.django_db


def test_invited_referent_creates_an_account_once(client_for, authority_a, client):
    response = client_for("analyst").post(
        "/comptes/inviter/", {"email": "dsi@plaisir.fr", "authority": authority_a.pk}
    )
    assert response.status_code == 302
    link = re.search(r"http://\S+/comptes/invitation/\S+/", mail.outbox[0].body).group(0)
    path = link.split("8000", 1)[1]
    form = {
        "first_name": "Alix",
        "last_name": "Durand",
        "password": "Une-phrase-longue-42",
        "password2": "Une-phrase-longue-42",
    }
    assert client.post(path, form).status_code == 302
    user = User.objects.get(email="dsi@plaisir.fr")
    assert (user.role, user.authority) == (Role.REFERENT, authority_a)
    assert client.get(path).status_code == 404


def test_mismatched_passwords_are_explained_in_french(users, authority_a, client):
    _invitation, token = services.Invitation.issue("x@plaisir.fr", authority_a, users["analyst"])
    response = client.post(
        f"/comptes/invitation/{token}/",
        {"first_name": "A", "last_name": "B", "password": "Une-phrase-longue-42", "password2": "x"},
    )
    assert "Les deux mots de passe ne correspondent pas." in response.content.decode()


def test_only_analysts_invite(users, authority_a):
    with pytest.raises(services.PermissionDenied):
        services.invite_referent("x@example.org", authority_a, by=users["referent_a"])
