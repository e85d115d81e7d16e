"""The explorer: weighted cross-tabulations and models on a published edition's microdata.

A visitor crosses two variables of the edition — a question, an indicator or a published
breakdown (stratum, type, size band) — optionally within one category of a third, and
gets the weighted table with margins of error, the Rao–Scott test in words, a chart and
the CSV.  The data and the calibrated design are those of the weighting run
(``weighting.load_sample`` and ``weighting.weight``), kept in memory per edition.

Disclosure: every cell and margin goes through the edition's rule
(:class:`observatoire.stats.DisclosureRule`, on its respondents and the largest CV of its
three shares), then secondary suppression (:func:`observatoire.stats.tables.protect`) so
that no suppressed cell can be derived from the published cells and margins.  The public
only gets the published breakdowns; analysts also get the région (marked) and see the
values the public does not (marked « non diffusé au public »).
"""

from __future__ import annotations

import csv
import io
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from observatoire import stats
from observatoire.barometre import charts, indicator_specs, queries
from observatoire.barometre.choices import Flag
from observatoire.barometre.models import Edition
from observatoire.barometre.weighting import load_sample, plan_of, weight
from observatoire.core import formats
from observatoire.questionnaires.choices import DONT_KNOW, REFUSED, QuestionType
from observatoire.stats.design import is_missing
from observatoire.stats.disclosure import OK, SUPPRESS
from observatoire.stats.tables import Proportions, protect

VIEWS = {"ligne": "row", "colonne": "column", "ensemble": "cell"}
VIEW_TITLES = {
    "ligne": "en % de la ligne",
    "colonne": "en % de la colonne",
    "ensemble": "en % de l’ensemble",
}
# Breakdowns of the universe beyond the published ones: analysts only.
ANALYST_DOMAINS = {"region": "Région"}
# Questions that locate a respondent finely (the citizens' poll's région): analysts only.
RESTRICTED_QUESTIONS = {"region"}
CHOICE_TYPES = {QuestionType.SELECT_ONE, QuestionType.LIKERT, QuestionType.YES_NO_PLANNED}
NUMERIC_TYPES = {QuestionType.INTEGER, QuestionType.DECIMAL}
YES, NO = "Oui", "Non"
ALPHA = 0.05
CACHE_SIZE = 4


class ExploreError(ValueError):
    """A query the explorer cannot answer; the message (French) is for the visitor."""


@dataclass(frozen=True)
class Variable:
    """One variable of the explorer: its key in URLs, label, group and categories in order."""

    key: str
    label: str
    group: str
    categories: tuple[str, ...] = ()
    analyst_only: bool = False
    numeric: bool = False

    @property
    def binary(self) -> bool:
        return self.categories == (NO, YES)


@dataclass
class Loaded:
    """An edition's respondents (their domain columns; answers are dropped once coded), the
    calibrated design, the disclosure rule, the catalogue and each variable's column."""

    sample: Any
    design: stats.Design
    rule: stats.DisclosureRule
    variables: dict[str, Variable]
    columns: dict[str, np.ndarray] = field(default_factory=dict)


_CACHE: OrderedDict[tuple[int, Any, int], Loaded] = OrderedDict()
_LOCK = threading.Lock()


def load(edition: Edition) -> Loaded:
    """The edition's data for the explorer, computed once per weighting run and process."""
    key = (edition.pk, edition.weighted_at, edition.published_version)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    sample = load_sample(edition, weighted=True)
    design = weight(edition, sample).design
    loaded = Loaded(sample, design, stats.DisclosureRule(**plan_of(edition)["disclosure"]), {})
    loaded.variables = _catalogue(edition, loaded, indicator_specs.AnswerTable(sample.answers))
    sample.answers = []  # coded into loaded.columns: 20,000 dictionaries less in memory
    with _LOCK:
        _CACHE[key] = loaded
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return loaded


