"""XLSForm ⇄ our questionnaire structure, without the database.

Reading goes through pyxform's own spreadsheet backend (`get_xlsform`), which keeps empty
rows so that row numbers in our messages match the spreadsheet, then through pyxform's
conversion to XForm so that any file we accept is also accepted by KoboToolbox and ODK.

Mapping (documented in docs/questionnaires.md):
- top-level `begin_group` / `end_group` → sections (nested groups add their `relevant`
  to their questions'); questions outside any group go to a section « Questions » ;
- `select_one L` / `select_multiple L` (+ `or_other`), `select_one oui_non_prevu` →
  yes_no_planned, `select_one L` with `appearance` `likert` → likert;
- integer/decimal bounds are written as the constraint `. >= min and . <= max`;
- our own columns `allow_dont_know` and `allow_refusal` (`yes`) offer « ne sait pas » and
  « refus » (pyxform ignores unknown columns).
"""

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from pyxform.errors import PyXFormError
from pyxform.xls2json_backends import get_xlsform
from pyxform.xls2xform import convert

from observatoire.core import uploads
from observatoire.questionnaires.choices import QuestionType

YES_NO_PLANNED_LIST = "oui_non_prevu"
LIKERT_APPEARANCE = "likert"
DEFAULT_SECTION = "questions"
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,59}$")
NUMBER = r"(-?\d+(?:\.\d+)?)"
BOUNDS_RE = re.compile(
    rf"^\s*(?:\.\s*>=\s*{NUMBER})?\s*(?:and)?\s*(?:\.\s*<=\s*{NUMBER})?\s*$", re.IGNORECASE
)
IGNORED_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "username",
    "phonenumber",
    "simserial",
    "subscriberid",
    "audit",
    "calculate",
    "hidden",
}
SIMPLE_TYPES = {
    "integer": QuestionType.INTEGER,
    "int": QuestionType.INTEGER,
    "decimal": QuestionType.DECIMAL,
    "text": QuestionType.TEXT,
    "string": QuestionType.TEXT,
    "date": QuestionType.DATE,
    "note": QuestionType.NOTE,
}
TRUE_VALUES = {"yes", "true", "true()", "1", "oui", "vrai"}


