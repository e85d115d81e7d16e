"""Import of responses exported by LimeSurvey and KoboToolbox (CSV or XLSX).

Formats read (see docs/questionnaires.md):
- LimeSurvey, "Export responses" with "Question code" headings and "Answer codes":
  metadata columns (`id`, `submitdate`, `lastpage`, `startlanguage`, `seed`, `token`,
  `startdate`, `datestamp`…), one column per question code, `Q[SQ]` columns holding
  "Y" (or "1") for each ticked choice of a multiple choice, `Q[other]` for the "other"
  text, `-oth-` for "other" in a single choice. LimeSurvey codes allow no underscore, so
  codes are matched without underscores nor case (`culturedonnee` → `culture_donnee`),
  and LimeSurvey's default answer codes `A1`, `A2`… (`SQ001`… for sub-questions) are
  read as the 1st, 2nd… choice of our list.
- KoboToolbox, "XML values and headers": `group/question` headers (`/` or `.`),
  `select_multiple` as space-separated values and/or one `group/question/choice` column
  of 0/1 per choice, `question_other` for "other", `_id`, `_uuid`, `_submission_time`…
  metadata.
Respondents are matched by a `siren` column, else an `insee` (or `code_insee`) column
with the authority's `kind` when the file has one (régions and départements share codes),
else by name (`collectivite` or `nom`) when exactly one authority has that name; those
name matches are listed for review and must be confirmed. Citizens' poll rows are keyed
by `respondent` (or LimeSurvey `id`, Kobo `_uuid`).

The run is all or nothing: any rejected line and the file changes nothing; importing the
same file twice changes nothing the second time.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from observatoire.core import csvsafe, uploads
from observatoire.core.audit import acting_as, record_event
from observatoire.questionnaires.choices import (
    DONT_KNOW,
    REFUSED,
    Population,
    QuestionType,
    ResponseStatus,
)
from observatoire.questionnaires.models import Questionnaire, Response
from observatoire.questionnaires.services.collection import (
    OTHER,
    OTHER_SUFFIX,
    AnswerError,
    LoadedQuestionnaire,
    check_response,
    relevant_answers,
)
from observatoire.territoires.models import Authority, normalize

LIMESURVEY, KOBO = "limesurvey", "kobo"
SOURCES = {LIMESURVEY: "import LimeSurvey", KOBO: "import KoboToolbox"}
MAX_ROWS = 100_000
LS_META = {
    "id", "submitdate", "lastpage", "startlanguage", "seed", "token", "startdate",
    "datestamp", "ipaddr", "refurl", "interviewtime",
}  # fmt: skip
KOBO_META = {
    "start", "end", "today", "deviceid", "username", "simserial", "subscriberid",
    "phonenumber", "audit", "_id", "_uuid", "_submission_time", "_validation_status",
    "_notes", "_status", "_submitted_by", "__version__", "_version_", "_tags", "_index",
    "instanceid", "_parent_index", "_parent_table_name", "_attachments", "_geolocation",
}  # fmt: skip
SIREN_COLUMNS = {"siren"}
INSEE_COLUMNS = {"insee", "code_insee", "codeinsee", "code_commune", "cog"}
# Régions and départements share INSEE codes: the kind says which one a code is.
AUTHORITY_KIND_COLUMNS = {"kind", "type_collectivite"}
NAME_COLUMNS = {"collectivite", "nom", "nom_collectivite", "nomcollectivite"}
RESPONDENT_COLUMNS = {"respondent", "repondant", "id_repondant"}
YES = {"y", "1", "true", "oui", "yes"}
NO = {"", "n", "0", "false", "non", "no"}
SPECIALS = {"_nsp": DONT_KNOW, "nsp": DONT_KNOW, "_refus": REFUSED, "refus": REFUSED}
LS_SUB = re.compile(r"^(?P<code>[^\[\]]+)\[(?P<sub>[^\[\]]+)\]$")
LS_DEFAULT = re.compile(r"^(?:a|sq)0*(\d+)$", re.IGNORECASE)


class ImportRejected(ValueError):
    """A file rejected as a whole, with French messages."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def key(text: str) -> str:
    """Codes compared without case, accents, underscores nor punctuation."""
    return re.sub(r"[^a-z0-9]", "", normalize(text))


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 (French Excel); refuse binaries."""
    if b"\x00" in data[:4096]:
        raise ImportRejected(["Ce fichier n'est ni un CSV texte ni un classeur XLSX."])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportRejected(
            ["Encodage du fichier non reconnu : enregistrez-le en UTF-8."]
        ) from None


def read_table(data: bytes) -> tuple[list[str], list[list[str]], list[str]]:
    """Headers, rows (as text) and notes from CSV (any usual separator) or XLSX bytes."""
    try:
        uploads.check_size(len(data))
        if data[:2] == b"PK":
            uploads.check_xlsx(data)
    except uploads.UploadRejected as error:
        raise ImportRejected(error.errors) from error
    if not data.strip():
        raise ImportRejected(["Le fichier est vide."])
    notes: list[str] = []
    if data[:2] == b"PK":
        rows = _read_xlsx(data)
    else:
        text = decode(data)
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            notes.append("Fichier lu en Windows-1252 (Latin-1) : vérifiez les accents.")
        first = text.split("\n", 1)[0]
        delimiter = max([";", ",", "\t"], key=first.count)
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as error:
            raise ImportRejected([f"CSV illisible : {error}."]) from error
        if delimiter != ",":
            notes.append(f"Séparateur détecté : « {delimiter} ».")
    for number, row in enumerate(rows, start=1):
        if any("\x00" in cell for cell in row):  # PostgreSQL cannot store it
            raise ImportRejected([f"Ligne {number} : caractère nul (U+0000) refusé."])
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise ImportRejected(["Le fichier est vide."])
    if len(rows) > MAX_ROWS:
        raise ImportRejected([f"Trop de lignes ({len(rows)}) : {MAX_ROWS} au plus par fichier."])
    headers = [h.strip() for h in rows[0]]
    seen: set[str] = set()
    for index, header in enumerate(headers, start=1):
        if not header:
            raise ImportRejected([f"Ligne 1, colonne {index} : en-tête vide."])
        if header in seen:
            raise ImportRejected([f"Ligne 1 : la colonne « {header} » apparaît deux fois."])
        seen.add(header)
    return headers, rows[1:], notes


def _read_xlsx(data: bytes) -> list[list[str]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises its own types for any broken file
        raise ImportRejected([f"Classeur XLSX illisible ({type(error).__name__})."]) from error
    return [[_cell(value) for value in row] for row in sheet]


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return "" if value is None else str(value)


@dataclass
class Column:
    header: str
    kind: str  # "question", "choice", "other", "siren", "insee", "name", "respondent", "meta"
    code: str = ""
    value: str = ""


@dataclass
class ImportReport:
    dry_run: bool
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    name_matches: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.rejected


class _Mapper:
    """Maps a file's headers to our question codes and its values to our values."""

    def __init__(self, form: LoadedQuestionnaire, tool: str):
        self.form, self.tool = form, tool
        self.questions = {key(q.code): q for q in form.questions}

    def columns(self, headers: list[str]) -> tuple[list[Column], list[str]]:
        columns, ignored = [], []
        for header in headers:
            column = self._column(header)
            if column is None:
                ignored.append(header)
                column = Column(header, "meta")
            columns.append(column)
        return columns, ignored

    def _column(self, header: str) -> Column | None:
        name = header.strip()
        parts = [name]
        if self.tool == LIMESURVEY:
            match = LS_SUB.match(name)
            if match:
                question = self.questions.get(key(match["code"]))
                if question is None:
                    return None
                if match["sub"].lower() == "other":
                    return Column(header, "other", question.code)
                value = self.choice_value(question, match["sub"])
                return Column(header, "choice", question.code, value) if value else None
            if name.lower() in LS_META or name.lower().endswith("time"):
                return Column(header, "respondent" if name.lower() == "id" else "meta")
        else:
            parts = re.split(r"[/.]", name)
            if name.lower() in KOBO_META or parts[-1].lower() in KOBO_META:
                return Column(header, "respondent" if name.lower() == "_uuid" else "meta")
        last = parts[-1].lower()
        for kind, names in (
            ("siren", SIREN_COLUMNS),
            ("insee", INSEE_COLUMNS),
            ("authority_kind", AUTHORITY_KIND_COLUMNS),
            ("name", NAME_COLUMNS),
            ("respondent", RESPONDENT_COLUMNS),
        ):
            if last in names:
                return Column(header, kind)
        question = self.questions.get(key(parts[-1]))
        if question is not None:
            return Column(header, "question", question.code)
        if last.endswith(OTHER_SUFFIX):
            question = self.questions.get(key(parts[-1][: -len(OTHER_SUFFIX)]))
            if question is not None and question.has_other:
                return Column(header, "other", question.code)
        if len(parts) >= 2:  # Kobo: group/question/choice
            question = self.questions.get(key(parts[-2]))
            if question is not None and question.type == QuestionType.SELECT_MULTIPLE:
                value = self.choice_value(question, parts[-1])
                if value:
                    return Column(header, "choice", question.code, value)
        return None

    def choice_value(self, question, text: str) -> str:
        """Our value for a file's answer code ('' if none)."""
        values = [v for v, _ in self.form.choices.get(question.choice_list, [])]
        text = text.strip()
        if text in values:
            return text
        if text.lower() in {"other", "-oth-"} and question.has_other:
            return OTHER
        by_key = {key(v): v for v in values}
        if key(text) in by_key:
            return by_key[key(text)]
        if self.tool == LIMESURVEY:
            match = LS_DEFAULT.match(text)
            if match and 1 <= int(match.group(1)) <= len(values):
                return values[int(match.group(1)) - 1]
        return ""

    def value(self, question, text: str) -> Any:
        """A cell as the value our cleaning expects."""
        text = text.strip()
        if text.lower() in SPECIALS:
            return SPECIALS[text.lower()]
        if question.type == QuestionType.SELECT_MULTIPLE:
            return [self.choice_value(question, item) or item for item in text.split()]
        if question.choice_list:
            return self.choice_value(question, text) or text
        return text


