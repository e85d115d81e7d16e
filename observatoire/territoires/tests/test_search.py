"""Searching an authority ignores accents and case, and finds codes."""

import pytest

from observatoire.territoires.choices import Kind
from observatoire.territoires.factories import AuthorityFactory
from observatoire.territoires.models import Authority

pytestmark = pytest.mark.django_db


@pytest.fixture
def universe():
    AuthorityFactory(code="25056", name="Besançon", population=119_198, departement="25")
    AuthorityFactory(
        kind=Kind.EPCI,
        code="242500106",
        siren="242500106",
        name="Grand Besançon Métropole",
        population=196_000,
        epci_type="METRO",
    )
    AuthorityFactory(code="78490", name="Plaisir", population=31_811)
    AuthorityFactory(code="35238", name="Rennes", population=225_000)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("besancon", "Besançon"),
        ("BESANÇON", "Besançon"),
        ("78490", "Plaisir"),
        ("grand besancon", "Grand Besançon Métropole"),
        ("242500106", "Grand Besançon Métropole"),
        ("plai", "Plaisir"),
    ],
)
def test_search_ranks_the_expected_authority_first(universe, query, first):
    assert Authority.objects.search(query).first().name == first


def test_empty_query_finds_nothing(universe):
    assert not Authority.objects.search("  ").exists()


def test_autocomplete_returns_only_the_result_list(universe, client):
    response = client.get("/territoires/", {"q": "besancon"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.index("Besançon (") < html.index("Grand Besançon Métropole")


def test_api_search_is_paginated(universe, client):
    response = client.get("/api/v1/territoires/authorities", {"q": "besancon"})
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 2 and body["items"][0]["code"] == "25056"
    assert body["items"][0]["stratum"] == "commune_gt_100000"


def test_openapi_document_lists_the_search(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/territoires/authorities" in schema["paths"]


def test_autocomplete_ids_are_never_grouped_like_numbers(client):
    """A pick button carries the raw id: "109 210" would not be a valid authority."""
    AuthorityFactory(pk=109_210, code="78490", name="Plaisir")
    response = client.get(
        "/territoires/", {"q": "plaisir", "pick": "id_authority"}, HTTP_HX_REQUEST="true"
    )
    assert 'data-id="109210"' in response.content.decode()
