"""The scoring grid and the legal duties, declared as data in ``rules/*.yaml``.

``grille.yaml`` gives each axis its items (a question of the barometer questionnaire and
the points each of its answers earns), the overall levels, the key indicators compared
with the authority's stratum, and the roadmap's actions with the answers that call for
them. ``obligations.yaml`` gives the legal duties, each with its article, its source, the
authorities it applies to and the answer that shows it is met.

Both are checked against the questionnaire (and the barometer's indicator file): every
error names the file, the line and the field, in French, like the indicator files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from observatoire.diagnostic.choices import Effort, RulesKind, Step
from observatoire.questionnaires.choices import DONT_KNOW, REFUSED

RULES_DIR = Path(__file__).resolve().parent / "rules"
FILE_NAMES: dict[str, str] = {RulesKind.GRID: "grille.yaml", RulesKind.DUTIES: "obligations.yaml"}
MAX_BYTES = 200_000
CONDITION_KEYS = {"question", "in", "not_in", "kinds", "population_min", "population_max",
                  "agents_min", "register"}  # fmt: skip
REGISTER_FIELDS = {"ai_act_level", "individual_decisions"}
KINDS = {"commune", "epci", "departement", "region", "other"}
AGENTS_QUESTION = "nb_agents"


class GridError(Exception):
    """An invalid grid or duties file: the message names the file, the line and the field."""


# --- What the files declare ---------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """When an action is proposed, a duty applies or is met: every given key must hold."""

    question: str = ""
    within: tuple[str, ...] = ()
    outside: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    population_min: int | None = None
    population_max: int | None = None
    agents_min: int | None = None
    register: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Item:
    question: str
    points: dict[str, float]
    maximum: float
    neutral: tuple[str, ...] = ()
    skipped_neutral: bool = False


@dataclass(frozen=True)
class KeyIndicator:
    code: str
    phrase: str


@dataclass(frozen=True)
class Axis:
    code: str
    title: str
    description: str
    items: tuple[Item, ...]
    indicators: tuple[KeyIndicator, ...] = ()
    case_domains: tuple[str, ...] = ()
    register_themes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Action:
    """A roadmap action (or a legal duty): what to do, why, what to reuse, how hard."""

    code: str
    step: str
    title: str
    why: str
    reuse: str
    effort: str
    axis: str = ""
    when: tuple[Condition, ...] = ()
    met: tuple[Condition, ...] = ()
    article: str = ""
    source: str = ""
    link: str = ""


@dataclass(frozen=True)
class Level:
    level: int
    label: str
    minimum: float


@dataclass(frozen=True)
class Grid:
    axes: tuple[Axis, ...]
    levels: tuple[Level, ...]
    actions: tuple[Action, ...]

    def axis(self, code: str) -> Axis:
        return next(a for a in self.axes if a.code == code)

    def level_of(self, score: float) -> Level:
        return [lv for lv in self.levels if score >= lv.minimum][-1]


# --- Reading a file, with the line of each field -------------------------------------------


class _Reader:
    """Walks a parsed YAML file, knowing each mapping's field lines, for French errors."""

    def __init__(self, text: str, name: str):
        self.name = name
        if len(text.encode()) > MAX_BYTES:
            raise GridError(f"{name} : fichier trop long (200 000 octets au plus).")
        try:
            self.root = yaml.compose(text, Loader=yaml.SafeLoader)
            self.data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise GridError(f"{name} : YAML invalide ({exc}).") from exc
        if not isinstance(self.data, dict):
            raise GridError(f"{name} : un dictionnaire de champs est attendu.")

    def lines(self, *path: str | int) -> dict[str, int]:
        """The line of each field of the mapping at ``path`` ("" : the mapping's first line)."""
        node = self.root
        for step in path:
            if isinstance(node, yaml.MappingNode):
                node = next((v for k, v in node.value if k.value == step), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                node = node.value[step] if step < len(node.value) else None
            else:
                node = None
            if node is None:
                return {}
        if node is None:
            return {}
        out = {"": node.start_mark.line + 1}
        if isinstance(node, yaml.MappingNode):
            out |= {k.value: k.start_mark.line + 1 for k, _v in node.value}
        return out

    def fail(self, lines: dict[str, int], what: str, field_name: str, message: str) -> GridError:
        line = lines.get(field_name) or lines.get("", 0)
        where = f", ligne {line}" if line else ""
        return GridError(f"{self.name}{where}, {what}, champ « {field_name} » : {message}")

    def items(self, key: str) -> list[tuple[dict[str, Any], dict[str, int], int]]:
        raw = self.data.get(key)
        if not isinstance(raw, list) or not raw:
            line = self.lines().get(key, 0)
            where = f", ligne {line}" if line else ""
            raise GridError(
                f"{self.name}{where}, champ « {key} » : une liste non vide est attendue."
            )
        out = []
        for pos, item in enumerate(raw):
            lines = self.lines(key, pos)
            if not isinstance(item, dict):
                raise GridError(
                    f"{self.name}, ligne {lines.get('', 0)}, champ « {key} » : "
                    "une liste de champs est attendue."
                )
            out.append((item, lines, pos))
        return out


def _text(reader, raw, lines, what, key, required=True) -> str:
    value = raw.get(key, "")
    if required and not value:
        raise reader.fail(lines, what, key, "ce champ est obligatoire.")
    if not isinstance(value, str):
        raise reader.fail(lines, what, key, "un texte est attendu.")
    return value.strip()


def _words(reader, raw, lines, what, key) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str | int | bool) for v in value):
        raise reader.fail(lines, what, key, "une liste de valeurs est attendue.")
    return tuple(str(v) for v in value)