def _coded(masks: list[np.ndarray], n: int) -> np.ndarray:
    """Category codes ``"00"``, ``"01"``… (sorting as the categories), None when missing."""
    out = np.full(n, None, dtype=object)
    for j, mask in enumerate(masks):
        out[mask & is_missing(out)] = f"{j:02d}"
    return out


def _catalogue(
    edition: Edition, data: Loaded, table: indicator_specs.AnswerTable
) -> dict[str, Variable]:
    """Every variable with at least one answer: breakdowns, indicators, questions."""
    n = data.sample.n
    found: dict[str, Variable] = {}

    def add(var: Variable, column: np.ndarray) -> None:
        present = ~is_missing(column)
        if present.any():
            found[var.key] = var
            data.columns[var.key] = column

    iset = queries.indicators_of(edition)
    group = _("Ventilations publiées")
    for domain in (*iset.domains, *ANALYST_DOMAINS):
        values = data.sample.columns.get(domain)
        if values is None:
            continue
        order = list(queries.LEVEL_LABELS.get(domain, {}))
        levels = sorted(
            set(values.tolist()), key=lambda v: (order.index(v) if v in order else 99, v)
        )
        restricted = domain in ANALYST_DOMAINS and domain not in iset.domains
        add(
            Variable(
                f"d:{domain}",
                queries.DOMAIN_TITLES.get(domain) or ANALYST_DOMAINS.get(domain, domain),
                _("Ventilations réservées aux analystes") if restricted else group,
                tuple(queries.level_label(domain, lv) for lv in levels),
                analyst_only=restricted,
            ),
            _coded([values == lv for lv in levels], n),
        )
    for indicator in iset.indicators:
        if indicator.kind in ("share", "done_or_planned"):  # yes / no (done, for the latter)
            column = indicator.columns(table)["" if indicator.kind == "share" else "fait"]
            add(
                Variable(f"i:{indicator.code}", indicator.title, _("Indicateurs"), (NO, YES)),
                _coded([column == 0, column == 1], n),
            )
        elif indicator.kind == "mean":
            add(
                Variable(f"i:{indicator.code}", indicator.title, _("Indicateurs"), numeric=True),
                indicator.columns(table)[""],
            )
    questionnaire = edition.questionnaire
    choices: dict[str, list[Any]] = {}
    for choice in questionnaire.choices.order_by("order"):
        choices.setdefault(choice.list_name, []).append(choice)
    for q in questionnaire.questions.order_by("order"):
        restricted = q.code in RESTRICTED_QUESTIONS
        answered = table.present(q.code) & table.not_refused(q.code)
        if q.type in NUMERIC_TYPES:
            numbers = np.where(answered, table.numbers(q.code), np.nan)
            add(Variable(f"q:{q.code}", q.label, _("Questions"), numeric=True), numbers)
        elif q.type in CHOICE_TYPES and q.choice_list:
            items = [
                c for c in choices.get(q.choice_list, []) if c.value not in (DONT_KNOW, REFUSED)
            ]
            add(
                Variable(
                    f"q:{q.code}",
                    q.label,
                    _("Questions"),
                    tuple(c.label for c in items),
                    analyst_only=restricted,
                ),
                _coded([table.chosen(q.code, (c.value,)) for c in items], n),
            )
        elif q.type == QuestionType.SELECT_MULTIPLE and q.choice_list:
            # A question not asked counts as "no" for each of its items; a refusal is missing.
            base = table.not_refused(q.code)
            for c in choices.get(q.choice_list, []):
                chosen = table.chosen(q.code, (c.value,))
                add(
                    Variable(
                        f"q:{q.code}:{c.value}",
                        f"{c.label} ({q.label})",
                        _("Réponses à choix multiple"),
                        (NO, YES),
                    ),
                    _coded([base & ~chosen, base & chosen], n),
                )
    return found


def variables_for(data: Loaded, analyst: bool) -> list[Variable]:
    """The catalogue a visitor may use, in order."""
    return [v for v in data.variables.values() if analyst or not v.analyst_only]


