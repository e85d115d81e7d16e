"""Password reset: the site's own French pages, not the Django admin's."""

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db


def test_reset_pages_use_the_site_layout(client, users):
    """Each step (form, sent, new password, done) renders in base.html, never the admin's."""
    form = client.get("/comptes/mot-de-passe/")
    assert form.status_code == 200
    assert "Mot de passe oublié" in form.text and "administration de Django" not in form.text

    sent = client.post("/comptes/mot-de-passe/", {"email": users["referent_a"].email}, follow=True)
    assert "un lien de réinitialisation vient de lui être envoyé" in sent.text
    link = re.search(r"https?://[^/]+(/comptes/mot-de-passe/\S+/)", mail.outbox[0].body).group(1)

    confirm = client.get(link, follow=True)
    assert "Nouveau mot de passe" in confirm.text and "administration de Django" not in confirm.text
    new_password = "un-mot-de-passe-tout-neuf-2026"
    done = client.post(
        confirm.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
        follow=True,
    )
    assert "Votre mot de passe a été modifié" in done.text
    assert "administration de Django" not in done.text
    login = client.post(
        "/comptes/connexion/",
        {"username": users["referent_a"].username, "password": new_password},
    )
    assert login.status_code == 302 and "_auth_user_id" in client.session