def import_responses(
    data: bytes,
    questionnaire: Questionnaire,
    tool: str,
    *,
    by: Any,
    dry_run: bool = True,
    confirm_names: bool = False,
) -> ImportReport:
    """Check every line, then (unless dry run, and only if all lines pass) write them."""
    if tool not in SOURCES:
        raise ImportRejected([f"Outil inconnu : « {tool} »."])
    headers, rows, notes = read_table(data)
    form = LoadedQuestionnaire.load(questionnaire)
    mapper = _Mapper(form, tool)
    columns, ignored = mapper.columns(headers)
    report = ImportReport(dry_run=dry_run, ignored_columns=ignored, notes=notes)
    kinds = {c.kind for c in columns}
    citizens = questionnaire.population == Population.CITIZENS
    if not citizens and not kinds & {"siren", "insee", "name"}:
        raise ImportRejected(
            [
                "Ligne 1 : aucune colonne « siren », « insee » ou « collectivite » pour "
                "reconnaître les collectivités."
            ]
        )
    if citizens and "respondent" not in kinds:
        raise ImportRejected(["Ligne 1 : aucune colonne « respondent » (ou « id », « _uuid »)."])
    if not kinds & {"question", "choice"}:
        raise ImportRejected(["Ligne 1 : aucune colonne ne correspond à une question."])
    parsed = []
    seen: dict[Any, int] = {}
    authorities = _authority_index(rows, columns) if not citizens else {}
    for number, row in enumerate(rows, start=2):
        target, answers, errors = _parse_row(number, row, columns, mapper, authorities, report)
        if target is not None and target in seen:
            errors.append(f"Ligne {number} : même répondant que la ligne {seen[target]}.")
        if target is not None:
            seen.setdefault(target, number)
        if errors:
            report.rejected += errors
        elif target is not None:
            parsed.append((number, target, answers))
    if report.name_matches and not confirm_names and not dry_run:
        report.notes.append("Confirmez les rapprochements par nom avant l'import réel.")
        return report
    _plan(questionnaire, parsed, citizens, report)
    if dry_run or report.rejected:
        return report
    with acting_as(by), transaction.atomic():
        _write(questionnaire, parsed, citizens, SOURCES[tool], by, form)
        record_event(
            "questionnaires.questionnaire",
            str(questionnaire.pk),
            f"Import {SOURCES[tool]} : {len(report.created)} créées, "
            f"{len(report.updated)} mises à jour, {len(report.unchanged)} inchangées.",
        )
    report.applied = True
    return report


