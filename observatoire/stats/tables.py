"""Weighted cross-tabulations and the Rao–Scott tests of independence (R's ``svychisq``).

For two categorical variables with ``R`` and ``C`` categories, the cell totals
``T_rc = sum_i w_i 1[row_i = r, col_i = c]`` (respondents with both answers; a missing
answer leaves the respondent out, R's ``na.rm=TRUE``) get one linearised covariance
matrix ``V_T`` (calibration residuals included).  Every proportion of the table is a ratio
of those totals, so its variance is ``J V_T J'`` (delta method, identical to the influence
values of R's ``svymean``/``svyby``):

* of the whole: ``p_rc = T_rc / T``;
* by row: ``p_c|r = T_rc / T_r.`` (each row sums to 1), by column: ``p_r|c = T_rc / T_.c``.

The tests are R's ``svychisq`` (Rao & Scott 1981, 1984; Lumley 2010, §6.2).  With the
cell proportions ``p`` (``K = R C``), their covariance ``V``, ``D = diag(p)``, ``n`` the
number of rows of the design and ``C`` the interaction columns of the saturated model
made orthogonal to the main effects,

    Delta = n (C' D^-1 C)^-1 C' D^-1 V D^-1 C,

and Pearson's ``X^2`` on the weighted table scaled to ``n``:

* ``"F"`` (default, second-order correction): ``F = X^2 / tr(Delta)`` on
  ``d0 = tr(Delta)^2 / tr(Delta^2)`` and ``d0 nu`` degrees of freedom, ``nu`` = PSUs
  minus strata;
* ``"Chisq"`` (first order): ``X^2 / mean(diag(Delta))`` against chi-square on
  ``(R - 1)(C - 1)`` df (the statistic reported is ``X^2`` itself, as R prints it).

A third variable gives one table and one pair of tests per level (R: ``svychisq`` on
``subset(design, layer == level)``).

With replicate weights (``replicated``, R's ``svymean``/``svyby`` and ``svychisq`` on a
``svrepdesign``) every proportion is recomputed on each replicate and its variance, and
the covariance ``V`` of the cell proportions in the tests, are the replicates' (R's
``svrVar``); ``nu`` is the replicate design's ``degf`` (rank of the replicate weights
minus one) and a layer is a subset of the rows, as R's ``subset`` of a replicate design.
Intervals are then Wald's (R's ``confint`` on a replicate estimate).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .ci import CIMethod, confidence_interval
from .design import Design, FloatArray, IntArray, is_missing, label
from .errors import StatsError
from .variance import taylor_covariance

if TYPE_CHECKING:
    from .replicate import Replicated

#: Largest number of categories of a variable in a cross-tabulation.
MAX_CATEGORIES = 60


@dataclass(frozen=True)
class Proportions:
    """Proportions of one view of a table (arrays shaped like the table or its margin)."""

    estimate: FloatArray
    se: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray


@dataclass(frozen=True)
class IndependenceTest:
    """A Rao–Scott test of independence, as printed by R's ``svychisq``.

    ``statistic`` is F for ``"F"`` and Pearson's X^2 for ``"Chisq"``; ``ddf`` is infinite
    for ``"Chisq"``; ``pearson`` is the unadjusted X^2 (table scaled to the design's rows).
    """

    method: str
    statistic: float
    ndf: float
    ddf: float
    p_value: float
    pearson: float


@dataclass
class CrossTable:
    """A weighted ``R x C`` table: counts, totals, proportions three ways, margins, tests."""

    row_variable: str
    column_variable: str
    row_labels: list[str]
    column_labels: list[str]
    n: NDArray[np.int64]  # unweighted respondents per cell
    total: FloatArray  # weighted counts per cell
    cell: Proportions  # of the whole
    row: Proportions  # within each row
    column: Proportions  # within each column
    row_margin: Proportions  # share of each row in the whole
    column_margin: Proportions  # share of each column in the whole
    tests: dict[str, IndependenceTest] = field(default_factory=dict)
    layer: str = ""  # the third variable's level, "" for a two-way table
    df: int = 0  # design degrees of freedom of the table's respondents (replicate degf)

    @property
    def row_n(self) -> NDArray[np.int64]:
        return np.asarray(self.n.sum(axis=1), dtype=np.int64)

    @property
    def column_n(self) -> NDArray[np.int64]:
        return np.asarray(self.n.sum(axis=0), dtype=np.int64)


def categories(values: ArrayLike, name: str, n: int) -> tuple[IntArray, list[str]]:
    """Codes ``0..L-1`` (``-1`` when missing) and sorted text labels of a categorical column."""
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise StatsError(f"« {name} » doit avoir une valeur par répondant ({n}).")
    missing = is_missing(arr)
    present = arr[~missing]
    if present.dtype.kind in "OUS":  # text: hashing beats sorting strings
        items: list[Any] = present.tolist()
        seen = {v: k for k, v in enumerate(dict.fromkeys(items))}
        inverse = np.fromiter(map(seen.__getitem__, items), dtype=np.intp, count=len(items))
        distinct: list[Any] = list(seen)
    else:
        uniq, inverse = np.unique(present, return_inverse=True)
        distinct = uniq.tolist()
    texts = [label(v) for v in distinct]  # 1.0 and 1 are the same category "1"
    labels = sorted(set(texts))
    if len(labels) > MAX_CATEGORIES:
        raise StatsError(
            f"« {name} » a {len(labels)} modalités : {MAX_CATEGORIES} au plus dans un tableau."
        )
    position = {text: k for k, text in enumerate(labels)}
    codes = np.full(n, -1, dtype=np.intp)
    codes[~missing] = np.array([position[t] for t in texts], dtype=np.intp)[inverse]
    return codes, labels


def domain_df(design: Design, mask: NDArray[np.bool_]) -> int:
    """Degrees of freedom of a domain: its PSUs minus its strata (zero weights left out)."""
    inset = mask & (design.weights != 0)
    psus = np.count_nonzero(np.bincount(design.psu_codes[inset], minlength=design.psu_strata.size))
    strata = np.count_nonzero(
        np.bincount(design.strata_codes[inset], minlength=len(design.strata_labels))
    )
    return int(psus - strata)


def _ratio_views(
    totals: FloatArray, cov: FloatArray, groups: IntArray, n_groups: int
) -> tuple[FloatArray, FloatArray]:
    """``T_k / sum_{j in group(k)} T_j`` and its delta-method variance, for each cell ``k``."""
    sums = np.bincount(groups, weights=totals, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = totals / sums[groups]
        same = groups[:, None] == groups[None, :]
        jac = (np.eye(totals.size) - same * est[:, None]) / sums[groups][:, None]
    var = np.einsum("ij,jk,ik->i", jac, cov, jac)
    return est, var


def _replicate_ratios(
    replicated: Replicated,
    totals: FloatArray,
    rep_totals: FloatArray,
    groups: IntArray,
    n_groups: int,
) -> tuple[FloatArray, FloatArray]:
    """``T_k / sum_{j in group(k)} T_j`` and its replicate variance, for each cell ``k``."""
    sums = np.bincount(groups, weights=totals, minlength=n_groups)
    rep_sums = np.column_stack([rep_totals[:, groups == g].sum(axis=1) for g in range(n_groups)])
    with np.errstate(divide="ignore", invalid="ignore"):
        est = totals / sums[groups]
        reps = rep_totals / rep_sums[:, groups]
    return est, replicated.variance(reps - est)


def _interval(
    est: FloatArray, var: FloatArray, df: FloatArray, n: FloatArray, method: CIMethod, level: float
) -> Proportions:
    se = np.sqrt(np.maximum(var, 0.0))
    low, high = confidence_interval(est, se, method=method, level=level, df=df, n=n)
    return Proportions(est, se, low, high)


def crosstab(
    design: Design,
    rows: ArrayLike,
    columns: ArrayLike,
    *,
    names: tuple[str, str] = ("rows", "columns"),
    within: NDArray[np.bool_] | None = None,
    ci: CIMethod = "logit",
    level: float = 0.95,
    replicated: Replicated | None = None,
) -> CrossTable:
    """Cross-tabulate two categorical columns with proportions, SEs, intervals and tests.

    ``within`` restricts the table to a domain (a filter, or a layer of a three-way table),
    estimated on the whole design like R's ``subset``.  Intervals use ``ci`` (logit by
    default, as ``svyciprop``) with each domain's degrees of freedom; with ``replicated``
    the variances are the replicates' and the intervals Wald's (see the module docstring).
    """
    n_all = design.n
    r_codes, r_labels = categories(rows, names[0], n_all)
    c_codes, c_labels = categories(columns, names[1], n_all)
    if within is None:
        mask = np.ones(n_all, dtype=bool)
    else:
        mask = np.asarray(within, dtype=bool)
        if mask.shape != (n_all,):
            raise StatsError("Le filtre doit avoir une valeur par répondant.")
    complete = mask & (r_codes >= 0) & (c_codes >= 0)
    if not complete.any():
        raise StatsError(f"Aucun répondant n'a répondu à « {names[0]} » et à « {names[1]} ».")
    # Categories present among the table's respondents only (as R's table of a subset).
    r_used = np.unique(r_codes[complete])
    c_used = np.unique(c_codes[complete])
    r_map = np.full(len(r_labels), -1, dtype=np.intp)
    r_map[r_used] = np.arange(r_used.size)
    c_map = np.full(len(c_labels), -1, dtype=np.intp)
    c_map[c_used] = np.arange(c_used.size)
    nr, nc = r_used.size, c_used.size
    k = nr * nc
    cell_of = np.full(n_all, -1, dtype=np.intp)
    cell_of[complete] = r_map[r_codes[complete]] * nc + c_map[c_codes[complete]]
    rows_in = np.flatnonzero(complete)
    w = np.asarray(design.weights)
    dummies = np.zeros((n_all, k))
    dummies[rows_in, cell_of[rows_in]] = w[rows_in]
    totals = dummies.sum(axis=0)
    counts = np.bincount(cell_of[rows_in], minlength=k).astype(np.int64)

    cell_index = np.arange(k)
    row_of_cell, col_of_cell = cell_index // nc, cell_index % nc
    all_df = float(domain_df(design, complete))
    row_df = np.array(
        [domain_df(design, complete & (cell_of // nc == r)) for r in range(nr)], dtype=float
    )
    col_df = np.array(
        [domain_df(design, complete & (cell_of % nc == c)) for c in range(nc)], dtype=float
    )
    n_flat = counts.astype(float)
    # Margins: sums of cell proportions.
    agg_r = (row_of_cell[None, :] == np.arange(nr)[:, None]).astype(float)
    agg_c = (col_of_cell[None, :] == np.arange(nc)[:, None]).astype(float)
    zeros = np.zeros(k, dtype=np.intp)
    if replicated is None:
        cov_t = taylor_covariance(design, dummies)
        p_cell, v_cell = _ratio_views(totals, cov_t, zeros, 1)
        p_row, v_row = _ratio_views(totals, cov_t, row_of_cell, nr)
        p_col, v_col = _ratio_views(totals, cov_t, col_of_cell, nc)
        jac_cell = (np.eye(k) - p_cell[:, None]) / totals.sum()
        v_cells = jac_cell @ cov_t @ jac_cell.T
    else:
        ci = "wald"
        onehot = np.zeros((rows_in.size, k))
        onehot[np.arange(rows_in.size), cell_of[rows_in]] = 1.0
        rep_totals = replicated.weights[rows_in].T @ onehot  # replicates x cells
        p_cell, v_cell = _replicate_ratios(replicated, totals, rep_totals, zeros, 1)
        p_row, v_row = _replicate_ratios(replicated, totals, rep_totals, row_of_cell, nr)
        p_col, v_col = _replicate_ratios(replicated, totals, rep_totals, col_of_cell, nc)
        with np.errstate(divide="ignore", invalid="ignore"):
            rep_cells = rep_totals / rep_totals.sum(axis=1, keepdims=True)
        v_cells = replicated.covariance(rep_cells - p_cell)

    def margin(agg: FloatArray) -> Proportions:
        est = agg @ p_cell
        var = np.einsum("ij,jk,ik->i", agg, v_cells, agg)
        return _interval(est, var, np.full(est.size, all_df), agg @ n_flat, ci, level)

    shape = (nr, nc)
    table = CrossTable(
        row_variable=names[0],
        column_variable=names[1],
        row_labels=[r_labels[i] for i in r_used.tolist()],
        column_labels=[c_labels[j] for j in c_used.tolist()],
        n=counts.reshape(shape),
        total=totals.reshape(shape),
        cell=_reshape(_interval(p_cell, v_cell, np.full(k, all_df), n_flat, ci, level), shape),
        row=_reshape(_interval(p_row, v_row, row_df[row_of_cell], n_flat, ci, level), shape),
        column=_reshape(_interval(p_col, v_col, col_df[col_of_cell], n_flat, ci, level), shape),
        row_margin=margin(agg_r),
        column_margin=margin(agg_c),
        df=int(all_df) if replicated is None else replicated.df(complete),
    )
    if nr > 1 and nc > 1:
        if replicated is None:
            n_rows, nu = _rows_and_nu(design, mask)
        else:  # R's subset of a replicate design drops the rows
            n_rows, nu = int(mask.sum()), float(replicated.df(None if mask.all() else mask))
        table.tests = rao_scott(p_cell, v_cells, totals, (nr, nc), n_rows, nu)
    return table


def _reshape(p: Proportions, shape: tuple[int, int]) -> Proportions:
    return Proportions(
        *(np.asarray(a).reshape(shape) for a in (p.estimate, p.se, p.ci_low, p.ci_high))
    )


def _rows_and_nu(design: Design, mask: NDArray[np.bool_]) -> tuple[int, float]:
    """The rows and ``nu`` (PSUs minus strata) R's ``svychisq`` sees for a (subset) design.

    R's ``subset`` drops the rows of an uncalibrated design, but keeps those of a calibrated
    one (their weight set to zero); ``nu`` counts PSUs of every row it keeps."""
    if design.is_calibrated or mask.all():
        return design.n, float(design.psu_strata.size - len(design.strata_labels))
    psus = np.count_nonzero(np.bincount(design.psu_codes[mask], minlength=design.psu_strata.size))
    strata = np.count_nonzero(
        np.bincount(design.strata_codes[mask], minlength=len(design.strata_labels))
    )
    return int(mask.sum()), float(psus - strata)


def rao_scott(
    p: FloatArray,
    v: FloatArray,
    totals: FloatArray,
    shape: tuple[int, int],
    n_rows: int,
    nu: float,
) -> dict[str, IndependenceTest]:
    """R's ``svychisq`` ``"F"`` and ``"Chisq"`` from the cell proportions (row-major) and
    their covariance ``v``, the weighted cell totals, ``n`` rows and ``nu`` df."""
    from scipy import stats as sps  # on demand: scipy.stats costs half a second to import

    nr, nc = shape
    rr, cc = np.divmod(np.arange(nr * nc), nc)
    main = np.column_stack(
        [np.ones(nr * nc)]
        + [(rr == i).astype(float) for i in range(1, nr)]
        + [(cc == j).astype(float) for j in range(1, nc)]
    )
    inter = np.column_stack(
        [((rr == i) & (cc == j)).astype(float) for j in range(1, nc) for i in range(1, nr)]
    )
    coef, *_ = np.linalg.lstsq(main, inter, rcond=None)
    cmat = inter - main @ coef
    inv_d = np.where(p == 0, 0.0, 1.0 / np.where(p == 0, 1.0, p))
    denom = cmat.T @ (inv_d[:, None] / n_rows * cmat)
    scaled = inv_d[:, None] * cmat
    numer = scaled.T @ v @ scaled
    delta = np.linalg.solve(denom, numer)
    trace = float(np.trace(delta))
    d0 = trace**2 / float(np.trace(delta @ delta))
    # Pearson's X^2 on the weighted table scaled to n rows (R: svytable(Ntotal = N)).
    table = (totals * n_rows / totals.sum()).reshape(nr, nc)
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = float(np.nansum((table - expected) ** 2 / expected))
    f_stat = pearson / trace
    chisq_df = float(delta.shape[0])
    return {
        "F": IndependenceTest(
            "F", f_stat, d0, d0 * nu, float(sps.f.sf(f_stat, d0, d0 * nu)), pearson
        ),
        "Chisq": IndependenceTest(
            "Chisq",
            pearson,
            chisq_df,
            float("inf"),
            float(sps.chi2.sf(pearson / (trace / chisq_df), chisq_df)),
            pearson,
        ),
    }


def crosstabs(
    design: Design,
    rows: ArrayLike,
    columns: ArrayLike,
    layer: ArrayLike,
    *,
    names: tuple[str, str, str] = ("rows", "columns", "layer"),
    within: NDArray[np.bool_] | None = None,
    ci: CIMethod = "logit",
    level: float = 0.95,
    replicated: Replicated | None = None,
) -> list[CrossTable]:
    """A three-way table: the table of ``rows`` by ``columns`` in each level of ``layer``."""
    codes, labels = categories(layer, names[2], design.n)
    base = np.ones(design.n, dtype=bool) if within is None else np.asarray(within, dtype=bool)
    out = []
    for j, lab in enumerate(labels):
        table = crosstab(
            design,
            rows,
            columns,
            names=(names[0], names[1]),
            within=base & (codes == j),
            ci=ci,
            level=level,
            replicated=replicated,
        )
        table.layer = lab
        out.append(table)
    return out


def table_rows(table: CrossTable) -> list[dict[str, Any]]:
    """One dictionary per cell: counts, totals and the three proportions with their SEs."""
    out = []
    for i, r in enumerate(table.row_labels):
        for j, c in enumerate(table.column_labels):
            row: dict[str, Any] = {
                "layer": table.layer,
                "row": r,
                "column": c,
                "n": int(table.n[i, j]),
                "total": float(table.total[i, j]),
            }
            for view in ("cell", "row", "column"):
                p: Proportions = getattr(table, view)
                row.update(
                    {
                        f"{view}_estimate": float(p.estimate[i, j]),
                        f"{view}_se": float(p.se[i, j]),
                        f"{view}_ci_low": float(p.ci_low[i, j]),
                        f"{view}_ci_high": float(p.ci_high[i, j]),
                    }
                )
            out.append(row)
    return out


# ---------------------------------------------------------------------- disclosure
# A published table with its margins is an ``(R + 1) x (C + 1)`` grid whose last row and
# column are the margins and whose corner is the whole (always published).  Whatever the
# view (shares of the whole, by row or by column), the numbers are equivalent to the
# weighted totals and counts of the grid, bound by additivity: each row and each column
# sums to its margin.  A suppressed cell is *derivable* when those equations, with the
# published cells known, fix its value (Cox 1980's audit of a suppression pattern).


def _relations(shape: tuple[int, int]) -> FloatArray:
    """The additivity equations of a grid with margins (one row per equation)."""
    rows, cols = shape  # with margins
    grid = np.arange(rows * cols).reshape(shape)
    equations = []
    for r in range(rows):
        eq = np.zeros(rows * cols)
        eq[grid[r, :-1]] = 1.0
        eq[grid[r, -1]] = -1.0
        equations.append(eq)
    for c in range(cols):
        eq = np.zeros(rows * cols)
        eq[grid[:-1, c]] = 1.0
        eq[grid[-1, c]] = -1.0
        equations.append(eq)
    return np.array(equations)


def derivable(suppressed: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """The suppressed cells of a grid with margins that the published cells determine.

    With ``S`` the suppressed cells and ``A_S`` the equations' columns for them, a cell is
    determined exactly when every solution of ``A_S x = 0`` is zero on it."""
    from scipy.linalg import null_space

    mask = np.asarray(suppressed, dtype=bool)
    unknown = np.flatnonzero(mask.ravel())
    out = np.zeros(mask.size, dtype=bool)
    if unknown.size:
        free = null_space(_relations(mask.shape)[:, unknown])
        out[unknown] = np.abs(free).max(axis=1, initial=0.0) < 1e-9
    return out.reshape(mask.shape)


def protect(primary: NDArray[np.bool_], n: ArrayLike) -> NDArray[np.bool_]:
    """Secondary suppression: add cells to ``primary`` until no suppressed cell is derivable.

    ``primary`` and ``n`` (respondents per cell) cover the grid with its margins.  A
    suppressed margin hides its whole line (its shares could not be read without it).
    While a suppressed cell is derivable, one more cell is suppressed in a line (row or
    column) where it is alone: preferably a cell whose other line already has a suppressed
    cell (closing a rectangle), then inner cells before margins, then the fewest
    respondents."""
    mask = np.asarray(primary, dtype=bool).copy()
    counts = np.asarray(n, dtype=np.float64)
    mask[-1, -1] = False
    for hidden in np.flatnonzero(mask[:-1, -1]):
        mask[hidden, :-1] = True
    for hidden in np.flatnonzero(mask[-1, :-1]):
        mask[:-1, hidden] = True
    corner = (mask.shape[0] - 1, mask.shape[1] - 1)
    while True:
        exposed = np.argwhere(derivable(mask))
        if not exposed.size:
            return mask
        # A cell alone in its row or column first: the line that gives it away.
        alone: list[tuple[int, int]] = [
            (int(i), int(j)) for i, j in exposed if mask[i, :].sum() == 1 or mask[:, j].sum() == 1
        ]
        target = alone[0] if alone else (int(exposed[0][0]), int(exposed[0][1]))
        r, c = target
        row: list[tuple[int, int]] = [(r, j) for j in range(corner[1] + 1)]
        col: list[tuple[int, int]] = [(i, c) for i in range(corner[0] + 1)]
        lines = [ln for ln in (row, col) if sum(mask[cell] for cell in ln) == 1] or [row, col]
        candidates = [cell for ln in lines for cell in ln if not mask[cell] and cell != corner]
        if not candidates:
            candidates = [(int(i), int(j)) for i, j in np.argwhere(~mask) if (i, j) != corner]
        if not candidates:
            return mask

        def cost(cell: tuple[int, int], c: int = c) -> tuple[int, bool, float]:
            other = mask[cell[0], :] if cell[1] == c else mask[:, cell[1]]
            margin = cell[0] == corner[0] or cell[1] == corner[1]
            return (0 if other.any() else 1, margin, float(counts[cell]))

        mask[min(candidates, key=cost)] = True
