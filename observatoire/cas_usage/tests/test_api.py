"""The catalogue over the API (/api/v1/cas-usage/) and the Atom feed."""

import pytest
from django.test import Client

from observatoire.accounts.models import ApiToken
from observatoire.cas_usage.choices import Status
from observatoire.cas_usage.factories import UseCaseFactory
from observatoire.cas_usage.models import UseCase
from observatoire.conftest import PERSONAS

BASE = "/api/v1/cas-usage"
PAYLOAD = {
    "title": "Prévision des crues par capteurs",
    "summary": "Des capteurs de niveau alimentent un modèle d'alerte.",
    "domain": "eau",
    "technology": "predictif",
    "stage": "experimentation",
    "results": [{"indicator": "Délai d'alerte", "before": 2, "after": 6, "unit": "h", "source": "Service eau"}],
    "links": [{"kind": "registre", "title": "Registre IA de la ville", "url": "https://example.org/ia/12"}],
}  # fmt: skip


def bearer(user):
    if user is None:
        return {}
    _token, raw = ApiToken.issue(user, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_search_and_read(db, client):
    """Anyone searches published cases in French and reads one, with results and links."""
    case = UseCaseFactory(title="Gaspillage alimentaire", summary="Prévoir les repas des cantines.")
    UseCaseFactory(title="Cantine cachée", status=Status.PROPOSED)
    listing = client.get(f"{BASE}/cases", {"q": "cantine"}).json()
    assert [item["id"] for item in listing["items"]] == [case.pk]
    assert "<mark>cantines</mark>" in listing["items"][0]["excerpt"]
    detail = client.get(f"{BASE}/cases/{case.pk}").json()
    assert detail["title"] == case.title and detail["results"] == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_propose_access(users, persona):
    """Only référents propose through the API, with a bearer token."""
    response = Client().post(
        f"{BASE}/cases", PAYLOAD, content_type="application/json", **bearer(users[persona])
    )
    expected = {"anonymous": 401, "referent_a": 201, "colleague_a": 201, "referent_b": 201}
    assert response.status_code == expected.get(persona, 403)
    assert UseCase.objects.exists() == (response.status_code == 201)


def test_propose_then_moderate_through_api(users):
    """A référent's proposal waits; an analyst's token publishes it."""
    created = (
        Client()
        .post(
            f"{BASE}/cases", PAYLOAD, content_type="application/json", **bearer(users["referent_a"])
        )
        .json()
    )
    assert created["status"] == Status.PROPOSED
    assert float(created["results"][0]["after"]) == 6
    assert created["links"][0]["kind"] == "registre"
    refused = Client().post(
        f"{BASE}/cases/{created['id']}/moderation",
        {"decision": "reject"},
        content_type="application/json",
        **bearer(users["analyst"]),
    )
    assert refused.status_code == 422
    published = Client().post(
        f"{BASE}/cases/{created['id']}/moderation",
        {"decision": "accept"},
        content_type="application/json",
        **bearer(users["analyst"]),
    )
    assert published.json()["status"] == Status.PUBLISHED


@pytest.mark.parametrize("persona", PERSONAS)
def test_update_access(users, persona):
    """Only the lead authority's référents and analysts replace a case."""
    case = UseCaseFactory(authority=users["referent_a"].authority)
    response = Client().put(
        f"{BASE}/cases/{case.pk}",
        PAYLOAD,
        content_type="application/json",
        **bearer(users[persona]),
    )
    referents = {"referent_a", "colleague_a"}
    expected = {"anonymous": 401, "analyst": 200} | dict.fromkeys(referents, 202)
    assert response.status_code == expected.get(persona, 403)
    case.refresh_from_db()
    # An analyst's change is live; a référent's waits for moderation (see test_edit_moderation).
    assert (case.title == PAYLOAD["title"]) == (persona == "analyst")
    assert ((case.pending_edit or {}).get("fields", {}).get("title") == PAYLOAD["title"]) == (
        persona in referents
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_unpublished_and_missing_cases_answer_alike(users, client_for, persona):
    """A proposal is 404 for whoever may not see it, exactly as an id that does not exist."""
    case = UseCaseFactory(authority=users["referent_a"].authority, status=Status.PROPOSED)
    client = client_for(persona)  # the browser's session: reading needs no token
    shown = client.get(f"{BASE}/cases/{case.pk}")
    missing = client.get(f"{BASE}/cases/{case.pk + 1000}")
    assert missing.status_code == 404
    allowed = {"referent_a", "colleague_a", "analyst"}
    assert shown.status_code == (200 if persona in allowed else 404)
    if persona not in allowed:
        assert shown.json() == missing.json()


def test_atom_feed_lists_published_cases(db, client):
    """The Atom feed carries published cases, not proposals."""
    UseCaseFactory(title="Éclairage public intelligent")
    UseCaseFactory(title="Proposition en attente", status=Status.PROPOSED)
    response = client.get("/cas-usage/flux.atom")
    body = response.content.decode()
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "Éclairage public intelligent" in body and "Proposition en attente" not in body


def test_atom_feed_sends_text_not_html(db, client):
    """A référent's summary reaches feed readers as text: markup in it is never interpreted."""
    UseCaseFactory(title="Cas <b>gras</b>", summary="Résumé <img src=x onerror=alert(1)> & co")
    body = client.get("/cas-usage/flux.atom").content.decode()
    assert 'type="html"' not in body
    assert (
        '<summary type="text">Résumé &lt;img src=x onerror=alert(1)&gt; &amp; co</summary>' in body
    )
