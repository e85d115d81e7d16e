"""The shared French full-text search, on whichever engine the suite runs (SQLite or PostgreSQL).

Authorities stand in for any indexed model: the test creates their search table itself.
"""

import pytest
from django.db import connection

from observatoire.core import search
from observatoire.territoires.factories import AuthorityFactory
from observatoire.territoires.models import Authority

LABEL = "territoires.Authority"
TEXTS = {
    "Nantes": "Prévisions de fréquentation des cantines scolaires par apprentissage automatique.",
    "Saint-Savin": "Prédiction des fuites d'eau sur le réseau communal.",
    "Plaisir": "Un agent conversationnel répond aux demandes des habitants <b>jour et nuit</b>.",
    "Besançon": "Charte éthique de l'intelligence artificielle, adoptée en conseil.",
}


@pytest.fixture
def indexed(db):
    with connection.cursor() as cursor:
        for sql in search.create_index_sql(connection.vendor, LABEL, ["title", "body"]):
            cursor.execute(sql)
    objects = {}
    for name, body in TEXTS.items():
        authority = AuthorityFactory(name=name)
        search.index(LABEL, authority.pk, {"title": name, "body": body})
        objects[name] = authority
    return objects


def names(query):
    return [a.name for a in search.search(Authority.objects.all(), query)]


def test_stems_ignore_case_accents_and_word_forms():
    """Plurals, accents, case and derived forms share one stem; stop words vanish."""
    assert search.stems("Cantines") == search.stems("cantine")
    assert search.stems("prédiction") == search.stems("PREDICTIF") == search.stems("prédictive")
    assert search.stems("la sécurité des écoles") == search.stems("securite ecole")


def test_fts5_query_translates_web_search_syntax():
    """Words are all required; quotes make a phrase; a minus excludes; `or` alternates."""
    assert search.fts5_query("cantines scolaires") == '"cantin" AND "scolair"'
    assert search.fts5_query('"fuites d\'eau" -réseau') == '("fuit eau") NOT "reseau"'
    assert search.fts5_query("chatbot or agent") == '("chatbot" OR "agent")'
    assert search.fts5_query("les de -eau") == ""


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("cantine", "Nantes"),
        ("CANTINES scolaires", "Nantes"),
        ("prédictif", "Saint-Savin"),
        ("fuite eau", "Saint-Savin"),
        ("intelligence artificielle", "Besançon"),
        ("ethique", "Besançon"),
        ("habitant", "Plaisir"),
        ("besancon", "Besançon"),
    ],
)
def test_search_finds_word_forms_on_this_engine(indexed, query, first):
    """Accents, plurals and derived forms find the expected object first."""
    assert names(query)[:1] == [first]


def test_search_ranks_title_above_body(indexed):
    """A word in the title weighs more than the same word in another object's body."""
    search.index(LABEL, indexed["Plaisir"].pk, {"title": "Plaisir cantine", "body": "Un robot."})
    assert names("cantine") == ["Plaisir", "Nantes"]


def test_search_syntax_exclusion_and_alternative(indexed):
    """A minus excludes; `or` widens; an empty or stop-word query matches nothing."""
    assert names("eau -fuites") == []
    assert sorted(names("cantine or fuites")) == ["Nantes", "Saint-Savin"]
    assert names("") == []
    assert names("les des") == []


def test_excerpt_marks_matches_and_escapes_html(indexed):
    """The excerpt is HTML-safe: matches in <mark>, the indexed text's markup escaped."""
    result = search.search(Authority.objects.all(), "habitants").get()
    assert "<mark>habitants</mark>" in result.search_excerpt
    assert "&lt;b&gt;" in result.search_excerpt
    assert "<b>" not in result.search_excerpt
    assert result.search_rank > 0


def test_search_composes_with_filters_and_counts(indexed):
    """The result is a queryset: it can be filtered, counted and grouped for facets."""
    results = search.search(Authority.objects.filter(name__startswith="S"), "eau or cantine")
    assert results.count() == 1
    facets = {row["name"]: row["n"] for row in _facet(results)}
    assert facets == {"Saint-Savin": 1}


def test_phrase_needs_its_words_in_a_row(indexed):
    """A phrase matches its words in a row, stop words between them skipped, not apart;
    and a widened phrase the same way."""
    assert names('"agent conversationnel"') == ["Plaisir"]
    assert names('"fuites eau"') == ["Saint-Savin"]  # « fuites d'eau »
    assert names('"cantines apprentissage"') == []
    assert names('"agent conversationnel" -habitants') == []
    thesaurus = search.Thesaurus([["chatbot", "agent conversationnel"]], search.stems)
    widened = search.search(Authority.objects.all(), "chatbot", thesaurus)
    assert [a.name for a in widened] == ["Plaisir"]
    spaced = AuthorityFactory(name="Lyon")
    search.index(LABEL, spaced.pk, {"title": "Lyon", "body": "Caméras de vidéo surveillance."})
    hyphen = search.Thesaurus([["vidéoprotection", "vidéo-surveillance"]], search.stems)
    found = search.search(Authority.objects.all(), "vidéoprotection", hyphen)
    assert [a.name for a in found] == ["Lyon"]  # a hyphenated term matches its words spaced
    apart = search.Thesaurus([["chatbot", "conversationnel répond"]], search.stems)
    assert names('"conversationnel demandes"') == []
    assert [a.name for a in search.search(Authority.objects.all(), "chatbot", apart)] == ["Plaisir"]


