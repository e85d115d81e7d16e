"""The field's thesaurus: shipped as data, edited by analysts, applied to searches at query
time on whichever engine the suite runs (SQLite FTS5 or PostgreSQL), exact words first."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from observatoire.cas_usage import queries, services
from observatoire.cas_usage.choices import Domain, Scope
from observatoire.cas_usage.factories import UseCaseFactory
from observatoire.cas_usage.models import ThesaurusEntry
from observatoire.conftest import PERSONAS


@pytest.fixture
def thesaurus(db):
    services.load_thesaurus()


def titles(query: str, scope: str = Scope.FRANCE, **options) -> list[str]:
    found = queries.search_cases(queries.Filters(query=query, scope=scope), **options)
    return [case.title for case in found.results[:10]]


def first(query: str, **options) -> str | None:
    found = queries.search_cases(queries.Filters(query=query), **options).results.first()
    return found.external_id.removeprefix("cite:") if found else None


def test_shipped_file_has_a_few_hundred_groups_with_english(thesaurus):
    """The file holds some 290 groups in known themes, most with English equivalents."""
    entries = ThesaurusEntry.objects.all()
    assert entries.count() >= 250
    assert entries.exclude(english="").count() >= 250
    assert set(entries.values_list("theme", flat=True)) <= {"", *Domain.values}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("vidéoprotection", "paris-jo-videosurveillance"),
        ("videoprotection", "paris-jo-videosurveillance"),
        ("chatbot", "plaisir-optimus"),
        ("robot conversationnel", "plaisir-optimus"),
        ("assistant virtuel", "plaisir-optimus"),
        ("LLM", "generation-deliberations"),
        ("grand modèle de langage", "generation-deliberations"),
        ("cantine", "nantes-restauration-scolaire"),
        ("perte en réseau", "saint-savin-fuites"),
    ],
)
def test_synonyms_find_the_cited_cases(cited, thesaurus, query, expected):
    """A word of the field finds the case written with its synonym; without the thesaurus
    the same query misses it (or finds it only by chance of wording)."""
    assert first(query) == expected


def test_without_thesaurus_the_synonym_finds_nothing(cited, thesaurus):
    """« vidéoprotection » and « robot conversationnel » are not in the cited cases' text."""
    assert first("vidéoprotection", synonyms=False) is None
    assert first("robot conversationnel", synonyms=False) is None


def test_exact_words_rank_above_synonyms(thesaurus):
    """Cases holding the query's own word come before those found through a synonym, and
    the English equivalents find European cases."""
    UseCaseFactory(title="Caméras de vidéosurveillance en centre-ville", summary="Un réseau.")
    UseCaseFactory(title="Déploiement de la vidéoprotection", summary="Des caméras.")
    UseCaseFactory(title="CCTV in the old town", summary="Cameras.", country="Espagne")
    assert titles("vidéoprotection") == [
        "Déploiement de la vidéoprotection",
        "Caméras de vidéosurveillance en centre-ville",
    ]
    assert titles("vidéosurveillance")[0] == "Caméras de vidéosurveillance en centre-ville"
    assert titles("vidéoprotection", Scope.EUROPE) == ["CCTV in the old town"]


def test_excerpt_marks_the_synonym(thesaurus):
    """The excerpt highlights the word that matched, synonym included."""
    UseCaseFactory(title="Sécurité", summary="Des caméras de vidéosurveillance aux carrefours.")
    found = queries.search_cases(queries.Filters(query="vidéoprotection")).results.first()
    assert "<mark>vidéosurveillance</mark>" in found.search_excerpt


def test_analyst_edit_applies_at_once_and_survives_reload(thesaurus, users):
    """A term an analyst adds finds cases at the next search; reloading the shipped file
    leaves the analyst's group as it is."""
    UseCaseFactory(title="Des totems d'information interactifs", summary="Dans les halls.")
    assert titles("borne interactive") == []
    entry = ThesaurusEntry.objects.get(key="accueil-des-usagers")
    data = {"french": entry.french + "\nborne interactive\ntotem d'information"}
    services.save_thesaurus_entry(entry, data, by=users["analyst"])
    assert titles("borne interactive") == ["Des totems d'information interactifs"]
    services.load_thesaurus()
    assert "borne interactive" in ThesaurusEntry.objects.get(pk=entry.pk).french


def test_bad_file_names_the_line(tmp_path, db):
    """A group without French term stops the load with its line number; nothing is written."""
    path = tmp_path / "thesaurus.yaml"
    path.write_text("themes:\n  eau:\n    - fuite, perte\n    - = leak\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="ligne 4"):
        services.load_thesaurus(path)
    assert not ThesaurusEntry.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_analysts_edit_the_thesaurus(client_for, thesaurus, persona):
    """The thesaurus pages are for analysts; a post by anyone else changes nothing."""
    entry = ThesaurusEntry.objects.get(key="accueil-des-usagers")
    client = client_for(persona)
    page = client.get(reverse("cas_usage:thesaurus"))
    url = reverse("cas_usage:thesaurus_edit", args=[entry.pk])
    response = client.post(url, {"french": "x\ny", "english": "", "theme": "citoyens"})
    entry_after = ThesaurusEntry.objects.get(pk=entry.pk)
    if persona == "analyst":
        assert page.status_code == 200 and response.status_code == 302
        assert entry_after.french == "x\ny"
    else:
        assert page.status_code in (302, 403) and response.status_code in (302, 403)
        assert entry_after.french == entry.french
