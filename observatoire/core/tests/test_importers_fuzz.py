"""Every importer under hypothesis: random files (with plausible headers, so that the
generated rows reach the row checks) give a result or the importer's own French error,
never a crash, and a refused file writes nothing.

The responses import's CSV fuzzing lives in questionnaires/tests/test_import.py; here its
XLSX side, the XLSForm import, the register import, the PSTW import, the territoires
import and the statistics engine's CSV reader. The bombs are in test_uploads.py."""

import csv
import gzip
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from observatoire.cas_usage import pstw
from observatoire.cas_usage import services as cas_usage
from observatoire.cas_usage.models import UseCase
from observatoire.core.models import AuditEvent
from observatoire.core.tests.bombs import workbook
from observatoire.questionnaires import services as questionnaires
from observatoire.questionnaires.factories import small_questionnaire
from observatoire.questionnaires.models import Questionnaire, Response
from observatoire.questionnaires.services.importers import ImportRejected, import_responses
from observatoire.questionnaires.tests.test_xlsform import workbook as xlsform_workbook
from observatoire.registre import services as registre
from observatoire.registre.models import Entry
from observatoire.stats.design_file import read_data
from observatoire.stats.errors import StatsError
from observatoire.territoires import services as territoires
from observatoire.territoires.models import Authority

pytestmark = pytest.mark.django_db
FUZZ = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TEXT = st.text(max_size=15)
# openpyxl refuses control characters in cells (as Excel does).
XLSX_TEXT = st.text(max_size=15).map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text))
CELL = st.one_of(XLSX_TEXT, st.integers(-(10**12), 10**12), st.floats(allow_nan=False), st.none())


