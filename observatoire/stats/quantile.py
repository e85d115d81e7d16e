"""Quantiles with Woodruff confidence intervals, as R's ``svyquantile`` (survey 4.x).

The estimate is R's default rule (``qrule = "math"``): with the domain's values sorted,
their weights' running sum ``W_(i)`` and the total ``W``, the ``p``-quantile is ``x_(i)``
for the last ``i`` with ``W_(i) <= p W`` when ``W_(i) = p W`` exactly, and ``x_(i+1)``
otherwise (the inverse of the weighted distribution function).

Woodruff (1952) interval (``interval.type = "mean"``): estimate the share
``F = mean(1[x <= q])`` of the domain with its linearised SE (calibration included), take
``F -/+ t_{df, 1-alpha/2} SE(F)`` with the domain's design degrees of freedom, and map the
two bounds back through the same quantile rule; a bound outside [0, 1] is NaN.  The SE
R reports is the interval's width over ``2 t_{df, 1-alpha/2}``.

With replicate weights (:func:`replicate_quantiles`, R's ``svyquantile`` on a
``svrepdesign``) the share's SE comes from the replicates (``interval_type: mean``, the
default, Woodruff as above), or the quantile is recomputed on each replicate and the
interval is ``q -/+ t SE`` with the replicate SE of the quantiles (``interval_type:
quantile``); the degrees of freedom are the replicate design's (``degf``: rank of the
replicate weights minus one, of the domain's rows as R's ``svyby`` subsets them).

The exact comparison ``W_(i) = p W`` decides ties (equal weights in a stratum make them
common), so it is made on the numbers R compares: weights stored as probabilities and
read back (``1 / (1 / w)``, one unit in the last place away from ``w`` at times) and
running sums in extended precision, as R's ``cumsum`` and ``sum``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .design import Design, FloatArray, is_missing, label
from .errors import StatsError
from .estimators import OVERALL, domain_codes
from .tables import domain_df
from .variance import taylor_variance

if TYPE_CHECKING:
    from .replicate import Replicated

#: R's ``interval.type`` values computed: Woodruff's, and (replicate designs only) the
#: replicates' quantiles.
INTERVAL_TYPES: tuple[str, ...] = ("mean", "quantile")


@dataclass
class Quantiles:
    """One entry per (variable, domain level, probability)."""

    variable: list[str] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    domain_level: list[str] = field(default_factory=list)
    probability: list[float] = field(default_factory=list)
    estimate: list[float] = field(default_factory=list)
    se: list[float] = field(default_factory=list)
    ci_low: list[float] = field(default_factory=list)
    ci_high: list[float] = field(default_factory=list)
    n: list[int] = field(default_factory=list)
    df: list[int] = field(default_factory=list)

    OUTPUT_COLUMNS = (
        "variable",
        "domain",
        "domain_level",
        "probability",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "n",
    )

    def __len__(self) -> int:
        return len(self.variable)

    def add(
        self,
        variable: str,
        domain: tuple[str, str],
        p: float,
        q: float,
        interval: tuple[float, float],
        crit: float,
        n: int,
        df: int,
    ) -> None:
        """One entry; the SE is the interval's width over ``2 crit``, as R reports it."""
        low, high = interval
        self.variable.append(variable)
        self.domain.append(domain[0])
        self.domain_level.append(domain[1])
        self.probability.append(p)
        self.estimate.append(q)
        self.se.append((high - low) / (2 * crit))
        self.ci_low.append(low)
        self.ci_high.append(high)
        self.n.append(n)
        self.df.append(df)


def quantile_rule(x: FloatArray, w: FloatArray, p: float) -> float:
    """R's ``qrule_math``: the ``p``-quantile of ``x`` with weights ``w`` (zeros ignored)."""
    keep = w != 0
    x, w = x[keep], 1.0 / (1.0 / w[keep])
    order = np.argsort(x, kind="stable")
    xs = x[order]
    cumw = np.cumsum(w[order].astype(np.longdouble)).astype(np.float64)
    total = float(np.sum(w.astype(np.longdouble)))
    below = np.flatnonzero(cumw <= p * total)
    pos = int(below[-1]) if below.size else 0
    nxt = pos if pos == xs.size - 1 else pos + 1
    return float(xs[pos] if p - cumw[pos] / total == 0 else xs[nxt])


def _woodruff(x: FloatArray, w: FloatArray, share: float, half: float) -> tuple[float, float]:
    """Woodruff's interval: the share below the quantile -/+ ``half``, read back through
    the quantile rule; a bound outside [0, 1] (or unknown: no degrees of freedom) is NaN."""
    low, high = share - half, share + half
    return (
        quantile_rule(x, w, low) if low >= 0 else np.nan,
        quantile_rule(x, w, high) if high <= 1 else np.nan,
    )


def _domains(
    design: Design, by: Mapping[str, ArrayLike] | None, overall: bool
) -> list[tuple[str, str, NDArray[np.bool_]]]:
    domains: list[tuple[str, str, NDArray[np.bool_]]] = []
    if overall:
        domains.append((OVERALL, "", np.ones(design.n, dtype=bool)))
    for name, values in (by or {}).items():
        codes, labels = domain_codes(design, values, name)
        domains.extend((name, label(lab), codes == j) for j, lab in enumerate(labels))
    return domains


def _check(probs: Sequence[float], level: float) -> list[float]:
    out = [float(p) for p in probs]
    if not out or any(not 0 <= p <= 1 for p in out):
        raise StatsError("Les probabilités des quantiles doivent être comprises entre 0 et 1.")
    if not 0 < level < 1:
        raise StatsError("Le niveau de confiance doit être compris entre 0 et 1.")
    return out


