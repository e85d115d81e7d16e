"""Every upload is bounded before parsing: request size, file size, and an XLSX's declared
dimensions, rows, cells and inflated size; each refusal is French and writes nothing.

The bombs are parsed in a child process under a memory limit, which reports its peak
resident memory: a parser that allocates what the file declares fails there, not here."""

import io
import json
import subprocess
import sys

import pytest
from django import forms
from django.urls import reverse

from observatoire.core.tests import bombs
from observatoire.core.uploads import BoundedFileField, UploadRejected, check_xlsx
from observatoire.questionnaires.factories import small_questionnaire
from observatoire.questionnaires.models import Questionnaire, Response, SampleMember
from observatoire.registre.models import Entry

ROWS = [["siren", "iausage"], ["217804905", "oui"]]
PEAK_GROWTH_LIMIT_MB = 150
CHILD = """
import json, os, resource, sys
resource.setrlimit(resource.RLIMIT_DATA, (4 << 30, 4 << 30))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatoire.settings")
import django
django.setup()
import python_calamine, pyxform.xls2json_backends, openpyxl
from observatoire.core import uploads
from observatoire.questionnaires import xlsform
from observatoire.questionnaires.services import importers
path = sys.argv[2]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    if sys.argv[1] == "responses":
        importers.read_table(uploads.read_path(path))
    else:
        xlsform.read_xlsform(path)
    outcome = "accepted"
except (importers.ImportRejected, xlsform.XLSFormError, uploads.UploadRejected) as error:
    outcome = str(error)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"outcome": outcome, "growth_mb": (after - before) / 1024}))
"""