def _authority_index(rows, columns) -> dict[tuple[str, str], list[Authority]]:
    """The authorities the file names, fetched in three queries."""
    values: dict[str, set[str]] = {"siren": set(), "insee": set(), "name": set()}
    for row in rows:
        for position, column in enumerate(columns):
            if column.kind in values and position < len(row) and row[position].strip():
                text = row[position].strip()
                values[column.kind].add(normalize(text) if column.kind == "name" else text)
    index: dict[tuple[str, str], list[Authority]] = {}
    active = Authority.objects.filter(is_active=True)
    for authority in active.filter(siren__in=values["siren"]):
        index.setdefault(("siren", authority.siren), []).append(authority)
    for authority in active.filter(code__in=values["insee"]):
        index.setdefault(("insee", authority.code), []).append(authority)
    for authority in active.filter(name_search__in=values["name"]):
        index.setdefault(("name", authority.name_search), []).append(authority)
    return index


def _parse_row(number, row, columns, mapper, authorities, report):
    errors: list[str] = []
    raw: dict[str, Any] = {}
    ident: dict[str, str] = {}
    if len(row) > len(columns):
        return None, {}, [f"Ligne {number} : {len(row)} valeurs pour {len(columns)} colonnes."]
    questions = mapper.form.by_code()
    for column, cell in zip(columns, row, strict=False):
        text = cell.strip()
        if column.kind in {"siren", "insee", "authority_kind", "name", "respondent"}:
            ident[column.kind] = text
        elif column.kind == "question" and text:
            raw[column.code] = mapper.value(questions[column.code], text)
        elif column.kind == "other" and text:
            raw[column.code + OTHER_SUFFIX] = text
            multiple = questions[column.code].type == QuestionType.SELECT_MULTIPLE
            if mapper.tool == LIMESURVEY and multiple:  # LimeSurvey ticks "other" by its text
                raw.setdefault(f"{column.code}\x00ticks", []).append(OTHER)
        elif column.kind == "choice":
            flag = text.lower()
            if flag in YES:
                raw.setdefault(f"{column.code}\x00ticks", []).append(column.value)
            elif flag not in NO:
                errors.append(
                    f"Ligne {number}, colonne « {column.header} » : « {text} » au lieu de "
                    "« Y », « 1 » ou vide."
                )
    answers: dict[str, Any] = {}
    for code, value in raw.items():
        if code.endswith("\x00ticks"):
            base = code[: -len("\x00ticks")]
            answers.setdefault(base, value)
        elif not code.endswith(OTHER_SUFFIX):
            answers[code] = value
    for code, value in raw.items():
        if code.endswith(OTHER_SUFFIX):
            answers[code] = value
    target = _target(number, ident, authorities, report, errors)
    cleaned: dict[str, Any] = {}
    for code, value in answers.items():
        question = questions.get(code)
        if question is None:  # "other" text
            cleaned[code] = str(value)[:2000]
            continue
        try:
            result = mapper.form.clean(question, value, answers)
        except AnswerError as error:
            header = next(c.header for c in columns if c.code == code)
            errors.append(f"Ligne {number}, colonne « {header} » : {error}")
            continue
        if result is not None:
            cleaned[code] = result
    if not errors:
        for code, message in check_response(mapper.form, cleaned).items():
            header = next((c.header for c in columns if c.code == code), code)
            errors.append(f"Ligne {number}, colonne « {header} » : {message}")
    return target, relevant_answers(mapper.form, cleaned), errors