def variable(data: Loaded, key: str, analyst: bool, field_name: str) -> Variable:
    var = data.variables.get(key)
    if var is None or (var.analyst_only and not analyst):
        raise ExploreError(f"« {field_name} » : variable inconnue « {key} ».")
    return var


# ---------------------------------------------------------------------- cross-tabulation
@dataclass(frozen=True)
class Query:
    """What a visitor asked: rows, columns, an optional filter ``key=category``, the view."""

    rows: str
    columns: str
    filter: str = ""
    view: str = "ligne"

    @classmethod
    def from_params(cls, params: Any) -> Query:
        view = params.get("pct") or "ligne"
        if view not in VIEWS:
            raise ExploreError(f"« pct » : « {view} » inconnu (ligne, colonne ou ensemble).")
        return cls(
            rows=(params.get("lignes") or "").strip()[:120],
            columns=(params.get("colonnes") or "").strip()[:120],
            filter=(params.get("filtre") or "").strip()[:200],
            view=view,
        )

    def params(self) -> dict[str, str]:
        """The query string of the shareable URL."""
        out = {"lignes": self.rows, "colonnes": self.columns, "pct": self.view}
        if self.filter:
            out["filtre"] = self.filter
        return out


@dataclass
class Cell:
    """One published number of the table (inner cell or margin)."""

    estimate: float
    low: float
    high: float
    se: float
    n: int
    flag: str  # ok, caution, suppress (after secondary suppression)
    primary: bool = False

    @property
    def shown(self) -> bool:
        return self.flag != Flag.SUPPRESS

    def text(self) -> str:
        return formats.percent(self.estimate)

    def margin(self) -> str:
        return "± " + formats.points((self.high - self.low) / 2)


@dataclass
class Exploration:
    """The answer to a query: the grid of cells with margins, the test and its words."""

    query: Query
    rows: Variable
    columns: Variable
    filter_label: str
    row_labels: list[str]
    column_labels: list[str]
    grid: list[list[Cell]]  # (R + 1) x (C + 1), margins last
    test: stats.IndependenceTest | None
    analyst: bool
    n: int

    @property
    def lines(self) -> list[tuple[str, list[Cell]]]:
        """The grid's rows with their labels, the margin (« Ensemble ») last."""
        return list(zip([*self.row_labels, _("Ensemble")], self.grid, strict=True))

    @property
    def view_title(self) -> str:
        return VIEW_TITLES[self.query.view]

    @property
    def conclusion(self) -> str:
        """The Rao–Scott test in words."""
        if self.test is None or not math.isfinite(self.test.p_value):
            return _("test impossible (une seule modalité)")
        p = p_text(self.test.p_value)
        if self.test.p_value < ALPHA:
            return _("lien significatif (%(p)s)") % {"p": p}
        return _("pas de lien établi (%(p)s)") % {"p": p}

    def cell_rows(self) -> list[dict[str, Any]]:
        """One dict per published number, margins included, for the CSV and the API."""
        out = []
        for lab_r, lab_c, cell in self.cells(margins=True):
            visible = cell.shown or self.analyst
            out.append(
                {
                    "ligne": lab_r,
                    "colonne": lab_c,
                    "estimation": round(cell.estimate, 6) if visible else None,
                    "ic_bas": round(cell.low, 6) if visible else None,
                    "ic_haut": round(cell.high, 6) if visible else None,
                    "erreur_type": round(cell.se, 6) if visible else None,
                    "effectif": cell.n if visible else None,
                    "diffusion": cell.flag,
                }
            )
        return out

    def cells(self, margins: bool) -> list[tuple[str, str, Cell]]:
        """(row label, column label, cell), row by row, with or without the margins."""
        labels_r = [*self.row_labels, _("Ensemble")] if margins else self.row_labels
        labels_c = [*self.column_labels, _("Ensemble")] if margins else self.column_labels
        return [
            (lab_r, lab_c, self.grid[i][j])
            for i, lab_r in enumerate(labels_r)
            for j, lab_c in enumerate(labels_c)
        ]