def _number(reader, raw, lines, what, key) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise reader.fail(lines, what, key, "un nombre entier positif est attendu.")
    return value


def _conditions(reader, raw, lines, what, key, path) -> tuple[Condition, ...]:
    """A condition, or a list of conditions of which one suffices."""
    value = raw.get(key)
    if value is None:
        return ()
    alternatives = value if isinstance(value, list) else [value]
    out = []
    for pos, cond in enumerate(alternatives):
        at = reader.lines(*path, key, pos) if isinstance(value, list) else reader.lines(*path, key)
        at = at or lines
        if not isinstance(cond, dict) or not cond:
            raise reader.fail(
                lines, what, key, "une condition (champs question, in…) est attendue."
            )
        unknown = sorted(set(cond) - CONDITION_KEYS)
        if unknown:
            raise reader.fail(at, what, unknown[0], f"champ inconnu dans « {key} ».")
        if ("in" in cond or "not_in" in cond) and not cond.get("question"):
            raise reader.fail(
                at, what, "question", "une condition sur des réponses nomme sa question."
            )
        if cond.get("question") and not ("in" in cond or "not_in" in cond):
            raise reader.fail(at, what, "in", "« in » ou « not_in » est attendu avec « question ».")
        kinds = _words(reader, cond, at, what, "kinds")
        if set(kinds) - KINDS:
            bad = sorted(set(kinds) - KINDS)[0]
            raise reader.fail(at, what, "kinds", f"type de collectivité « {bad} » inconnu.")
        register = cond.get("register", {})
        if not isinstance(register, dict) or set(register) - REGISTER_FIELDS:
            raise reader.fail(
                at, what, "register", "champs attendus : ai_act_level, individual_decisions."
            )
        out.append(
            Condition(
                question=str(cond.get("question", "")),
                within=_words(reader, cond, at, what, "in"),
                outside=_words(reader, cond, at, what, "not_in"),
                kinds=kinds,
                population_min=_number(reader, cond, at, what, "population_min"),
                population_max=_number(reader, cond, at, what, "population_max"),
                agents_min=_number(reader, cond, at, what, "agents_min"),
                register=dict(register),
            )
        )
    return tuple(out)


def _action(reader, raw, lines, what, path, *, duty: bool) -> Action:
    step = _text(reader, raw, lines, what, "step")
    if step not in Step.values:
        raise reader.fail(
            lines, what, "step", f"étape « {step} » inconnue ({', '.join(Step.values)})."
        )
    effort = _text(reader, raw, lines, what, "effort")
    if effort not in Effort.values:
        raise reader.fail(
            lines, what, "effort", f"« {effort} » inconnu ({', '.join(Effort.values)})."
        )
    return Action(
        code=_text(reader, raw, lines, what, "code"),
        step=step,
        title=_text(reader, raw, lines, what, "title"),
        why=_text(reader, raw, lines, what, "why"),
        reuse=_text(reader, raw, lines, what, "reuse", required=False),
        effort=effort,
        axis=_text(reader, raw, lines, what, "axis", required=False),
        when=_conditions(reader, raw, lines, what, "applies" if duty else "when", path),
        met=_conditions(reader, raw, lines, what, "met", path),
        article=_text(reader, raw, lines, what, "article", required=duty),
        source=_text(reader, raw, lines, what, "source", required=duty),
        link=_text(reader, raw, lines, what, "link", required=False),
    )


