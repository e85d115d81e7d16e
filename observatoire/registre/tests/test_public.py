"""Public pages: national search and facets, authority pages, embedding, feed, downloads, CLI."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from observatoire.registre.factories import EntryFactory, full_entry
from observatoire.territoires.choices import Kind
from observatoire.territoires.factories import AuthorityFactory

PUBLISHED = {"status": "published", "ai_act_level": "transparency"}


@pytest.fixture
def register(authority_a, authority_b):
    chatbot = EntryFactory(
        authority=authority_a,
        name="Agent conversationnel Optimus",
        technology="chatbot",
        summary="Un chatbot répond aux questions des habitants.",
        **PUBLISHED,
    )
    leak = EntryFactory(
        authority=authority_b,
        name="Prédiction des fuites",
        theme="water",
        summary="Le modèle repère les canalisations du réseau les plus fragiles.",
        status="published",
        ai_act_level="minimal",
    )
    return chatbot, leak


def test_french_full_text_search(client, register):
    """Search ignores accents and word forms: "reseau" finds "réseau", "canalisation" the plural."""
    for query, expected, absent in [
        ("chatbot", "Optimus", "Prédiction des fuites"),
        ("reseau", "Prédiction des fuites", "Optimus"),
        ("canalisation", "Prédiction des fuites", "Optimus"),
    ]:
        page = client.get("/registre/", {"q": query}).content.decode()
        assert expected in page and absent not in page, query


def test_search_page_runs_the_text_search_once(client, register):
    """However many facets it counts, a search page matches the text once (PostgreSQL: one
    statement reads the matches' ids from the index; SQLite: one table of hits), with the
    excerpt and facet counts of the matches only."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        page = client.get("/registre/", {"q": "réseau canalisations"}).content.decode()
    if connection.vendor == "postgresql":
        marker = "SELECT m.obj_id FROM search_registre_entry AS m WHERE m.document @@"
    else:
        marker = "CREATE TEMP TABLE search_hits"
    matching = [q["sql"] for q in queries.captured_queries if marker in q["sql"]]
    assert len(matching) == 1, matching
    assert "<mark>canalisations</mark>" in page or "<mark>réseau</mark>" in page
    assert "Prédiction des fuites" in page and "Optimus" not in page
    assert 'Besançon</a> <span class="muted">(1)' in page and "Plaisir</a>" not in page


def test_facets_filter_and_count(client, register):
    """Facets list values with counts and names; choosing one filters the list."""
    AuthorityFactory(kind=Kind.REGION, code="27", name="Bourgogne-Franche-Comté", region="27")
    page = client.get("/registre/").content.decode()
    assert 'Bourgogne-Franche-Comté</a> <span class="muted">(1)' in page
    assert "agent conversationnel, IA générative" in page  # technology facet label
    assert "Besançon" in page and "Plaisir" in page
    filtered = client.get("/registre/", {"technology": "chatbot"}).content.decode()
    assert "Optimus" in filtered and "Prédiction des fuites" not in filtered
    by_level = client.get("/registre/", {"level": "minimal"}).content.decode()
    assert "Prédiction des fuites" in by_level and "Optimus" not in by_level
    by_region = client.get("/registre/", {"region": "27"}).content.decode()
    assert "Prédiction des fuites" in by_region and "Optimus" not in by_region


def test_header_shows_the_register(client, register):
    """The module appears in the header once `registre:index` exists."""
    assert 'href="/registre/"' in client.get("/").content.decode()


def test_embed_page_can_be_framed_but_not_the_others(client, register):
    """Only the embeddable page drops X-Frame-Options."""
    embed = client.get("/registre/collectivite/217804905/integration/")
    assert embed.status_code == 200 and "X-Frame-Options" not in embed.headers
    assert "Optimus" in embed.content.decode()
    assert client.get("/registre/collectivite/217804905/").headers.get("X-Frame-Options") == "DENY"


def test_authority_feed(client, register):
    """The JSON feed lists the authority's published entries, readable from other sites."""
    response = client.get("/registre/collectivite/217804905/flux.json")
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert [e["name"] for e in data["entries"]] == ["Agent conversationnel Optimus"]


def test_report_error_link_reaches_the_authority(client, register):
    """Each entry has a mailto link to its contact, with the entry's address in the message."""
    chatbot, _leak = register
    page = client.get(f"/registre/fiche/{chatbot.pk}/").content.decode()
    assert f'href="mailto:{chatbot.contact_email}?subject=' in page
    assert "Signaler une erreur" in page


def test_entry_pdf(client, authority_a):
    """The PDF of a full entry is a real PDF."""
    entry = full_entry(authority_a, status="published")
    response = client.get(f"/registre/fiche/{entry.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_detail_shows_crpa_ai_act_and_footprint(client, authority_a):
    """The page shows the L311-3-1 mention, the reasoning, the FRIA and the footprint sources."""
    entry = full_entry(authority_a, status="published")
    page = client.get(f"/registre/fiche/{entry.pk}/").content.decode()
    for text in [
        "L311-3-1",
        "R311-3-1-2",
        "annexe III, point 5, a",
        "article 27",
        "Ember",
        "kg CO2e",
        "/export/annexe-viii/",
    ]:
        assert text in page, text
    annex = client.get(f"/registre/fiche/{entry.pk}/export/annexe-viii/").json()
    assert annex["1_deployer"]["siren"] == "217804905"


@pytest.mark.parametrize("fmt", ["csv", "json", "nl", "eurocities", "atrs"])
def test_downloads(client, register, fmt):
    """Every format downloads, for all entries and for one authority."""
    everything = client.get(f"/registre/export/{fmt}/")
    one = client.get(f"/registre/export/{fmt}/", {"authority": "212500565"})
    assert everything.status_code == one.status_code == 200
    assert "Optimus" in everything.content.decode() and "Optimus" not in one.content.decode()


def test_cli_export(register, tmp_path):
    """`observatoire registre export --format nl --authority SIREN` writes validated records."""
    out = tmp_path / "nl.json"
    call_command(
        "registre",
        "export",
        "--format",
        "nl",
        "--authority",
        "217804905",
        "--output",
        str(out),
        stderr=StringIO(),
    )
    records = json.loads(out.read_text())
    assert [r["name"] for r in records] == ["Agent conversationnel Optimus"]
    stdout = StringIO()
    call_command("registre", "export", "--format", "eurocities", stdout=stdout, stderr=StringIO())
    assert stdout.getvalue().startswith('"name";"description_short"')


@pytest.mark.parametrize("fmt", ["json", "nl", "atrs"])
def test_exports_do_not_query_per_entry(client, authority_a, django_assert_max_num_queries, fmt):
    """A bulk export reads its entries in a fixed number of queries, however many there are."""
    for _n in range(6):
        full_entry(authority_a, status="published")
    with django_assert_max_num_queries(10):
        assert client.get(f"/registre/export/{fmt}/").status_code == 200