@pytest.mark.postgresql
def test_postgresql_matches_phrases_by_word_pairs(indexed):
    """On PostgreSQL a phrase is the AND of its pairs of consecutive words, each a lexeme of
    the document: no phrase operator, which would make GIN read every candidate's document.
    Pairing a document again adds nothing."""
    from observatoire.core.search import postgres

    thesaurus = search.Thesaurus([["chatbot", "grand modèle de langage"]], search.stems)
    terms = search.Query('chatbot "fuites d\'eau"', thesaurus)
    assert postgres.tsquery_text(terms) == (
        "( 'chatbot' | 'grand model' & 'model langag' ) & 'fuit eau'"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT document::text, observatoire_pairs(document) = document"
            " FROM search_territoires_authority WHERE obj_id = %s",
            [indexed["Plaisir"].pk],
        )
        document, stable = cursor.fetchone()
    assert "'agent conversationnel':3B" in document
    assert "'plaisir agent'" not in document  # title (A) and body (B) are not paired
    assert stable


def _facet(queryset):
    from django.db.models import Count

    return queryset.order_by().values("name").annotate(n=Count("pk"))


def test_remove_and_reindex(indexed):
    """remove() takes an object out; index() again replaces its previous text."""
    search.remove(LABEL, indexed["Nantes"].pk)
    assert names("cantine") == []
    search.index(LABEL, indexed["Saint-Savin"].pk, {"title": "Saint-Savin", "body": "Cantine"})
    assert names("cantine") == ["Saint-Savin"]
    assert names("fuites") == []


def test_index_many_writes_what_index_writes(indexed, monkeypatch):
    """A bulk index (here in batches smaller than the objects) gives the same matches, ranks
    and excerpts as indexing one object at a time, and replaces earlier texts."""
    query = "eau or cantine or habitants or charte"

    def found():
        return [(a.name, a.search_rank, a.search_excerpt) for a in _search(query)]

    one_by_one = found()
    assert len(one_by_one) == 4
    search.clear(LABEL)
    assert found() == []
    monkeypatch.setattr(search, "BATCH", 3)
    rows = [(a.pk, {"title": name, "body": TEXTS[name]}) for name, a in indexed.items()]
    assert search.index_many(LABEL, rows) == 4
    assert found() == one_by_one
    saint_savin = indexed["Saint-Savin"].pk
    assert search.index_many(LABEL, [(saint_savin, {"title": "Saint-Savin", "body": "Cantine"})])
    assert sorted(names("cantine")) == ["Nantes", "Saint-Savin"]
    assert names("fuites") == []


def _search(query):
    return search.search(Authority.objects.all(), query)


def test_excerpt_windows_long_texts():
    """A long text is cut around the first match, with ellipses where it was cut."""
    text = " ".join(f"mot{i}" for i in range(100)) + " cantines " + "fin " * 50
    cut = search.excerpt(text, search.stems("cantine"))
    assert cut.startswith("… ") and cut.endswith(" …")
    assert "<mark>cantines</mark>" in cut
    assert len(cut.split()) <= search.EXCERPT_WORDS + 4


def test_broad_query_ranks_by_where_the_words_are(indexed, monkeypatch):
    """Past BROAD matches, the title's match ranks first, whatever the body says, and every
    match is still found; ties follow the primary key."""
    lyon = AuthorityFactory(name="Lyon")
    search.index(LABEL, lyon.pk, {"title": "Lyon cantine", "body": "Un seul restaurant."})
    search.index(LABEL, indexed["Plaisir"].pk, {"title": "Plaisir", "body": "Cantines, cantine."})
    monkeypatch.setattr(search.tables, "BROAD", 2)
    ranked = [(a.name, a.search_rank) for a in search.search(Authority.objects.all(), "cantine")]
    assert ranked == [("Lyon", 10.0), ("Nantes", 0.0), ("Plaisir", 0.0)]


def test_paged_reads_a_page_by_rank_with_excerpts(indexed):
    """A page of a search holds the same objects, ranks and excerpts as the queryset's slice."""
    results = search.search(Authority.objects.all(), "eau or cantine or habitants")
    paged = search.Paged(results, "eau or cantine or habitants")
    expected = [(a.name, a.search_rank, a.search_excerpt) for a in results]
    assert [(a.name, a.search_rank, a.search_excerpt) for a in paged[0:3]] == expected
    assert [a.name for a in paged[1:2]] == [expected[1][0]]
    assert paged[2].name == expected[2][0]
    assert paged.first().name == expected[0][0]
    assert (paged.count(), len(paged)) == (3, 3)
    assert "<mark>" in paged[0].search_excerpt