def parse_grid(text: str, name: str = "grille.yaml") -> Grid:
    """Validate the grid's own structure (the questionnaire is checked by ``check_grid``)."""
    reader = _Reader(text, name)
    axes = []
    for raw, lines, pos in reader.items("axes"):
        code = raw.get("code") or f"n° {pos + 1}"
        what = f"axe « {code} »"
        items = []
        raw_items = raw.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            raise reader.fail(lines, what, "items", "une liste non vide est attendue.")
        for i, item in enumerate(raw_items):
            at = reader.lines("axes", pos, "items", i)
            if not isinstance(item, dict):
                raise reader.fail(at, what, "items", "une liste de champs est attendue.")
            question = _text(reader, item, at, what, "question")
            points = item.get("points")
            if (
                not isinstance(points, dict)
                or not points
                or not all(
                    isinstance(v, int | float) and not isinstance(v, bool) and v >= 0
                    for v in points.values()
                )
            ):
                raise reader.fail(
                    at, what, "points", "des points positifs par réponse sont attendus."
                )
            maximum = item.get("max", None)
            if maximum is not None and (not isinstance(maximum, int | float) or maximum <= 0):
                raise reader.fail(at, what, "max", "un nombre positif est attendu.")
            points = {str(k): float(v) for k, v in points.items()}
            items.append(
                Item(
                    question=question,
                    points=points,
                    maximum=float(maximum) if maximum else max(points.values()),
                    neutral=_words(reader, item, at, what, "neutral"),
                    skipped_neutral=item.get("skipped") == "neutre",
                )
            )
        indicators = []
        for i, ind in enumerate(raw.get("indicators") or []):
            at = reader.lines("axes", pos, "indicators", i)
            if not isinstance(ind, dict):
                raise reader.fail(at, what, "indicators", "une liste de champs est attendue.")
            indicators.append(
                KeyIndicator(
                    _text(reader, ind, at, what, "code"), _text(reader, ind, at, what, "phrase")
                )
            )
        axes.append(
            Axis(
                code=_text(reader, raw, lines, what, "code"),
                title=_text(reader, raw, lines, what, "title"),
                description=_text(reader, raw, lines, what, "description", required=False),
                items=tuple(items),
                indicators=tuple(indicators),
                case_domains=_words(reader, raw, lines, what, "case_domains"),
                register_themes=_words(reader, raw, lines, what, "register_themes"),
            )
        )
    codes = [a.code for a in axes]
    for code in set(codes):
        if codes.count(code) > 1:
            pos = codes.index(code, codes.index(code) + 1)
            raise reader.fail(
                reader.lines("axes", pos), f"axe « {code} »", "code", "code en double."
            )
    levels: list[Level] = []
    for raw, lines, pos in reader.items("levels"):
        what = f"niveau n° {pos + 1}"
        level, minimum = raw.get("level"), raw.get("min")
        if not isinstance(level, int) or level != pos + 1:
            raise reader.fail(lines, what, "level", f"le niveau {pos + 1} est attendu ici.")
        if not isinstance(minimum, int | float) or not 0 <= minimum <= 100:
            raise reader.fail(lines, what, "min", "un score entre 0 et 100 est attendu.")
        if levels and minimum <= levels[-1].minimum:
            raise reader.fail(
                lines, what, "min", "les seuils doivent croître d'un niveau à l'autre."
            )
        levels.append(Level(level, _text(reader, raw, lines, what, "label"), float(minimum)))
    if levels[0].minimum != 0:
        raise reader.fail(
            reader.lines("levels", 0), "niveau n° 1", "min", "le premier seuil est 0."
        )
    actions = []
    for raw, lines, pos in reader.items("actions"):
        what = f"action « {raw.get('code') or pos + 1} »"
        action = _action(reader, raw, lines, what, ("actions", pos), duty=False)
        if action.axis and action.axis not in codes:
            raise reader.fail(lines, what, "axis", f"axe « {action.axis} » inconnu.")
        actions.append(action)
    return Grid(tuple(axes), tuple(levels), tuple(actions))


