"""Import of the European Commission's Public Sector Tech Watch catalogue."""

import csv

import pytest

from observatoire.cas_usage import pstw, queries, services
from observatoire.cas_usage.choices import Origin, Scope, Stage, Technology
from observatoire.cas_usage.models import UseCase
from observatoire.territoires import services as territoires

SHARED = pstw.shared_file()
needs_file = pytest.mark.skipif(
    SHARED is None, reason="PSTW CSV absent from ../shared/data/pstw/ (never committed)"
)


@needs_file
def test_import_shared_file_is_complete_and_idempotent(db):
    """All 2,007 rows are read, the 80 French cases are found, a second import changes nothing."""
    territoires.import_vintage(2026)
    first = services.import_pstw(SHARED)
    assert first.rows == 2007
    assert first.errors == []
    assert first.created == 2007
    imported = UseCase.objects.filter(origin=Origin.PSTW)
    assert imported.count() == 2007
    french = imported.filter(country="France")
    assert french.count() == 80
    assert french.filter(scope=Scope.FRANCE).count() >= 8  # matched to an authority
    assert french.filter(scope=Scope.NATIONAL).count() >= 50  # ministries, agencies…
    assert imported.filter(scope=Scope.EUROPE).count() == 2007 - 80
    assert all(
        "Public Sector Tech Watch" in a for a in imported.values_list("attribution", flat=True)
    )
    stamp = list(imported.order_by("pk").values_list("pk", "updated_at"))

    second = services.import_pstw(SHARED)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2007)
    assert list(imported.order_by("pk").values_list("pk", "updated_at")) == stamp


@needs_file
def test_imported_cases_are_searchable(db):
    """Imported cases are indexed: an English word of their description finds them."""
    services.import_pstw(SHARED)
    found = queries.search_cases(queries.Filters(query="chatbot", scope=Scope.EUROPE))
    assert found.total > 50
    assert found.results.first().origin == Origin.PSTW


HEADER = [*pstw.REQUIRED, "Start Year", "End Year", "Website", "Primary Technology", "AI Keywords"]


def write(tmp_path, rows):
    path = tmp_path / "pstw.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def test_malformed_rows_are_reported_not_fatal(db, tmp_path):
    """Bad rows are skipped and reported with their line and column, in French; others import."""
    path = write(
        tmp_path,
        [
            ["PSTW-1", "Chatbot", "A chatbot for citizens.", "France", "Pilot", "2021", "", "https://a.example", "Artificial Intelligence", "chatbot"],
            ["PSTW-2", "", "No name.", "Italy", "Pilot", "2021", "", "", "Blockchain", ""],
            ["PSTW-3", "Odd status", "Text.", "Spain", "Dreaming", "2021", "", "", "Blockchain", ""],
            ["PSTW-4", "Bad year", "Text.", "Spain", "Implemented", "21", "", "", "Blockchain", ""],
            ["PSTW-1", "Duplicate", "Text.", "Spain", "Implemented", "2020", "", "", "Blockchain", ""],
            ["PSTW-5", "Bad site", "Text.", "Germany", "Not in use", "2019", "2022", "not a url", "AR/VR", ""],
        ],
    )  # fmt: skip
    summary = services.import_pstw(path)
    messages = [str(e) for e in summary.errors]
    assert messages == [
        "Ligne 3, colonne « Name » : valeur manquante.",
        "Ligne 4, colonne « Status » : statut inconnu « dreaming ».",
        "Ligne 5, colonne « Start Year » : année invalide « 21 ».",
        "Ligne 6, colonne « PSTW ID » : identifiant en double « PSTW-1 ».",
    ]
    assert [str(w) for w in summary.warnings] == [
        "Ligne 7, colonne « Website » : adresse invalide, ignorée."
    ]
    assert summary.created == 2
    chatbot = UseCase.objects.get(external_id="PSTW-1")
    assert (chatbot.technology, chatbot.stage, chatbot.language) == (
        Technology.CHATBOT,
        Stage.EXPERIMENT,
        "en",
    )
    assert chatbot.scope == Scope.NATIONAL  # French, by no known authority
    stopped = UseCase.objects.get(external_id="PSTW-5")
    assert (stopped.stage, stopped.country, stopped.external_url) == (
        Stage.ABANDONED,
        "Allemagne",
        "",
    )


def test_changed_row_is_updated_in_place(db, tmp_path):
    """Re-importing a row whose content changed updates the same case."""
    row = [
        "PSTW-9",
        "Traffic lights",
        "Old text.",
        "Belgium",
        "Pilot",
        "2020",
        "",
        "",
        "Artificial Intelligence",
        "",
    ]
    services.import_pstw(write(tmp_path, [row]))
    case = UseCase.objects.get(external_id="PSTW-9")
    row[2], row[4] = "New text.", "Implemented"
    summary = services.import_pstw(write(tmp_path, [row]))
    assert (summary.created, summary.updated) == (0, 1)
    case.refresh_from_db()
    assert (case.summary, case.stage) == ("New text.", Stage.DEPLOYED)
