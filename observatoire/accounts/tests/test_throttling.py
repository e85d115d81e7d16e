"""Limits against guessing and mail relaying: logins lock an account and an address after
a few wrong passwords (django-axes, unlocked by analysts); password reset, the contact
form and the API's writes are rate-limited."""

import json

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client

from observatoire.accounts.factories import PASSWORD
from observatoire.accounts.models import ApiToken
from observatoire.cas_usage.factories import UseCaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits(settings):
    """The production defaults, written out so that the tests read them."""
    settings.AXES_FAILURE_LIMIT = 5
    settings.RATE_LIMITS = {"password_reset": "5/h", "contact": "5/h", "api_write": "3/m"}


def _login(client, user_or_name, password, ip="10.0.0.1"):
    username = getattr(user_or_name, "username", user_or_name)
    return client.post(
        "/comptes/connexion/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_passwords_lock_the_account_even_with_the_right_one(users):
    """The 5th wrong password locks the account: the right one is refused too, with a French
    page (429), and from another address as well: the lock is on the account."""
    user = users["referent_a"]
    codes = [_login(Client(), user, "mauvais").status_code for _ in range(5)]
    assert codes == [200] * 4 + [429]
    client = Client()
    locked = _login(client, user, PASSWORD)
    assert locked.status_code == 429 and not _logged_in(client)
    assert "Connexion bloquée" in locked.text and "Réessayez dans 15 minutes" in locked.text
    elsewhere = Client()
    assert _login(elsewhere, user, PASSWORD, ip="10.9.9.9").status_code == 429
    assert not _logged_in(elsewhere)


def test_one_address_guessing_many_accounts_is_locked(users):
    """Wrong passwords on many accounts from one address lock that address; others log in."""
    for n in range(5):
        _login(Client(), f"inconnu{n}@example.org", "mauvais", ip="10.6.6.6")
    client = Client()
    assert _login(client, users["reader"], PASSWORD, ip="10.6.6.6").status_code == 429
    assert not _logged_in(client)
    other = Client()
    assert _login(other, users["reader"], PASSWORD, ip="10.7.7.7").status_code == 302
    assert _logged_in(other)


def test_analyst_unlocks_an_account(client_for, users):
    """An analyst sees the failed attempts and unlocks them; the référent then logs in."""
    user = users["referent_a"]
    for _ in range(5):
        _login(Client(), user, "mauvais")
    analyst = client_for("analyst")
    page = analyst.get("/comptes/verrous/")
    assert page.status_code == 200 and user.username in page.text
    attempt = AccessAttempt.objects.get(username=user.username)
    assert analyst.post(f"/comptes/verrous/{attempt.pk}/debloquer/").status_code == 302
    client = Client()
    assert _login(client, user, PASSWORD).status_code == 302 and _logged_in(client)


@pytest.mark.parametrize("persona", ["anonymous", "reader", "referent_a"])
def test_only_analysts_unlock(client_for, users, persona):
    """Nobody else sees the attempts or lifts a lock."""
    for _ in range(5):
        _login(Client(), users["referent_b"], "mauvais")
    attempt = AccessAttempt.objects.get()
    client = client_for(persona)
    assert client.get("/comptes/verrous/").status_code in (302, 403)
    assert client.post(f"/comptes/verrous/{attempt.pk}/debloquer/").status_code in (302, 403)
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


def test_password_reset_is_rate_limited_per_address_and_per_email(client, users):
    """5 requests an hour from one address, and 5 for one e-mail from any address; the
    sixth gets a French page (429) and sends nothing."""
    email = users["referent_a"].email
    for _ in range(5):
        assert client.post("/comptes/mot-de-passe/", {"email": email}).status_code == 302
    refused = client.post("/comptes/mot-de-passe/", {"email": email})
    assert refused.status_code == 429 and "Trop de demandes" in refused.text
    from_elsewhere = Client().post(
        "/comptes/mot-de-passe/", {"email": email}, REMOTE_ADDR="10.1.2.3"
    )
    assert from_elsewhere.status_code == 429
    assert len(mail.outbox) == 5


def test_contact_form_is_rate_limited(client, users, authority_a):
    """An anonymous visitor relays 5 messages an hour, not more."""
    case = UseCaseFactory(authority=authority_a, contact_email="contact@plaisir.example")
    codes = [
        client.post(
            f"/cas-usage/{case.pk}/contact/", {"email": f"x{n}@example.org", "message": "Bonjour"}
        ).status_code
        for n in range(7)
    ]
    assert codes == [302] * 5 + [429] * 2
    assert len(mail.outbox) == 5


def test_api_writes_are_rate_limited_per_user_reads_are_not(users, authority_a):
    """Past the write rate, a token's writes get 429 with a French JSON body; reads go on."""
    _token, raw = ApiToken.issue(users["referent_a"], "script")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    payload = {"title": "Cas", "summary": "Résumé.", "domain": "eau", "technology": "predictif",
               "stage": "experimentation"}  # fmt: skip
    client = Client()
    codes = [
        client.post(
            "/api/v1/cas-usage/cases", json.dumps(payload), content_type="application/json",
            **headers,
        ).status_code
        for _ in range(4)
    ]  # fmt: skip
    assert codes == [201, 201, 201, 429]
    refused = client.post(
        "/api/v1/cas-usage/cases", json.dumps(payload), content_type="application/json", **headers
    )
    assert "Trop de requêtes" in refused.json()["detail"]
    assert all(client.get("/api/v1/cas-usage/cases").status_code == 200 for _ in range(5))
    # Another user's writes are counted apart.
    _token, other = ApiToken.issue(users["colleague_a"], "script")
    assert client.post(
        "/api/v1/cas-usage/cases", json.dumps(payload), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {other}",
    ).status_code == 201  # fmt: skip