def parse_duties(text: str, name: str = "obligations.yaml") -> tuple[Action, ...]:
    reader = _Reader(text, name)
    return tuple(
        _action(reader, raw, lines, f"obligation « {raw.get('code') or pos + 1} »",
                ("obligations", pos), duty=True)
        for raw, lines, pos in reader.items("obligations")
    )  # fmt: skip


# --- Checking against the questionnaire ---------------------------------------------------


def _choices(questionnaire) -> tuple[dict[str, Any], dict[str, set[str]]]:
    questions = {q.code: q for q in questionnaire.questions.all()}
    choices: dict[str, set[str]] = {}
    for choice in questionnaire.choices.all():
        choices.setdefault(choice.list_name, set()).add(choice.value)
    return questions, choices


def _check_question(reader, lines, what, field_name, code, values, questions, choices) -> None:
    question = questions.get(code)
    if question is None:
        raise reader.fail(
            lines, what, field_name, f"le questionnaire n'a pas de question « {code} »."
        )
    known = choices.get(question.choice_list)
    if known is None:
        raise reader.fail(lines, what, field_name, f"« {code} » n'est pas une question à choix.")
    unknown = [v for v in values if v not in known]
    if unknown:
        raise reader.fail(
            lines,
            what,
            field_name,
            f"« {unknown[0]} » n'est pas un choix de la question « {code} ».",
        )


def _check_conditions(reader, path, key, what, conditions, questions, choices) -> None:
    for pos, cond in enumerate(conditions):
        at = reader.lines(*path, key, pos) or reader.lines(*path, key) or reader.lines(*path)
        if cond.question:
            field_name = "in" if cond.within else "not_in"
            values = cond.within + cond.outside
            _check_question(reader, at, what, field_name, cond.question, values, questions, choices)


def check_grid(text: str, questionnaire, indicator_set=None, name: str = "grille.yaml") -> Grid:
    """Parse the grid and check every question, value and indicator it names."""
    grid = parse_grid(text, name)
    reader = _Reader(text, name)
    questions, choices = _choices(questionnaire)
    for pos, axis in enumerate(grid.axes):
        what = f"axe « {axis.code} »"
        for i, item in enumerate(axis.items):
            at = reader.lines("axes", pos, "items", i)
            _check_question(reader, at, what, "question", item.question, [], questions, choices)
            values = list(item.points) + list(item.neutral)
            _check_question(reader, at, what, "points", item.question, values, questions, choices)
        if indicator_set is not None:
            codes = {i.code for i in indicator_set.indicators}
            for i, ind in enumerate(axis.indicators):
                if ind.code not in codes:
                    at = reader.lines("axes", pos, "indicators", i)
                    raise reader.fail(
                        at, what, "code", f"indicateur du baromètre « {ind.code} » inconnu."
                    )
    for pos, action in enumerate(grid.actions):
        what = f"action « {action.code} »"
        _check_conditions(reader, ("actions", pos), "when", what, action.when, questions, choices)
        _check_conditions(reader, ("actions", pos), "met", what, action.met, questions, choices)
    return grid


def check_duties(text: str, questionnaire, name: str = "obligations.yaml") -> tuple[Action, ...]:
    duties = parse_duties(text, name)
    reader = _Reader(text, name)
    questions, choices = _choices(questionnaire)
    for pos, duty in enumerate(duties):
        what = f"obligation « {duty.code} »"
        path = ("obligations", pos)
        _check_conditions(reader, path, "applies", what, duty.when, questions, choices)
        _check_conditions(reader, path, "met", what, duty.met, questions, choices)
    return duties


def shipped_text(kind: str) -> str:
    return (RULES_DIR / FILE_NAMES[kind]).read_text(encoding="utf-8")


@lru_cache(maxsize=16)
def grid_of(text: str) -> Grid:
    return parse_grid(text)


@lru_cache(maxsize=16)
def duties_of(text: str) -> tuple[Action, ...]:
    return parse_duties(text)


# --- Scoring -------------------------------------------------------------------------------


@dataclass
class ItemScore:
    item: Item
    answer: Any
    earned: float
    maximum: float  # 0 when the item does not count (neutral answer or skipped question)


