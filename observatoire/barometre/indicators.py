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
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from observatoire.questionnaires.choices import REFUSED

INDICATORS_DIR = Path(__file__).resolve().parent / "indicators"
KINDS = ("share", "done_or_planned", "mean", "ranking")


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

    def columns(self, answers: list[dict[str, Any]]) -> dict[str, np.ndarray]:
        """One float column (1, 0 or NaN for "not in the base") per category."""
        n = len(answers)
        out = {c: np.full(n, np.nan) for c in self.categories}
        for i, row in enumerate(answers):
            if self.among is not None and not _matches(row.get(self.among["question"]), self.among):
                continue
            value = row.get(self.question)
            if value is None:
                if not self.skipped_as_no:
                    continue
                value = []
            if value == REFUSED:
                continue
            if self.kind == "mean":
                if isinstance(value, int | float | str):
                    out[""][i] = _number(value)
                continue
            chosen = set(value) if isinstance(value, list) else {value}
            if self.kind == "share":
                out[""][i] = float(bool(chosen & set(self.values)))
            elif self.kind == "ranking":
                for c in self.values:
                    out[c][i] = float(c in chosen)
            else:
                done = bool(chosen & set(self.done))
                planned = bool(chosen & set(self.planned))
                out["fait"][i] = float(done)
                out["prevu"][i] = float(planned)
                out["fait_ou_prevu"][i] = float(done or planned)
        return out


def _number(value: float | str) -> float:
    try:
        return float(value)
    except ValueError:
        return float("nan")


def _matches(value: Any, among: dict[str, Any]) -> bool:
    wanted = set(among["values"])
    if isinstance(value, list):
        return bool(set(value) & wanted)
    return value in wanted


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
    """Validate an indicator file; errors name the file, the indicator and the field."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise IndicatorError(f"{name} : YAML invalide ({exc}).") from exc
    themes = {t["code"]: t for t in data.get("themes", [])}
    indicators = []
    seen = set()
    for pos, raw in enumerate(data.get("indicators", []), start=1):
        code = raw.get("code") or f"n° {pos}"
        where = f"{name}, indicateur « {code} »"
        for key in ("code", "theme", "title", "kind", "question"):
            if not raw.get(key):
                raise IndicatorError(f"{where} : le champ « {key} » est obligatoire.")
        if raw["kind"] not in KINDS:
            raise IndicatorError(f"{where}, champ « kind » : « {raw['kind']} » inconnu.")
        if raw["theme"] not in themes:
            raise IndicatorError(f"{where}, champ « theme » : thème « {raw['theme']} » inconnu.")
        if raw["kind"] in ("share", "ranking") and not raw.get("values"):
            raise IndicatorError(f"{where} : le champ « values » est obligatoire.")
        if code in seen:
            raise IndicatorError(f"{where} : code en double.")
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
                among=raw.get("among"),
                among_label=raw.get("among_label", ""),
                skipped_as_no=raw.get("skipped") == "non",
                key=raw.get("key"),
                labels=dict(raw.get("labels", {})),
                description=raw.get("description", ""),
            )
        )
    return IndicatorSet(
        questionnaire=data.get("questionnaire", ""),
        domains=tuple(data.get("domains", ())),
        themes=themes,
        indicators=tuple(indicators),
    )


@cache
def _load(path: Path, mtime: float) -> IndicatorSet:
    return parse(path.read_text(encoding="utf-8"), path.name)


def for_population(population: str) -> IndicatorSet:
    """The indicator file of a questionnaire population (``authorities`` or ``citizens``)."""
    name = {"authorities": "barometre.yaml", "citizens": "citoyens.yaml"}[population]
    path = INDICATORS_DIR / name
    return _load(path, path.stat().st_mtime)
