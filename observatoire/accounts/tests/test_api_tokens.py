"""API tokens: revoked from the account page or the admin, optional expiry, revoked when the
password changes, and their last use shown to their owner."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from observatoire.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def _proposes(raw: str) -> int:
    """A write through the API with that token: 201 while it works, 401 once it does not."""
    payload = {"title": "Cas", "summary": "Résumé.", "domain": "eau", "technology": "predictif",
               "stage": "experimentation"}  # fmt: skip
    return (
        Client()
        .post(
            "/api/v1/cas-usage/cases",
            json.dumps(payload),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        .status_code
    )


def test_owner_revokes_a_token_from_the_account_page(client_for, users):
    """« Révoquer » stops the token at once; the page then says when it was revoked."""
    token, raw = ApiToken.issue(users["referent_a"], "script")
    assert _proposes(raw) == 201
    client = client_for("referent_a")
    page = client.get("/comptes/compte/").content.decode()
    assert f"/comptes/compte/jetons/{token.pk}/revoquer/" in page
    assert client.post(f"/comptes/compte/jetons/{token.pk}/revoquer/").status_code == 302
    assert _proposes(raw) == 401
    assert "révoqué le" in client.get("/comptes/compte/").content.decode()


@pytest.mark.parametrize("persona", ["anonymous", "reader", "referent_b", "analyst"])
def test_nobody_else_revokes_a_token(client_for, users, persona):
    """Another user's token is not found (404), an anonymous visitor is sent to log in."""
    token, raw = ApiToken.issue(users["referent_a"], "script")
    response = client_for(persona).post(f"/comptes/compte/jetons/{token.pk}/revoquer/")
    assert response.status_code == (302 if persona == "anonymous" else 404)
    token.refresh_from_db()
    assert token.revoked_at is None and _proposes(raw) == 201


def test_expiry_is_chosen_at_creation_and_enforced(client_for, users):
    """A token made for 30 days expires then; an expired token is refused."""
    client_for("referent_a").post("/comptes/compte/", {"name": "mensuel", "days": "30"})
    token = ApiToken.objects.get(name="mensuel")
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    _old, raw = ApiToken.issue(
        users["referent_a"], "ancien", expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert _proposes(raw) == 401
    assert "expiré" in client_for("referent_a").get("/comptes/compte/").content.decode()


def test_a_new_password_revokes_every_token(client, users):
    """Changing the password (here through the reset page's form) revokes the tokens."""
    from django.contrib.auth.forms import SetPasswordForm

    user = users["referent_a"]
    _token, raw = ApiToken.issue(user, "script")
    form = SetPasswordForm(user, {"new_password1": "Nouveau-mot-2026!", "new_password2": "Nouveau-mot-2026!"})  # fmt: skip
    assert form.is_valid()
    form.save()
    assert _proposes(raw) == 401
    assert ApiToken.objects.get(user=user).revoked_at is not None
    # Saving the user for anything else keeps new tokens working.
    _token, raw = ApiToken.issue(user, "nouveau")
    user.first_name = "Alix"
    user.save()
    assert _proposes(raw) == 201


def test_last_use_is_recorded_and_shown(client_for, users):
    """The account page shows when each token was last used."""
    token, raw = ApiToken.issue(users["referent_a"], "script")
    assert "jamais" in client_for("referent_a").get("/comptes/compte/").content.decode()
    _proposes(raw)
    token.refresh_from_db()
    assert token.last_used_at is not None
    page = client_for("referent_a").get("/comptes/compte/").content.decode()
    assert timezone.localtime(token.last_used_at).strftime("%d/%m/%Y %H:%M") in page


def test_admin_revokes_tokens(users, authority_a):
    """The admin lists tokens with their last use and revokes the selected ones."""
    from observatoire.accounts.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    token, raw = ApiToken.issue(users["referent_a"], "script")
    client = Client()
    client.force_login(admin)
    listing = client.get("/admin/accounts/apitoken/")
    assert listing.status_code == 200 and "script" in listing.content.decode()
    client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert _proposes(raw) == 401