def csv_text(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows([header, *rows])
    return buffer.getvalue()


def french_errors(errors: list) -> None:
    assert errors and all(str(e) for e in errors)


@FUZZ
@given(
    header=st.lists(
        st.sampled_from(["siren", "insee", "nom", "ia_usage", "nb_agents", "x"]),
        min_size=1,
        max_size=5,
    ),
    rows=st.lists(st.lists(CELL, max_size=6), max_size=5),
)
def test_responses_import_xlsx(authority_a, users, header, rows):
    """Random workbooks written by openpyxl: a report or ImportRejected, nothing half-written."""
    questionnaire = Questionnaire.objects.first() or small_questionnaire()
    data = workbook([header, *rows])
    before = Response.objects.count()
    for tool in ("limesurvey", "kobo"):
        try:
            report = import_responses(data, questionnaire, tool, by=users["analyst"], dry_run=False)
        except ImportRejected as error:
            french_errors(error.errors)
            continue
        assert report.applied == report.ok
        Response.objects.all().delete()
    assert Response.objects.count() == before


SURVEY_TYPES = ["text", "integer", "decimal", "select_one l", "select_multiple l", "note",
                "begin_group", "end_group", "begin group", "date", "select_one x", "calculate", ""]  # fmt: skip


@FUZZ
@given(
    survey=st.lists(
        st.tuples(
            st.sampled_from(SURVEY_TYPES),
            st.from_regex(r"[a-z_]{0,8}", fullmatch=True),
            XLSX_TEXT,
            XLSX_TEXT,
        ),
        max_size=6,
    ),
    choices=st.lists(st.tuples(st.sampled_from(["l", "m", ""]), XLSX_TEXT, XLSX_TEXT), max_size=4),
    version=st.one_of(XLSX_TEXT, st.integers()),
)
def test_xlsform_import(db, survey, choices, version):
    """Random XLSForms (survey, choices, settings sheets by openpyxl): a questionnaire or
    XLSFormError in French; a refused form creates nothing."""
    data = xlsform_workbook(
        [["type", "name", "label::fr", "relevant"], *survey],
        choices,
        [["form_title", "version"], ["Titre", version]],
    )
    before = Questionnaire.objects.count()
    try:
        created = questionnaires.import_xlsform(
            data, code="fuzz-2030", year=2030, population="authorities"
        )
    except questionnaires.XLSFormError as error:
        french_errors(error.errors)
        assert Questionnaire.objects.count() == before
    else:
        created.delete()


@FUZZ
@given(data=st.binary(max_size=300))
def test_xlsform_import_random_bytes(db, data):
    """Random bytes (or a zip prefix) are refused in French."""
    with pytest.raises(questionnaires.XLSFormError):
        questionnaires.import_xlsform(
            b"PK" + data, code="fuzz-2030", year=2030, population="authorities"
        )
    assert not Questionnaire.objects.exists()


REGISTER_COLUMNS = ["name", "description_short", "contact_email", "domain", "status",
                    "algorithm_type", "risk_category", "description", "website"]  # fmt: skip


@FUZZ
@given(
    header=st.lists(st.sampled_from(REGISTER_COLUMNS), min_size=1, max_size=6, unique=True),
    rows=st.lists(st.lists(TEXT, max_size=7), max_size=4),
    delimiter=st.sampled_from([",", ";"]),
    garbage=st.text(max_size=40),
)
def test_register_import(authority_a, users, header, rows, delimiter, garbage):
    """Random Eurocities CSVs (and random text): drafts for every line or ImportRejected
    naming lines, and then nothing written."""
    before = (Entry.objects.count(), AuditEvent.objects.count())
    for text in (csv_text(header, rows, delimiter), garbage):
        try:
            result = registre.import_eurocities(text, authority_a, by=users["referent_a"])
        except registre.ImportRejected as error:
            french_errors(error.errors)
            assert (Entry.objects.count(), AuditEvent.objects.count()) == before
        else:
            assert len(result.created) == len(rows)
            Entry.objects.all().delete()
            AuditEvent.objects.all().delete()


@FUZZ
@given(
    header=st.lists(
        st.sampled_from([*pstw.REQUIRED, "Start Year", "End Year", "Website", "x"]),
        min_size=1,
        max_size=7,
        unique=True,
    ),
    rows=st.lists(st.lists(TEXT, max_size=8), max_size=4),
)
def test_pstw_import(tmp_path_factory, header, rows):
    """Random PSTW files: malformed rows are reported (line and column) and skipped, the
    others imported; a file without its columns imports nothing."""
    path = tmp_path_factory.mktemp("pstw") / "pstw.csv"
    path.write_text(csv_text(header, rows), encoding="utf-8")
    summary = cas_usage.import_pstw(path)
    assert all(str(error).startswith("Ligne ") for error in summary.errors)
    if set(pstw.REQUIRED) - set(header):
        assert summary.errors and not UseCase.objects.exists()
    assert UseCase.objects.count() <= len(rows)
    UseCase.objects.all().delete()


@FUZZ
@given(
    header=st.lists(
        st.sampled_from([*territoires.COLUMNS, "x"]), min_size=1, max_size=10, unique=True
    ),
    rows=st.lists(st.lists(TEXT, max_size=10), max_size=4),
)
def test_territoires_import(tmp_path_factory, header, rows):
    """Random universe files: loaded or UniverseError in French; a refused file changes
    no authority."""
    path = tmp_path_factory.mktemp("cog") / "cog.csv.gz"
    path.write_bytes(gzip.compress(csv_text(header, rows).encode()))
    before = Authority.objects.count()
    try:
        territoires.import_vintage(2099, path)
    except territoires.UniverseError as error:
        assert str(error)
        assert Authority.objects.count() == before
    else:
        Authority.objects.all().delete()


@FUZZ
@given(
    header=st.lists(
        st.from_regex(r"[a-z]{1,5}", fullmatch=True), min_size=1, max_size=4, unique=True
    ),
    rows=st.lists(st.lists(st.one_of(TEXT, st.floats().map(str)), max_size=5), max_size=5),
    delimiter=st.sampled_from([",", ";"]),
)
def test_stats_csv_reader(tmp_path_factory, header, rows, delimiter):
    """The statistics engine reads a random CSV into columns or raises StatsError."""
    path = tmp_path_factory.mktemp("stats") / "data.csv"
    path.write_text(csv_text(header, rows, delimiter), encoding="utf-8")
    try:
        columns = read_data(path)
    except StatsError as error:
        assert str(error)
    else:
        assert set(columns) <= set(header) | {f"{name}_duplicated_0" for name in header}


@FUZZ
@given(
    column=st.sampled_from(["name", "description_short", "description", "contact_name", "goal"]),
    value=st.text(max_size=30),
)
def test_register_import_one_field_fuzzed(authority_a, users, column, value):
    """A valid Eurocities line with one field replaced by any text (NUL included, which
    PostgreSQL refuses): a draft or a French refusal naming line 2, nothing written."""
    from observatoire.registre.exports import eurocities
    from observatoire.registre.factories import full_entry

    entry = full_entry(authority_a)
    row = eurocities.to_eurocities(entry) | {column: value}
    entry.delete()
    columns = eurocities.eurocities_columns()
    text = csv_text(columns, [[row.get(c, "") for c in columns]], ";")
    before = Entry.objects.count()
    try:
        registre.import_eurocities(text, authority_a, by=users["referent_a"])
    except registre.ImportRejected as error:
        assert all(message.startswith("ligne ") for message in error.errors), error.errors
        assert Entry.objects.count() == before
    else:
        Entry.objects.all().delete()


LONG_FIELD = '"' + "x" * 200_000 + '"'  # over csv's default field limit (131,072 characters)


@pytest.fixture
def csv_default_limit():
    """csv's field limit is global to the process, and frictionless raises it on import."""
    previous = csv.field_size_limit(131_072)
    yield
    csv.field_size_limit(previous)


def test_unreadable_csv_is_refused_by_every_csv_importer(
    tmp_path, authority_a, users, csv_default_limit
):
    """A field over csv's limit, or binary bytes, give each CSV importer's French error
    instead of a csv.Error or UnicodeDecodeError; nothing is written."""
    from observatoire.questionnaires.services.campaigns import add_sirens_to_sample

    header = "name;description_short;contact_email;domain\n"
    with pytest.raises(registre.ImportRejected, match="ligne 2 : CSV illisible"):
        registre.import_eurocities(header + LONG_FIELD + "\n", authority_a, by=users["referent_a"])
    questionnaire = small_questionnaire()
    with pytest.raises(ImportRejected, match="CSV illisible"):
        add_sirens_to_sample(questionnaire, f"siren\n{LONG_FIELD}\n".encode(), by=users["analyst"])
    with pytest.raises(ImportRejected):
        import_responses(f"siren,x\n{LONG_FIELD},1\n".encode(), questionnaire, "kobo", by=None)
    path = tmp_path / "pstw.csv"
    for content in (
        ",".join(f'"{c}"' for c in pstw.REQUIRED).encode()
        + b"\n1,a,b,FR,Pilot\n2,"
        + LONG_FIELD.encode(),
        b"\xff\xfe\x00binary",
    ):
        path.write_bytes(content)
        summary = cas_usage.import_pstw(path)
        assert any("fichier illisible" in str(error) for error in summary.errors), summary.errors
        assert not UseCase.objects.exists()
    path = tmp_path / "cog.csv.gz"
    for content in (
        gzip.compress(",".join(territoires.COLUMNS).encode() + b"\n" + LONG_FIELD.encode()),
        b"not gzip",
    ):
        path.write_bytes(content)
        with pytest.raises(territoires.UniverseError, match="fichier illisible"):
            territoires.import_vintage(2099, path)
    assert not Entry.objects.exists() and not Response.objects.exists()
