"""Indicators declared as data: one YAML file per questionnaire in ``indicators/``.

Each indicator turns answers into one or more 0/1 columns (its categories); the stats
engine then estimates the proportion of each, overall and in every domain.  Kinds:

* ``share``: respondents who chose one of ``values`` (category ``""``);
* ``done_or_planned``: categories ``fait`` (``done`` values), ``prevu`` (``planned``) and
  ``fait_ou_prevu``;
* ``mean``: mean of a number (category ``""``, estimated as a mean);
* ``ranking``: one category per choice of a multiple choice, ranked on the pages.

``among`` restricts the base to a sub-population (``{question, values}``): outside it the
columns are missing, and the engine estimates the domain on the whole design.  A skipped
question is missing (not in the base) unless ``skipped: non``; "ne sait pas" stays in the
base as a "no", a refusal leaves it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from observatoire.questionnaires.choices import REFUSED

INDICATORS_DIR = Path(__file__).resolve().parent / "indicators"
KINDS = ("share", "done_or_planned", "mean", "ranking")
LIST = "\x00list"  # placeholder of a multiple-choice answer in the text view


class IndicatorError(Exception):
    """An invalid indicator file; the message names the file, the indicator and the field."""


@dataclass(frozen=True)
class Indicator:
    code: str
    theme: str
    title: str
    kind: str
    question: str
    values: tuple[str, ...] = ()
    done: tuple[str, ...] = ("oui",)
    planned: tuple[str, ...] = ("prevu",)
    among: dict[str, Any] | None = None
    among_label: str = ""
    skipped_as_no: bool = False
    key: dict[str, str] | None = None
    labels: dict[str, str] = field(default_factory=dict)
    description: str = ""
    # Where it is in its file, for error messages: the line of each field, "" its first.
    lines: dict[str, int] = field(default_factory=dict, compare=False)

    def where(self, name: str, field_name: str = "") -> str:
        """« file, line N, indicateur « code » » at the line of `field_name`."""
        return _where(name, self.lines.get(field_name) or self.lines.get("", 0), self.code)

    @property
    def categories(self) -> list[str]:
        if self.kind == "done_or_planned":
            return ["fait", "prevu", "fait_ou_prevu"]
        if self.kind == "ranking":
            return list(self.values)
        return [""]

    def category_label(self, category: str) -> str:
        defaults = {"fait": "fait", "prevu": "prévu", "fait_ou_prevu": "fait ou prévu"}
        return self.labels.get(category, defaults.get(category, category))

    def columns(self, answers: list[dict[str, Any]] | AnswerTable) -> dict[str, np.ndarray]:
        """One float column (1, 0 or NaN for "not in the base") per category."""
        table = answers if isinstance(answers, AnswerTable) else AnswerTable(answers)
        base = table.not_refused(self.question)
        if not self.skipped_as_no:
            base &= table.present(self.question)
        if self.among is not None:
            base &= table.chosen(self.among["question"], self.among["values"])

        def column(mask: np.ndarray) -> np.ndarray:
            out = mask.astype(np.float64)
            out[~base] = np.nan
            return out

        if self.kind == "mean":
            return {"": column(np.ones(table.n, dtype=bool)) * table.numbers(self.question)}
        if self.kind == "share":
            return {"": column(table.chosen(self.question, self.values))}
        if self.kind == "ranking":
            return {c: column(table.chosen(self.question, (c,))) for c in self.values}
        done = table.chosen(self.question, self.done)
        planned = table.chosen(self.question, self.planned)
        return {
            "fait": column(done),
            "prevu": column(planned),
            "fait_ou_prevu": column(done | planned),
        }


class AnswerTable:
    """The answers of a sample seen question by question, as NumPy masks (cached).

    Each question is read once: its answers become integer codes of their text (a list
    answer is one code, its items are kept as (row, item code) pairs), so every mask is a
    vectorised comparison of codes rather than a loop over respondents.
    """

    def __init__(self, answers: list[dict[str, Any]]) -> None:
        self.rows = answers
        self.n = len(answers)
        self._questions: dict[str, _Question] = {}
        self._by_code: dict[str, list[Any]] | None = None

    def _values(self, code: str) -> list[Any]:
        """The answers to one question, one per row (None when absent)."""
        if self._by_code is None:
            # One pass over the rows for every question: faster than a pass per question.
            by_code: dict[str, list[Any]] = {}
            for row in self.rows:
                for key, value in row.items():
                    column = by_code.get(key)
                    if column is None:
                        by_code[key] = [value]
                    else:
                        column.append(value)
            self._by_code = by_code
        column = self._by_code.get(code)
        if column is not None and len(column) == self.n:  # answered in every row, in order
            return column
        return [row.get(code) for row in self.rows]

    def _load(self, code: str) -> _Question:
        question = self._questions.get(code)
        if question is None:
            question = self._questions[code] = _Question.read(self._values(code))
        return question

    def present(self, code: str) -> np.ndarray:
        return self._load(code).other_than("")

    def not_refused(self, code: str) -> np.ndarray:
        return self._load(code).other_than(REFUSED)

    def chosen(self, code: str, values: tuple[str, ...] | list[str]) -> np.ndarray:
        """Rows whose answer is one of ``values`` (or, for a list, contains one of them)."""
        question = self._load(code)
        wanted = [question.index[v] for v in values if v in question.index]
        mask = np.isin(question.codes, wanted)
        for value in values:
            item = question.item_index.get(value)
            if item is not None:
                mask[question.item_rows[question.item_codes == item]] = True
        return mask

    def numbers(self, code: str) -> np.ndarray:
        question = self._load(code)
        by_text = np.array(
            [_number(t) if t not in ("", LIST) else np.nan for t in question.index], dtype=float
        )
        return by_text[question.codes] if self.n else np.zeros(0)


@dataclass
class _Question:
    """One question's answers: text codes per row, and the items of list answers."""

    index: dict[str, int]  # text of an answer ("" when skipped, LIST for a list) -> code
    codes: np.ndarray
    item_index: dict[str, int]
    item_codes: np.ndarray
    item_rows: np.ndarray

    @classmethod
    def read(cls, values: list[Any]) -> _Question:
        types = set(map(type, values))
        texts = (
            values
            if types <= {str}
            else [v if type(v) is str else "" if v is None else LIST if type(v) is list else str(v)
                  for v in values]
        )  # fmt: skip
        index = {text: i for i, text in enumerate(dict.fromkeys(texts))}
        codes = np.fromiter(map(index.__getitem__, texts), dtype=np.intp, count=len(texts))
        items: list[Any] = []
        lengths = np.zeros(len(values), dtype=np.intp)
        if list in types:
            lists = [v if type(v) is list else () for v in values]
            lengths = np.fromiter(map(len, lists), dtype=np.intp, count=len(lists))
            items = list(chain.from_iterable(lists))
            if not set(map(type, items)) <= {str}:
                items = [str(item) for item in items]
        item_index = {item: i for i, item in enumerate(dict.fromkeys(items))}
        item_codes = np.fromiter(
            map(item_index.__getitem__, items), dtype=np.intp, count=len(items)
        )
        item_rows = np.repeat(np.arange(len(values)), lengths)
        return cls(index, codes, item_index, item_codes, item_rows)

    def other_than(self, text: str) -> np.ndarray:
        code = self.index.get(text)
        return np.ones(self.codes.size, dtype=bool) if code is None else self.codes != code


