"""ProConnect login from end to end against a real OpenID Connect provider: npm's
`oidc-provider` (package.json, installed by ./scripts/test), started on loopback by the
test, driven through its own login and consent pages in Chromium. Nothing of the protocol
is mocked: authorisation code, token endpoint, ID token signed with the provider's keys
(checked against its JWKS), userinfo.
"""

import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from observatoire.accounts.choices import Role
from observatoire.accounts.models import Invitation, User

PROVIDER = Path(__file__).with_name("oidc_provider.mjs")
NODE_MODULES = Path(__file__).resolve().parents[3] / "node_modules" / "oidc-provider"
AGENTS = {
    "agent-plaisir": {"email": "c.martin@ville-plaisir.fr", "given_name": "Claude",
                      "usual_name": "Martin", "siret": "21780490500012"},
    "agent-inconnu": {"email": "a.durand@agence.example", "given_name": "Alix",
                      "usual_name": "Durand", "siret": "13000000000011"},
}  # fmt: skip

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        shutil.which("node") is None or not NODE_MODULES.exists(),
        reason="node ou oidc-provider absent : lancez ./scripts/test, qui les installe",
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def provider(live_server, settings):
    """The provider on its own loopback port, and the site set up for it as settings.py
    does when OIDC_RP_CLIENT_ID is given."""
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "PORT": str(port),
        "CLIENT_ID": "observatoire",
        "CLIENT_SECRET": "secret-de-test",
        "REDIRECT_URI": f"{live_server.url}/oidc/callback/",
        "ACCOUNTS": json.dumps(AGENTS),
    }
    process = subprocess.Popen(
        ["node", str(PROVIDER)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:
        output = []  # its warnings about development keys, then "listening"
        for line in process.stdout:
            output.append(line)
            if line.startswith("listening"):
                break
        assert output and output[-1].startswith("listening"), "".join(output)
        settings.PROCONNECT_ENABLED = True
        settings.ROOT_URLCONF = "observatoire.accounts.tests.proconnect_urls"
        settings.AUTHENTICATION_BACKENDS = [
            "axes.backends.AxesStandaloneBackend",
            "observatoire.accounts.oidc.ProConnectBackend",
            "django.contrib.auth.backends.ModelBackend",
        ]
        settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = (
            "observatoire",
            env["CLIENT_SECRET"],
        )
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{issuer}/auth"
        settings.OIDC_OP_TOKEN_ENDPOINT = f"{issuer}/token"
        settings.OIDC_OP_USER_ENDPOINT = f"{issuer}/me"
        settings.OIDC_OP_JWKS_ENDPOINT = f"{issuer}/jwks"
        settings.OIDC_RP_SIGN_ALGO = "RS256"
        settings.OIDC_RP_SCOPES = "openid email given_name usual_name siret"
        settings.OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": "eidas1"}
        settings.LOGIN_REDIRECT_URL_FAILURE = "/comptes/proconnect/refus/"
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


def _sign_in_with_proconnect(page, login: str) -> None:
    """The site's button, then the provider's own login and consent pages."""
    page.goto("/comptes/connexion/")
    page.get_by_role("link", name="S'identifier avec ProConnect").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("peu importe")
    page.locator("button[type=submit]").click()
    page.locator("button[type=submit]").click()  # consent: share the requested claims


def test_first_login_with_a_matching_invitation_links_the_account(
    provider, live_server, page, users, authority_a
):
    """An agent invited by e-mail for Plaisir, whose SIRET begins with Plaisir's SIREN,
    comes back logged in as Plaisir's référent, without a password; the invitation is used."""
    invitation, _secret = Invitation.issue(
        "C.Martin@ville-plaisir.fr", authority_a, invited_by=users["analyst"]
    )
    _sign_in_with_proconnect(page, "agent-plaisir")
    # Back on the site past the callback (LOGIN_REDIRECT_URL, or a référent's landing page).
    page.wait_for_url(lambda url: url.startswith(live_server.url) and "/oidc/" not in url)
    page.goto("/comptes/compte/")
    assert "Référent" in page.content() or "référent" in page.content()
    user = User.objects.get(email__iexact="c.martin@ville-plaisir.fr")
    assert (user.role, user.authority, user.last_name) == (Role.REFERENT, authority_a, "Martin")
    assert not user.has_usable_password()
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_unknown_organisation_is_told_whom_to_ask(provider, page, settings, db):
    """An agent of an organisation outside the universe gets a French page that says to ask
    an authority's référent or the observatory's team; no account is created."""
    settings.CONTACT_EMAIL = "equipe@observatoire.example"
    _sign_in_with_proconnect(page, "agent-inconnu")
    page.wait_for_url("**/comptes/proconnect/refus/")
    text = page.locator("main").inner_text()
    assert "ne fait pas partie des collectivités suivies" in text
    assert "13000000000011" in text and "equipe@observatoire.example" in text
    assert not User.objects.filter(email__iexact="a.durand@agence.example").exists()