def p_text(p: float) -> str:
    """« p = 0,003 », « p < 0,001 » (French decimal comma)."""
    if p < 0.001:
        return "p < 0,001"
    return "p = " + formats.decimal(p, 3 if p < 0.1 else 2)


def explore(edition: Edition, query: Query, *, analyst: bool = False) -> Exploration:
    """Cross-tabulate the query on the edition, with the disclosure rule applied."""
    data = load(edition)
    rows = variable(data, query.rows, analyst, "lignes")
    columns = variable(data, query.columns, analyst, "colonnes")
    if rows.numeric or columns.numeric:
        raise ExploreError("Le tableau croise deux variables à modalités, pas des nombres.")
    if rows.key == columns.key:
        raise ExploreError("Choisissez deux variables différentes.")
    within, filter_label = _filter(data, query.filter, analyst)
    try:
        table = stats.crosstab(
            data.design,
            data.columns[rows.key],
            data.columns[columns.key],
            names=(rows.key, columns.key),
            within=within,
        )
    except stats.StatsError as exc:
        raise ExploreError(str(exc)) from exc
    row_labels = [rows.categories[int(code)] for code in table.row_labels]
    column_labels = [columns.categories[int(code)] for code in table.column_labels]
    grid = _grid(table, query.view, data.rule)
    return Exploration(
        query=query,
        rows=rows,
        columns=columns,
        filter_label=filter_label,
        row_labels=row_labels,
        column_labels=column_labels,
        grid=grid,
        test=table.tests.get("F"),
        analyst=analyst,
        n=int(table.n.sum()),
    )


def _filter(data: Loaded, text: str, analyst: bool) -> tuple[np.ndarray | None, str]:
    if not text:
        return None, ""
    key, sep, category = text.partition("=")
    var = variable(data, key, analyst, "filtre")
    if not sep or var.numeric or category not in var.categories:
        raise ExploreError(f"« filtre » : modalité inconnue « {category} » pour « {var.label} ».")
    code = f"{var.categories.index(category):02d}"
    return np.equal(data.columns[var.key], code), f"{var.label} : {category}"


def _grid(table: stats.CrossTable, view: str, rule: stats.DisclosureRule) -> list[list[Cell]]:
    """Cells and margins of the chosen view, flagged by the rule then protected.

    The flags do not depend on the view (largest CV of a cell's three shares), so that
    switching views never shows a cell another view hides."""
    nr, nc = table.n.shape
    n = np.zeros((nr + 1, nc + 1))
    n[:nr, :nc] = table.n
    n[:nr, nc] = table.row_n
    n[nr, :nc] = table.column_n
    n[nr, nc] = table.n.sum()

    def cv(p: Proportions) -> np.ndarray:
        est = np.minimum(p.estimate, 1 - p.estimate)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(np.where(p.se == 0, 0.0, p.se / est))

    cvs = np.zeros((nr + 1, nc + 1))
    cvs[:nr, :nc] = np.fmax.reduce([cv(table.cell), cv(table.row), cv(table.column)])
    cvs[:nr, nc] = cv(table.row_margin)
    cvs[nr, :nc] = cv(table.column_margin)
    flags = np.array(rule.classify(n.ravel(), cvs.ravel())).reshape(n.shape)
    flags[nr, nc] = OK
    primary = flags == SUPPRESS
    if n[nr, nc] < rule.min_n:
        raise ExploreError(
            f"Trop peu de répondants ({int(n[nr, nc])}) : le tableau ne peut pas être diffusé."
        )
    final = protect(primary, n)
    flags = np.where(final, SUPPRESS, flags)
    # The view's shares: inner cells, then the margins (the whole's distribution).
    inner = getattr(table, VIEWS[view])
    margin_col = table.column_margin if view != "colonne" else None
    margin_row = table.row_margin if view != "ligne" else None
    grid: list[list[Cell]] = []
    for i in range(nr + 1):
        line = []
        for j in range(nc + 1):
            if i < nr and j < nc:
                p = (inner.estimate[i, j], inner.ci_low[i, j], inner.ci_high[i, j], inner.se[i, j])
            elif i < nr:  # row margin: the row's share of the whole (100 % by row)
                p = _margin(margin_row, i)
            elif j < nc:  # column margin: the column's share (100 % by column)
                p = _margin(margin_col, j)
            else:
                p = (1.0, 1.0, 1.0, 0.0)
            estimate, low, high, se = (float(v) for v in p)
            line.append(
                Cell(estimate, low, high, se, int(n[i, j]), str(flags[i, j]), bool(primary[i, j]))
            )
        grid.append(line)
    return grid


