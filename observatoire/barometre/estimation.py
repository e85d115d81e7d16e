"""Computing every indicator of an edition, overall and in every domain, with the stats engine.

All 0/1 category columns of all indicators go through one ``stats.estimate`` call (means
of 0/1 columns are proportions; logit intervals stay inside [0, 1]); numeric indicators
through a second one.  The disclosure rule flags each cell; the edition-to-edition change
comes from ``stats.compare.difference`` (independent samples); the gap between each domain
level and the whole universe from ``stats.compare_to_overall`` (the stratum is part of the
whole: the test needs their covariance, hence the microdata and the design).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from observatoire import stats
from observatoire.barometre import indicator_specs
from observatoire.barometre.choices import Flag
from observatoire.barometre.weighting import (
    Sample,
    Weighted,
    load_sample,
    plan_of,
    replicate_weights,
    weight,
)
from observatoire.stats.compare import difference

SEP = "|"
# The stages ``compute`` reports to its ``progress`` callback, with their label on the page.
STAGES = {
    "load": "Lecture des réponses",
    "weights": "Calage des poids",
    "estimates": "Calcul des indicateurs",
}
# The weighting run's extra stage (a recomputation after an indicator edit skips it).
REPLICATE_STAGE = {"replicates": "Poids répliqués (bootstrap) et leurs marges d'erreur"}


@dataclass
class Computed:
    rows: list[dict[str, Any]]
    weighted: Weighted
    sample: Sample
    table: indicator_specs.AnswerTable
    timings: dict[str, float] = field(default_factory=dict)
    replicates: np.ndarray | None = None  # n x R replicate weights, re-calibrated


def indicator_columns(
    indicator_set: indicator_specs.IndicatorSet,
    sample: Sample,
    table: indicator_specs.AnswerTable | None = None,
) -> tuple[stats.IndicatorMatrix, stats.IndicatorMatrix]:
    """The 0/1 columns (proportions) and the numeric columns (means) of every indicator,
    each as one ``n x K`` matrix written in place (the engine's fastest input)."""
    table = table or indicator_specs.AnswerTable(sample.answers)
    sizes = {True: 0, False: 0}  # is a mean -> number of columns
    for indicator in indicator_set.indicators:
        sizes[indicator.kind == "mean"] += len(dict.fromkeys(indicator.categories))
    matrices = {key: np.empty((table.n, size)) for key, size in sizes.items()}
    names: dict[bool, list[str]] = {True: [], False: []}
    for indicator in indicator_set.indicators:
        key = indicator.kind == "mean"
        for category, column in indicator.columns(table).items():
            matrices[key][:, len(names[key])] = column
            names[key].append(f"{indicator.code}{SEP}{category}")
    return (
        stats.IndicatorMatrix(names[False], matrices[False]),
        stats.IndicatorMatrix(names[True], matrices[True]),
    )


def estimate_indicators(
    indicator_set: indicator_specs.IndicatorSet,
    sample: Sample,
    design: stats.Design,
    rule: stats.DisclosureRule,
    columns: tuple[stats.IndicatorMatrix, stats.IndicatorMatrix] | None = None,
) -> list[dict[str, Any]]:
    """Rows ``indicator, category, domain, level, estimate, se, ci_low, ci_high, n, population,
    flag`` for every indicator × category × domain level (overall: domain ``""``)."""
    binary, numeric = columns or indicator_columns(indicator_set, sample)
    by = {d: sample.columns[d] for d in indicator_set.domains if d in sample.columns}
    parts = []
    if binary.names:
        est = stats.estimate(design, binary, kind="mean", by=by, ci="logit", na_rm=True)
        est.kind = ["proportion"] * len(est)
        parts.append(est)
    if numeric.names:
        parts.append(stats.estimate(design, numeric, kind="mean", by=by, na_rm=True))
    est = stats.Estimates.concat(parts)
    flags = rule.apply(est)
    # Whole columns to Python floats at once (11,000 cells: a per-value call costs 0.1 s).
    numbers = zip(
        *(_num(v) for v in (est.estimate, est.se, est.ci_low, est.ci_high, est.population)),
        est.n.tolist(),
        strict=True,
    )
    rows = []
    for variable, domain, level, flag, (value, se, low, high, population, n) in zip(
        est.variable, est.domain, est.domain_level, flags, numbers, strict=True
    ):
        code, category = variable.split(SEP, 1)
        rows.append(
            {
                "indicator": code,
                "category": category,
                "domain": domain,
                "level": level,
                "estimate": value,
                "se": se,
                "ci_low": low,
                "ci_high": high,
                "n": n,
                "population": population,
                "flag": flag,
            }
        )
    return rows


def _num(values: np.ndarray) -> list[float]:
    """The values as Python floats, 0.0 where not finite."""
    return np.where(np.isfinite(values), values, 0.0).tolist()


def add_changes(rows: list[dict[str, Any]], previous: dict[tuple, tuple[float, float]]) -> None:
    """Add ``change``, ``change_se``, ``change_p`` against the previous edition's cells."""
    keys = [(r["indicator"], r["category"], r["domain"], r["level"]) for r in rows]
    idx = [i for i, k in enumerate(keys) if k in previous]
    for r in rows:
        r.update(change=None, change_se=None, change_p=None)
    if not idx:
        return
    a = np.array([previous[keys[i]][0] for i in idx])
    sa = np.array([previous[keys[i]][1] for i in idx])
    b = np.array([rows[i]["estimate"] for i in idx])
    sb = np.array([rows[i]["se"] for i in idx])
    diff, se, _low, _high, p = difference(a, sa, b, sb)
    for j, i in enumerate(idx):
        rows[i].update(change=float(diff[j]), change_se=float(se[j]), change_p=float(p[j]))


def add_gaps(
    rows: list[dict[str, Any]],
    indicator_set: indicator_specs.IndicatorSet,
    sample: Sample,
    design: stats.Design,
    columns: tuple[stats.IndicatorMatrix, stats.IndicatorMatrix],
) -> None:
    """Add ``gap``, ``gap_se``, ``gap_p``: each domain level's estimate minus the whole's.

    The variances are the rows' own; only the covariances are computed.  The whole's rows,
    empty domains and cells where the domain or the whole is suppressed get none (``None``):
    a gap beside a shown figure would give away the suppressed one."""
    for row in rows:
        row.update(gap=None, gap_se=None, gap_p=None)
    by = {d: sample.columns[d] for d in indicator_set.domains if d in sample.columns}
    if not by:
        return
    cells = {(f"{r['indicator']}{SEP}{r['category']}", r["domain"], r["level"]): r for r in rows}
    results = stats.Estimates(
        variable=[key[0] for key in cells],
        category=[""] * len(cells),
        domain=[key[1] for key in cells],
        domain_level=[key[2] for key in cells],
        estimate=np.array([r["estimate"] for r in cells.values()]),
        se=np.array([r["se"] for r in cells.values()]),
        population=np.array([r["population"] for r in cells.values()]),
    )
    for matrix in columns:
        if not matrix.names:
            continue
        gaps = stats.compare_to_overall(design, matrix, by, na_rm=True, estimates=results)
        finite = np.isfinite(gaps.se)
        for i in range(len(gaps)):
            row = cells[(gaps.variable[i], gaps.domain[i], gaps.domain_level[i])]
            whole = cells[(gaps.variable[i], "", "")]
            if finite[i] and Flag.SUPPRESS not in (row["flag"], whole["flag"]):
                row.update(
                    gap=float(gaps.difference[i]),
                    gap_se=float(gaps.se[i]),
                    gap_p=float(gaps.p_value[i]),
                )


# One BLAS thread: the engine's matrix products are small (blocks of ~50 columns), so on the
# shared 2-core machine a second OpenBLAS thread saved nothing when idle and, when the other
# core was busy, made the statistics 2-4 times slower while burning twice the CPU.
@threadpool_limits.wrap(limits=1, user_api="blas")
def compute(
    edition,
    previous: dict[tuple, tuple[float, float]] | None = None,
    progress: Callable[[str], None] | None = None,
    replicates: bool = True,
) -> Computed:
    """Weights (re-run, deterministic) then every indicator of the edition, then (unless
    ``replicates`` is false) the replicate weights published with the microdata.

    ``progress`` is told each of ``STAGES`` (and ``REPLICATE_STAGE``) as it starts."""
    step = progress or (lambda _stage: None)
    timings: dict[str, float] = {}
    step("load")
    start = time.perf_counter()
    sample = load_sample(edition)
    timings["load_s"] = time.perf_counter() - start
    step("weights")
    start = time.perf_counter()
    weighted = weight(edition, sample)
    timings["weight_s"] = time.perf_counter() - start
    step("estimates")
    plan = plan_of(edition)
    rule = stats.DisclosureRule(**plan["disclosure"])
    indicator_set = indicator_specs.for_edition(edition)
    start = time.perf_counter()
    table = indicator_specs.AnswerTable(sample.answers)
    columns = indicator_columns(indicator_set, sample, table)
    timings["columns_s"] = time.perf_counter() - start
    start = time.perf_counter()
    rows = estimate_indicators(indicator_set, sample, weighted.design, rule, columns)
    add_changes(rows, previous or {})
    gaps_start = time.perf_counter()
    add_gaps(rows, indicator_set, sample, weighted.design, columns)
    timings["gaps_s"] = time.perf_counter() - gaps_start  # part of estimate_s
    timings["estimate_s"] = time.perf_counter() - start
    if not replicates:
        return Computed(rows, weighted, sample, table, timings)
    step("replicates")
    start = time.perf_counter()
    matrix, rep = replicate_weights(weighted)
    weighted.report["replicates"] = compare_replicates(rows, matrix, rep, columns)
    timings["replicates_s"] = time.perf_counter() - start
    return Computed(rows, weighted, sample, table, timings, matrix)


def compare_replicates(
    rows: list[dict[str, Any]],
    replicates: np.ndarray,
    rep: Any,
    columns: tuple[stats.IndicatorMatrix, stats.IndicatorMatrix],
) -> dict[str, Any]:
    """How close the replicate-weight standard errors (what a user of the open data gets)
    are to the published Taylor ones, over the whole population's shown proportions: the
    ratio's quantiles (the domains would cost one n × R × K product each).

    Each estimate is a ratio over the respondents in its base (missing values left out),
    recomputed with each replicate's weights; ``V = scale sum_r (theta_r - mean)^2``."""
    binary = columns[0]
    present = ~np.isnan(binary.values)
    y0 = np.where(present, binary.values, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        thetas = (replicates.T @ y0) / (replicates.T @ present)
    se = dict(zip(binary.names, np.sqrt(rep.variance(thetas)).tolist(), strict=True))
    ratios = [
        se[name] / r["se"]
        for r in rows
        if not r["domain"]
        and (name := f"{r['indicator']}{SEP}{r['category']}") in se
        and r["flag"] != Flag.SUPPRESS
        and r["se"] > 0
    ]
    q = np.quantile(ratios, [0.1, 0.5, 0.9]).tolist() if ratios else [None] * 3  # JSON: no NaN
    return {
        "type": "bootstrap",
        "count": int(replicates.shape[1]),
        "scale": float(rep.scale),
        "cells": len(ratios),
        "ratio_p10": q[0],
        "ratio_median": q[1],
        "ratio_p90": q[2],
    }
