"""Confidence intervals, following R's ``confint`` and ``svyciprop`` (survey 4.x).

For an estimate ``p`` with linearised standard error ``s``, ``alpha = 1 - level`` and the
design degrees of freedom ``df`` (PSUs minus strata of the domain, R's ``degf``):

* ``"wald"``: ``p -/+ z_{1-alpha/2} s`` (R's ``confint`` on ``svymean``/``svytotal``).
* ``"mean"``: ``p -/+ t_{df, 1-alpha/2} s`` (``svyciprop(method="mean")``).
* ``"logit"``: ``expit(logit(p) -/+ t_{df, 1-alpha/2} s / (p (1 - p)))``; this is the
  Wald interval of the intercept of the survey-weighted logistic model that R fits
  (its sandwich variance is exactly ``s^2 / (p (1 - p))^2``).  Stays inside [0, 1].
* ``"beta"``: Korn & Graubard (1998): with the effective sample size
  ``n* = p (1 - p) / s^2 (t_{n-1, alpha/2} / t_{df, alpha/2})^2``, the Clopper–Pearson
  interval ``[B_{alpha/2}(n* p, n* (1 - p) + 1), B_{1-alpha/2}(n* p + 1, n* (1 - p))]``.
  Stays inside [0, 1]; the recommended method for small domains.

When ``p`` is 0 or 1 the logit and beta formulas are undefined (R returns NaN or an
interval of width 0); we then return the exact Clopper–Pearson interval for ``n``
respondents, which is never narrower than the truth suggests.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy import special, stats

from .design import FloatArray
from .errors import StatsError

CIMethod = Literal["wald", "mean", "logit", "beta"]
CI_METHODS: tuple[str, ...] = ("wald", "mean", "logit", "beta")


def _t_quantile(q: float, df: FloatArray) -> FloatArray:
    """Student quantile, normal for infinite df, NaN for df <= 0."""
    df = np.asarray(df, dtype=np.float64)
    out = np.full(df.shape, np.nan)
    inf = np.isinf(df)
    out[inf] = stats.norm.ppf(q)
    ok = (df > 0) & ~inf
    out[ok] = stats.t.ppf(q, df[ok])
    return out


def confidence_interval(
    estimate: FloatArray,
    se: FloatArray,
    *,
    method: CIMethod = "wald",
    level: float = 0.95,
    df: FloatArray | float = np.inf,
    n: FloatArray | None = None,
    nrow: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Lower and upper bounds for vectors of estimates (see the module docstring).

    ``df`` is the design degrees of freedom (per estimate or scalar), ``n`` the unweighted
    number of respondents (used when ``p`` is 0 or 1) and ``nrow`` the number of rows R's
    ``nrow(design)`` sees in the Korn–Graubard correction (defaults to ``n``).
    """
    if method not in CI_METHODS:
        raise StatsError(f"Méthode d'intervalle inconnue : « {method} » (logit, beta, mean, wald).")
    if not 0 < level < 1:
        raise StatsError("Le niveau de confiance doit être compris entre 0 et 1.")
    p = np.asarray(estimate, dtype=np.float64)
    s = np.asarray(se, dtype=np.float64)
    dfs = np.broadcast_to(np.asarray(df, dtype=np.float64), p.shape)
    alpha = 1.0 - level
    if method == "wald":
        z = float(stats.norm.ppf(1 - alpha / 2))
        return p - z * s, p + z * s
    t = _t_quantile(1 - alpha / 2, dfs)
    if method == "mean":
        return p - t * s, p + t * s
    nn = np.asarray(n, dtype=np.float64) if n is not None else np.full(p.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "logit":
            centre = special.logit(p)
            half = t * s / (p * (1 - p))
            low, high = special.expit(centre - half), special.expit(centre + half)
            low = np.where(dfs > 0, low, np.nan)
            high = np.where(dfs > 0, high, np.nan)
        else:
            rows = np.asarray(nrow, dtype=np.float64) if nrow is not None else nn
            ratio = (_t_quantile(alpha / 2, rows - 1) / _t_quantile(alpha / 2, dfs)) ** 2
            n_eff = p * (1 - p) / (s * s) * ratio
            low = np.asarray(stats.beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1))
            high = np.asarray(stats.beta.ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p)))
    edge = ((p <= 0) | (p >= 1)) & (nn > 0)
    if edge.any():
        cp_low = np.where(p[edge] <= 0, 0.0, stats.beta.ppf(alpha / 2, nn[edge], 1.0))
        cp_high = np.where(p[edge] >= 1, 1.0, stats.beta.ppf(1 - alpha / 2, 1.0, nn[edge]))
        low = np.asarray(low, dtype=np.float64).copy()
        high = np.asarray(high, dtype=np.float64).copy()
        low[edge] = cp_low
        high[edge] = cp_high
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
