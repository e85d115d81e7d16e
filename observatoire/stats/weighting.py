"""Weighting: design weights, post-stratification, raking, calibration, trimming.

* Design weights of a stratified simple random sample: ``w_hi = N_h / n_h``.
* Post-stratification (Lumley 2010, §7.2): ``w_i <- w_i N_g / Nhat_g`` for the post-stratum
  ``g`` of unit ``i``.
* Raking (iterative proportional fitting, Deming & Stephan 1940; Lumley 2010, §7.3):
  post-stratify on each margin in turn until every margin is met.
* Calibration (Deville & Särndal 1992; Särndal, Swensson & Wretman 1992, §6.5): find
  ``w_i = d_i F(x_i' lambda)`` with ``sum_i w_i x_i = T_x``.  ``calfun="linear"`` gives
  the GREG weights ``g_i = 1 + x_i' (X' D X)^{-1} (T_x - That_x)``; ``"raking"`` uses
  ``F(u) = exp(u)`` (solved by Newton's method, as R's ``grake``); bounds on ``g``
  truncate the linear function.

Each function returns a new :class:`~observatoire.stats.design.Design` that records the
step, so that variances use the calibration residuals (the *g*-weighted residuals of the
weighted regression of the influence values on ``x``), exactly as R's ``svyrecvar``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .design import (
    CalibrationStep,
    Design,
    FloatArray,
    IntArray,
    Projection,
    as_float_vector,
    factorize,
    label,
    level_key,
    level_lookup,
    new_key,
    sample_level_keys,
)
from .errors import ConvergenceError, StatsError

#: Number of back-fitting sweeps R's ``svyrecvar`` uses for raked designs.
RAKING_VARIANCE_SWEEPS = 10


def _onehot(codes: IntArray, n_levels: int) -> FloatArray:
    out = np.zeros((codes.shape[0], n_levels))
    out[np.arange(codes.shape[0]), codes] = 1.0
    return out


def _population_vector(
    labels: list[Any], population: Mapping[Any, float], name: str
) -> tuple[FloatArray, list[Any]]:
    """Population totals aligned on the sample labels; also the labels only in population.

    Levels are matched by value (:func:`level_key`): ``1``, ``1.0`` and ``"1"`` are one.
    """
    lookup: dict[Any, tuple[Any, float]] = {}
    for k, (key, value) in level_lookup(population, name).items():
        try:
            total = float(value)
        except (TypeError, ValueError) as exc:
            raise StatsError(
                f"Marge « {name} » : le total de « {key} » n'est pas un nombre ({value!r})."
            ) from exc
        if not np.isfinite(total) or total < 0:
            raise StatsError(f"Marge « {name} » : le total de « {key} » doit être positif.")
        lookup[k] = (key, total)
    keys = sample_level_keys(labels, name)
    values = np.empty(len(labels))
    for j, k in enumerate(keys):
        if k not in lookup:
            raise StatsError(
                f"Marge « {name} » : la modalité « {label(labels[j])} » est présente dans "
                "l'échantillon mais absente des totaux de population."
            )
        values[j] = lookup[k][1]
    present = set(keys)
    only_pop = [str(key) for k, (key, v) in lookup.items() if k not in present and v > 0]
    return values, only_pop


def cells_of(codes: Sequence[IntArray]) -> tuple[IntArray, IntArray]:
    """Cells of the cross-classification of several factors.

    Returns the cell of each row and one representative row per cell.  Raking and
    calibration on categorical margins only depend on the cells, so they are solved on the
    cell table (a few hundred cells) rather than on the ``n`` rows.
    """
    combined = np.zeros(codes[0].shape[0], dtype=np.int64)
    for c in codes:
        combined = combined * (int(c.max()) + 1 if c.size else 1) + c
    uniq, first, cell = np.unique(combined, return_index=True, return_inverse=True)
    del uniq
    return cell.astype(np.intp), first.astype(np.intp)


def stratified_weights(strata: ArrayLike, population: Mapping[Any, float]) -> FloatArray:
    """Design weights ``N_h / n_h`` of a stratified simple random sample."""
    codes, labels = factorize(strata, "strata")
    totals, _only_pop = _population_vector(labels, population, "strata")
    counts = np.bincount(codes, minlength=len(labels)).astype(np.float64)
    if (totals < counts).any():
        j = int(np.flatnonzero(totals < counts)[0])
        raise StatsError(
            f"Strate « {labels[j]} » : {int(counts[j])} répondants pour une population de "
            f"{totals[j]:g}."
        )
    return np.asarray((totals / counts)[codes], dtype=np.float64)


def _check_cells(
    name: str, labels: list[Any], sample: FloatArray, pop: FloatArray, only_pop: list[str]
) -> None:
    if only_pop:
        raise StatsError(
            f"Marge « {name} » : la case « {only_pop[0]} » est vide dans l'échantillon alors "
            "que sa population n'est pas nulle ; regroupez des modalités."
        )
    empty = (sample <= 0) & (pop > 0)
    if empty.any():
        j = int(np.flatnonzero(empty)[0])
        raise StatsError(
            f"Marge « {name} » : la case « {labels[j]} » n'a aucun poids dans l'échantillon "
            "alors que sa population n'est pas nulle ; regroupez des modalités."
        )


def post_stratify(
    design: Design,
    variable: ArrayLike,
    population: Mapping[Any, float],
    *,
    name: str = "poststrata",
) -> Design:
    """Post-stratify: ``w_i <- w_i N_g / sum_{j in g} w_j`` (R's ``postStratify``).

    ``variable`` gives each respondent's post-stratum; ``population`` maps each post-stratum
    to its population count ``N_g``.  A post-stratum present in the population but empty in
    the sample is an error that names it.  The variance then uses the residuals
    ``u_i - w_i ubar_g`` with ``ubar_g = sum_{j in g} u_j d_j / w_j / sum_{j in g} d_j``,
    as in R.
    """
    codes, labels = factorize(variable, name)
    if codes.shape[0] != design.n:
        raise StatsError(f"« {name} » n'a pas autant de lignes que le plan de sondage.")
    pop, only_pop = _population_vector(labels, population, name)
    old = np.asarray(design.weights)
    sample = np.bincount(codes, weights=old, minlength=len(labels)).astype(np.float64)
    _check_cells(name, labels, sample, pop, only_pop)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(sample > 0, pop / sample, 0.0)
    new = old * ratio[codes]
    psw = new.copy()
    zeroes = (psw == 0) & (old == 0)
    psw[zeroes] = 1.0
    onehot = _onehot(codes, len(labels))
    old_sum = np.bincount(codes, weights=old, minlength=len(labels))
    with np.errstate(divide="ignore", invalid="ignore"):
        a = (
            onehot
            * np.where(psw > 0, old / psw, 0.0)[:, None]
            / np.where(old_sum > 0, old_sum, 1.0)
        )
    z = onehot * psw[:, None]
    step = CalibrationStep(
        "postStratify",
        (Projection(a, z, new_key(), new_key()),),
        f"postStratify({name})",
        lambda d: post_stratify(d, variable, population, name=name),
    )
    return design.with_weights(new, step)


@dataclass(frozen=True)
class Margin:
    """One raking margin: the respondents' categories and the population count per category."""

    name: str
    values: ArrayLike
    population: Mapping[Any, float]


def _as_margins(margins: Sequence[Margin] | Mapping[str, Any]) -> list[Margin]:
    if isinstance(margins, Mapping):
        out = []
        for key, spec in margins.items():
            if isinstance(spec, Margin):
                out.append(spec)
            else:
                values, population = spec
                out.append(Margin(str(key), values, population))
        return out
    return list(margins)


def rake(
    design: Design,
    margins: Sequence[Margin] | Mapping[str, Any],
    *,
    tol: float = 1e-10,
    max_iter: int = 200,
) -> Design:
    """Rake the weights to several margins by iterative proportional fitting.

    ``margins`` is a list of :class:`Margin` or a mapping ``name -> (values, population)``.
    Iterates post-stratification on each margin until the largest relative gap between a
    weighted cell total and its population count is below ``tol``; raises
    :class:`ConvergenceError` naming the worst margin after ``max_iter`` sweeps.  Margins
    must describe the same population total (within ``1e-6`` relative), and an empty sample
    cell with a non-zero population is an error naming the margin and the cell.

    The variance follows R's ``rake``: ``RAKING_VARIANCE_SWEEPS`` back-fitting sweeps of
    ``u <- u - w ave(u / w, margin)`` over the margins (Lumley 2010, §7.3).
    """
    specs = _as_margins(margins)
    if not specs:
        raise StatsError("Le calage par raking demande au moins une marge.")
    coded: list[tuple[str, IntArray, list[Any], FloatArray]] = []
    w = np.asarray(design.weights).copy()
    grand: list[tuple[str, float]] = []
    for m in specs:
        codes, labels = factorize(m.values, m.name)
        if codes.shape[0] != design.n:
            raise StatsError(
                f"Marge « {m.name} » : {codes.shape[0]} valeurs pour {design.n} lignes "
                "(longueurs différentes)."
            )
        pop, only_pop = _population_vector(labels, m.population, m.name)
        sample = np.bincount(codes, weights=w, minlength=len(labels)).astype(np.float64)
        _check_cells(m.name, labels, sample, pop, only_pop)
        coded.append((m.name, codes, labels, pop))
        grand.append((m.name, float(pop.sum())))
    ref_name, ref_total = grand[0]
    for name, total in grand[1:]:
        if abs(total - ref_total) > 1e-6 * max(abs(ref_total), 1.0):
            raise StatsError(
                f"Les marges ne totalisent pas la même population : « {ref_name} » = "
                f"{ref_total:g}, « {name} » = {total:g}."
            )
    # Iterative proportional fitting on the cells of the cross-classification.
    cell, first = cells_of([codes for _n, codes, _l, _p in coded])
    cell_w = np.bincount(cell, weights=w, minlength=first.size)
    cell_codes = [codes[first] for _n, codes, _l, _p in coded]
    factor = np.ones(first.size)
    worst_name, worst = "", np.inf
    for _ in range(max_iter):
        for (_name, _codes, labels, pop), cc in zip(coded, cell_codes, strict=True):
            sample = np.bincount(cc, weights=cell_w * factor, minlength=len(labels)).astype(float)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(sample > 0, pop / sample, 0.0)
            factor *= ratio[cc]
        worst, worst_name = 0.0, ""
        for (name, _codes, labels, pop), cc in zip(coded, cell_codes, strict=True):
            sample = np.bincount(cc, weights=cell_w * factor, minlength=len(labels)).astype(float)
            gap = float(np.max(np.abs(sample - pop) / np.maximum(pop, 1.0)))
            if gap > worst:
                worst, worst_name = gap, name
        if worst < tol:
            break
    else:
        raise ConvergenceError(
            f"Le raking n'a pas convergé en {max_iter} itérations : la marge « {worst_name} » "
            f"reste à un écart relatif de {worst:.2e}."
        )
    w = w * factor[cell]
    projections: list[Projection] = []
    inv = np.where(w > 0, 1.0 / np.where(w > 0, w, 1.0), 0.0)
    base: list[tuple[FloatArray, FloatArray, int, int]] = []
    for _name, codes, labels, _pop in coded:
        onehot = _onehot(codes, len(labels))
        counts = onehot.sum(axis=0)
        a = onehot * inv[:, None] / counts
        z = onehot * w[:, None]
        base.append((a, z, new_key(), new_key()))
    for _ in range(RAKING_VARIANCE_SWEEPS):
        for a, z, ka, kz in base:
            projections.append(Projection(a, z, ka, kz))
    names = ", ".join(m.name for m in specs)
    step = CalibrationStep(
        "rake",
        tuple(projections),
        f"rake({names})",
        lambda d: rake(d, specs, tol=tol, max_iter=max_iter),
    )
    return design.with_weights(w, step)


CalFun = Literal["linear", "raking"]


def model_matrix(
    design_n: int,
    categorical: Mapping[str, ArrayLike] | None = None,
    numeric: Mapping[str, ArrayLike] | None = None,
    *,
    intercept: bool = True,
) -> tuple[
    FloatArray, list[str], dict[str, tuple[str, Any]], dict[str, tuple[IntArray, list[Any]]]
]:
    """A model matrix with R's treatment coding: intercept, dummies for levels 2.., numerics.

    Returns the matrix, the column names (R style: ``"(Intercept)"``, ``"stypeH"``,
    ``"enroll"``), for each dummy column the pair ``(variable, level)``, and the sample
    codes and levels of each categorical variable.
    """
    names: list[str] = []
    dummies: dict[str, tuple[str, Any]] = {}
    levels: dict[str, tuple[IntArray, list[Any]]] = {}
    pieces: list[tuple[str, Any]] = []  # ("one", None) | ("dummy", (codes, level)) | ("num", v)
    if intercept:
        pieces.append(("one", None))
        names.append("(Intercept)")
    for var, values in (categorical or {}).items():
        codes, labels = factorize(values, var)
        if codes.shape[0] != design_n:
            raise StatsError(f"« {var} » n'a pas autant de lignes que le plan de sondage.")
        levels[var] = (codes, labels)
        start = 1 if intercept or pieces else 0
        for j in range(start, len(labels)):
            pieces.append(("dummy", (codes, j)))
            names.append(f"{var}{labels[j]}")
            dummies[names[-1]] = (var, labels[j])
    for var, values in (numeric or {}).items():
        pieces.append(("num", as_float_vector(values, var, design_n)))
        names.append(var)
    if not pieces:
        raise StatsError("Le calage demande au moins une variable.")
    out = np.zeros((design_n, len(pieces)))
    rows = np.arange(design_n)
    for col, (what, data) in enumerate(pieces):
        if what == "one":
            out[:, col] = 1.0
        elif what == "dummy":
            codes, j = data
            hit = rows[codes == j]
            out[hit, col] = 1.0
        else:
            out[:, col] = data
    return out, names, dummies, levels


def _orthonormal_basis(xs: FloatArray) -> FloatArray:
    """Orthonormal basis of the column space of ``xs`` (n x p, n >> p).

    CholeskyQR2 on equilibrated columns (Fukaya et al. 2014): two Cholesky passes give an
    orthogonality error of the order of the machine epsilon for condition numbers up to
    about 1e7, at the cost of a few matrix products — much faster than Householder QR for
    tall matrices.  Rank-deficient matrices use the eigen-decomposition of the Gram matrix.
    """
    from scipy import linalg  # imported here: it takes longer than a small run

    norms = np.sqrt(np.einsum("ij,ij->j", xs, xs))
    keep = norms > 0
    q = xs[:, keep] / norms[keep]
    for _ in range(2):
        gram = q.T @ q
        try:
            chol = np.linalg.cholesky(gram)
        except np.linalg.LinAlgError:
            break
        diag = np.diag(chol)
        if diag.min() <= 1e-7 * diag.max():
            break
        inv = linalg.solve_triangular(chol, np.eye(chol.shape[0]), lower=True)
        q = q @ inv.T
    else:
        return np.asarray(q, dtype=np.float64)
    # Rank-deficient: keep the eigenvectors of the Gram matrix with non-negligible values.
    q = xs[:, keep] / norms[keep]
    vals, vecs = np.linalg.eigh(q.T @ q)
    big = vals > 1e-12 * vals.max()
    basis = q @ (vecs[:, big] / np.sqrt(vals[big]))
    chol = np.linalg.cholesky(basis.T @ basis)
    inv = linalg.solve_triangular(chol, np.eye(chol.shape[0]), lower=True)
    return np.asarray(basis @ inv.T, dtype=np.float64)


def _basis_coefficients(x: FloatArray, weights: FloatArray) -> FloatArray:
    """``C`` such that ``diag(sqrt(weights)) x C`` has orthonormal columns.

    CholeskyQR2 computed on the Gram matrix ``x' diag(weights) x`` (equilibrated), so it
    also works on a table of cells (``weights`` the summed weights of each cell); columns
    that are linear combinations of others are dropped through an eigen-decomposition.
    """
    from scipy import linalg  # imported here: it takes longer than a small run

    gram = (x * weights[:, None]).T @ x
    norms = np.sqrt(np.diag(gram))
    keep = norms > 0
    inv_norm = np.zeros_like(norms)
    inv_norm[keep] = 1.0 / norms[keep]
    coef = np.diag(inv_norm)[:, keep]
    for _ in range(2):
        g2 = coef.T @ gram @ coef
        try:
            chol = np.linalg.cholesky(g2)
        except np.linalg.LinAlgError:
            break
        diag = np.diag(chol)
        if diag.min() <= 1e-7 * diag.max():
            break
        coef = coef @ linalg.solve_triangular(chol, np.eye(chol.shape[0]), lower=True).T
    else:
        return np.asarray(coef, dtype=np.float64)
    scaled = np.diag(inv_norm)[:, keep]
    vals, vecs = np.linalg.eigh(scaled.T @ gram @ scaled)
    big = vals > 1e-12 * vals.max()
    coef = scaled @ (vecs[:, big] / np.sqrt(vals[big]))
    chol = np.linalg.cholesky(coef.T @ gram @ coef)
    coef = coef @ linalg.solve_triangular(chol, np.eye(chol.shape[0]), lower=True).T
    return np.asarray(coef, dtype=np.float64)


def calibrate_matrix(
    design: Design,
    x: ArrayLike,
    totals: ArrayLike,
    *,
    calfun: CalFun = "linear",
    bounds: tuple[float, float] | None = None,
    tol: float = 1e-10,
    max_iter: int = 50,
    names: Sequence[str] | None = None,
    cells: tuple[IntArray, IntArray] | None = None,
) -> Design:
    """Calibrate the weights so that ``sum_i w_i x_i = totals`` (R's ``calibrate``).

    ``x`` is the ``n x p`` matrix of auxiliary variables, ``totals`` their population
    totals.  ``calfun="linear"`` without bounds has the closed form (GREG weights)
    ``g = 1 + X (X' D X)^{-1} (T - X' d)``; otherwise Newton's method solves
    ``sum_i d_i F(x_i' lambda) x_i = T`` with ``F = 1 + u`` truncated to ``bounds`` (linear)
    or ``F = exp(u)`` (raking), as R's ``grake`` (Deville & Särndal 1992).  Bounds are on
    ``g = w / d``.

    The variance uses R's residuals ``g_i d_i (z_i - x_i' B)`` with ``B`` the
    ``d``-weighted least-squares coefficient of ``z`` on ``x``.

    ``cells`` (the cell of each row and one row per cell, see :func:`cells_of`) says that
    ``x`` is constant within cells, so that Newton's method runs on the cell table.
    """
    xm = np.asarray(x, dtype=np.float64)
    if xm.ndim == 1:
        xm = xm[:, None]
    col_names = list(names) if names is not None else [f"x{j + 1}" for j in range(xm.shape[1])]
    if xm.shape[0] != design.n:
        raise StatsError(
            f"Calage : {xm.shape[0]} lignes de variables auxiliaires pour {design.n} répondants."
        )
    if not np.isfinite(xm).all():
        raise StatsError("Calage : les variables auxiliaires contiennent des valeurs manquantes.")
    target = np.asarray(totals, dtype=np.float64).ravel()
    if target.shape[0] != xm.shape[1]:
        raise StatsError(
            f"Calage : {target.shape[0]} totaux de population pour {xm.shape[1]} variables."
        )
    d = np.asarray(design.weights, dtype=np.float64)
    sample_total = xm.T @ d
    for j in range(xm.shape[1]):
        if sample_total[j] == 0 and target[j] != 0 and not np.any(xm[:, j] * d):
            raise StatsError(
                f"Calage : la variable « {col_names[j]} » est nulle dans l'échantillon alors que "
                "son total de population ne l'est pas (case vide)."
            )
    lower, upper = bounds if bounds is not None else (-np.inf, np.inf)
    whalf = np.sqrt(d)
    if calfun == "linear" and bounds is None:
        gram = (xm * d[:, None]).T @ xm
        lam = np.linalg.lstsq(gram, target - sample_total, rcond=None)[0]
        g = 1.0 + xm @ lam
    elif calfun in ("linear", "raking"):
        if cells is not None:
            cell, first = cells
            d_cell = np.bincount(cell, weights=d, minlength=first.size).astype(np.float64)
            g_cell = _newton_calibration(
                xm[first], d_cell, target, calfun, lower, upper, tol, max_iter, col_names
            )
            g = g_cell[cell]
        else:
            g = _newton_calibration(xm, d, target, calfun, lower, upper, tol, max_iter, col_names)
    else:
        raise StatsError(f"Fonction de calage inconnue : « {calfun} » (linear ou raking).")
    w_new = d * g
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_g = np.where(g * d != 0, 1.0 / g, 0.0)
    if cells is not None:
        # R's residual uses Q from qr(X sqrt(d)): A = Q / (g sqrt(d)) = X C / g and
        # Z = Q g sqrt(d) = X C w, with C computed once on the cell table.
        cell, first = cells
        d_cell = np.bincount(cell, weights=d, minlength=first.size).astype(np.float64)
        xc = xm[first] @ _basis_coefficients(xm[first], d_cell)
        base = xc[cell]
        a = base * inv_g[:, None]
        z = base * w_new[:, None]
    else:
        q = _orthonormal_basis(xm * whalf[:, None])
        scale = g * whalf
        with np.errstate(divide="ignore", invalid="ignore"):
            a = q * np.where(scale != 0, 1.0 / scale, 0.0)[:, None]
        z = q * scale[:, None]
    step = CalibrationStep(
        "calibrate",
        (Projection(a, z, new_key(), new_key()),),
        f"calibrate({', '.join(col_names)}; {calfun})",
        lambda d: calibrate_matrix(
            d,
            xm,
            target,
            calfun=calfun,
            bounds=bounds,
            tol=tol,
            max_iter=max_iter,
            names=col_names,
            cells=cells,
        ),
    )
    return design.with_weights(w_new, step)


def _newton_calibration(
    xm: FloatArray,
    d: FloatArray,
    target: FloatArray,
    calfun: str,
    lower: float,
    upper: float,
    tol: float,
    max_iter: int,
    names: Sequence[str],
) -> FloatArray:
    """Solve ``sum_i d_i F(x_i' eta) x_i = T`` by Newton's method (R's ``grake``)."""

    def fm1(u: FloatArray) -> FloatArray:
        if calfun == "raking":
            return np.asarray(np.expm1(u))
        return np.asarray(np.clip(u, lower - 1.0, upper - 1.0))

    def deriv(u: FloatArray) -> FloatArray:
        if calfun == "raking":
            return np.asarray(np.exp(u))
        return ((u < upper - 1.0) & (u > lower - 1.0)).astype(np.float64)

    eta = np.zeros(xm.shape[1])
    sample_total = xm.T @ d
    # As R's grake: when every total is far above the sample's, start from rescaled weights.
    with np.errstate(divide="ignore", invalid="ignore"):
        scales = target / sample_total
    rescale = float(np.mean(scales)) if np.all(scales > 20) else 1.0
    d = d * rescale
    sample_total = sample_total * rescale
    misfit = target - sample_total
    for _ in range(max_iter + 1):
        u = xm @ eta
        misfit = target - sample_total - xm.T @ (d * fm1(u))
        if np.all(np.abs(misfit) / (1.0 + np.abs(target)) < tol):
            g = (1.0 + fm1(u)) * rescale
            return np.asarray(g, dtype=np.float64)
        tmat = (xm * (d * deriv(u))[:, None]).T @ xm
        step = np.linalg.pinv(tmat, rcond=256 * np.finfo(float).eps) @ misfit
        eta = eta + step
        # Step halving while the weights overflow (as R) or the misfit grows (damping, so
        # that Newton's method also converges from far away; R would fail there).
        norm = float(np.linalg.norm(misfit))
        for _half in range(50):
            u = xm @ eta
            f = fm1(u)
            if np.isfinite(f).all():
                new_misfit = target - sample_total - xm.T @ (d * f)
                if float(np.linalg.norm(new_misfit)) <= norm or _half >= 30:
                    break
            step = step / 2
            eta = eta - step
    j = int(np.argmax(np.abs(misfit) / (1.0 + np.abs(target))))
    raise ConvergenceError(
        f"Le calage n'a pas convergé en {max_iter} itérations : le total de « {names[j]} » "
        "n'est pas atteint (bornes trop étroites ou case vide ?)."
    )


def calibrate(
    design: Design,
    *,
    margins: Mapping[str, tuple[ArrayLike, Mapping[Any, float]]] | None = None,
    totals: Mapping[str, tuple[ArrayLike, float]] | None = None,
    population: float | None = None,
    calfun: CalFun = "linear",
    bounds: tuple[float, float] | None = None,
    tol: float = 1e-10,
    max_iter: int = 50,
) -> Design:
    """Calibrate to categorical margins and numeric totals (R: ``calibrate(design, ~a+b+x)``).

    ``margins`` maps a variable to ``(values, {level: count})``; ``totals`` maps a numeric
    variable to ``(values, population total)``; ``population`` is the population size
    (implied by the margins when omitted).  The model matrix uses R's treatment coding, so
    the results equal ``calibrate(design, ~ a + b + x, c(N, counts of levels 2.., T_x))``.
    """
    margins = dict(margins or {})
    totals = dict(totals or {})
    cat_values = {name: spec[0] for name, spec in margins.items()}
    num_values = {name: spec[0] for name, spec in totals.items()}
    sizes: list[tuple[str, float]] = []
    for name, (_values, pop) in margins.items():
        sizes.append((name, float(sum(float(v) for v in pop.values()))))
    if population is not None:
        sizes.insert(0, ("population", float(population)))
    if not sizes:
        raise StatsError(
            "Le calage demande la taille de la population ou au moins une marge catégorielle."
        )
    for name, size in sizes[1:]:
        if abs(size - sizes[0][1]) > 1e-6 * max(abs(sizes[0][1]), 1.0):
            raise StatsError(
                f"Les marges ne totalisent pas la même population : « {sizes[0][0]} » = "
                f"{sizes[0][1]:g}, « {name} » = {size:g}."
            )
    xm, names, dummies, levels = model_matrix(design.n, cat_values, num_values, intercept=True)
    aligned = {
        var: _population_vector(levels[var][1], pop, var)[0] for var, (_v, pop) in margins.items()
    }
    target = np.empty(len(names))
    for j, col in enumerate(names):
        if col == "(Intercept)":
            target[j] = sizes[0][1]
        elif col in dummies:
            var, level = dummies[col]
            target[j] = aligned[var][levels[var][1].index(level)]
        else:
            target[j] = float(totals[col][1])
    for var, (_values, pop) in margins.items():
        present = set(sample_level_keys(levels[var][1], var))
        missing = [k for k, v in pop.items() if level_key(k) not in present and float(v) > 0]
        if missing:
            raise StatsError(
                f"Marge « {var} » : la case « {missing[0]} » est vide dans l'échantillon alors "
                "que sa population n'est pas nulle ; regroupez des modalités."
            )
    cells = (
        cells_of([codes for codes, _labels in levels.values()]) if levels and not totals else None
    )
    return calibrate_matrix(
        design,
        xm,
        target,
        calfun=calfun,
        bounds=bounds,
        tol=tol,
        max_iter=max_iter,
        names=names,
        cells=cells,
    )


def trim_weights(design: Design, lower: float = 0.0, upper: float = np.inf) -> Design:
    """Trim weights to ``[lower, upper]`` and spread the trimmed amount over the others.

    As R's ``trimWeights``: the total weight is preserved by repeated proportional
    redistribution among untrimmed units.  The calibration steps already recorded are kept
    for the variance (R does the same).
    """
    w = np.asarray(design.weights).copy()
    if lower > upper:
        raise StatsError("Bornes de troncature incohérentes : « lower » > « upper ».")
    total = w.sum()
    for _ in range(100):
        clipped = np.clip(w, lower, upper)
        excess = w.sum() - clipped.sum()
        free = (clipped > lower) & (clipped < upper)
        w = clipped
        if abs(excess) <= 1e-12 * total or not free.any():
            break
        w[free] += excess * w[free] / w[free].sum()
    return design.with_weights(w, None)


@dataclass(frozen=True)
class WeightsReport:
    """Summary of a set of weights (Kish 1965 design effect due to unequal weighting)."""

    n: int
    total: float
    min: float
    max: float
    mean: float
    ratio_max_min: float
    cv: float
    deff_weighting: float
    effective_n: float

    def as_dict(self) -> dict[str, float]:
        """The report as a plain dictionary."""
        return {k: float(v) for k, v in self.__dict__.items()}


def weights_report(weights: Design | NDArray[Any]) -> WeightsReport:
    """Range, CV, Kish's ``deff_w = n sum w^2 / (sum w)^2`` and ``n_eff = (sum w)^2 / sum w^2``."""
    w = np.asarray(weights.weights if isinstance(weights, Design) else weights, dtype=float)
    n = int(w.size)
    total = float(w.sum())
    ss = float(np.dot(w, w))
    mean = total / n
    sd = float(w.std(ddof=0))
    positive = w[w > 0]
    return WeightsReport(
        n=n,
        total=total,
        min=float(w.min()),
        max=float(w.max()),
        mean=mean,
        ratio_max_min=float(positive.max() / positive.min()) if positive.size else np.nan,
        cv=sd / mean if mean else np.nan,
        deff_weighting=n * ss / total**2 if total else np.nan,
        effective_n=total**2 / ss if ss else 0.0,
    )