def _target(number, ident, authorities, report, errors):
    if "respondent" in ident and not any(ident.get(k) for k in ("siren", "insee", "name")):
        if not ident["respondent"]:
            errors.append(f"Ligne {number} : identifiant du répondant manquant.")
            return None
        return ("respondent", ident["respondent"][:64])
    for kind, label in (("siren", "SIREN"), ("insee", "code INSEE"), ("name", "nom")):
        text = ident.get(kind, "")
        if not text:
            continue
        found = authorities.get((kind, normalize(text) if kind == "name" else text), [])
        if kind == "insee" and ident.get("authority_kind"):
            found = [a for a in found if a.kind == ident["authority_kind"]]
        elif kind == "insee" and len(found) > 1:
            found = [a for a in found if a.kind == "commune"] or found
        if len(found) == 1:
            if kind == "name":
                a = found[0]
                report.name_matches.append(
                    f"Ligne {number} : « {text} » → {a.name} ({a.get_kind_display()}, "
                    f"{a.code}, département {a.departement or '—'})"
                )
            return ("authority", found[0].pk)
        problem = "aucune collectivité" if not found else f"{len(found)} collectivités"
        errors.append(f"Ligne {number}, colonne « {kind} » : {problem} pour le {label} « {text} ».")
        return None
    errors.append(f"Ligne {number} : aucun SIREN, code INSEE ou nom de collectivité.")
    return None


