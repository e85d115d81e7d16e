"""French search on the cited cases, on whichever engine the suite runs (SQLite or PostgreSQL)."""

from collections import Counter

import pytest
from django.db import connection

from observatoire.cas_usage import queries, services
from observatoire.cas_usage.choices import Scope, Stage, Status
from observatoire.cas_usage.factories import UseCaseFactory
from observatoire.cas_usage.models import UseCase
from observatoire.core import search


def first(query: str, **filters) -> str | None:
    found = queries.search_cases(queries.Filters(query=query, **filters))
    case = found.results.first()
    return case.external_id.removeprefix("cite:") if case else None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cantine", "nantes-restauration-scolaire"),
        ("CANTINES scolaires", "nantes-restauration-scolaire"),
        ("gaspillage alimentaire", "nantes-restauration-scolaire"),
        ("prédictions fuite", "saint-savin-fuites"),
        ("predictif eau", "saint-savin-fuites"),
        ("videosurveillance", "paris-jo-videosurveillance"),
        ("vidéo-surveillance OR caméras", "paris-jo-videosurveillance"),
        ("délibérations", "generation-deliberations"),
        ("deliberation", "generation-deliberations"),
        ("agents conversationnels", "plaisir-optimus"),
        ("chartes éthiques", "grand-besancon-charte-ia"),
        ("conventions citoyennes", "montpellier-convention-citoyenne"),
        ("formation des élus", "paris-saclay-formation"),
        ("stratégies data", "meuse-strategie-data"),
        ("non-recours", "non-recours-aides-sociales"),
        ("Leakmited", "saint-savin-fuites"),
    ],
)
def test_query_finds_expected_case_first(cited, query, expected):
    """Accents, case, plurals and word forms do not matter; the expected case comes first."""
    assert first(query) == expected


def test_results_carry_highlighted_excerpt(cited):
    """Each result has an HTML-safe excerpt with the matched words in <mark>."""
    case = queries.search_cases(queries.Filters(query="cantines")).results.first()
    assert "<mark>cantines</mark>" in case.search_excerpt
    assert "<script" not in case.search_excerpt


def test_facets_count_matches_and_ignore_own_filter(cited):
    """Facet counts describe the matching cases; a facet's own filter does not shrink it."""
    filters = queries.Filters(query="données", stage=Stage.EXPERIMENT)
    found = queries.search_cases(filters)
    stages = {value: n for value, _label, n in found.facets["stage"]}
    assert stages[Stage.EXPERIMENT] == found.total
    assert sum(stages.values()) > found.total
    assert all(c.stage == Stage.EXPERIMENT for c in found.results)


def test_stratum_facet_counts_authorities_strata(cited):
    """The stratum facet counts cases by the strata of the authorities involved."""
    found = queries.search_cases(queries.Filters())
    strata = {value: n for value, _label, n in found.facets["stratum"]}
    assert strata["metropole"] == 1
    assert strata["commune_10000_100000"] == 1
    found = queries.search_cases(queries.Filters(stratum="metropole"))
    assert [c.title for c in found.results] == [cited["nantes-restauration-scolaire"].title]


def test_european_cases_are_kept_apart(cited):
    """A European case appears only under the European scope, counted in the tabs."""
    UseCaseFactory(title="Cantine scolaire à Gand", country="Belgique")
    france = queries.search_cases(queries.Filters(query="cantine"))
    europe = queries.search_cases(queries.Filters(query="cantine", scope=Scope.EUROPE))
    assert france.total == 1 and europe.total == 1
    assert france.scopes == {Scope.FRANCE: 1, Scope.NATIONAL: 0, Scope.EUROPE: 1}
    assert europe.results.first().country == "Belgique"


def test_unpublished_cases_are_not_found(cited):
    """A proposed case is not in the public search."""
    UseCaseFactory(title="Cantine proposée", status="proposed")
    assert queries.search_cases(queries.Filters(query="cantine")).total == 1