def _margin(p: Proportions | None, k: int) -> tuple[float, float, float, float]:
    if p is None:
        return (1.0, 1.0, 1.0, 0.0)
    return (float(p.estimate[k]), float(p.ci_low[k]), float(p.ci_high[k]), float(p.se[k]))


def to_csv(result: Exploration, edition: Edition) -> str:
    """The table as CSV (UTF-8, comma, decimal point): one row per published number."""
    buffer = io.StringIO()
    names = ["edition", "lignes", "colonnes", "filtre", "pourcentage"]
    rows = result.cell_rows()
    writer = csv.DictWriter(buffer, fieldnames=[*names, *rows[0]], lineterminator="\n")
    writer.writeheader()
    common = {
        "edition": edition.code,
        "lignes": result.rows.label,
        "colonnes": result.columns.label,
        "filtre": result.filter_label,
        "pourcentage": VIEW_TITLES[result.query.view],
    }
    for row in rows:
        writer.writerow({**common, **{k: "" if v is None else v for k, v in row.items()}})
    return buffer.getvalue()


def chart(result: Exploration) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Grouped bars (one group per row category) with their intervals, and the chart's data."""
    points = []
    for lab_r, lab_c, cell in result.cells(margins=False):
        shown = cell.shown
        interval = f"{formats.percent(cell.low)} – {formats.percent(cell.high)}"
        points.append(
            {
                "ligne": lab_r,
                "colonne": lab_c,
                "estimation": round(cell.estimate, 4) if shown else None,
                "ic_bas": round(cell.low, 4) if shown else None,
                "ic_haut": round(cell.high, 4) if shown else None,
                "valeur": cell.text() if shown else _("non diffusé"),
                "intervalle": interval if shown else "—",
                "effectif": formats.integer(cell.n) if shown else "—",
            }
        )
    x = {
        "field": "estimation",
        "type": "quantitative",
        "title": VIEW_TITLES[result.query.view],
        "axis": {"format": ".0%"},
        "scale": {"domain": [0, 1]},
    }
    y = {
        "field": "ligne",
        "type": "nominal",
        "title": None,
        "sort": None,
        "axis": {"labelLimit": 220},
    }
    offset = {"field": "colonne", "type": "nominal", "sort": None}
    color = {
        "field": "colonne",
        "type": "nominal",
        "sort": None,
        "title": result.columns.label[:60],
        "scale": {"range": charts.PALETTE},
        "legend": {"orient": "bottom", "labelLimit": 300},
    }
    tooltip = [
        {"field": "ligne", "title": result.rows.label[:60]},
        {"field": "colonne", "title": result.columns.label[:60]},
        {"field": "valeur", "title": "Valeur"},
        {"field": "intervalle", "title": "IC à 95 %"},
        {"field": "effectif", "title": "Répondants (n)"},
    ]
    spec = charts._base(result.rows.label[:90], points, 520)
    spec["height"] = {"step": 14}
    spec["layer"] = charts.grouped_bar_layers(y, offset, x, color, tooltip)
    return spec, points


