"""Comparisons: edition to edition (independent samples) and domain to domain.

* Two editions are independent samples, so for ``D = theta_2 - theta_1``
  ``se(D) = sqrt(se_1^2 + se_2^2)`` (Kish 1965, §14.1).
* Two domains of one edition share the design: the difference is estimated with the
  influence values ``u_b - u_a`` through the same linearisation, which accounts for their
  covariance (strata, clusters, calibration), as ``svycontrast`` on ``svyby`` does in R
  (Lumley 2010, §3.4).
* A domain against the whole population (``gap = m_d - m``): the domain is part of the
  whole, so ``V(gap) = V_d + V - 2 C_d`` where ``C_d`` is the linearisation covariance of
  the two means.  With ``r = P u`` the calibration residuals of the overall influence
  values and ``rho_c = s_h (t_c - tbar_h)`` their unit totals centred and scaled by the
  stratum factor ``s_h = (1 - f_h) n_h / (n_h - 1)``, ``C_d = <P u_d, rho> = <u_d, P' rho>``:
  one vector ``phi = P' rho`` per indicator serves every domain, and
  ``C_d = [sum_d w (y - m) phi - (m_d - m) sum_d w phi] / N_d`` is a weighted sum over the
  domain's rows.  R: ``svycontrast(svytotal(~yd + nd + y + one), quote(yd/nd - y/one))``
  (see ``tests/results/make_reference.R``).

The test statistic ``D / se(D)`` is referred to Student's t with ``df`` degrees of freedom
(the design's, for domains; normal for editions unless ``df`` is given): two-sided p-value
``2 P(T > |D / se|)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .ci import t_quantile
from .design import (
    SPARSE_DENSITY,
    Design,
    FloatArray,
    IntArray,
    ResidualOperator,
    label,
    to_csr,
)
from .errors import StatsError
from .estimators import (
    OVERALL,
    Estimates,
    IndicatorMatrix,
    Kind,
    _columns,
    domain_codes,
    estimate,
)
from .variance import taylor_variance

#: Indicator columns handled at once by :func:`compare_to_overall` (bounds its memory).
CHUNK = 32
#: Relative size of ``V_d + V - 2 C_d`` under which the gap's variance is recomputed exactly
#: (at most three digits lost, as in :mod:`observatoire.stats.variance`).
_CANCELLATION = 1e-3


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
    from scipy.special import ndtr, stdtr  # imported here: it takes longer than a small run

    q = t_quantile(0.5 + level / 2, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.abs(diff) / se
        p = np.where(np.isinf(df), 2 * ndtr(-stat), 2 * stdtr(df, -stat))
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
    codes, labels = domain_codes(design, by, domain)
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


def compare_to_overall(
    design: Design,
    variables: Mapping[str, ArrayLike] | IndicatorMatrix,
    by: Mapping[str, ArrayLike],
    *,
    kind: Kind = "mean",
    na_rm: bool = False,
    level: float = 0.95,
    estimates: Estimates | None = None,
) -> Comparison:
    """Gaps ``theta(d) - theta`` between every level of every domain and the whole population.

    ``estimate_a`` is the whole population's estimate, ``estimate_b`` the domain's; the
    t test uses the design's degrees of freedom.  The estimates and variances are read from
    ``estimates`` — the result of ``estimate(design, variables, kind=kind, by=by,
    na_rm=na_rm)``, which a caller usually has already — or computed; only the covariances
    are computed here, for all domains in one pass over the columns.
    """
    if kind == "total":
        raise StatsError("La comparaison à l'ensemble porte sur des moyennes ou proportions.")
    cols = _columns(design, variables, kind, na_rm)
    domains: list[tuple[str, list[str], IntArray]] = []
    for name, values in by.items():
        codes, labels = domain_codes(design, values, name)
        domains.append((name, [label(v) for v in labels], codes))
    if not domains or not cols.variable:
        return Comparison([], [], [], [], *(np.zeros(0) for _ in range(8)))
    if estimates is None:
        estimates = estimate(design, variables, kind=kind, by=by, na_rm=na_rm)
    levels = [(name, lab) for name, labels, _codes in domains for lab in labels]
    rows = _rows(estimates, cols.variable, cols.category, levels)  # (1 + L) x K
    mean, var_all, total = (
        a[rows[0]] for a in (estimates.estimate, estimates.variance, estimates.population)
    )
    inner = rows[1:]
    with np.errstate(invalid="ignore"):
        gap = estimates.estimate[inner] - mean
    var_dom, pop = estimates.variance[inner], estimates.population[inner]
    cov = _overall_covariances(design, cols.values, domains, mean, total, gap, pop)
    var = var_dom + var_all - 2.0 * cov
    var[var_dom + var_all == 0] = 0.0  # two constant estimates: so is their difference
    bad = (var < _CANCELLATION * (var_dom + var_all)) & (var_dom + var_all > 0) & (pop > 0)
    if bad.any():
        var[bad] = _exact_gap_variances(design, cols.values, domains, np.argwhere(bad))
    var = np.where(pop > 0, np.maximum(var, 0.0), np.nan)
    gap = np.where(pop > 0, gap, np.nan)
    k = len(cols.variable)
    diff = gap.ravel()
    se = np.sqrt(var.ravel())
    dfs = np.full(diff.shape, float(design.degf))
    low, high, p = _test(diff, se, dfs, level)
    return Comparison(
        variable=cols.variable * len(levels),
        category=cols.category * len(levels),
        domain=[name for name, _lab in levels for _ in range(k)],
        domain_level=[lab for _name, lab in levels for _ in range(k)],
        estimate_a=np.tile(mean, len(levels)),
        estimate_b=estimates.estimate[inner].ravel(),
        difference=diff,
        se=se,
        ci_low=low,
        ci_high=high,
        p_value=p,
        df=dfs,
    )


def _rows(
    est: Estimates, variable: list[str], category: list[str], levels: list[tuple[str, str]]
) -> NDArray[np.intp]:
    """Positions in ``est`` of each column overall (first row) and in each domain level."""
    index = {
        key: i
        for i, key in enumerate(
            zip(est.domain, est.domain_level, est.variable, est.category, strict=True)
        )
    }
    pairs = list(zip(variable, category, strict=True))
    rows = []
    for name, lab in [(OVERALL, ""), *levels]:
        try:
            rows.append([index[(name, lab, v, c)] for v, c in pairs])
        except KeyError as exc:
            what = "l'ensemble" if name == OVERALL else f"« {name} » = « {lab} »"
            raise StatsError(
                f"Les estimations fournies n'ont pas la variable « {exc.args[0][2]} » pour "
                f"{what} : passez le résultat de estimate() sur les mêmes variables et domaines."
            ) from exc
    return np.asarray(rows, dtype=np.intp)


def _overall_covariances(
    design: Design,
    values: FloatArray,
    domains: list[tuple[str, list[str], IntArray]],
    mean: FloatArray,
    total: FloatArray,
    gap: FloatArray,
    pop: FloatArray,
) -> FloatArray:
    """``C_d`` (``L x K``): the covariance of each domain level's mean with the overall mean.

    ``mean``, ``total`` are the overall means and weighted counts (``K``), ``gap`` and
    ``pop`` the domains' ``m_d - m`` and ``N_d`` (``L x K``).  Works on ``CHUNK`` columns
    at a time with ``v = w (y - m) = N u``, every step linear in ``v``, and divides by
    ``N`` at the end.
    """
    if design.later_stages:
        raise StatsError(
            "La comparaison à l'ensemble ne traite pas encore les plans à plusieurs degrés "
            "avec fpc : comparez deux domaines (compare_domains)."
        )
    n, k = values.shape
    w = np.asarray(design.weights)[:, None]
    n_levels = gap.shape[0]
    # Sums over the levels of every domain come from sums over the cells of their
    # cross-classification: one non-zero per row instead of one per row and domain.
    combos, cell = np.unique(
        np.column_stack([codes for _name, _labels, codes in domains]), axis=0, return_inverse=True
    )
    n_cells = combos.shape[0]
    from scipy import sparse

    in_cell = sparse.csr_matrix((np.ones(n), (cell.ravel(), np.arange(n))), shape=(n_cells, n))
    offsets = np.cumsum([0] + [len(labels) for _name, labels, _codes in domains[:-1]])
    to_level = sparse.csr_matrix(
        (
            np.ones(combos.size),
            ((combos + offsets).ravel(), np.repeat(np.arange(n_cells), len(domains))),
        ),
        shape=(n_levels, n_cells),
    )
    projector = _Projector.of(design.residual_operator)
    unit_strata = design.psu_strata if design.has_clusters else design.strata_codes
    n_h = design.n_psu
    lonely = (n_h <= 1) if design.lonely_psu == "adjust" else np.zeros(n_h.shape, dtype=bool)
    unit_scale = design.stratum_scale[unit_strata][:, None]
    width = min(CHUNK, k)
    v_buf, r_buf, w_buf = (np.empty((n, width)) for _ in range(3))
    products = np.empty((n, 2 * width))
    cov = np.empty(gap.shape)
    for start in range(0, k, width):
        stop = min(start + width, k)
        kc = stop - start
        y = values[:, start:stop]
        missing = np.isnan(y)
        v = np.subtract(y, mean[start:stop], out=v_buf[:, :kc])
        if missing.any():
            weight = np.multiply(w, ~missing, out=w_buf[:, :kc])  # 0 for a non-respondent
            np.putmask(v, missing, 0.0)
        else:
            weight = w
        v *= weight  # v = w (y - m): N times the overall influence values
        r = v if projector is None else projector.residuals(v, out=r_buf[:, :kc])
        t = design.psu_matrix @ r if design.has_clusters else r
        tbar = np.asarray(design.strata_matrix @ t) / n_h[:, None]
        tbar[lonely] = 0.0
        rho = np.subtract(t, tbar[unit_strata], out=t if t is not v else r_buf[:, :kc])
        rho *= unit_scale
        if design.has_clusters:
            rho = rho[design.psu_codes]
        phi = rho if projector is None else projector.transposed_residuals(rho)
        np.multiply(v, phi, out=products[:, :kc])
        np.multiply(phi, weight, out=products[:, kc : 2 * kc])
        sums = to_level @ (in_cell @ products[:, : 2 * kc])
        g = gap[:, start:stop]
        with np.errstate(divide="ignore", invalid="ignore"):
            # C_d = sum_d w (y - m_d) phi_u / N_d with y - m_d = (y - m) - (m_d - m), where
            # phi_u = phi / N is the vector of the overall influence values u = v / N.
            n_all = np.where(total[start:stop] > 0, total[start:stop], np.nan)
            cov[:, start:stop] = (sums[:, :kc] - g * sums[:, kc:]) / (pop[:, start:stop] * n_all)
    return cov


@dataclass(frozen=True)
class _Projector:
    """The calibration residual operator ``P = I - Z T A'`` and its transpose, with ``A``
    and ``Z`` stored sparse when they are mostly zeros (post-strata and raking margins are
    indicator columns: one non-zero per margin and row)."""

    a: Any
    a_t: Any
    z: Any
    z_t: Any
    t: FloatArray

    @classmethod
    def of(cls, op: ResidualOperator | None) -> _Projector | None:
        if op is None:
            return None

        def pair(m: FloatArray) -> tuple[Any, Any]:
            if np.count_nonzero(m) > SPARSE_DENSITY * m.size:
                return m, m.T
            stored = to_csr(m)
            return stored, stored.T.tocsr()

        a, a_t = pair(op.a)
        z, z_t = pair(op.z)
        return cls(a, a_t, z, z_t, op.t)

    def residuals(self, e: FloatArray, out: FloatArray) -> FloatArray:
        """``P e = e - Z T A' e``, written in ``out``."""
        residuals: FloatArray = np.subtract(e, self.z @ (self.t @ (self.a_t @ e)), out=out)
        return residuals

    def transposed_residuals(self, e: FloatArray) -> FloatArray:
        """``P' e = e - A T' Z' e``, written in ``e``."""
        residuals: FloatArray = np.subtract(e, self.a @ (self.t.T @ (self.z_t @ e)), out=e)
        return residuals


def _exact_gap_variances(
    design: Design,
    values: FloatArray,
    domains: list[tuple[str, list[str], IntArray]],
    cells: NDArray[np.intp],
) -> FloatArray:
    """The gap's variance from its explicit influence values ``u_d - u``, for the few cells
    (level, column) where ``V_d + V - 2 C_d`` lost too many digits to cancellation."""
    masks = [codes == j for _name, labels, codes in domains for j in range(len(labels))]
    w = np.asarray(design.weights)
    out = np.empty(len(cells))
    for start in range(0, len(cells), CHUNK):
        block = cells[start : start + CHUNK]
        infl = np.empty((design.n, len(block)))
        for j, (lev, col) in enumerate(block.tolist()):
            y = values[:, col]
            answered = ~np.isnan(y)
            y0 = np.where(answered, y, 0.0)
            parts = []
            for mask in (answered & masks[lev], answered):
                wm = w * mask
                pop = wm.sum()
                parts.append(wm * (y0 - (wm @ y0) / pop) / pop if pop > 0 else np.zeros(design.n))
            infl[:, j] = parts[0] - parts[1]
        out[start : start + len(block)] = taylor_variance(design, infl)
    return out
