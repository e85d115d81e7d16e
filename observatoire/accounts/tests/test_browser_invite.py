"""An analyst invites a référent, picking the authority with the autocomplete."""

import pytest
from django.core import mail

from observatoire.accounts.models import Invitation
from observatoire.conftest import check_accessibility, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_invite_with_authority_autocomplete(page, users, authority_a):
    login(page, users["analyst"])
    page.goto("/comptes/inviter/")
    page.get_by_label("Adresse électronique du référent").fill("dsi@plaisir.fr")
    page.get_by_label("Collectivité").fill("plaisir")
    page.get_by_role("button", name="Plaisir (78)").click()
    check_accessibility(page, "invitation-referent")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    page.get_by_text("Invitation envoyée à dsi@plaisir.fr.").wait_for()
    assert Invitation.objects.get().authority == authority_a
    assert mail.outbox[0].to == ["dsi@plaisir.fr"]