def parse_in_child(reader: str, path) -> dict:
    """Run one reader on a file in a child process; its refusal and peak memory growth."""
    result = subprocess.run(
        [sys.executable, "-c", CHILD, reader, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"the reader died ({result.returncode}): {result.stderr[-2000:]}"
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bombs")
    files = {
        "dimension": bombs.dimension_bomb(ROWS),
        "dimension-declared": bombs.dimension_bomb(ROWS, used=False),
        "dimension-medium": bombs.dimension_bomb(ROWS, "A1:CV1000000"),
        "zip": bombs.zip_bomb(ROWS),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = folder / f"{name}.xlsx"
        paths[name].write_bytes(data)
    paths["csv"] = bombs.oversized_csv(folder / "big.csv", 25 * 1024 * 1024)
    return paths


@pytest.mark.parametrize("reader", ["responses", "xlsform"])
@pytest.mark.parametrize(
    ("bomb", "message"),
    [
        ("dimension", "1\u202f048\u202f576 lignes"),
        ("dimension-declared", "1\u202f048\u202f576 lignes"),
        ("dimension-medium", "1\u202f000\u202f000 lignes"),
        ("zip", "une fois décompressé"),
    ],
)
def test_xlsx_bombs_are_refused_in_bounded_memory(hostile_files, reader, bomb, message):
    """The dimension bomb (`A1:XFD1048576`, declared and used: calamine aborts on it),
    the same only declared, `A1:CV1000000` and a 400 KB zip bomb inflating to 400 MB are
    refused by both XLSX readers with a French message, the reader's peak memory
    growing by less than 150 MB."""
    assert hostile_files["dimension"].stat().st_size < 5_000
    report = parse_in_child(reader, hostile_files[bomb])
    assert "Classeur refusé" in report["outcome"] and message in report["outcome"]
    assert report["growth_mb"] < PEAK_GROWTH_LIMIT_MB, report


def test_oversized_csv_is_refused_before_reading(hostile_files):
    """A 25 MB CSV given on the command line is refused from its size, unread."""
    report = parse_in_child("responses", hostile_files["csv"])
    assert report["outcome"] == "Fichier trop volumineux (25\u00a0Mo) : 20\u00a0Mo au plus."
    assert report["growth_mb"] < 10, report


def test_a_central_directory_that_lies_is_caught():
    """A sheet that declares 1 KiB but inflates to 8 MiB is refused: the scan reads each
    member through, and zipfile stops at the declared size and checks the CRC."""
    with pytest.raises(UploadRejected, match="Classeur XLSX illisible"):
        check_xlsx(bombs.lying_zip(ROWS, inflated=8 * 1024 * 1024, declared=1024))


def test_rows_and_cells_are_counted_from_references_too(settings):
    """A sheet that declares no dimension is measured by its rows and cell references."""
    settings.XLSX_MAX_ROWS = 50
    with pytest.raises(UploadRejected, match="60 lignes, 50 au plus"):
        check_xlsx(bombs.workbook([[i] for i in range(60)]))
    settings.XLSX_MAX_CELLS = 100
    with pytest.raises(UploadRejected, match="26 colonnes, 100 cellules au plus"):
        check_xlsx(bombs.workbook([list(range(26))] * 5))
    check_xlsx(bombs.workbook([list(range(10))] * 10))


def test_every_file_field_is_bounded():
    """Each file field of every form of the site checks its size before it is read."""
    import observatoire.barometre.forms
    import observatoire.questionnaires.forms
    import observatoire.registre.forms  # noqa: F401

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    file_fields = [
        (form.__name__, name, type(field))
        for form in subclasses(forms.Form)
        if form.__module__.startswith("observatoire.")
        for name, field in form.base_fields.items()
        if isinstance(field, forms.FileField)
    ]
    assert len(file_fields) >= 5
    assert all(kind is BoundedFileField for _f, _n, kind in file_fields), file_fields


def upload(data: bytes, name: str) -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file


@pytest.mark.django_db
def test_a_request_over_the_limit_is_refused_before_reading(settings, client_for):
    """A body larger than REQUEST_MAX_BYTES gets 413 with a French message, from its
    Content-Length, for pages and the API alike; nothing is written."""
    settings.REQUEST_MAX_BYTES = 10_000
    questionnaire = small_questionnaire()
    client = client_for("analyst")
    page = client.post(
        reverse("questionnaires:import", args=[questionnaire.code]),
        {"file": upload(b"siren\n" + b"217804905\n" * 2000, "big.csv"), "tool": "kobo"},
    )
    assert page.status_code == 413
    assert "Requête trop volumineuse" in page.content.decode()
    api = client.post(
        f"/api/v1/questionnaires/{questionnaire.code}/import",
        {"file": upload(b"x" * 20_000, "big.csv"), "tool": "kobo"},
    )
    assert api.status_code == 413 and "Requête trop volumineuse" in api.json()["detail"]
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_each_upload_refuses_a_file_over_the_limit(settings, client_for, authority_a):
    """The responses import (page and API), the XLSForm import, the sample list and the
    register import all refuse a file over UPLOAD_MAX_BYTES in French; nothing is written."""
    settings.UPLOAD_MAX_BYTES = 1000
    questionnaire = small_questionnaire()
    big = b"siren\n" + b"217804905\n" * 200
    analyst = client_for("analyst")
    code = questionnaire.code
    pages = [
        (analyst, reverse("questionnaires:import", args=[code]), {"tool": "kobo"}),
        (analyst, reverse("questionnaires:create"), {"code": "x-2030", "year": 2030}),
        (analyst, reverse("questionnaires:sample", args=[code]), {}),
        (client_for("referent_a"), reverse("registre:import"), {}),
    ]
    for client, url, fields in pages:
        name = "sirens" if url.endswith("echantillon/") else "file"
        response = client.post(url, {name: upload(big, "big.csv"), **fields}, follow=True)
        assert "Fichier trop volumineux (2\u00a0Ko" not in response.content.decode()
        assert "Fichier trop volumineux" in response.content.decode(), url
    api = analyst.post(
        f"/api/v1/questionnaires/{code}/import", {"file": upload(big, "big.csv"), "tool": "kobo"}
    )
    assert api.status_code == 413
    assert api.json()["detail"].startswith("Fichier trop volumineux")
    assert not Response.objects.exists() and not SampleMember.objects.exists()
    assert not Entry.objects.exists()
    assert Questionnaire.objects.count() == 1


@pytest.mark.django_db
def test_bombs_posted_to_the_pages_are_refused_in_french(client_for, authority_a):
    """The dimension bomb posted to the responses import and to the XLSForm import gets
    the French refusal on the page; nothing is written."""
    questionnaire = small_questionnaire()
    analyst = client_for("analyst")
    bomb = bombs.dimension_bomb(ROWS)
    response = analyst.post(
        reverse("questionnaires:import", args=[questionnaire.code]),
        {"file": upload(bomb, "bomb.xlsx"), "tool": "kobo"},
    )
    assert "Classeur refusé" in response.content.decode()
    response = analyst.post(
        reverse("questionnaires:create"),
        {
            "file": upload(bomb, "bomb.xlsx"),
            "code": "x-2030",
            "year": 2030,
            "population": "authorities",
            "title": "X 2030",
        },
    )
    assert "Classeur refusé" in response.content.decode()
    assert not Response.objects.exists() and Questionnaire.objects.count() == 1
