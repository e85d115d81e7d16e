"""Import of LimeSurvey and KoboToolbox exports: dry run, atomic, idempotent, French errors.

The files below follow those tools' documented export layouts: LimeSurvey's "Export
responses" with question codes as headings and answer codes (its codes have no
underscore; `Q[SQ001]` columns hold "Y" for ticked sub-questions; default answer codes
A1, A2…), and KoboToolbox's CSV export with XML values and `group/question` headers,
";" as separator and select_multiple both as one column and as 0/1 columns per choice.
"""

import io

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from observatoire.core.models import AuditEvent
from observatoire.questionnaires.choices import REFUSED, Population, ResponseStatus
from observatoire.questionnaires.factories import small_questionnaire
from observatoire.questionnaires.models import Response
from observatoire.questionnaires.services.importers import ImportRejected, import_responses

pytestmark = pytest.mark.django_db

LS_HEADER = (
    "id,submitdate,lastpage,startlanguage,seed,token,startdate,datestamp,siren,iausage,"
    "iatechnologies[SQ001],iatechnologies[SQ002],iatechnologies[SQ003],"
    "iatechnologies[other],nbagents,cyberstrategie,commentaire"
)
LS_ROWS = [
    '1,"2024-03-02 10:11:12",3,fr,123,,"2024-03-02 10:01:00","2024-03-02 10:11:12",'
    '217804905,A2,Y,,Y,,120,A3,"Très utile"',
    '2,"2024-03-03 09:00:00",3,fr,456,,"2024-03-03 08:50:00","2024-03-03 09:00:00",'
    "212500565,non,,,,,_refus,oui,",
]
KOBO_HEADER = (
    "start;end;usages/ia_usage;usages/ia_technologies;usages/ia_technologies/chatbot;"
    "usages/ia_technologies/predictif;usages/ia_technologies/vision;"
    "usages/ia_technologies/other;usages/ia_technologies_other;usages/nb_agents;"
    "cyber/cyber_strategie;cyber/commentaire;siren;_id;_uuid;_submission_time;"
    "_validation_status;_notes;_status;_submitted_by;__version__;_tags;_index"
)
KOBO_ROWS = [
    "2024-03-02T10:01:00.000+01:00;2024-03-02T10:11:12.000+01:00;teste;chatbot vision;1;0;1;0;;"
    "120;prevu;Très utile;217804905;101;uuid-1;2024-03-02T09:11:12;;;submitted_via_web;;"
    "vXyZ;;1",
    "2024-03-03T08:50:00.000+01:00;2024-03-03T09:00:00.000+01:00;non;;;;;;;_refus;oui;;"
    "212500565;102;uuid-2;2024-03-03T08:00:00;;;submitted_via_web;;vXyZ;;2",
]
EXPECTED = {
    "217804905": {
        "ia_usage": "teste",
        "ia_technologies": ["chatbot", "vision"],
        "nb_agents": 120,
        "cyber_strategie": "prevu",
        "commentaire": "Très utile",
    },
    "212500565": {"ia_usage": "non", "nb_agents": REFUSED, "cyber_strategie": "oui"},
}


@pytest.fixture
def questionnaire(authority_a, authority_b):
    return small_questionnaire()


def csv_bytes(header, rows, encoding="utf-8-sig"):
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