# ---------------------------------------------------------------------- models (analysts)
@dataclass
class ModelResult:
    """A survey-weighted model on the edition, with its rows in French."""

    outcome: Variable
    explanatory: list[Variable]
    model: stats.Model
    tests: list[tuple[Variable, stats.TermTest]]

    @property
    def logistic(self) -> bool:
        return self.model.family == "quasibinomial"

    def rows(self) -> list[dict[str, Any]]:
        """One row per coefficient but the intercept: odds ratio (or coefficient), interval, p."""
        by_key = {f"x{k}": var for k, var in enumerate(self.explanatory)}
        out = []
        for row in self.model.rows():
            term = row["term"]
            if not term:
                continue
            var = by_key[term]
            level = row["coefficient"][len(term) :]
            category = var.categories[int(level)] if level else ""
            reference = self.model.reference.get(term)
            value, low, high = (
                (row["odds_ratio"], row["or_low"], row["or_high"])
                if self.logistic
                else (row["estimate"], row["ci_low"], row["ci_high"])
            )
            out.append(
                {
                    "variable": var.label,
                    "modalite": category,
                    "reference": var.categories[int(reference)] if reference is not None else "",
                    "valeur": value,
                    "ic_bas": low,
                    "ic_haut": high,
                    "p": row["p_value"],
                }
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        """What a saved model keeps: the specification and every number shown."""
        return {
            "outcome": self.outcome.key,
            "outcome_label": self.outcome.label,
            "explanatory": [v.key for v in self.explanatory],
            "family": self.model.family,
            "n": self.model.n,
            "df": self.model.df_residual,
            "rows": self.rows(),
            "tests": [
                {"variable": var.label, "f": t.f, "ndf": t.ndf, "ddf": t.ddf, "p": t.p_value}
                for var, t in self.tests
            ],
            "public": not any(v.analyst_only for v in [self.outcome, *self.explanatory]),
        }


MAX_EXPLANATORY = 8


def run_model(edition: Edition, outcome: str, explanatory: list[str]) -> ModelResult:
    """Fit the outcome on the explanatory variables: logistic for a yes/no outcome (odds
    ratios against each factor's first category), linear for a number."""
    data = load(edition)
    y_var = variable(data, outcome, True, "variable expliquée")
    if not (y_var.binary or y_var.numeric):
        raise ExploreError(
            f"« {y_var.label} » : la variable expliquée doit être oui / non ou un nombre."
        )
    keys = list(dict.fromkeys(k for k in explanatory if k and k != outcome))
    if not keys or len(keys) > MAX_EXPLANATORY:
        raise ExploreError(f"Choisissez de 1 à {MAX_EXPLANATORY} variables explicatives.")
    x_vars = [variable(data, k, True, "variables explicatives") for k in keys]
    y_raw = data.columns[y_var.key]
    if y_var.numeric:
        y = y_raw
    else:
        y = np.where(is_missing(y_raw), np.nan, (y_raw == "01").astype(float))
    columns: dict[str, Any] = {"y": y}
    terms = []
    complete = ~np.isnan(y.astype(float))
    for k, var in enumerate(x_vars):
        columns[f"x{k}"] = data.columns[var.key]
        terms.append(f"x{k}" if var.numeric else f"factor(x{k})")
        present = ~is_missing(columns[f"x{k}"])
        complete &= present
    for k, var in enumerate(x_vars):
        if var.numeric:
            continue
        codes, counts = np.unique(columns[f"x{k}"][complete].astype(str), return_counts=True)
        for code, count in zip(codes.tolist(), counts.tolist(), strict=True):
            if count < data.rule.min_n:
                raise ExploreError(
                    f"« {var.label} » : la modalité « {var.categories[int(code)]} » n'a que "
                    f"{count} répondants (moins de {data.rule.min_n}) ; retirez cette variable."
                )
    family = "gaussian" if y_var.numeric else "quasibinomial"
    try:
        model = stats.fit_model(data.design, "y ~ " + " + ".join(terms), columns, family=family)  # type: ignore[arg-type]
        tests = [(var, stats.term_test(model, [f"x{k}"])) for k, var in enumerate(x_vars)]
    except stats.StatsError as exc:
        raise ExploreError(str(exc)) from exc
    return ModelResult(y_var, x_vars, model, tests)