def test_search_follows_every_change_of_a_case(cited):
    """Counts and results follow a case's status and facets however they change (a bulk
    update or delete as well as a save): the copy kept beside the index is never stale."""
    nantes = cited["nantes-restauration-scolaire"]
    UseCase.objects.filter(pk=nantes.pk).update(stage=Stage.ABANDONED, domain="eau")
    found = queries.search_cases(queries.Filters(query="cantine", stage=Stage.ABANDONED))
    assert (found.total, [c.pk for c in found.results]) == (1, [nantes.pk])
    assert [(value, n) for value, _label, n in found.facets["domain"]] == [("eau", 1)]
    nantes.refresh_from_db()
    nantes.status = Status.REJECTED
    nantes.save()
    found = queries.search_cases(queries.Filters(query="cantine"))
    assert (found.total, list(found.results)) == (0, [])
    UseCase.objects.filter(pk=cited["plaisir-optimus"].pk).delete()  # no services.remove
    found = queries.search_cases(queries.Filters(query="agents conversationnels"))
    assert (found.total, list(found.results)) == (0, [])


def test_counts_and_pages_read_the_matches_first(cited):
    """Counts and pages read the matches and the copy of the case fields kept beside the
    index (in PostgreSQL's search table; on SQLite in a narrow table, copied into each
    search's hits as they are written), never the cases' wide table."""
    matches = search.Matches(UseCase, "cantine", {"status": Status.PUBLISHED})
    source, _where, _params = matches._source(queries.COMBO, {"stage": Stage.IDEA}, None)
    if connection.vendor == "postgresql":
        assert source == "search_cas_usage_usecase AS m"
    else:
        assert source == f"{matches.engine.hits} AS m"
    published = UseCase.objects.published()
    expected = search.search(published, "cantine").order_by().values_list("domain", "stage")
    counted = matches.count_by(["domain", "stage"])
    assert sorted(counted) == sorted(
        (domain, stage, n) for (domain, stage), n in Counter(expected).items()
    )
    assert counted


def test_matches_rank_count_and_page_as_search_does(cited):
    """Matches (the index-only path on PostgreSQL) ranks, counts and pages like search()."""
    query = "données or eau or cantine"
    expected = [(c.pk, c.search_rank) for c in search.search(UseCase.objects.published(), query)]
    ranked = search.Matches(UseCase, query, {"status": Status.PUBLISHED}).ranked()
    assert ranked.count() == len(expected) > 3
    assert [(c.pk, c.search_rank) for c in ranked] == expected
    assert [c.pk for c in ranked[2:4]] == [pk for pk, _rank in expected[2:4]]


def test_cited_cases_load_is_idempotent(cited):
    """Loading the cited cases again creates and changes nothing."""
    assert services.load_cited_cases() == (0, 0)
    assert len(cited) >= 15
    plaisir = cited["plaisir-optimus"]
    result = plaisir.results.get()
    assert (result.before_text, result.after_text) == ("65\u00a0%", "8\u00a0%")
    assert plaisir.links.filter(kind="source").exists()


def test_search_page_shows_facets_and_like_mine(client_for, users, authority_a):
    """The search page lists results with facet counts and, for a référent, peers' cases."""
    from observatoire.territoires.factories import AuthorityFactory

    peer = AuthorityFactory(name="Voisine", population=authority_a.population)
    UseCaseFactory(title="Cantines de la voisine", summary="Repas des cantines.", authority=peer)
    page = client_for("referent_a").get("/cas-usage/", {"q": "cantine"}).content.decode()
    assert "<mark>cantines</mark>" in page
    assert "Administration et gestion interne (1)" in page
    assert "Des collectivités comme la vôtre" in page


def test_query_of_stop_words_finds_nothing(cited):
    """A query made only of stop words matches nothing, with empty facets and tabs."""
    found = queries.search_cases(queries.Filters(query="les des"))
    assert (found.total, list(found.results), found.scopes) == (
        0,
        [],
        {"france": 0, "national": 0, "europe": 0},
    )
    assert all(counts == [] for counts in found.facets.values())