def _existing(questionnaire, parsed, citizens) -> dict[Any, Response]:
    if citizens:
        ids = [t[1] for _, t, _ in parsed]
        return {
            ("respondent", r.respondent): r
            for r in questionnaire.responses.filter(respondent__in=ids)
        }
    ids = [t[1] for _, t, _ in parsed]
    return {
        ("authority", r.authority_id): r
        for r in questionnaire.responses.filter(authority_id__in=ids)
    }


def _plan(questionnaire, parsed, citizens, report: ImportReport) -> None:
    existing = _existing(questionnaire, parsed, citizens)
    for number, target, answers in parsed:
        response = existing.get(target)
        label = f"ligne {number}"
        if response is None:
            report.created.append(label)
        elif response.answers == answers and response.status == ResponseStatus.SUBMITTED:
            report.unchanged.append(label)
        else:
            report.updated.append(label)


def _write(questionnaire, parsed, citizens, source, by, form) -> None:
    """Updates are saved one by one (each audited with its diff); new responses are
    inserted in bulk, the import's audit event listing how many."""
    existing = _existing(questionnaire, parsed, citizens)
    now = timezone.now()
    submitter = by if getattr(by, "is_authenticated", False) else None
    new = []
    for _number, target, answers in parsed:
        response = existing.get(target)
        if response is None:
            new.append(
                Response(
                    questionnaire=questionnaire,
                    questionnaire_version=questionnaire.version,
                    authority_id=None if citizens else target[1],
                    respondent=target[1] if citizens else "",
                    source=source,
                    answers=answers,
                    status=ResponseStatus.SUBMITTED,
                    submitted_at=now,
                    submitted_by=submitter,
                )
            )
            continue
        if response.answers == answers and response.status == ResponseStatus.SUBMITTED:
            continue
        response.answers = answers
        response.status = ResponseStatus.SUBMITTED
        response.submitted_at = response.submitted_at or now
        response.submitted_by = submitter
        response.questionnaire_version = questionnaire.version
        response.source = source
        response.save()
    Response.objects.bulk_create(new, batch_size=500)


def export_responses_csv(questionnaire: Questionnaire) -> str:
    """All responses as CSV (KoboToolbox-like: codes as headers, multiple choices as
    space-separated values), each line carrying the questionnaire version it answered."""
    form = LoadedQuestionnaire.load(questionnaire)
    codes = []
    for question in form.questions:
        if question.type == QuestionType.NOTE:
            continue
        codes.append(question.code)
        if question.has_other:
            codes.append(question.code + OTHER_SUFFIX)
    buffer = io.StringIO()
    writer = csvsafe.Writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            "siren",
            "insee",
            "kind",
            "respondent",
            "questionnaire",
            "questionnaire_version",
            "status",
            "source",
            "submitted_at",
            *codes,
        ]
    )
    responses = questionnaire.responses.select_related("authority").order_by("pk")
    for response in responses:
        authority = response.authority
        row = [
            authority.siren if authority else "",
            authority.code if authority else "",
            authority.kind if authority else "",
            response.respondent,
            questionnaire.code,
            response.questionnaire_version,
            response.status,
            response.source,
            response.submitted_at.isoformat() if response.submitted_at else "",
        ]
        for code in codes:
            value = response.answers.get(code, "")
            row.append(" ".join(value) if isinstance(value, list) else value)
        writer.writerow(row)
    return buffer.getvalue()