def xlsx_bytes(header, rows, separator):
    book = Workbook()
    sheet = book.active
    sheet.append(header.split(separator))
    for row in rows:
        sheet.append([int(c) if c.isdigit() and len(c) < 6 else c for c in row.split(separator)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def answers_by_siren(questionnaire):
    return {
        r.authority.siren: r.answers
        for r in Response.objects.filter(questionnaire=questionnaire).select_related("authority")
    }


@pytest.mark.parametrize(
    ("tool", "data"),
    [
        ("limesurvey", csv_bytes(LS_HEADER, LS_ROWS)),
        ("limesurvey", xlsx_bytes(LS_HEADER, [r.replace('"', "") for r in LS_ROWS], ",")),
        ("kobo", csv_bytes(KOBO_HEADER, KOBO_ROWS)),
        ("kobo", xlsx_bytes(KOBO_HEADER, KOBO_ROWS, ";")),
    ],
    ids=["limesurvey-csv", "limesurvey-xlsx", "kobo-csv", "kobo-xlsx"],
)
def test_dry_run_then_import_then_same_file_again(questionnaire, users, tool, data):
    """The dry run writes nothing; the real run creates; the same file again changes nothing."""
    analyst = users["analyst"]
    report = import_responses(data, questionnaire, tool, by=analyst, dry_run=True)
    assert (len(report.created), report.rejected, report.applied) == (2, [], False)
    assert not Response.objects.exists()

    report = import_responses(data, questionnaire, tool, by=analyst, dry_run=False)
    assert report.applied and len(report.created) == 2
    assert answers_by_siren(questionnaire) == EXPECTED
    response = Response.objects.first()
    assert response.status == ResponseStatus.SUBMITTED
    assert response.questionnaire_version == questionnaire.version
    assert response.source.startswith("import ")

    events = AuditEvent.objects.filter(model="questionnaires.response").count()
    stamps = list(Response.objects.order_by("pk").values_list("updated_at", flat=True))
    report = import_responses(data, questionnaire, tool, by=analyst, dry_run=False)
    assert (len(report.unchanged), report.created, report.updated) == (2, [], [])
    assert AuditEvent.objects.filter(model="questionnaires.response").count() == events
    assert list(Response.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


def test_latin1_file_with_semicolons_is_read(questionnaire, users):
    """A CSV saved by a French Excel (Windows-1252, ";") is read, with a note."""
    header = LS_HEADER.replace(",", ";")
    rows = ["1;2024-03-02;3;fr;1;;2024-03-02;2024-03-02;217804905;A2;Y;;;;12;A1;Élu très engagé"]
    report = import_responses(
        csv_bytes(header, rows, "cp1252"), questionnaire, "limesurvey", by=users["analyst"],
        dry_run=False,
    )  # fmt: skip
    assert report.applied, report.rejected
    assert any("Windows-1252" in note for note in report.notes)
    assert Response.objects.get().answers["commentaire"] == "Élu très engagé"


BAD_CASES = {
    "unknown-authority": (
        LS_ROWS[0].replace("217804905", "999999999"),
        "Ligne 2, colonne « siren » : aucune collectivité pour le SIREN « 999999999 ».",
    ),
    "out-of-range": (
        LS_ROWS[0].replace(",120,", ",5000,"),
        "Ligne 2, colonne « nbagents » : Valeur attendue entre 0 et 1\u202f000.",
    ),
    "missing-required": (
        LS_ROWS[0].replace(",A3,", ",,"),
        "Ligne 2, colonne « cyberstrategie » : Réponse obligatoire.",
    ),
    "duplicate-respondent": (
        LS_ROWS[1].replace("212500565", "217804905"),
        "Ligne 3 : même répondant que la ligne 2.",
    ),
    "bad-flag": (
        LS_ROWS[0].replace(",Y,,Y,", ",Y,peut-être,Y,"),
        "Ligne 2, colonne « iatechnologies[SQ002] » : « peut-être » au lieu de « Y »",
    ),
    "unknown-choice": (
        LS_ROWS[0].replace(",A3,", ",A9,"),
        "Ligne 2, colonne « cyberstrategie » : Choix inconnu : « A9 ».",
    ),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_a_bad_line_rejects_the_whole_file(questionnaire, users, case):
    """Each problem is named by line, column and reason, and nothing is written."""
    row, message = BAD_CASES[case]
    rows = [LS_ROWS[0], row] if case == "duplicate-respondent" else [row, LS_ROWS[1]]
    report = import_responses(
        csv_bytes(LS_HEADER, rows), questionnaire, "limesurvey", by=users["analyst"],
        dry_run=False,
    )  # fmt: skip
    assert not report.applied
    assert any(message in line for line in report.rejected), report.rejected
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"\x00\x01\x02binaire", "ni un CSV texte ni un classeur XLSX"),
        (b"PK\x03\x04pas un zip", "Classeur XLSX illisible"),
        (b"\x81\x8d\x8f\x90\x9d;x", "Encodage du fichier non reconnu"),
        (csv_bytes("siren,foo", ["217804905,1"]), "aucune colonne ne correspond"),
        (csv_bytes("iausage,cyberstrategie", ["non,oui"]), "aucune colonne « siren »"),
        (csv_bytes("siren,siren", ["1,2"]), "la colonne « siren » apparaît deux fois"),
    ],
)
def test_unreadable_files_are_refused_in_french(questionnaire, users, data, message):
    """Files that cannot be read give one clear French error."""
    with pytest.raises(ImportRejected) as error:
        import_responses(data, questionnaire, "limesurvey", by=users["analyst"], dry_run=False)
    assert message in str(error.value)
    assert not Response.objects.exists()


def test_match_by_name_is_listed_for_review_and_confirmed(questionnaire, users):
    """A name matched to a single authority is shown for review; the import needs it ticked."""
    header = LS_HEADER.replace(",siren,", ",collectivite,")
    rows = [LS_ROWS[0].replace("217804905", "PLAISIR")]
    data = csv_bytes(header, rows)
    report = import_responses(data, questionnaire, "limesurvey", by=users["analyst"], dry_run=False)
    assert not report.applied and "Plaisir" in report.name_matches[0]
    report = import_responses(
        data, questionnaire, "limesurvey", by=users["analyst"], dry_run=False, confirm_names=True
    )
    assert report.applied and Response.objects.get().authority.name == "Plaisir"


def test_citizens_poll_imports_by_respondent_id(users):
    """Citizens' poll rows are keyed by Kobo's _uuid."""
    poll = small_questionnaire("sondage-2024", Population.CITIZENS)
    header = "ia_usage;cyber_strategie;_uuid"
    data = csv_bytes(header, ["non;oui;a1", "teste;non;b2"])
    report = import_responses(data, poll, "kobo", by=users["analyst"], dry_run=False)
    assert report.applied
    assert set(Response.objects.values_list("respondent", flat=True)) == {"a1", "b2"}


HEADERS = st.sampled_from(
    ["siren", "insee", "iausage", "ia_usage", "nbagents", "cyber/cyber_strategie", "x", "id"]
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400))
def test_random_bytes_never_crash(questionnaire, users, data):
    """Arbitrary bytes give a report or a clean French error, and change nothing."""
    _run_and_check(questionnaire, users, data)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.lists(HEADERS, min_size=1, max_size=5),
    rows=st.lists(st.lists(st.text(max_size=12), max_size=6), max_size=5),
    separator=st.sampled_from([",", ";", "\t"]),
)
def test_random_csvs_never_crash(questionnaire, users, header, rows, separator):
    """Random CSVs with plausible headers: a report or a clean error, nothing written."""
    buffer = io.StringIO()
    import csv

    csv.writer(buffer, delimiter=separator).writerows([header, *rows])
    _run_and_check(questionnaire, users, buffer.getvalue().encode())


