"""Estimates with replicate-weight variances, as R's ``svrepdesign`` and ``as.svrepdesign``.

Each replicate ``r`` re-weights the sample (weights ``w_ir``, given with the data or built
from the design by :func:`~observatoire.stats.variance.replicate_weights`); the estimate is
recomputed with those weights and ``V = scale sum_r rscale_r (theta_r - c)^2`` with ``c``
the mean of the replicates, or the full-sample estimate with ``mse`` (Wolter 2007, ch. 4;
Lumley 2010, §2.3).  All replicates, variables and domains are computed with matrix
products: ``theta_r = (W_r I_d)' Y / (W_r' I_d)``.

For a calibrated design each replicate's weights go through the same calibration steps
again (``Design.replay``), as R's methods for replicate designs do.  In a design file,
``repweights:`` gives the replicate columns (R's ``svrepdesign``, with R's default
``scale`` and ``rscales`` per type) and ``replicates:`` builds them (``as.svrepdesign``:
JK1, JKn, bootstrap, BRR, Fay).  Means, totals and proportions are computed here;
quantiles, tables and models take a :class:`Replicated` in their own modules
(``replicate_quantiles``, ``crosstab(replicated=)``, ``fit_model(replicated=)``), with
:meth:`Replicated.variance`, :meth:`Replicated.covariance` and :meth:`Replicated.df`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .ci import CIMethod, confidence_interval
from .design import Design, FloatArray, as_float_vector
from .errors import StatsError
from .estimators import Estimates, Kind, _columns, _domains, cross
from .schema import Located
from .variance import ReplicateType, ReplicateWeights, replicate_weights


@dataclass(frozen=True)
class Replicated:
    """A design with its replicate weights: ``weights`` is ``n x R`` (final weights of each
    replicate, calibrated as the full sample), ``rep`` gives ``scale`` and ``rscales``."""

    design: Design
    weights: FloatArray
    rep: ReplicateWeights
    mse: bool = False
    _ranks: dict[bytes, int] = field(default_factory=dict, compare=False, repr=False)

    def variance(self, deviations: FloatArray) -> FloatArray:
        """Variance of each column of ``theta_r - theta`` (``R x m``), centred as R's
        ``svrVar`` (on the replicates' mean, or on the full sample with ``mse``)."""
        if not deviations.shape[0]:
            return np.zeros(deviations.shape[1])
        return self.rep.variance(deviations, np.zeros(deviations.shape[1]) if self.mse else None)

    def covariance(self, deviations: FloatArray) -> FloatArray:
        """Covariance matrix of the columns of ``theta_r - theta`` (``R x m``)."""
        m = deviations.shape[1]
        if not deviations.shape[0]:
            return np.zeros((m, m))
        return self.rep.covariance(deviations, np.zeros(m) if self.mse else None)

    def df(self, rows: NDArray[np.bool_] | None = None) -> int:
        """R's ``degf`` of a replicate design (or of its subset ``rows``): the rank of the
        replicate weights, columns dropped when less than 1e-5 of their norm is left
        (``qr(tol = 1e-5)``), minus one."""
        key = b"" if rows is None else np.packbits(rows).tobytes()
        if key not in self._ranks:  # the same domains come back for every variable
            self._ranks[key] = self._rank(self.weights if rows is None else self.weights[rows])
        return self._ranks[key] - 1

    @staticmethod
    def _rank(w: FloatArray) -> int:
        """Rank of ``w`` as R's ``qr(w, tol = 1e-5)$rank`` (a column whose residual after
        the previous ones is below 1e-5 of its norm does not count)."""
        from scipy.linalg import solve_triangular

        gram = w.T @ w
        chol = np.zeros_like(gram)  # Cholesky factor of the kept columns' Gram matrix
        kept: list[int] = []
        for j in range(gram.shape[0]):
            norm2 = gram[j, j]
            if norm2 <= 0:
                continue
            r = len(kept)
            proj = solve_triangular(chol[:r, :r], gram[kept, j], lower=True) if r else chol[0, :0]
            left = norm2 - float(proj @ proj)
            if left > 1e-10 * norm2:  # residual norm above 1e-5 of the column's
                chol[r, :r] = proj
                chol[r, r] = np.sqrt(left)
                kept.append(j)
        return len(kept)


def replicate_design(
    design: Design,
    type: ReplicateType = "JKn",
    *,
    replicates: int = 50,
    seed: int = 0,
    rho: float = 0.0,
    mse: bool = False,
    recalibrate: bool = True,
) -> Replicated:
    """Replicate weights built from ``design`` (R's ``as.svrepdesign``).

    For a calibrated design, ``recalibrate`` (the default) applies the replicate factors
    to the sampling weights and redoes every calibration step on each replicate, which is
    what R does when those functions are called on a replicate design; otherwise the
    factors multiply the final weights.
    """
    rep = replicate_weights(design, type, replicates=replicates, seed=seed, rho=rho)
    if recalibrate and design.is_calibrated:
        base = np.asarray(design.base_weights)
        columns = [
            design.replay(base * rep.factors[:, r]).weights for r in range(rep.factors.shape[1])
        ]
        wrep = np.column_stack(columns) if columns else np.zeros((design.n, 0))
    else:
        wrep = np.asarray(design.weights)[:, None] * rep.factors
    return Replicated(design, wrep, rep, mse)


#: R's ``svrepdesign`` default ``scale`` for ``R`` replicates (``rho`` for Fay).
DEFAULT_SCALE: dict[str, Callable[[int, float], float]] = {
    "BRR": lambda r, rho: 1.0 / r,
    "Fay": lambda r, rho: 1.0 / (r * (1.0 - rho) ** 2),
    "JK1": lambda r, rho: (r - 1.0) / r,
    "JKn": lambda r, rho: 1.0,
    "bootstrap": lambda r, rho: 1.0 / (r - 1.0),
}


def _at(spec: Mapping[str, Any], key: str) -> str:
    """``ligne 4 : « columns » de « repweights »`` for a message about ``spec[key]``."""
    line = spec.line_of(key) if isinstance(spec, Located) else None
    return (f"ligne {line} : " if line else "") + f"« {key} » de « repweights »"


def given_replicates(
    design: Design, data: Mapping[str, NDArray[Any]], spec: Mapping[str, Any]
) -> Replicated:
    """The ``repweights:`` section: replicate weight columns of ``data`` (R's
    ``svrepdesign``), re-calibrated by the design's calibration steps if any."""
    pattern = spec["columns"]
    if isinstance(pattern, str):
        names = [c for c in data if fnmatch.fnmatchcase(c, pattern)]
        if not names:
            raise StatsError(
                f"{_at(spec, 'columns')} : le motif « {pattern} » ne désigne aucune colonne "
                "des données (« * » remplace n'importe quels caractères : rw_*)."
            )
    else:
        names = list(pattern)
        for name in names:
            if name not in data:
                raise StatsError(f"{_at(spec, 'columns')} : colonne absente « {name} ».")
    count = len(names)
    kind = spec["type"]
    if kind == "bootstrap" and count < 2:
        raise StatsError(f"{_at(spec, 'columns')} : le bootstrap demande au moins deux répliques.")
    rows = []
    for name in names:
        column = as_float_vector(data[name], name, design.n)
        if (column < 0).any():
            row = int(np.flatnonzero(column < 0)[0]) + 1
            raise StatsError(
                f"{_at(spec, 'columns')} : la colonne « {name} » contient un poids négatif "
                f"(ligne {row} des données)."
            )
        rows.append(column)
    given = np.column_stack(rows)
    if not spec.get("combined_weights", True):  # factors of the sampling weights
        given = np.asarray(design.base_weights)[:, None] * given
    if design.is_calibrated:
        given = np.column_stack([design.replay(given[:, r]).weights for r in range(count)])
    rscales = spec.get("rscales", 1.0)
    if isinstance(rscales, list) and len(rscales) != count:
        raise StatsError(
            f"{_at(spec, 'rscales')} : {len(rscales)} valeurs pour {count} répliques ; "
            "donnez-en une seule, ou une par réplique."
        )
    scale = spec.get("scale", DEFAULT_SCALE[kind](count, spec.get("rho", 0.0)))
    rep = ReplicateWeights(
        np.ones((design.n, 0)), float(scale), np.broadcast_to(rscales, (count,)).copy(), kind
    )
    return Replicated(design, given, rep, bool(spec.get("mse", False)))


def replicated_design(
    spec: Mapping[str, Any], data: Mapping[str, NDArray[Any]], design: Design, file: str
) -> Replicated | None:
    """The replicate weights a design file asks for (``repweights`` or ``replicates``), or
    None.  Every estimate kind, table and model takes them; refused is ``ci: logit`` (R
    refits a logistic model per replicate to its glm tolerance: not reproducible to the
    last digits)."""
    if "repweights" not in spec and "replicates" not in spec:
        return None
    key = "repweights" if "repweights" in spec else "replicates"
    for i, req in enumerate(spec["estimates"], start=1):
        if req["kind"] != "quantile" and req.get("ci") == "logit":
            raise StatsError(
                f"{file} : estimation n° {i} : avec des poids répliqués (« {key} »), "
                "l'intervalle logit n'est pas calculé (R l'obtient en ajustant un modèle "
                "logistique sur chaque réplique, à la tolérance près de sa convergence) : "
                "choisissez ci: beta, mean ou wald."
            )
    try:
        if key == "repweights":
            return given_replicates(design, data, spec[key])
        args = spec[key]
        return replicate_design(
            design,
            args["type"],
            replicates=args.get("replicates", 50),
            seed=args.get("seed", 0),
            rho=float(args.get("rho", 0.0)),
            mse=bool(args.get("mse", False)),
        )
    except StatsError as exc:
        raise StatsError(f"{file} : {exc}") from None


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
    weights: ReplicateWeights | Replicated | None = None,
    level: float = 0.95,
    mse: bool = False,
    recalibrate: bool = True,
    na_rm: bool = False,
    ci: CIMethod = "wald",
) -> Estimates:
    """Means, totals or proportions with replicate-weight standard errors.

    ``weights`` is a :class:`Replicated` (its ``mse`` then applies), replicate factors of
    the design's weights, or None to build them (:func:`replicate_design` with ``type``,
    ``replicates``, ``seed``, ``recalibrate``).  ``mse=True`` centres on the full-sample
    estimate (R's ``mse=TRUE``).  With ``na_rm`` a missing answer leaves the respondent out
    of that variable's estimates.  The CI is Wald, or ``ci`` ``mean``/``beta`` as R's
    ``svyciprop`` on the replicate design.
    """
    if isinstance(weights, Replicated):
        replicated = weights
    elif weights is not None:
        w = np.asarray(design.weights)
        replicated = Replicated(design, w[:, None] * weights.factors, weights, mse)
    else:
        replicated = replicate_design(
            design, type, replicates=replicates, seed=seed, mse=mse, recalibrate=recalibrate
        )
    return _replicate_estimates(replicated, variables, kind, by, overall, level, na_rm, ci)