def test_counting_first_pages_the_same_matches(cited):
    """Counting every match first, as the search page does (which tells PostgreSQL whether
    the query is broad), changes neither the ranking nor the page."""
    query = "données or eau or cantine"
    expected = [(c.pk, c.search_rank) for c in search.search(UseCase.objects.published(), query)]
    matches = search.Matches(UseCase, query, {"status": Status.PUBLISHED})
    assert sum(row[-1] for row in matches.count_by(["scope"])) == len(expected) > 3
    assert [(c.pk, c.search_rank) for c in matches.ranked()] == expected
    france = matches.ranked({"scope": Scope.FRANCE})
    assert [c.pk for c in france] == [
        pk for pk, _rank in expected if UseCase.objects.get(pk=pk).scope == Scope.FRANCE
    ]


def test_broad_widened_page_ranks_as_search(db, monkeypatch):
    """A broad widened query (phrases): the page and its filters rank the matches by the
    tier fields that hold them, as search() does, user's words first."""
    monkeypatch.setattr(search.tables, "BROAD", 2)
    UseCaseFactory(title="Accueil du public en mairie")
    UseCaseFactory(title="Guichet", summary="Relation usagers.")
    UseCaseFactory(title="Relation usagers", summary="Accueil du public.", country="Italie")
    UseCaseFactory(title="Relation directe entre agents et usagers")
    UseCaseFactory(title="Relation usagers")
    thesaurus = search.Thesaurus([["relation usagers", "accueil du public"]], search.stems)
    matches = search.Matches(
        UseCase, "relation usagers", {"status": Status.PUBLISHED}, ("pk",), thesaurus
    )
    counts = dict(matches.count_by(["scope"]))
    assert counts == {Scope.FRANCE: 3, Scope.EUROPE: 1}
    expected = [
        (c.pk, c.search_rank, c.scope)
        for c in search.search(UseCase.objects.published(), "relation usagers", thesaurus)
    ]
    assert [rank for _pk, rank, _scope in expected] == [1014.0, 1010.0, 1004.0, 10.0]
    france = [(pk, rank) for pk, rank, scope in expected if scope == Scope.FRANCE]
    assert [(c.pk, c.search_rank) for c in matches.ranked({"scope": Scope.FRANCE})[0:3]] == france
    assert [(c.pk, c.search_rank) for c in matches.ranked()[0:4]] == [e[:2] for e in expected]


def test_broad_pages_follow_the_tiers(db, monkeypatch):
    """A broad query's pages, wherever they start, follow search()'s ranking: title, then
    summary, then the rest by pk. Words split between title and summary put a case in
    neither tier."""
    monkeypatch.setattr(search.tables, "BROAD", 2)
    body = UseCaseFactory(title="Capteurs", summary="Compteurs.", description="Eau du réseau.")
    split = UseCaseFactory(title="Eau potable", summary="Le réseau.")
    summary = UseCaseFactory(title="Compteurs", summary="Eau du réseau.")
    title = UseCaseFactory(title="Réseau d'eau", summary="Capteurs.")
    matches = search.Matches(UseCase, "eau réseau", {"status": Status.PUBLISHED})
    assert sum(row[-1] for row in matches.count_by(["scope"])) == 4
    expected = [title.pk, summary.pk, body.pk, split.pk]  # 10, 4, then 0 by pk
    assert [c.pk for c in search.search(UseCase.objects.published(), "eau réseau")] == expected
    assert [c.pk for c in matches.ranked()[0:2]] == expected[:2]
    assert [c.pk for c in matches.ranked()[0:3]] == expected[:3]
    assert [c.pk for c in matches.ranked()[1:4]] == expected[1:]


def test_page_of_own_words_stays_among_the_widened_matches(db):
    """A widened term is matched as a phrase; the user's words apart are no match, even on
    the page first looked for among the cases that hold the user's own words."""
    apart = UseCaseFactory(title="Relation directe entre agents et usagers")
    synonym = UseCaseFactory(title="Accueil du public en mairie")
    thesaurus = search.Thesaurus([["relation usagers", "accueil du public"]], search.stems)
    matches = search.Matches(
        UseCase, "relation usagers", {"status": Status.PUBLISHED}, ("pk",), thesaurus
    )
    assert [c.pk for c in matches.ranked()[0:1]] == [synonym.pk]
    assert apart.pk not in [c.pk for c in matches.ranked()]
    assert sum(row[-1] for row in matches.count_by(["scope"])) == 1