def replicate_quantiles(
    replicated: Replicated,
    variables: Mapping[str, ArrayLike],
    probs: Sequence[float] = (0.5,),
    *,
    by: Mapping[str, ArrayLike] | None = None,
    overall: bool = True,
    level: float = 0.95,
    na_rm: bool = False,
    interval_type: str = "mean",
) -> Quantiles:
    """Quantiles with replicate-weight intervals, as R's ``svyquantile`` on a replicate
    design (``svyby`` for the domains): see the module docstring."""
    from scipy import stats as sps  # on demand: scipy.stats costs half a second to import

    if interval_type not in INTERVAL_TYPES:
        raise StatsError(
            f"Intervalle de quantile inconnu : « {interval_type} » (mean ou quantile)."
        )
    probs = _check(probs, level)
    design = replicated.design
    domains = _domains(design, by, overall)
    w = np.asarray(design.weights)
    out = Quantiles()
    for name, raw in variables.items():
        x = _numeric(raw, name, design.n, na_rm)
        answered = ~np.isnan(x)
        for dom_name, dom_level, mask in domains:
            inside = mask & answered
            xd, wd, wr = x[inside], w[inside], replicated.weights[inside]
            df = replicated.df(inside) if inside.any() else 0
            crit = float(sps.t.ppf(1 - (1 - level) / 2, df)) if df > 0 else np.nan
            n = int(np.count_nonzero(wd))
            for p in probs:
                q = low = high = np.nan
                if n:
                    q = quantile_rule(xd, wd, p)
                    if interval_type == "mean":
                        below = (xd <= q).astype(np.float64)
                        share = float(wd @ below) / float(wd.sum())
                        with np.errstate(divide="ignore", invalid="ignore"):
                            reps = (wr.T @ below) / wr.sum(axis=0)
                        half = crit * np.sqrt(replicated.variance((reps - share)[:, None])[0])
                        low, high = _woodruff(xd, wd, share, half)
                    else:
                        empty = np.flatnonzero(~(wr != 0).any(axis=0))
                        if empty.size:
                            where = "" if dom_name == OVERALL else f" (domaine {dom_level})"
                            raise StatsError(
                                f"Quantile de « {name} »{where} : la réplique n° "
                                f"{empty[0] + 1} n'a aucun répondant, son quantile n'existe "
                                "pas ; demandez « interval_type: mean » (Woodruff)."
                            )
                        reps = np.array(
                            [quantile_rule(xd, wr[:, r], p) for r in range(wr.shape[1])]
                        )
                        half = crit * np.sqrt(replicated.variance((reps - q)[:, None])[0])
                        low, high = q - half, q + half
                out.add(name, (dom_name, dom_level), p, q, (low, high), crit, n, df)
    return out


def quantiles(
    design: Design,
    variables: Mapping[str, ArrayLike],
    probs: Sequence[float] = (0.5,),
    *,
    by: Mapping[str, ArrayLike] | None = None,
    overall: bool = True,
    level: float = 0.95,
    na_rm: bool = False,
) -> Quantiles:
    """Quantiles of each variable, overall and in each level of each ``by`` column.

    ``probs`` are probabilities in [0, 1] (0.5 the median).  A missing value is an error
    unless ``na_rm`` (then the respondent is left out of that variable's quantiles)."""
    from scipy import stats as sps  # on demand: scipy.stats costs half a second to import

    probs = _check(probs, level)
    domains = _domains(design, by, overall)
    w = np.asarray(design.weights)
    out = Quantiles()
    for name, raw in variables.items():
        x = _numeric(raw, name, design.n, na_rm)
        answered = ~np.isnan(x)
        cases: list[tuple[str, str, NDArray[np.bool_], float, float, float, int, int]] = []
        influence: list[FloatArray] = []
        for dom_name, dom_level, mask in domains:
            inside = mask & answered
            xd, wd = x[inside], w[inside]
            size = float(wd.sum())
            df = domain_df(design, inside)
            for p in probs:
                if size <= 0:
                    cases.append((dom_name, dom_level, inside, p, np.nan, np.nan, 0, df))
                    influence.append(np.zeros(design.n))
                    continue
                q = quantile_rule(xd, wd, p)
                below = np.where(inside, (x <= q).astype(float), 0.0)
                share = float(w @ below) / size
                influence.append(np.where(inside, w * (below - share) / size, 0.0))
                n = int(np.count_nonzero(wd))
                cases.append((dom_name, dom_level, inside, p, q, share, n, df))
        var = taylor_variance(design, np.column_stack(influence))
        alpha = 1 - level
        for (dom_name, dom_level, inside, p, q, share, n, df), v in zip(
            cases, var.tolist(), strict=True
        ):
            crit = float(sps.t.ppf(1 - alpha / 2, df))  # NaN without degrees of freedom, as R
            interval = (np.nan, np.nan)
            if n:
                interval = _woodruff(x[inside], w[inside], share, crit * np.sqrt(v))
            out.add(name, (dom_name, dom_level), p, q, interval, crit, n, df)
    return out


def _numeric(raw: ArrayLike, name: str, n: int, na_rm: bool) -> FloatArray:
    arr = np.asarray(raw)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise StatsError(f"La variable « {name} » doit avoir une valeur par répondant ({n}).")
    missing = is_missing(arr)
    if missing.any() and not na_rm:
        first = int(np.flatnonzero(missing)[0])
        raise StatsError(
            f"La variable « {name} » a une valeur manquante (ligne {first + 1}) ; "
            "utilisez na_rm pour estimer parmi les répondants."
        )
    try:
        values = np.where(missing, np.nan, arr).astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise StatsError(f"La variable « {name} » doit être numérique pour un quantile.") from exc
    if np.isinf(values).any():
        raise StatsError(f"La variable « {name} » contient une valeur infinie.")
    return values