def _run_and_check(questionnaire, users, data):
    before = Response.objects.count()
    for tool in ("limesurvey", "kobo"):
        try:
            report = import_responses(data, questionnaire, tool, by=users["analyst"], dry_run=False)
        except ImportRejected as error:
            assert error.errors and all(isinstance(e, str) and e for e in error.errors)
            continue
        if report.applied:  # only a fully valid file may write
            assert report.ok
            Response.objects.all().delete()
    assert Response.objects.count() == before


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("reader", 403),
        ("referent_a", 403),
        ("colleague_a", 403),
        ("referent_b", 403),
        ("analyst", 200),
    ],
)
def test_import_page_is_for_analysts(questionnaire, client_for, persona, status):
    """Only analysts import; the page shows the dry run's report."""
    upload = io.BytesIO(csv_bytes(LS_HEADER, LS_ROWS))
    upload.name = "export.csv"
    result = client_for(persona).post(
        reverse("questionnaires:import", args=[questionnaire.code]),
        {"file": upload, "tool": "limesurvey", "dry_run": "on"},
    )
    assert result.status_code == status
    if status == 200:
        page = result.content.decode()
        assert "Simulation : rien n'a été enregistré" in page and "2 réponses créées" in page
    assert not Response.objects.exists()


def test_export_carries_the_version_and_reimports_unchanged(questionnaire, users, client_for):
    """The CSV export has the questionnaire version on each line, and importing it back
    (as a KoboToolbox-like file) changes nothing."""
    data = csv_bytes(KOBO_HEADER, KOBO_ROWS)
    import_responses(data, questionnaire, "kobo", by=users["analyst"], dry_run=False)
    url = reverse("questionnaires:export_responses", args=[questionnaire.code])
    assert client_for("referent_a").get(url).status_code == 403
    exported = client_for("analyst").get(url).content
    lines = exported.decode().splitlines()
    assert lines[0].startswith("siren,insee,kind,respondent,questionnaire,questionnaire_version")
    assert lines[1].split(",")[5] == "1"
    report = import_responses(exported, questionnaire, "kobo", by=users["analyst"], dry_run=False)
    assert len(report.unchanged) == 2 and not report.created and not report.updated


def test_limesurvey_other_specify(questionnaire, users):
    """LimeSurvey's `Q[other]` text ticks « autre » in a multiple choice and keeps the text."""
    row = LS_ROWS[0].replace(",Y,,Y,,120,", ",Y,,,OCR des courriers,120,")
    report = import_responses(
        csv_bytes(LS_HEADER, [row]), questionnaire, "limesurvey", by=users["analyst"],
        dry_run=False,
    )  # fmt: skip
    assert report.applied, report.rejected
    answers = Response.objects.get().answers
    assert answers["ia_technologies"] == ["chatbot", "other"]
    assert answers["ia_technologies_other"] == "OCR des courriers"
