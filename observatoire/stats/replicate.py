"""Estimates with replicate-weight variances (JK1, JKn, bootstrap), as R's ``svrepdesign``.

Each replicate ``r`` re-weights the sample with ``w_i a_ir`` (``a`` from
:func:`~observatoire.stats.variance.replicate_weights`); the estimate is recomputed with
those weights and ``V = scale sum_r rscale_r (theta_r - thetabar)^2`` (Wolter 2007, ch. 4;
Lumley 2010, §2.3).  All replicates, variables and domains are computed with matrix
products: ``theta_r = (W_r I_d)' Y / (W_r' I_d)``.

For a calibrated design each replicate's sampling weights go through the same
calibration steps again (see ``recalibrate``), as R's replicate-design methods do.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from .ci import confidence_interval
from .design import Design
from .errors import StatsError
from .estimators import Estimates, Kind, _columns, _domains
from .variance import ReplicateType, ReplicateWeights, replicate_weights


def replicate_estimate(
    design: Design,
    variables: Mapping[str, ArrayLike],
    *,
    kind: Kind = "mean",
    by: Mapping[str, ArrayLike] | None = None,
    overall: bool = True,
    type: ReplicateType = "JKn",
    replicates: int = 50,
    seed: int = 0,
    weights: ReplicateWeights | None = None,
    level: float = 0.95,
    mse: bool = False,
    recalibrate: bool = True,
) -> Estimates:
    """Means, totals or proportions with replicate-weight standard errors.

    Without ``weights`` the replicate factors are built with :func:`replicate_weights`.
    For a calibrated design, ``recalibrate`` (the default) applies the replicate factors
    to the sampling weights and redoes every post-stratification, raking or calibration
    step on each replicate, which is what R does when those functions are called on a
    replicate design; otherwise the factors multiply the final weights.
    ``mse=True`` centres on the full-sample estimate (R's ``mse=TRUE``).  The CI is Wald.
    """
    if kind not in ("mean", "total", "proportion"):
        raise StatsError(f"Type d'estimation inconnu : « {kind} ».")
    rep = (
        weights
        if weights is not None
        else replicate_weights(design, type, replicates=replicates, seed=seed)
    )
    cols = _columns(design, variables, kind, na_rm=False)
    domains = _domains(design, by, overall)
    k = cols.values.shape[1]
    w = np.asarray(design.weights)
    if recalibrate and design.is_calibrated:
        base = np.asarray(design.base_weights)
        columns = [
            design.replay(base * rep.factors[:, r]).weights for r in range(rep.factors.shape[1])
        ]
        wrep = np.column_stack(columns) if columns else np.zeros((design.n, 0))
    else:
        wrep = w[:, None] * rep.factors
    y = cols.values
    est_all, se_all, n_all, pop_all = [], [], [], []
    for dom in domains:
        mask = np.ones(design.n) if dom.mask is None else dom.mask.astype(np.float64)
        wd = w * mask
        full_sum = wd @ y
        full_pop = wd.sum()
        rep_sum = (wrep * mask[:, None]).T @ y
        rep_pop = (wrep * mask[:, None]).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            if kind == "total":
                full = full_sum
                thetas = rep_sum
            else:
                full = full_sum / full_pop
                thetas = rep_sum / rep_pop[:, None]
        var = rep.variance(thetas, full if mse else None) if thetas.shape[0] else np.zeros(k)
        est_all.append(full)
        se_all.append(np.sqrt(var))
        n_all.append(np.full(k, float((wd != 0).sum())))
        pop_all.append(np.full(k, full_pop))
    est = np.concatenate(est_all)
    se = np.concatenate(se_all)
    low, high = confidence_interval(est, se, method="wald", level=level)
    m = k * len(domains)
    return Estimates(
        variable=[v for _ in domains for v in cols.variable],
        category=[c for _ in domains for c in cols.category],
        domain=[d.name for d in domains for _ in range(k)],
        domain_level=[d.level for d in domains for _ in range(k)],
        kind=[kind] * m,
        estimate=est,
        se=se,
        ci_low=low,
        ci_high=high,
        n=np.concatenate(n_all).astype(np.int64),
        population=np.concatenate(pop_all),
        deff=np.full(m, np.nan),
        df=np.repeat(np.array([d.df for d in domains], dtype=np.int64), k),
        ci_method=[f"wald ({rep.type})"] * m,
    )
