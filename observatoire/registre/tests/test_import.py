"""Bulk import from the Eurocities v0.3.1 CSV template: atomic, errors in French by line."""

import pytest

from observatoire.registre import services
from observatoire.registre.exports import eurocities
from observatoire.registre.factories import EntryFactory, full_entry
from observatoire.registre.models import Entry


def _csv(rows: list[dict]) -> str:
    header = eurocities.eurocities_columns()
    lines = [";".join(f'"{c}"' for c in header)]
    for row in rows:
        lines.append(";".join(f'"{row.get(c, "")}"' for c in header))
    return "\n".join(lines) + "\n"


@pytest.fixture
def good_row(authority_a):
    entry = full_entry(authority_a)
    row = eurocities.to_eurocities(entry)
    entry.delete()
    return row


def test_import_creates_drafts(authority_a, users, good_row):
    """Every valid line becomes a draft of the référent's authority."""
    second = {
        **good_row,
        "name": "Deuxième",
        "domain": "traffic and transportation",
        "status": "pilot",
    }
    result = services.import_eurocities(
        _csv([good_row, second]), authority_a, by=users["referent_a"]
    )
    assert [e.name for e in result.created] == [good_row["name"], "Deuxième"]
    assert result.created[1].theme == "mobility"
    assert result.created[1].lifecycle == "experiment"
    assert all(e.status == "draft" and e.authority == authority_a for e in result.created)


def test_a_bad_line_rejects_the_whole_file(authority_a, users, good_row):
    """One invalid line: nothing is imported and each error names its line and column."""
    bad = {**good_row, "status": "en service", "contact_email": "pas-une-adresse"}
    with pytest.raises(services.ImportRejected) as caught:
        services.import_eurocities(_csv([good_row, bad]), authority_a, by=users["referent_a"])
    assert "ligne 3 : status : « en service » n'est pas une valeur permise" in caught.value.errors
    assert any(e.startswith("ligne 3 : contact_email") for e in caught.value.errors)
    assert not Entry.objects.exists()


def test_import_refuses_a_file_without_the_template_header(authority_a, users):
    """A CSV without the template's columns is refused at line 1."""
    with pytest.raises(services.ImportRejected, match="ligne 1 : colonnes absentes"):
        services.import_eurocities("nom;résumé\nA;B\n", authority_a, by=users["referent_a"])


def test_round_trip_of_our_own_export(authority_a, users):
    """Our Eurocities export of an entry imports back with the same name and summary."""
    entry = EntryFactory(authority=authority_a, name="Aller-retour", ai_act_level="minimal")
    text = eurocities.to_eurocities_csv([entry])
    result = services.import_eurocities(text, authority_a, by=users["referent_a"])
    assert result.created[0].summary == entry.summary


@pytest.mark.parametrize(
    "persona", ["anonymous", "reader", "referent_a", "colleague_a", "referent_b", "analyst"]
)
def test_import_page(client_for, authority_a, good_row, persona):
    """The page imports for the user's authority; errors are listed; readers are refused."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("registre.csv", _csv([good_row]).encode(), content_type="text/csv")
    url = "/registre/gerer/import/" + ("?authority=217804905" if persona == "analyst" else "")
    response = client_for(persona).post(url, {"file": upload})
    expected = {"anonymous": 302, "reader": 403}.get(persona, 302)
    assert response.status_code == expected
    owner = {
        "referent_a": "217804905",
        "colleague_a": "217804905",
        "analyst": "217804905",
        "referent_b": "212500565",
    }
    if persona in owner:
        assert Entry.objects.get().authority.siren == owner[persona]
    else:
        assert not Entry.objects.exists()
