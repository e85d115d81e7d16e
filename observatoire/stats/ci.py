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

from statistics import NormalDist
from typing import Literal

import numpy as np

from .design import FloatArray
from .errors import StatsError

CIMethod = Literal["wald", "mean", "logit", "beta"]
CI_METHODS: tuple[str, ...] = ("wald", "mean", "logit", "beta")


#: Intervals that stay inside [0, 1]: for proportions, and means of 0/1 variables only.
PROPORTION_CI: tuple[str, ...] = ("logit", "beta")
#: Which intervals suit which kind of estimate.
CI_BY_KIND: dict[str, tuple[str, ...]] = {
    "mean": CI_METHODS,  # logit and beta if every value is in [0, 1] (R's svyciprop)
    "total": ("wald", "mean"),
    "proportion": CI_METHODS,
}


def check_ci(kind: str, method: str) -> None:
    """Refuse an interval method that does not suit the kind of estimate (French error)."""
    allowed = CI_BY_KIND.get(kind, CI_METHODS)
    if method not in allowed:
        raise StatsError(
            f"l'intervalle « {method} » ne convient pas à une estimation « {kind} » "
            f"(il reste dans [0, 1], pour une proportion) ; choisissez {' ou '.join(allowed)}."
        )


def normal_quantile(q: float) -> float:
    """Standard normal quantile (Wichura's AS 241, as R's ``qnorm``; no SciPy import)."""
    return NormalDist().inv_cdf(q)


def t_quantile(q: float, df: FloatArray) -> FloatArray:
    """Student quantile, normal for infinite df, NaN for df <= 0."""
    df = np.asarray(df, dtype=np.float64)
    out = np.full(df.shape, np.nan)
    inf = np.isinf(df)
    out[inf] = normal_quantile(q)
    ok = (df > 0) & ~inf
    if ok.any():
        from scipy.special import stdtrit  # imported here: it takes longer than a small run

        out[ok] = stdtrit(df[ok], q)
    return out


def _logit(p: FloatArray) -> FloatArray:
    return np.asarray(np.log(p / (1 - p)), dtype=np.float64)


def _expit(x: FloatArray) -> FloatArray:
    return np.asarray(1 / (1 + np.exp(-x)), dtype=np.float64)


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
        z = normal_quantile(1 - alpha / 2)
        return p - z * s, p + z * s
    t = t_quantile(1 - alpha / 2, dfs)
    if method == "mean":
        return p - t * s, p + t * s
    nn = np.asarray(n, dtype=np.float64) if n is not None else np.full(p.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "logit":
            centre = _logit(p)
            half = t * s / (p * (1 - p))
            low, high = _expit(centre - half), _expit(centre + half)
            low = np.where(dfs > 0, low, np.nan)
            high = np.where(dfs > 0, high, np.nan)
        else:
            from scipy.special import betaincinv

            rows = np.asarray(nrow, dtype=np.float64) if nrow is not None else nn
            ratio = (t_quantile(alpha / 2, rows - 1) / t_quantile(alpha / 2, dfs)) ** 2
            n_eff = p * (1 - p) / (s * s) * ratio
            low = np.asarray(betaincinv(n_eff * p, n_eff * (1 - p) + 1, alpha / 2))
            high = np.asarray(betaincinv(n_eff * p + 1, n_eff * (1 - p), 1 - alpha / 2))
    edge = ((p <= 0) | (p >= 1)) & (nn > 0)
    if edge.any():
        from scipy.special import betaincinv

        cp_low = np.where(p[edge] <= 0, 0.0, betaincinv(nn[edge], 1.0, alpha / 2))
        cp_high = np.where(p[edge] >= 1, 1.0, betaincinv(1.0, nn[edge], 1 - alpha / 2))
        low = np.asarray(low, dtype=np.float64).copy()
        high = np.asarray(high, dtype=np.float64).copy()
        low[edge] = cp_low
        high[edge] = cp_high
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