def _number(value: float | str) -> float:
    try:
        return float(value)
    except ValueError:
        return float("nan")


@dataclass(frozen=True)
class IndicatorSet:
    questionnaire: str
    domains: tuple[str, ...]
    themes: dict[str, dict[str, str]]
    indicators: tuple[Indicator, ...]

    def get(self, code: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise KeyError(code)

    def by_theme(self) -> list[tuple[str, dict[str, str], list[Indicator]]]:
        return [
            (code, theme, [i for i in self.indicators if i.theme == code])
            for code, theme in self.themes.items()
        ]


def parse(text: str, name: str) -> IndicatorSet:
    """Validate an indicator file; errors name the file, the line, the indicator and the field."""
    try:
        data = yaml.safe_load(text) or {}
        lines = _item_lines(text)
    except yaml.YAMLError as exc:
        raise IndicatorError(f"{name} : YAML invalide ({exc}).") from exc
    if not isinstance(data, dict) or not isinstance(data.get("indicators"), list):
        raise IndicatorError(f"{name} : la liste « indicators » est absente.")
    themes = {t["code"]: t for t in data.get("themes", []) if isinstance(t, dict) and "code" in t}
    indicators = []
    seen = set()
    for pos, raw in enumerate(data["indicators"], start=1):
        at = lines[pos - 1] if pos <= len(lines) else {}
        code = raw.get("code") if isinstance(raw, dict) else None

        def where(field_name: str = "", at=at, label=code or f"n° {pos}") -> str:
            return _where(name, at.get(field_name) or at.get("", 0), label)

        if not isinstance(raw, dict):
            raise IndicatorError(f"{where()} : une liste de champs est attendue.")
        for key in ("code", "theme", "title", "kind", "question"):
            if not raw.get(key):
                raise IndicatorError(f"{where(key)} : le champ « {key} » est obligatoire.")
        if raw["kind"] not in KINDS:
            raise IndicatorError(f"{where('kind')}, champ « kind » : « {raw['kind']} » inconnu.")
        if raw["theme"] not in themes:
            raise IndicatorError(
                f"{where('theme')}, champ « theme » : thème « {raw['theme']} » inconnu."
            )
        if raw["kind"] in ("share", "ranking") and not raw.get("values"):
            raise IndicatorError(f"{where('values')} : le champ « values » est obligatoire.")
        among = raw.get("among")
        if among is not None and not (
            isinstance(among, dict) and among.get("question") and among.get("values")
        ):
            raise IndicatorError(
                f"{where('among')}, champ « among » : « question » et « values » attendus."
            )
        if code in seen:
            raise IndicatorError(f"{where('code')} : code en double.")
        seen.add(code)
        indicators.append(
            Indicator(
                code=raw["code"],
                theme=raw["theme"],
                title=raw["title"],
                kind=raw["kind"],
                question=raw["question"],
                values=tuple(raw.get("values", ())),
                done=tuple(raw.get("done", ("oui",))),
                planned=tuple(raw.get("planned", ("prevu",))),
                among=among,
                among_label=raw.get("among_label", ""),
                skipped_as_no=raw.get("skipped") == "non",
                key=raw.get("key"),
                labels=dict(raw.get("labels", {})),
                description=raw.get("description", ""),
                lines=at,
            )
        )
    return IndicatorSet(
        questionnaire=data.get("questionnaire", ""),
        domains=tuple(data.get("domains", ())),
        themes=themes,
        indicators=tuple(indicators),
    )


def _where(name: str, line: int, code: str) -> str:
    return f"{name}{f', ligne {line}' if line else ''}, indicateur « {code} »"


def _item_lines(text: str) -> list[dict[str, int]]:
    """For each item of ``indicators:``, the line of each of its fields ("": its first)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "indicators" and isinstance(value, yaml.SequenceNode):
            return [
                {"": item.start_mark.line + 1}
                | {
                    k.value: k.start_mark.line + 1
                    for k, _v in (item.value if isinstance(item, yaml.MappingNode) else [])
                }
                for item in value.value
            ]
    return []


def check_questions(iset: IndicatorSet, questionnaire, name: str) -> None:
    """Every question and value an indicator reads must exist in the questionnaire."""
    questions = {q.code: q for q in questionnaire.questions.all()}
    choices: dict[str, set[str]] = {}
    for choice in questionnaire.choices.all():
        choices.setdefault(choice.list_name, set()).add(choice.value)
    for indicator in iset.indicators:
        # (field naming the question, its code, field listing values, those values)
        reads = [("question", indicator.question, "values", indicator.values)]
        if indicator.kind == "done_or_planned":
            reads.append(("question", indicator.question, "done", indicator.done))
            reads.append(("question", indicator.question, "planned", indicator.planned))
        if indicator.among:
            among = indicator.among
            reads.append(("among", among["question"], "among", tuple(among["values"])))
        for field_name, code, values_field, values in reads:
            question = questions.get(code)
            if question is None:
                raise IndicatorError(
                    f"{indicator.where(name, field_name)}, champ « {field_name} » : le "
                    f"questionnaire n'a pas de question « {code} »."
                )
            known = choices.get(question.choice_list)
            unknown = [v for v in values if known is not None and v not in known]
            if unknown:
                raise IndicatorError(
                    f"{indicator.where(name, values_field)}, champ « {values_field} » : "
                    f"« {unknown[0]} » n'est pas un choix de la question « {code} »."
                )
        question = questions[indicator.question]
        numeric = question.type in ("integer", "decimal")
        if (indicator.kind == "mean") != numeric or (not numeric and not question.choice_list):
            wanted = "numérique" if indicator.kind == "mean" else "à choix"
            raise IndicatorError(
                f"{indicator.where(name, 'kind')}, champ « kind » : « {indicator.kind} » "
                f"demande une question {wanted}, « {question.code} » ne l'est pas."
            )


@lru_cache(maxsize=32)
def parse_cached(text: str, name: str) -> IndicatorSet:
    return parse(text, name)


def shipped_name(population: str) -> str:
    return {"authorities": "barometre.yaml", "citizens": "citoyens.yaml"}[population]


def shipped_text(population: str) -> str:
    return (INDICATORS_DIR / shipped_name(population)).read_text(encoding="utf-8")


def text_of(edition) -> str:
    """The edition's indicator file: its own text if an analyst set one, else the shipped one."""
    return edition.indicators or shipped_text(edition.population)


def for_edition(edition) -> IndicatorSet:
    """The working indicator set of an edition (what the next computation uses)."""
    return parse_cached(text_of(edition), shipped_name(edition.population))


def for_version(edition, version: int) -> IndicatorSet:
    """The indicator set a published version was computed with (its pages stay consistent)."""
    published = edition.versions.filter(number=version).values_list("indicators", flat=True)
    text = next(iter(published), "")
    if not text:
        return for_edition(edition)
    return parse_cached(text, shipped_name(edition.population))


def for_population(population: str) -> IndicatorSet:
    """The shipped indicator file of a questionnaire population (``authorities``, ``citizens``)."""
    return parse_cached(shipped_text(population), shipped_name(population))
