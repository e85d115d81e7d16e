"""The questionnaires API: public questionnaire, responses by role, import."""

import pytest
from django.test import Client

from observatoire.accounts.models import ApiToken
from observatoire.conftest import PERSONAS
from observatoire.questionnaires.factories import small_questionnaire
from observatoire.questionnaires.models import Response
from observatoire.questionnaires.services import collection

pytestmark = pytest.mark.django_db


@pytest.fixture
def questionnaire(db):
    return small_questionnaire()


@pytest.fixture
def response(questionnaire, authority_a):
    return collection.start_response(questionnaire, authority_a, by=None)


def api(users, persona) -> Client:
    client = Client()
    if users[persona] is not None:
        _, token = ApiToken.issue(users[persona], "test")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def test_questionnaire_is_public_with_codes_and_choices(questionnaire, client):
    """Anyone reads a questionnaire: sections, questions, choice lists."""
    data = client.get("/api/v1/questionnaires/essai-2024").json()
    assert [s["code"] for s in data["sections"]] == ["usages", "cyber"]
    question = next(q for q in data["questions"] if q["code"] == "nb_agents")
    assert (question["minimum"], question["maximum"], question["allow_refusal"]) == (0, 1000, True)
    assert {"list_name": "tech", "value": "vision", "label": "Vision"} in data["choices"]
    assert client.get("/api/v1/questionnaires/").json()[0]["code"] == "essai-2024"


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("reader", 403),
        ("referent_a", 200),
        ("colleague_a", 200),
        ("referent_b", 403),
        ("analyst", 200),
    ],
)
def test_who_may_write_answers(response, users, persona, status):
    """The authority's référents and the analysts merge answers; others are refused."""
    result = api(users, persona).patch(
        f"/api/v1/questionnaires/responses/{response.pk}/answers",
        {"answers": {"nb_agents": 12, "ia_usage": "inconnu"}},
        content_type="application/json",
    )
    assert result.status_code == status
    response.refresh_from_db()
    if status == 200:
        assert result.json()["errors"] == {"ia_usage": "Choix inconnu : « inconnu »."}
        assert response.answers == {"nb_agents": 12}
    else:
        assert response.answers == {}


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("reader", 403),
        ("referent_a", 403),
        ("colleague_a", 403),
        ("referent_b", 403),
        ("analyst", 200),
    ],
)
def test_only_analysts_list_responses(response, users, persona, status):
    """The list of responses, with the questionnaire version, is for analysts."""
    result = api(users, persona).get("/api/v1/questionnaires/essai-2024/responses")
    assert result.status_code == status
    if status == 200:
        assert result.json()["count"] == 1
        assert result.json()["items"][0]["questionnaire_version"] == 1
        assert result.json()["items"][0]["authority_siren"] == "217804905"


def test_referent_starts_fills_and_submits(questionnaire, users):
    """Through the API alone: start, save, a refused submit, then a locked response."""
    client = api(users, "referent_a")
    started = client.post("/api/v1/questionnaires/essai-2024/responses").json()
    url = f"/api/v1/questionnaires/responses/{started['id']}"
    client.patch(
        f"{url}/answers", {"answers": {"ia_usage": "non"}}, content_type="application/json"
    )
    refused = client.post(f"{url}/submit")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"cyber_strategie": "Réponse obligatoire."}
    client.patch(
        f"{url}/answers", {"answers": {"cyber_strategie": "oui"}}, content_type="application/json"
    )
    assert client.post(f"{url}/submit").json()["status"] == "submitted"
    locked = client.patch(
        f"{url}/answers", {"answers": {"ia_usage": "teste"}}, content_type="application/json"
    )
    assert locked.status_code == 409


@pytest.mark.parametrize("persona", PERSONAS)
def test_import_endpoint_is_for_analysts(questionnaire, users, authority_b, persona):
    """Imports through the API: analysts only, dry run by default."""
    content = b"siren,iausage,cyberstrategie\r\n217804905,non,oui\r\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    result = api(users, persona).post(
        "/api/v1/questionnaires/essai-2024/import",
        {"file": SimpleUploadedFile("export.csv", content), "tool": "limesurvey"},
    )
    expected = {"anonymous": 401, "analyst": 200}.get(persona, 403)
    assert result.status_code == expected
    if expected == 200:
        assert result.json()["created"] == ["ligne 2"] and not result.json()["applied"]
    assert not Response.objects.exists()


def test_endpoints_are_in_the_openapi_document(client):
    """The OpenAPI description lists the questionnaires endpoints."""
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/questionnaires/{code}" in paths
    assert "/api/v1/questionnaires/responses/{pk}/answers" in paths
    assert "/api/v1/questionnaires/{code}/import" in paths
