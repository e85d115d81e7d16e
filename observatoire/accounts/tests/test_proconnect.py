"""ProConnect users are matched by e-mail; new ones of a known authority start as readers
(the login against a real provider is in test_proconnect_login.py)."""

import pytest

from observatoire.accounts.choices import Role
from observatoire.accounts.oidc import ProConnectBackend

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("proconnect")]


@pytest.fixture
def proconnect(settings):
    """The settings that OIDC_RP_CLIENT_ID turns on (see settings.py)."""
    base = "https://proconnect.example/api/v2"
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = "client", "secret"
    settings.OIDC_OP_TOKEN_ENDPOINT, settings.OIDC_OP_USER_ENDPOINT = f"{base}/token", f"{base}/u"
    settings.OIDC_OP_JWKS_ENDPOINT, settings.OIDC_RP_SIGN_ALGO = f"{base}/jwks", "RS256"


CLAIMS = {"email": "Agent@Plaisir.fr", "given_name": "Alix", "usual_name": "Durand"}


def test_new_agent_becomes_a_reader_without_password(authority_a):
    """An agent of a known authority, without invitation, gets a reader's account."""
    user = ProConnectBackend().create_user(CLAIMS | {"siret": "21780490500012"})
    assert (user.email, user.role, user.last_name) == ("Agent@Plaisir.fr", Role.READER, "Durand")
    assert not user.has_usable_password()


def test_existing_referent_is_found_by_email_whatever_the_case(users):
    referent = users["referent_a"]
    claims = {**CLAIMS, "email": referent.email.upper()}
    assert list(ProConnectBackend().filter_users_by_claims(claims)) == [referent]
    updated = ProConnectBackend().update_user(referent, claims)
    assert (updated.role, updated.first_name) == (Role.REFERENT, "Alix")


def test_claims_without_email_match_nobody(users):
    assert not ProConnectBackend().filter_users_by_claims({"sub": "x"}).exists()
