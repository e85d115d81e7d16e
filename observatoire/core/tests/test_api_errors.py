"""Bad input never ends as a server error: a 4xx with a JSON body in French for the API,
a French 400 for pages, on SQLite and PostgreSQL (which refuses NUL in text)."""

import pytest
from django.test import Client

from observatoire.accounts.models import ApiToken
from observatoire.cas_usage.factories import UseCaseFactory
from observatoire.cas_usage.models import UseCase
from observatoire.cas_usage.tests.test_api import PAYLOAD

pytestmark = pytest.mark.django_db
HUGE = str(10**20)


def bearer(user) -> dict:
    _token, raw = ApiToken.issue(user, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def french_json(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.mark.parametrize(
    ("url", "params", "message"),
    [
        ("/api/v1/registre/entries", {"offset": "-1"}, "offset : doit être supérieur ou égal à 0"),
        ("/api/v1/registre/entries", {"offset": HUGE}, "offset : doit être inférieur ou égal"),
        ("/api/v1/registre/entries", {"limit": "abc"}, "limit : nombre entier attendu"),
        ("/api/v1/territoires/authorities", {"page": HUGE}, "page : doit être inférieur ou égal"),
        (
            "/api/v1/territoires/authorities",
            {"page": "0"},
            "page : doit être supérieur ou égal à 1",
        ),
        ("/api/v1/cas-usage/cases", {"page": HUGE}, "page : doit être inférieur ou égal"),
        ("/api/v1/cas-usage/cases", {"page_size": "-5"}, "page_size : doit être supérieur"),
    ],
)
def test_out_of_range_numbers_are_422_in_french(client, url, params, message):
    """Negative offsets, huge pages and non-numbers are refused with the field named."""
    body = french_json(client.get(url, params), 422)
    assert body["detail"].startswith("Requête invalide : ") and message in body["detail"]
    assert any(message in error for error in body["errors"])


def test_a_page_past_the_last_is_empty(client):
    """A page number within the bound but past the data gives an empty page, not an error."""
    assert client.get("/api/v1/territoires/authorities", {"page": "9999"}).json()["items"] == []


@pytest.mark.parametrize(
    "url",
    [
        "/territoires/",
        "/registre/",
        "/cas-usage/",
        "/api/v1/territoires/authorities",
        "/api/v1/registre/entries",
        "/api/v1/cas-usage/cases",
    ],
)
def test_a_nul_byte_in_q_is_refused(client, url):
    """`q=%00` (which PostgreSQL cannot even hold) is a French 400 wherever there is a q."""
    response = client.get(f"{url}?q=abc%00def")
    assert response.status_code == 400
    text = response.json()["detail"] if url.startswith("/api/") else response.content.decode()
    assert text == "Caractère nul (U+0000) refusé dans la requête."


def test_nul_in_a_path_or_a_json_body_is_refused(users):
    """A NUL in a path parameter or in a JSON string is refused before any query."""
    client = Client()
    french_json(client.get("/api/v1/questionnaires/abc%00"), 400)
    payload = PAYLOAD | {"title": "Titre\u0000caché"}
    response = client.post(
        "/api/v1/cas-usage/cases",
        payload,
        content_type="application/json",
        **bearer(users["referent_a"]),
    )
    french_json(response, 400)
    assert not UseCase.objects.exists()


def test_permission_denied_is_json_in_the_api(users, authority_a):
    """A référent of another authority replacing a case gets a JSON 403, not an HTML page."""
    case = UseCaseFactory(authority=authority_a)
    response = Client().put(
        f"/api/v1/cas-usage/cases/{case.pk}",
        PAYLOAD,
        content_type="application/json",
        **bearer(users["referent_b"]),
    )
    french_json(response, 403)
    case.refresh_from_db()
    assert case.title != PAYLOAD["title"]


def test_missing_token_and_missing_object_are_french(client):
    """401 and 404 speak French too, not ninja's "Unauthorized" and "Not Found"."""
    body = french_json(
        client.post("/api/v1/cas-usage/cases", {}, content_type="application/json"), 401
    )
    assert body["detail"].startswith("Authentification requise")
    body = french_json(client.get("/api/v1/questionnaires/inconnu"), 404)
    assert body["detail"] == "Ressource introuvable."


def test_invalid_json_body_is_422_in_french(users):
    """A body that is not JSON is a French 400; one that misses a field a 422 naming it."""
    client = Client()
    headers = bearer(users["referent_a"])
    body = french_json(
        client.post("/api/v1/cas-usage/cases", "{", content_type="application/json", **headers), 400
    )
    assert body["detail"] == "Corps de requête illisible : JSON invalide."
    body = french_json(
        client.post("/api/v1/cas-usage/cases", {}, content_type="application/json", **headers), 422
    )
    assert "title : champ obligatoire manquant" in body["errors"]


def test_django_form_limits_answer_json_in_the_api(settings, users):
    """A JSON body over DATA_UPLOAD_MAX_MEMORY_SIZE is a JSON 413 in the API, not HTML."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = Client().post(
        "/api/v1/cas-usage/cases",
        PAYLOAD | {"description": "x" * 5000},
        content_type="application/json",
        **bearer(users["referent_a"]),
    )
    assert french_json(response, 413)["detail"] == "Trop de données dans le formulaire ou le JSON."
    assert not UseCase.objects.exists()
