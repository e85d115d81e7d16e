"""Comparisons: edition to edition (independent samples) and domain to domain.

* Two editions are independent samples, so for ``D = theta_2 - theta_1``
  ``se(D) = sqrt(se_1^2 + se_2^2)`` (Kish 1965, §14.1).
* Two domains of one edition share the design: the difference is estimated with the
  influence values ``u_b - u_a`` through the same linearisation, which accounts for their
  covariance (strata, clusters, calibration), as ``svycontrast`` on ``svyby`` does in R
  (Lumley 2010, §3.4).

The test statistic ``D / se(D)`` is referred to Student's t with ``df`` degrees of freedom
(the design's, for domains; normal for editions unless ``df`` is given): two-sided p-value
``2 P(T > |D / se|)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from .design import Design, FloatArray, factorize
from .errors import StatsError
from .estimators import Estimates, Kind, _columns, label
from .variance import taylor_variance


@dataclass
class Comparison:
    """Differences ``estimate_b - estimate_a`` with SE, CI and two-sided p-value."""

    variable: list[str]
    category: list[str]
    domain: list[str]
    domain_level: list[str]
    estimate_a: FloatArray
    estimate_b: FloatArray
    difference: FloatArray
    se: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    p_value: FloatArray
    df: FloatArray

    def __len__(self) -> int:
        return len(self.variable)

    def significant(self, alpha: float = 0.05) -> NDArray[np.bool_]:
        """True where the difference is significant at level ``alpha``."""
        return np.asarray(self.p_value < alpha)


def _test(
    diff: FloatArray, se: FloatArray, df: FloatArray, level: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    q = np.where(np.isinf(df), stats.norm.ppf(0.5 + level / 2), stats.t.ppf(0.5 + level / 2, df))
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.abs(diff) / se
        p = np.where(np.isinf(df), 2 * stats.norm.sf(stat), 2 * stats.t.sf(stat, df))
        p = np.where(se == 0, np.where(diff == 0, 1.0, 0.0), p)
    return diff - q * se, diff + q * se, np.asarray(p, dtype=np.float64)


def difference(
    estimate_a: ArrayLike,
    se_a: ArrayLike,
    estimate_b: ArrayLike,
    se_b: ArrayLike,
    *,
    level: float = 0.95,
    df: ArrayLike = np.inf,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """``(difference, se, ci_low, ci_high, p_value)`` for independent estimates."""
    a = np.asarray(estimate_a, dtype=np.float64)
    b = np.asarray(estimate_b, dtype=np.float64)
    sa = np.asarray(se_a, dtype=np.float64)
    sb = np.asarray(se_b, dtype=np.float64)
    diff = b - a
    se = np.sqrt(sa**2 + sb**2)
    dfs = np.broadcast_to(np.asarray(df, dtype=np.float64), diff.shape)
    low, high, p = _test(diff, se, dfs, level)
    return diff, se, low, high, p


def compare_editions(previous: Estimates, current: Estimates, *, level: float = 0.95) -> Comparison:
    """Edition-to-edition differences for every cell present in both result sets.

    Cells are matched on ``(variable, category, domain, domain_level)``; the samples are
    independent.  Cells present in one edition only are left out of the comparison (they
    remain in each edition's results).
    """
    index = {
        (
            previous.variable[i],
            previous.category[i],
            previous.domain[i],
            previous.domain_level[i],
        ): i
        for i in range(len(previous))
    }
    pairs = [
        (index[key], j)
        for j, key in enumerate(
            zip(
                current.variable,
                current.category,
                current.domain,
                current.domain_level,
                strict=True,
            )
        )
        if key in index
    ]
    ia = np.array([p[0] for p in pairs], dtype=np.intp)
    ib = np.array([p[1] for p in pairs], dtype=np.intp)
    diff, se, low, high, p = difference(
        previous.estimate[ia], previous.se[ia], current.estimate[ib], current.se[ib], level=level
    )
    return Comparison(
        variable=[current.variable[j] for j in ib],
        category=[current.category[j] for j in ib],
        domain=[current.domain[j] for j in ib],
        domain_level=[current.domain_level[j] for j in ib],
        estimate_a=previous.estimate[ia],
        estimate_b=current.estimate[ib],
        difference=diff,
        se=se,
        ci_low=low,
        ci_high=high,
        p_value=p,
        df=np.full(diff.shape, np.inf),
    )


def compare_domains(
    design: Design,
    variables: Mapping[str, ArrayLike],
    by: ArrayLike,
    level_a: object,
    level_b: object,
    *,
    kind: Kind = "mean",
    domain: str = "domain",
    na_rm: bool = False,
    level: float = 0.95,
) -> Comparison:
    """Differences ``theta(b) - theta(a)`` between two domains of one design.

    The variance of the difference is that of the total of ``u_b - u_a`` (so the
    covariance between the domains is taken into account); the t test uses the design's
    degrees of freedom.
    """
    if kind == "total":
        raise StatsError("La comparaison de domaines porte sur des moyennes ou proportions.")
    codes, labels = factorize(by, domain)
    text = [label(v) for v in labels]
    if label(level_a) not in text or label(level_b) not in text:
        raise StatsError(
            f"Le domaine « {domain} » n'a pas les modalités « {level_a} » et « {level_b} »."
        )
    mask_a = codes == text.index(label(level_a))
    mask_b = codes == text.index(label(level_b))
    cols = _columns(design, variables, kind, na_rm)
    y = cols.values
    answered = ~np.isnan(y)
    y0 = np.where(answered, y, 0.0)
    w = np.asarray(design.weights)

    def influence(mask: NDArray[np.bool_]) -> tuple[FloatArray, FloatArray]:
        wdk = (w * mask)[:, None] * answered
        pop = wdk.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = (wdk * y0).sum(axis=0) / pop
            infl = wdk * (y0 - mean) / pop
        return mean, infl

    mean_a, infl_a = influence(mask_a)
    mean_b, infl_b = influence(mask_b)
    var = taylor_variance(design, infl_b - infl_a)
    diff = mean_b - mean_a
    se = np.sqrt(var)
    dfs = np.full(diff.shape, float(design.degf))
    low, high, p = _test(diff, se, dfs, level)
    k = len(cols.variable)
    return Comparison(
        variable=cols.variable,
        category=cols.category,
        domain=[domain] * k,
        domain_level=[f"{label(level_b)} - {label(level_a)}"] * k,
        estimate_a=mean_a,
        estimate_b=mean_b,
        difference=diff,
        se=se,
        ci_low=low,
        ci_high=high,
        p_value=p,
        df=dfs,
    )
