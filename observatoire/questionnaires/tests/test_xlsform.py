"""XLSForm import and export, and the built-in questionnaires."""

import io
import re
from pathlib import Path

import pytest
from openpyxl import Workbook
from pyxform.xls2xform import convert

from observatoire.core.models import AuditEvent
from observatoire.questionnaires import services
from observatoire.questionnaires.choices import Population, QuestionType
from observatoire.questionnaires.models import Question, Questionnaire
from observatoire.questionnaires.xlsform import XLSFormError

pytestmark = pytest.mark.django_db
DOC = Path(__file__).resolve().parents[3] / "docs" / "barometre-questions.md"


def workbook(survey, choices=(), settings=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(list(row))
    sheet = book.create_sheet("choices")
    sheet.append(["list_name", "name", "label::fr"])
    for row in choices:
        sheet.append(list(row))
    if settings:
        sheet = book.create_sheet("settings")
        for row in settings:
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADER = [
    "type",
    "name",
    "label::fr",
    "hint::fr",
    "required",
    "relevant",
    "constraint",
    "appearance",
]


def test_builtin_round_trip_is_identical_and_accepted_by_pyxform():
    """Export then re-import of the built-in questionnaire gives the same structure."""
    original = services.load_builtin(2024)
    exported = services.export_xlsform(original)
    result = convert(io.BytesIO(exported), file_type=".xlsx")
    assert "<h:html" in result.xform
    copy = services.import_xlsform(
        exported, code="copie", year=2024, population=Population.AUTHORITIES
    )
    assert services.form_definition(copy).sections == services.form_definition(original).sections
    assert services.form_definition(copy).choices == services.form_definition(original).choices
    assert copy.title == original.title and copy.version == original.version


def test_builtin_barometre_has_the_contract_codes_and_values():
    """Every code and choice value of docs/barometre-questions.md is in the built-in form."""
    questionnaire = services.load_builtin(2024)
    assert 60 <= questionnaire.questions.count() <= 90
    assert list(questionnaire.sections.values_list("title", flat=True)) == [
        "Motivations et freins",
        "Organisation et outils",
        "Gouvernance des données",
        "Numérique responsable et environnement",
        "Intelligence artificielle",
        "Cybersécurité",
    ]
    rows = [line for line in DOC.read_text().splitlines() if re.match(r"^\| `\w+` \|", line)]
    assert len(rows) == 19
    for row in rows:
        cells = [c.strip() for c in row.split("|")]
        code, kind, values = cells[1].strip("`"), cells[2], re.findall(r"`(\w+)`", cells[3])
        question = questionnaire.questions.get(code=code)
        listed = set(
            questionnaire.choices.filter(list_name=question.choice_list).values_list(
                "value", flat=True
            )
        )
        assert set(values) == listed, code
        if kind.startswith("yes_no_planned"):
            assert question.type == QuestionType.YES_NO_PLANNED
        elif kind.startswith("select_multiple"):
            assert question.type == QuestionType.SELECT_MULTIPLE
        relevant = re.search(r"relevant `([^`]+)`", kind)
        if relevant:
            assert question.relevant == relevant.group(1)
    assert questionnaire.questions.get(code="levier_environnement").type == QuestionType.LIKERT


def test_builtin_citizens_poll_has_the_quota_variables():
    """The citizens' poll has the quota variables and opinion questions of the contract."""
    poll = services.load_builtin(2024, Population.CITIZENS)
    assert poll.code == "citoyens-2024"
    values = lambda code: set(  # noqa: E731
        poll.choices.filter(list_name=poll.questions.get(code=code).choice_list).values_list(
            "value", flat=True
        )
    )
    assert values("sexe") == {"femme", "homme"}
    assert values("age") == {"18_24", "25_34", "35_49", "50_64", "65_plus"}
    assert len(values("region")) == 13 and "11" in values("region")
    assert "autre_inactif" in values("occupation")
    assert values("ia_menace_emploi") == {"tout_a_fait", "plutot", "plutot_pas", "pas_du_tout"}
    assert values("confiance_ia") == {"oui", "non"}
    assert poll.questions.get(code="attentes_service_public").type == "select_multiple"


def test_load_builtin_is_idempotent_and_chains_editions():
    """Loading an edition twice returns the same questionnaire; a later one follows it."""
    first = services.load_builtin(2023)
    assert services.load_builtin(2023).pk == first.pk
    second = services.load_builtin(2024)
    assert second.previous_id == first.pk
    assert Questionnaire.objects.filter(code__startswith="barometre-").count() == 2


def test_new_edition_is_a_copy_and_wording_changes_are_recorded():
    """A new edition copies the questions; re-wording is kept in previous_label."""
    first = services.load_builtin(2023)
    Question.objects.filter(questionnaire=first, code="cloud").update(label="Ancien libellé ?")
    second = services.new_edition(first, year=2024)
    assert second.code == "barometre-2024"
    assert second.questions.count() == first.questions.count()
    assert second.questions.get(code="cloud").previous_label == ""
    third = services.load_builtin(2025)
    assert third.previous_id == second.pk
    assert third.questions.get(code="cloud").previous_label == "Ancien libellé ?"
    assert AuditEvent.objects.filter(
        object_id=str(third.pk), changes__wording_changed=["cloud"]
    ).exists()


def test_import_maps_types_groups_bounds_and_non_answers():
    """Groups become sections; likert, yes/no/planned, or_other, bounds and flags map."""
    data = workbook(
        [
            [*HEADER, "allow_dont_know"],
            ["begin_group", "a", "Partie A", "", "", "${q0} = 'oui'"],
            ["select_one oui_non", "q0", "Q0 ?", "", "yes"],
            ["select_one accord", "q1", "Q1 ?", "", "", "", "", "likert", "yes"],
            ["select_one oui_non_prevu", "q2", "Q2 ?"],
            ["select_multiple accord or_other", "q3", "Q3 ?", "", "", "${q2} != 'non'"],
            ["integer", "q4", "Q4 ?", "Un nombre", "", "", ". >= 0 and . <= 10"],
            ["decimal", "q5", "Q5 ?", "", "", "", ". > 2"],
            ["end_group", "a"],
            ["text", "q6", "Hors groupe"],
        ],
        [
            ["oui_non", "oui", "Oui"],
            ["oui_non", "non", "Non"],
            ["oui_non_prevu", "oui", "Oui"],
            ["oui_non_prevu", "prevu", "Prévu"],
            ["accord", "plutot", "Plutôt d'accord"],
        ],
        [["form_title", "version"], ["Essai", "3"]],
    )
    questionnaire = services.import_xlsform(
        data, code="essai", year=2024, population=Population.AUTHORITIES
    )
    assert (questionnaire.title, questionnaire.version) == ("Essai", 3)
    sections = list(questionnaire.sections.all())
    assert [(s.code, s.relevant) for s in sections] == [("a", "${q0} = 'oui'"), ("questions", "")]
    q = {x.code: x for x in questionnaire.questions.all()}
    assert q["q0"].required and q["q0"].type == QuestionType.SELECT_ONE
    assert q["q1"].type == QuestionType.LIKERT and q["q1"].allow_dont_know
    assert q["q2"].type == QuestionType.YES_NO_PLANNED
    assert q["q3"].has_other and q["q3"].type == QuestionType.SELECT_MULTIPLE
    assert (q["q4"].minimum, q["q4"].maximum, q["q4"].constraint) == (0, 10, "")
    assert q["q4"].hint == "Un nombre"
    assert q["q5"].constraint == ". > 2" and q["q5"].minimum is None
    assert q["q6"].section.code == "questions"


@pytest.mark.parametrize(
    ("survey", "choices", "message"),
    [
        (
            [HEADER, ["select_one absente", "q1", "Q1"]],
            [],
            "Feuille « survey », ligne 2, colonne « type » : la liste « absente » n'existe pas",
        ),
        ([HEADER, ["geopoint", "q1", "Q1"]], [], "ligne 2, colonne « type » : type « geopoint »"),
        ([HEADER, ["text", "q1", ""]], [], "ligne 2, colonne « label::fr » : libellé manquant"),
        ([HEADER, ["text", "1q", "Q"]], [], "ligne 2, colonne « name » : « 1q »"),
        (
            [HEADER, ["text", "q1", "Q"], ["text", "q1", "Q bis"]],
            [],
            "ligne 3, colonne « name » : la question « q1 » existe déjà",
        ),
        (
            [HEADER, ["text", "q1", "Q", "", "", "${absente} = 'x'"]],
            [],
            "colonne « relevant » : ${absente} ne désigne aucune question",
        ),
        (
            [HEADER, ["text", "q1", "Q", "", "", "${q1} = = 'x'"]],
            [],
            "question « q1 », colonne « relevant » :",
        ),
        ([HEADER, ["begin_group", "g", "G"], ["text", "q1", "Q"]], [], "jamais fermé"),
        (
            [HEADER, ["select_one l", "q1", "Q"]],
            [["l", "a", "A"], ["l", "a", "A bis"]],
            "Feuille « choices », ligne 3, colonne « name » : la valeur « a » apparaît deux fois",
        ),
    ],
)
def test_import_rejects_bad_forms_with_french_messages(survey, choices, message):
    """Each problem is reported with its sheet, row and column, and nothing is created."""
    with pytest.raises(XLSFormError) as error:
        services.import_xlsform(
            workbook(survey, choices), code="x", year=2024, population=Population.AUTHORITIES
        )
    assert message in str(error.value)
    assert not Questionnaire.objects.exists()


def test_import_rejects_a_file_that_is_not_a_workbook():
    """Random bytes give a French error, not a crash."""
    with pytest.raises(XLSFormError, match="pas un classeur XLSForm lisible"):
        services.import_xlsform(
            b"not a zip", code="x", year=2024, population=Population.AUTHORITIES
        )