@dataclass
class AxisScore:
    axis: Axis
    score: int
    items: list[ItemScore]


@dataclass
class Scores:
    axes: list[AxisScore]
    overall: int
    level: Level

    def as_dict(self) -> dict[str, Any]:
        """What a run stores: the score per axis, the overall score and the level."""
        return {
            "axes": {a.axis.code: a.score for a in self.axes},
            "overall": self.overall,
            "level": self.level.level,
            "level_label": self.level.label,
        }


def score_item(item: Item, answers: dict[str, Any]) -> ItemScore:
    answer = answers.get(item.question)
    chosen = answer if isinstance(answer, list) else [] if answer is None else [answer]
    if (answer is None and item.skipped_neutral) or any(v in item.neutral for v in chosen):
        return ItemScore(item, answer, 0.0, 0.0)
    if answer in (DONT_KNOW, REFUSED):
        return ItemScore(item, answer, 0.0, item.maximum)
    earned = sum(item.points.get(str(v), 0.0) for v in chosen)
    return ItemScore(item, answer, min(earned, item.maximum), item.maximum)


def score(grid: Grid, answers: dict[str, Any]) -> Scores:
    """Each axis scored 0 to 100 (points earned over points possible), their mean, a level."""
    axes = []
    for axis in grid.axes:
        items = [score_item(item, answers) for item in axis.items]
        possible = sum(i.maximum for i in items)
        earned = sum(i.earned for i in items)
        axes.append(AxisScore(axis, round(100 * earned / possible) if possible else 0, items))
    overall = round(sum(a.score for a in axes) / len(axes))
    return Scores(axes, overall, grid.level_of(overall))


def score_matrix(grid: Grid, answers: list[dict[str, Any]]) -> np.ndarray:
    """The axis scores (columns, NaN when no item counts) of many answer sets at once, as
    ``score`` gives them one by one without rounding: for the peers' weighted means."""
    from observatoire.barometre.indicator_specs import AnswerTable

    table = AnswerTable(answers)
    out = np.empty((table.n, len(grid.axes)))
    for column, axis in enumerate(grid.axes):
        earned, possible = np.zeros(table.n), np.zeros(table.n)
        for item in axis.items:
            points = sum(
                (value * table.chosen(item.question, (key,)) for key, value in item.points.items()),
                np.zeros(table.n),
            )
            counts = np.ones(table.n, dtype=bool)
            if item.neutral:
                counts &= ~table.chosen(item.question, item.neutral)
            if item.skipped_neutral:
                counts &= table.present(item.question)
            earned += counts * np.minimum(points, item.maximum)
            possible += counts * item.maximum
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, column] = np.where(possible > 0, 100 * earned / possible, np.nan)
    return out


# --- Conditions ----------------------------------------------------------------------------


@dataclass
class Situation:
    """What conditions read: the answers, the authority, and its register."""

    answers: dict[str, Any]
    kind: str
    population: int | None
    register: list[dict[str, Any]]  # the authority's non-archived entries (a few fields)

    @property
    def agents(self) -> float | None:
        value = self.answers.get(AGENTS_QUESTION)
        return float(value) if isinstance(value, int | float) else None


def holds(cond: Condition, situation: Situation) -> bool:
    answer = situation.answers.get(cond.question) if cond.question else None
    chosen = set(answer if isinstance(answer, list) else [] if answer is None else [answer])
    if cond.within and not chosen & set(cond.within):
        return False
    if cond.outside and chosen & set(cond.outside):
        return False
    if cond.kinds and situation.kind not in cond.kinds:
        return False
    population = situation.population or 0
    if cond.population_min is not None and population < cond.population_min:
        return False
    if cond.population_max is not None and population >= cond.population_max:
        return False
    agents = situation.agents
    # An unknown headcount does not rule a duty out: the roadmap says to check it.
    if cond.agents_min is not None and agents is not None and agents < cond.agents_min:
        return False
    if cond.register:
        wanted = {
            key: value if isinstance(value, list) else [value]
            for key, value in cond.register.items()
        }
        if not any(all(e.get(k) in v for k, v in wanted.items()) for e in situation.register):
            return False
    return True


def any_holds(conditions: tuple[Condition, ...], situation: Situation) -> bool:
    return any(holds(c, situation) for c in conditions)