def _replicate_estimates(
    replicated: Replicated,
    variables: Mapping[str, ArrayLike],
    kind: Kind,
    by: Mapping[str, ArrayLike] | None,
    overall: bool,
    level: float,
    na_rm: bool,
    ci: CIMethod = "wald",
) -> Estimates:
    """Every variable in every domain, full sample and replicates (see :func:`replicate_estimate`).

    ``ci`` ``mean`` and ``beta`` are R's ``svyciprop`` on the replicate design (``svyby``
    subsets it per domain, ``na.rm`` drops the missing answers): Student's t on the ``degf``
    of those rows, Korn–Graubard with their number of rows."""
    if kind not in ("mean", "total", "proportion"):
        raise StatsError(f"Type d'estimation inconnu : « {kind} ».")
    design, rep = replicated.design, replicated.rep
    cols = _columns(design, variables, kind, na_rm)
    domains = _domains(design, by, overall)
    k = cols.values.shape[1]
    w = np.asarray(design.weights)
    wrep = replicated.weights
    answered = ~np.isnan(cols.values)
    y = np.where(answered, cols.values, 0.0)
    ans = answered.astype(np.float64)
    est_all, se_all, n_all, pop_all, df_all, rows_all = [], [], [], [], [], []
    for dom in domains:
        mask = np.ones(design.n) if dom.mask is None else dom.mask.astype(np.float64)
        if ci != "wald":  # the rows R's subset keeps, per column
            kept = answered & (mask[:, None] > 0)
            df_all.append([replicated.df(kept[:, j]) for j in range(k)])
            rows_all.append(kept.sum(axis=0))
        wd = w * mask
        wr = wrep * mask[:, None]
        full_sum = wd @ y
        full_pop = wd @ ans
        rep_pop = wr.T @ ans
        with np.errstate(divide="ignore", invalid="ignore"):
            # theta_r - theta from centred sums, so that a near-constant variable keeps
            # its digits (40,000 values 10,000 +- 10: 1e-10 against R's exact SE)
            if kind == "total":
                full = full_sum
                dev = (wr - wd[:, None]).T @ y
            else:
                centre = np.where(np.isfinite(full_sum / full_pop), full_sum / full_pop, 0.0)
                centred = y - centre * ans  # exact for a near-constant variable
                shift = (wd @ centred) / full_pop  # the centre's rounding error
                full = centre + shift
                dev = (wr.T @ centred) / rep_pop - shift
        var = replicated.variance(dev)
        est_all.append(full)
        se_all.append(np.sqrt(np.where(full_pop > 0, var, np.nan)))
        n_all.append((wd != 0).astype(np.float64) @ ans)
        pop_all.append(full_pop)
    est = np.concatenate(est_all)
    se = np.concatenate(se_all)
    n_obs = np.concatenate(n_all)
    if ci == "wald":
        low, high = confidence_interval(est, se, method="wald", level=level)
    else:
        low, high = confidence_interval(
            est,
            se,
            method=ci,
            level=level,
            df=np.concatenate(df_all).astype(np.float64),
            n=n_obs,
            nrow=np.concatenate(rows_all).astype(np.float64),
        )
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
        n=n_obs.astype(np.int64),
        population=np.concatenate(pop_all),
        deff=np.full(m, np.nan),
        df=np.repeat(np.array([d.df for d in domains], dtype=np.int64), k),
        ci_method=[f"{ci} ({rep.type})"] * m,
    )


def replicate_many(
    replicated: Replicated,
    requests: Sequence[Mapping[str, Any]],
    data: Mapping[str, ArrayLike],
    *,
    progress: Callable[[int], None] | None = None,
) -> Estimates:
    """The design file's requests with replicate variances (as ``estimate_many``)."""
    parts = []
    for done, req in enumerate(requests, start=1):
        by: dict[str, ArrayLike] = {}
        for entry in req.get("by") or []:
            names = [entry] if isinstance(entry, str) else list(entry)
            by[":".join(names)] = (
                data[names[0]] if len(names) == 1 else cross(*(data[nm] for nm in names))
            )
        parts.append(
            _replicate_estimates(
                replicated,
                {req["variable"]: data[req["variable"]]},
                req.get("kind", "mean"),
                by,
                bool(req.get("overall", True)),
                float(req.get("level", 0.95)),
                bool(req.get("na_rm", False)),
                req.get("ci", "wald"),
            )
        )
        if progress is not None:
            progress(done)
    return Estimates.concat(parts)
