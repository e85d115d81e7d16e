"""Self-contained pages: the API documentation works offline and speaks French; a favicon."""

import re

import pytest
from django.test import Client

from observatoire.api import api

pytestmark = pytest.mark.django_db


def test_every_operation_has_a_french_summary():
    """No operation shows ninja's default summary (its function's English name)."""
    schema = api.get_openapi_schema()
    defaults = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            name = operation["operationId"]
            summary = operation.get("summary") or ""
            if not summary or name.lower().endswith(summary.lower().replace(" ", "_")):
                defaults.append(f"{method} {path}: {summary!r} ({name})")
    assert defaults == []


def test_docs_page_loads_nothing_from_another_site():
    """The Swagger UI's script and style come from our static files, no CDN."""
    page = Client().get("/api/v1/docs").content.decode()
    assert re.findall(r'(?:src|href)="(https?://[^"]+)"', page) == []
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert '<html lang="en">' in page  # Swagger UI's own words are English


def test_docs_page_leads_back_to_the_site():
    """The API documentation, outside the site's layout, still has a French link home."""
    page = Client().get("/api/v1/docs").content.decode()
    assert re.search(r'<nav class="api-back" lang="fr"[^>]*>\s*<a href="/">', page)
    assert "Retour à l&#x27;Observatoire" in page or "Retour à l'Observatoire" in page


def test_every_page_links_a_favicon_that_exists(authority_a):
    """The layout, the register's embeddable page (opened on its own, it has no layout) and
    the API docs name an icon found among the static files (no 404 on /favicon.ico)."""
    from django.contrib.staticfiles import finders

    for url in ["/", f"/registre/collectivite/{authority_a.siren}/integration/", "/api/v1/docs"]:
        page = Client().get(url).content.decode()
        match = re.search(r'<link rel="icon" href="/static/([^"]+)"', page)
        assert match and finders.find(match[1]), url