class XLSFormError(ValueError):
    """A rejected XLSForm; `errors` lists French messages naming sheet, row and column."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class FormQuestion:
    code: str
    type: str
    label: str
    hint: str = ""
    required: bool = False
    relevant: str = ""
    constraint: str = ""
    constraint_message: str = ""
    choice_list: str = ""
    has_other: bool = False
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    allow_dont_know: bool = False
    allow_refusal: bool = False


@dataclass
class FormSection:
    code: str
    title: str
    relevant: str = ""
    questions: list[FormQuestion] = field(default_factory=list)


@dataclass
class FormChoice:
    list_name: str
    value: str
    label: str


@dataclass
class FormDefinition:
    title: str
    form_id: str
    version: int
    sections: list[FormSection]
    choices: list[FormChoice]

    def questions(self) -> list[FormQuestion]:
        return [q for s in self.sections for q in s.questions]


def _localized(row: dict[str, str], column: str) -> str:
    """The French text of a column: `label::fr`, `label::French (fr)`, or plain `label`."""
    for key, value in row.items():
        if key.lower() == column or key.lower().startswith(f"{column}::"):
            lang = key.split("::", 1)[1].lower() if "::" in key else ""
            if lang in {"fr", "french (fr)", "français (fr)", "francais (fr)"}:
                return value.strip()
    return (row.get(column) or "").strip()


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in TRUE_VALUES


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _bounds(constraint: str) -> tuple[Decimal | None, Decimal | None] | None:
    """`. >= 0 and . <= 100` → (0, 100); None when the constraint is something else."""
    match = BOUNDS_RE.match(constraint)
    if not constraint.strip() or not match or not any(match.groups()):
        return None
    return _decimal(match.group(1)), _decimal(match.group(2))


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def bounds_constraint(minimum: Decimal | None, maximum: Decimal | None) -> str:
    parts = []
    if minimum is not None:
        parts.append(f". >= {_number(minimum)}")
    if maximum is not None:
        parts.append(f". <= {_number(maximum)}")
    return " and ".join(parts)


def read_xlsform(path_or_file: str | Path | bytes | IO[bytes]) -> FormDefinition:
    """Parse and check an XLSForm workbook; raise XLSFormError with every problem found."""
    try:
        if isinstance(path_or_file, str | Path):
            content = uploads.read_path(path_or_file)
        elif isinstance(path_or_file, bytes):
            content = path_or_file
            uploads.check_size(len(content))
        else:
            content = uploads.read_upload(path_or_file)
        if content[:2] == b"PK":  # anything else is refused by get_xlsform below
            uploads.check_xlsx(content)
    except uploads.UploadRejected as error:
        raise XLSFormError(error.errors) from error
    data = io.BytesIO(content)
    try:
        book = get_xlsform(data, file_type=".xlsx")
    except (PyXFormError, ValueError, OSError) as error:
        raise XLSFormError(
            [f"Le fichier n'est pas un classeur XLSForm lisible ({error})."]
        ) from error
    if not book.survey:
        raise XLSFormError(["Le classeur n'a pas de feuille « survey » (ou elle est vide)."])
    errors: list[str] = []
    choices = _read_choices(book.choices or [], errors)
    settings = (book.settings or [{}])[0] if book.settings else {}
    form = FormDefinition(
        title=(settings.get("form_title") or "").strip(),
        form_id=(settings.get("form_id") or "").strip(),
        version=_version(settings.get("version"), errors),
        sections=_read_survey(book.survey, choices, errors),
        choices=choices,
    )
    if not errors:
        _check_references(form, errors)
    if errors:
        raise XLSFormError(errors)
    data.seek(0)
    try:
        convert(data, file_type=".xlsx")
    except (PyXFormError, ValueError) as error:
        raise XLSFormError([f"pyxform refuse ce formulaire : {error}"]) from error
    return form


def _version(text: str | None, errors: list[str]) -> int:
    if not text:
        return 1
    if not text.strip().isdigit() or not 0 < int(text) < 32768:
        errors.append(
            f"Feuille « settings », ligne 2, colonne « version » : « {text} » n'est pas "
            "un entier positif."
        )
        return 1
    return int(text)


def _read_choices(rows: Any, errors: list[str]) -> list[FormChoice]:
    choices: list[FormChoice] = []
    seen: set[tuple[str, str]] = set()
    for index, row in enumerate(rows):
        if not row:
            continue
        where = f"Feuille « choices », ligne {index + 2}"
        list_name = (row.get("list_name") or row.get("list name") or "").strip()
        value = (row.get("name") or row.get("value") or "").strip()
        label = _localized(row, "label")
        if not list_name:
            errors.append(f"{where}, colonne « list_name » : nom de liste manquant.")
            continue
        if not value:
            errors.append(f"{where}, colonne « name » : valeur du choix manquante.")
            continue
        if len(value) > 60 or " " in value:
            errors.append(
                f"{where}, colonne « name » : « {value} » doit faire au plus 60 caractères, "
                "sans espace."
            )
            continue
        if (list_name, value) in seen:
            errors.append(
                f"{where}, colonne « name » : la valeur « {value} » apparaît deux fois "
                f"dans la liste « {list_name} »."
            )
            continue
        if not label:
            errors.append(f"{where}, colonne « label::fr » : libellé manquant.")
        seen.add((list_name, value))
        choices.append(FormChoice(list_name, value, label[:300]))
    return choices


def _read_survey(rows: Any, choices: list[FormChoice], errors: list[str]) -> list[FormSection]:
    lists = {c.list_name for c in choices}
    sections: list[FormSection] = []
    stack: list[tuple[str, str]] = []  # open groups: (name, relevant)
    current: FormSection | None = None
    codes: set[str] = set()
    for index, row in enumerate(rows):
        if not row:
            continue
        where = f"Feuille « survey », ligne {index + 2}"
        raw_type = " ".join((row.get("type") or "").split())
        kind = (
            raw_type.lower().replace("begin group", "begin_group").replace("end group", "end_group")
        )
        name = (row.get("name") or "").strip()
        if not kind:
            errors.append(f"{where}, colonne « type » : type manquant.")
            continue
        if kind in {"begin_group", "begin_repeat", "begin repeat"}:
            if kind != "begin_group":
                errors.append(f"{where}, colonne « type » : les répétitions ne sont pas gérées.")
                continue
            if not NAME_RE.match(name):
                errors.append(f"{where}, colonne « name » : nom de groupe « {name} » invalide.")
                continue
            relevant = (row.get("relevant") or "").strip()
            if not stack:
                if name in {s.code for s in sections}:
                    errors.append(f"{where}, colonne « name » : groupe « {name} » en double.")
                current = FormSection(name, _localized(row, "label") or name, relevant)
                sections.append(current)
                relevant = ""
            stack.append((name, relevant))
            continue
        if kind in {"end_group", "end_repeat", "end repeat"}:
            if not stack:
                errors.append(f"{where}, colonne « type » : « end_group » sans « begin_group ».")
                continue
            stack.pop()
            if not stack:
                current = None
            continue
        if kind in IGNORED_TYPES:
            continue
        question = _read_question(row, kind, raw_type, name, where, lists, errors)
        if question is None:
            continue
        if name in codes:
            errors.append(f"{where}, colonne « name » : la question « {name} » existe déjà.")
            continue
        codes.add(name)
        inherited = [f"({rel})" for _, rel in stack[1:] if rel]
        if inherited:
            own = [f"({question.relevant})"] if question.relevant else []
            question.relevant = " and ".join(inherited + own)
        if current is None:
            current = next((s for s in sections if s.code == DEFAULT_SECTION), None)
            if current is None:
                current = FormSection(DEFAULT_SECTION, "Questions")
                sections.append(current)
        current.questions.append(question)
    if stack:
        errors.append(f"Feuille « survey » : le groupe « {stack[-1][0]} » n'est jamais fermé.")
    if not any(s.questions for s in sections) and not errors:
        errors.append("Feuille « survey » : aucune question.")
    return [s for s in sections if s.questions]


def _read_question(
    row: dict[str, str],
    kind: str,
    raw_type: str,
    name: str,
    where: str,
    lists: set[str],
    errors: list[str],
) -> FormQuestion | None:
    if not NAME_RE.match(name):
        errors.append(
            f"{where}, colonne « name » : « {name} » n'est pas un code de question valide "
            "(lettres, chiffres et _, 60 caractères au plus, sans commencer par un chiffre)."
        )
        return None
    label = _localized(row, "label")
    if not label:
        errors.append(f"{where}, colonne « label::fr » : libellé manquant.")
        return None
    question = FormQuestion(
        code=name,
        type="",
        label=label,
        hint=_localized(row, "hint"),
        required=_truthy(row.get("required")),
        relevant=(row.get("relevant") or "").strip(),
        constraint=(row.get("constraint") or "").strip(),
        constraint_message=_localized(row, "constraint_message"),
        allow_dont_know=_truthy(row.get("allow_dont_know")),
        allow_refusal=_truthy(row.get("allow_refusal")),
    )
    words = kind.split()
    if words[0] in {"select_one", "select_multiple"}:
        if len(words) not in {2, 3} or (len(words) == 3 and words[2] != "or_other"):
            errors.append(f"{where}, colonne « type » : « {raw_type} » est mal formé.")
            return None
        list_name = raw_type.split()[1]
        if list_name not in lists:
            errors.append(
                f"{where}, colonne « type » : la liste « {list_name} » n'existe pas "
                "dans la feuille « choices »."
            )
            return None
        question.choice_list = list_name
        question.has_other = len(words) == 3
        appearance = (row.get("appearance") or "").strip().lower()
        if words[0] == "select_multiple":
            question.type = QuestionType.SELECT_MULTIPLE
        elif list_name == YES_NO_PLANNED_LIST:
            question.type = QuestionType.YES_NO_PLANNED
        elif LIKERT_APPEARANCE in appearance.split():
            question.type = QuestionType.LIKERT
        else:
            question.type = QuestionType.SELECT_ONE
    elif kind in SIMPLE_TYPES:
        question.type = SIMPLE_TYPES[kind]
    else:
        errors.append(f"{where}, colonne « type » : type « {raw_type} » non géré.")
        return None
    if question.type in {QuestionType.INTEGER, QuestionType.DECIMAL}:
        bounds = _bounds(question.constraint)
        if bounds is not None:
            question.minimum, question.maximum = bounds
            question.constraint = ""
    return question


def _check_references(form: FormDefinition, errors: list[str]) -> None:
    """Every `${code}` in a condition names a question of the form; expressions parse."""
    from observatoire.questionnaires.expressions import ExpressionError, parse

    codes = {q.code for q in form.questions()}
    checks: list[tuple[str, str, str]] = [
        (f"groupe « {s.code} »", "relevant", s.relevant) for s in form.sections
    ]
    for q in form.questions():
        checks += [(f"question « {q.code} »", "relevant", q.relevant)]
        checks += [(f"question « {q.code} »", "constraint", q.constraint)]
    for what, column, expression in checks:
        if not expression:
            continue
        try:
            tree = parse(expression)
        except ExpressionError as error:
            errors.append(f"Feuille « survey », {what}, colonne « {column} » : {error}")
            continue
        for ref in sorted(tree.references() - codes):
            errors.append(
                f"Feuille « survey », {what}, colonne « {column} » : "
                f"${{{ref}}} ne désigne aucune question du formulaire."
            )


SURVEY_COLUMNS = [
    "type",
    "name",
    "label::fr",
    "hint::fr",
    "required",
    "relevant",
    "constraint",
    "constraint_message::fr",
    "appearance",
    "allow_dont_know",
    "allow_refusal",
]


def write_xlsform(form: FormDefinition) -> bytes:
    """The workbook (survey, choices, settings) of a form, as XLSX bytes."""
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    survey.append(SURVEY_COLUMNS)
    for section in form.sections:
        survey.append(["begin_group", section.code, section.title, "", "", section.relevant])
        for q in section.questions:
            survey.append(_survey_row(q))
        survey.append(["end_group", section.code])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::fr"])
    for choice in form.choices:
        choices.append([choice.list_name, choice.value, choice.label])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([form.title, form.form_id, str(form.version), "fr"])
    for sheet in (survey, choices, settings):
        for column in sheet.columns:
            letter = column[0].column_letter
            width = max(len(str(c.value or "")) for c in column[:200])
            sheet.column_dimensions[letter].width = min(max(width + 2, 10), 70)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _survey_row(q: FormQuestion) -> list[str]:
    if q.type in {QuestionType.SELECT_ONE, QuestionType.LIKERT, QuestionType.YES_NO_PLANNED}:
        xls_type = f"select_one {q.choice_list}"
    elif q.type == QuestionType.SELECT_MULTIPLE:
        xls_type = f"select_multiple {q.choice_list}"
    else:
        xls_type = str(q.type)
    if q.has_other:
        xls_type += " or_other"
    constraint = q.constraint
    if not constraint and (q.minimum is not None or q.maximum is not None):
        constraint = bounds_constraint(q.minimum, q.maximum)
    return [
        xls_type,
        q.code,
        q.label,
        q.hint,
        "yes" if q.required else "",
        q.relevant,
        constraint,
        q.constraint_message,
        LIKERT_APPEARANCE if q.type == QuestionType.LIKERT else "",
        "yes" if q.allow_dont_know else "",
        "yes" if q.allow_refusal else "",
    ]
