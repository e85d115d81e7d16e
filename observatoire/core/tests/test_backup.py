"""Backups: the demo backed up, restored into an empty database and data folder, every
table and file equal, each search index answering; a damaged archive restores nothing."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from observatoire.barometre.models import Edition
from observatoire.barometre.services import reports
from observatoire.cas_usage.models import UseCase
from observatoire.core import search
from observatoire.registre.models import Entry

pytestmark = pytest.mark.django_db(transaction=True)


def tables() -> dict[str, list[tuple]]:
    """Every table (search indexes included), its rows in a fixed order."""
    found = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")
            found[table] = sorted(cursor.fetchall(), key=repr)
    return found


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def empty_database() -> None:
    """A new, empty database in place of the test database."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    else:
        name = connection.settings_dict["NAME"]
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)
    with connection.cursor() as cursor:
        assert connection.introspection.table_names(cursor) == []


def test_backup_of_the_demo_restores_every_table_file_and_index(settings, tmp_path):
    """Round trip of the demo (with a generated PDF) into an empty database and folder."""
    settings.MEDIA_ROOT = tmp_path / "avant" / "media"
    call_command("demo", "load", stdout=io.StringIO())
    edition = Edition.objects.get(code="barometre-2024")
    job = reports.request_report(edition, edition.published_version, background=False)
    assert Path(job.path).is_file()
    before, before_files = tables(), files(settings.MEDIA_ROOT)
    assert len(before["registre_entry"]) > 0 and len(before_files) > 0
    archive = tmp_path / "sauvegarde.tar.gz"
    call_command("backup", str(archive), verbosity=0)

    empty_database()
    settings.MEDIA_ROOT = tmp_path / "apres" / "media"
    call_command("restore", str(archive), interactive=False, verbosity=0)
    after = tables()
    assert sorted(after) == sorted(before)
    for table in before:
        assert after[table] == before[table], table
    assert files(settings.MEDIA_ROOT) == before_files
    entry = Entry.objects.published().first()
    assert entry in search.search(Entry.objects.all(), entry.name)
    # A title holding " - " would read as "without the next word" (websearch syntax).
    case = UseCase.objects.exclude(title__contains="-").order_by("pk").first()
    assert case in search.search(UseCase.objects.all(), case.title)


@pytest.mark.parametrize("damage", ["corrompue", "tronquée"])
def test_a_damaged_archive_is_refused_and_restores_nothing(settings, tmp_path, damage, users):
    """One byte changed, or the end cut off: a French message, the database and the files
    as they were."""
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "piece.txt").write_text("pièce jointe " * 5000)
    archive = tmp_path / "sauvegarde.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    data = bytearray(archive.read_bytes())
    if damage == "corrompue":
        data[len(data) // 2] ^= 0xFF
    else:
        del data[len(data) * 2 // 3 :]
    archive.write_bytes(bytes(data))
    users["reader"].delete()
    before, before_files = tables(), files(tmp_path / "media")
    with pytest.raises(CommandError, match="rien n'a été restauré"):
        call_command("restore", str(archive), interactive=False, verbosity=0)
    assert tables() == before and files(tmp_path / "media") == before_files


@pytest.mark.django_db
def test_search_reindex_rebuilds_every_index(authority_a):
    """Both indexes emptied (as a copy made with dumpdata/loaddata comes back), the command
    rebuilds them: the catalogue and the register answer again."""
    from observatoire.cas_usage.factories import UseCaseFactory
    from observatoire.cas_usage.services import LABEL
    from observatoire.registre.factories import EntryFactory
    from observatoire.registre.models import SEARCH_LABEL

    entry = EntryFactory(authority=authority_a, name="Tri automatique du courrier")
    case = UseCaseFactory(title="Prévision des inondations")
    search.clear(SEARCH_LABEL)
    search.clear(LABEL)
    assert not search.search(Entry.objects.all(), "courrier").exists()
    out = io.StringIO()
    call_command("search", "reindex", stdout=out, verbosity=0)
    assert list(search.search(Entry.objects.all(), "courrier")) == [entry]
    assert list(search.search(UseCase.objects.all(), "inondation")) == [case]
    assert "Registre des IA : 1 fiche indexée." in out.getvalue()
