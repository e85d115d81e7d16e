"""Estimators of totals, means, proportions and ratios, for many variables and domains.

For a domain ``d`` (indicator ``I_d``) and a variable ``y`` (Särndal, Swensson & Wretman
1992, §5.8 and §10.3; Lumley 2010, §2.2):

* total ``T_d = sum_i w_i I_d(i) y_i``, influence ``u_i = w_i I_d(i) y_i``;
* mean ``m_d = T_d / N_d`` with ``N_d = sum_i w_i I_d(i)``, influence
  ``u_i = w_i I_d(i) (y_i - m_d) / N_d``;
* proportion of category ``c``: the mean of ``1[y_i = c]``;
* ratio ``R_d = T_{y,d} / T_{x,d}``, influence ``u_i = w_i I_d(i) (y_i - R_d x_i) / T_{x,d}``.

Domains keep the whole design (zero influence outside the domain), which is what R's
``svyby`` does, so the domain's variance accounts for its random sample size.  All
indicators of all domains are computed at once: the influence values form one matrix whose
columns go through one calibration-residual product and one stratified sum of squares
(see :mod:`observatoire.stats.variance`).

The design effect is R's ``deff=TRUE``: ``V / V_srs`` with
``V_srs = s^2_w (N_d - n_d) / (N_d n_d)`` for a mean (``s^2_w`` the weighted variance with
the ``n / (n - 1)`` factor) and ``N_d^2`` times that for a total (Kish 1965).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .ci import CI_METHODS, PROPORTION_CI, CIMethod, check_ci, confidence_interval
from .design import Design, FloatArray, IntArray, factorize, is_missing, label
from .errors import StatsError
from .variance import DomainVariance, taylor_variance

Kind = Literal["mean", "total", "proportion"]
KINDS: tuple[str, ...] = ("mean", "total", "proportion")
OVERALL = ""
#: Most categories a proportion estimates: beyond, the variable is surely continuous
#: (each category is a column of n values: 7,000 rows of a continuous variable took 0.9 GB).
MAX_CATEGORIES = 100


@dataclass
class Estimates:
    """Results as a struct of arrays: one entry per (variable, category, domain level).

    ``population`` is the weighted count of the domain (``N_d``, respondents to the variable
    only), ``n`` the unweighted count, ``df`` the design degrees of freedom of the domain
    and ``cv = se / estimate``.
    """

    variable: list[str] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    domain_level: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    estimate: FloatArray = field(default_factory=lambda: np.zeros(0))
    se: FloatArray = field(default_factory=lambda: np.zeros(0))
    ci_low: FloatArray = field(default_factory=lambda: np.zeros(0))
    ci_high: FloatArray = field(default_factory=lambda: np.zeros(0))
    n: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    population: FloatArray = field(default_factory=lambda: np.zeros(0))
    deff: FloatArray = field(default_factory=lambda: np.zeros(0))
    df: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    ci_method: list[str] = field(default_factory=list)

    OUTPUT_COLUMNS = (
        "variable",
        "category",
        "domain",
        "domain_level",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "n",
        "deff",
    )

    def __len__(self) -> int:
        return len(self.variable)

    @property
    def variance(self) -> FloatArray:
        """Estimated variances (``se ** 2``)."""
        return np.asarray(self.se**2, dtype=np.float64)

    @property
    def cv(self) -> FloatArray:
        """Coefficient of variation ``se / |estimate|`` (NaN when the estimate is 0)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(self.se / np.abs(self.estimate), dtype=np.float64)

    def rows(self) -> list[dict[str, Any]]:
        """One dictionary per estimate with every field (CV included)."""
        cv = self.cv
        return [
            {
                "variable": self.variable[i],
                "category": self.category[i],
                "domain": self.domain[i],
                "domain_level": self.domain_level[i],
                "kind": self.kind[i],
                "estimate": float(self.estimate[i]),
                "se": float(self.se[i]),
                "ci_low": float(self.ci_low[i]),
                "ci_high": float(self.ci_high[i]),
                "n": int(self.n[i]),
                "population": float(self.population[i]),
                "deff": float(self.deff[i]),
                "cv": float(cv[i]),
                "df": int(self.df[i]),
                "ci_method": self.ci_method[i],
            }
            for i in range(len(self))
        ]

    def columns(self) -> dict[str, list[Any]]:
        """Column name -> list of values (every field, CV included), for a DataFrame."""
        rows = self.rows()
        names = list(rows[0]) if rows else [*self.OUTPUT_COLUMNS, "population", "cv"]
        return {name: [r.get(name) for r in rows] for name in names}

    def to_polars(self) -> Any:
        """The results as a Polars DataFrame (Polars is imported on demand)."""
        import polars as pl

        return pl.DataFrame(self.columns())

    def find(
        self, variable: str, category: str = "", domain: str = OVERALL, domain_level: str = ""
    ) -> int:
        """Index of one estimate (``KeyError`` if absent)."""
        for i in range(len(self)):
            if (
                self.variable[i] == variable
                and self.category[i] == category
                and self.domain[i] == domain
                and self.domain_level[i] == domain_level
            ):
                return i
        raise KeyError((variable, category, domain, domain_level))

    @classmethod
    def concat(cls, parts: Iterable[Estimates]) -> Estimates:
        """Concatenate several result sets."""
        parts = list(parts)
        out = cls()
        for name in ("variable", "category", "domain", "domain_level", "kind", "ci_method"):
            setattr(out, name, [v for p in parts for v in getattr(p, name)])
        for name in ("estimate", "se", "ci_low", "ci_high", "population", "deff"):
            setattr(out, name, np.concatenate([getattr(p, name) for p in parts] or [np.zeros(0)]))
        for name in ("n", "df"):
            setattr(
                out,
                name,
                np.concatenate([getattr(p, name) for p in parts] or [np.zeros(0, dtype=np.int64)]),
            )
        return out


def cross(*columns: ArrayLike, sep: str = ":") -> NDArray[np.str_]:
    """Labels of the crossed categories of several columns (``"E:nord"``)."""
    arrays = [np.asarray(c) for c in columns]
    if not arrays:
        raise StatsError("Aucune colonne à croiser.")
    out = np.array([label(v) for v in arrays[0].tolist()], dtype=object)
    for arr in arrays[1:]:
        out = np.array(
            [f"{a}{sep}{label(b)}" for a, b in zip(out.tolist(), arr.tolist(), strict=True)],
            dtype=object,
        )
    return out.astype(str)


@dataclass(frozen=True)
class _Domain:
    name: str
    level: str
    mask: NDArray[np.bool_] | None  # None: the whole sample
    df: int
    rows: int  # what R's nrow() sees for this domain


def domain_codes(design: Design, values: ArrayLike, name: str) -> tuple[IntArray, list[Any]]:
    """A domain variable's codes and labels, checked to have one value per respondent."""
    codes, labels = factorize(values, name)
    if codes.shape[0] != design.n:
        raise StatsError(
            f"Le domaine « {name} » a {codes.shape[0]} valeurs pour {design.n} répondants."
        )
    return codes, labels


def _domains(design: Design, by: Mapping[str, ArrayLike] | None, overall: bool) -> list[_Domain]:
    positive = design.weights != 0
    cal = design.is_calibrated
    n_psu = design.psu_strata.shape[0]
    n_strata = len(design.strata_labels)

    def degf(mask: NDArray[np.bool_]) -> int:
        inset = mask & positive
        psus = np.count_nonzero(np.bincount(design.psu_codes[inset], minlength=n_psu))
        strata = np.count_nonzero(np.bincount(design.strata_codes[inset], minlength=n_strata))
        return int(psus - strata)

    out: list[_Domain] = []
    if overall:
        out.append(_Domain(OVERALL, "", None, design.degf, design.n))
    for name, values in (by or {}).items():
        codes, labels = domain_codes(design, values, name)
        for j, lab in enumerate(labels):
            mask = codes == j
            out.append(
                _Domain(name, label(lab), mask, degf(mask), design.n if cal else int(mask.sum()))
            )
    return out


@dataclass
class _Columns:
    values: FloatArray  # n x K (row-major), NaN for missing
    variable: list[str]
    category: list[str]


@dataclass(frozen=True)
class IndicatorMatrix:
    """Many numeric indicators as one ``n x K`` matrix with their names.

    Faster than a mapping of columns for hundreds of indicators (means and totals; use a
    mapping for categorical variables and proportions).
    """

    names: Sequence[str]
    values: ArrayLike


def _infinite_column(values: FloatArray) -> int | None:
    """The first column holding an infinite value, or None.

    Checked a few rows at a time: an ``n x K`` mask would be fresh memory, which costs more
    to touch the first time than the check itself."""
    rows = max(1, 2**16 // max(values.shape[1], 1))
    bad = np.zeros(values.shape[1], dtype=bool)
    for start in range(0, values.shape[0], rows):
        bad |= np.isinf(values[start : start + rows]).any(axis=0)
    return int(np.flatnonzero(bad)[0]) if bad.any() else None


def _matrix_columns(design: Design, m: IndicatorMatrix, kind: str, na_rm: bool) -> _Columns:
    values = np.asarray(m.values, dtype=np.float64)
    names = [str(v) for v in m.names]
    if values.ndim != 2 or values.shape[0] != design.n or values.shape[1] != len(names):
        raise StatsError(
            f"La matrice d'indicateurs doit avoir {design.n} lignes et {len(names)} colonnes "
            f"(reçu : {values.shape})."
        )
    if kind == "proportion":
        return _columns(design, {nm: values[:, j] for j, nm in enumerate(names)}, kind, na_rm)
    stored = np.ascontiguousarray(values)  # n x K, row-major
    if (j := _infinite_column(stored)) is not None:
        raise StatsError(f"La variable « {names[j]} » contient une valeur infinie.")
    if not na_rm:
        nan_cells = np.isnan(stored)
        if nan_cells.any():
            i, j = (int(v[0]) for v in np.nonzero(nan_cells.T)[::-1])
            raise StatsError(
                f"La variable « {names[j]} » a une valeur manquante (ligne {i + 1}) ; "
                "utilisez na_rm pour estimer parmi les répondants."
            )
    return _Columns(stored, names, [""] * len(names))


def _columns(
    design: Design, variables: Mapping[str, ArrayLike] | IndicatorMatrix, kind: str, na_rm: bool
) -> _Columns:
    if isinstance(variables, IndicatorMatrix):
        return _matrix_columns(design, variables, kind, na_rm)
    blocks: list[FloatArray] = []
    var_names: list[str] = []
    categories: list[str] = []
    for name, raw in variables.items():
        arr = np.asarray(raw)
        if arr.ndim != 1 or arr.shape[0] != design.n:
            raise StatsError(
                f"La variable « {name} » a {arr.shape[0] if arr.ndim else 0} valeurs pour "
                f"{design.n} répondants (longueurs différentes)."
            )
        missing = is_missing(arr)
        if not na_rm and missing.any():
            first = int(np.flatnonzero(missing)[0])
            raise StatsError(
                f"La variable « {name} » a une valeur manquante (ligne {first + 1}) ; "
                "utilisez na_rm pour estimer parmi les répondants."
            )
        if kind == "proportion":
            present = arr[~missing]
            if present.dtype.kind == "O":
                present = present.astype(str)
            labels, inverse = np.unique(present, return_inverse=True)
            if labels.size > MAX_CATEGORIES:
                raise StatsError(
                    f"La variable « {name} » a {labels.size} valeurs distinctes : trop pour une "
                    f"proportion (au plus {MAX_CATEGORIES} modalités) ; pour une variable "
                    "continue, demandez « kind: mean »."
                )
            codes = np.full(design.n, -1, dtype=np.intp)
            codes[~missing] = inverse
            block = (codes[:, None] == np.arange(labels.size)[None, :]).astype(np.float64)
            block[missing] = np.nan
            blocks.append(block)
            var_names.extend([name] * labels.size)
            categories.extend(label(v) for v in labels.tolist())
        else:
            if arr.dtype.kind in "OUS":
                try:
                    arr = np.where(missing, np.nan, arr).astype(np.float64)
                except (TypeError, ValueError) as exc:
                    i, value = _first_non_number(arr, missing)
                    raise StatsError(
                        f"La variable « {name} » doit être numérique pour une estimation "
                        f"« {kind} » (ligne {i + 1} : {value!r})."
                    ) from exc
            blocks.append(arr.astype(np.float64, copy=False))
            var_names.append(name)
            categories.append("")
    if not blocks:
        return _Columns(np.zeros((design.n, 0)), [], [])
    values = np.ascontiguousarray(np.hstack([b.reshape(design.n, -1) for b in blocks]))
    if (j := _infinite_column(values)) is not None:
        raise StatsError(f"La variable « {var_names[j]} » contient une valeur infinie.")
    return _Columns(values, var_names, categories)


def _first_non_number(values: NDArray[Any], missing: NDArray[np.bool_]) -> tuple[int, Any]:
    """The first value (row, value) that is neither missing nor a number."""
    for i in np.flatnonzero(~missing).tolist():
        try:
            float(values[i])
        except (TypeError, ValueError):
            return i, values[i]
    return 0, values[0]  # not reached: the caller's conversion failed on some value


def _check_unit_interval(cols: _Columns, method: str) -> None:
    """Logit and beta intervals are for shares: refuse a variable with values outside [0, 1]."""
    with np.errstate(invalid="ignore"):
        outside = (cols.values < 0) | (cols.values > 1)
    if outside.any():
        i, j = (int(v[0]) for v in np.nonzero(outside.T)[::-1])
        raise StatsError(
            f"L'intervalle « {method} » est fait pour une proportion : la variable "
            f"« {cols.variable[j]} » a des valeurs hors de [0, 1] (ligne {i + 1} : "
            f"{cols.values[i, j]:g}) ; choisissez « wald » ou « mean »."
        )


#: Size of one block of indicator columns (all rows): a share of the processor's cache.
BLOCK_BYTES = 2**23


def _block_columns(design: Design, k: int) -> int:
    """How many of the ``k`` columns go through the domain loop together.

    Blocks keep each domain's rows in the cache through all the passes over them.  With
    dense calibration matrices (``calibrate`` on a model matrix) every block would read the
    domain's rows of ``A`` and ``Z`` again, which costs more than it saves: one block."""
    if design.residual_operator is not None and design.sparse_calibration is None:
        return k
    return max(8, min(k, BLOCK_BYTES // (8 * design.n)))


def _view(buffer: FloatArray, shape: tuple[int, int]) -> FloatArray:
    """A C-contiguous ``shape`` array over the start of a flat work buffer."""
    return buffer[: shape[0] * shape[1]].reshape(shape)


def _interval_method(kind: Kind, ci: CIMethod | None) -> CIMethod:
    """The request's interval method, checked against its kind, before any arithmetic."""
    if kind not in KINDS:
        raise StatsError(f"Type d'estimation inconnu : « {kind} » (mean, total ou proportion).")
    method: CIMethod = ci if ci is not None else ("logit" if kind == "proportion" else "wald")
    if method not in CI_METHODS:
        raise StatsError(f"Méthode d'intervalle inconnue : « {method} » (logit, beta, mean, wald).")
    check_ci(kind, method)
    return method


def _assemble(
    kind: Kind,
    method: CIMethod,
    level: float,
    cols: _Columns,
    domains: list[_Domain],
    est: FloatArray,
    var: FloatArray,
    pop: FloatArray,
    nobs: FloatArray,
    s2: FloatArray,
) -> Estimates:
    """Estimates, their design effects and intervals from the sums of :func:`estimate`
    (one cell per domain and column, domain-major)."""
    k = len(cols.variable)
    total = kind == "total"
    # A domain with no respondent to the variable has no estimate (never silently 0).
    var = np.where(pop > 0, var, np.nan)
    if kind == "proportion":
        # all answers in one category: the share is exactly 0 or 1, not 1 - 4e-16
        est = np.where(np.abs(est - 1.0) < 1e-12, 1.0, est)
        var = np.where((est == 1.0) | (est == 0.0), 0.0, var)
    se = np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        if total:
            vsrs = s2 * pop**2 * (pop - nobs) / (pop * nobs)
        else:
            vsrs = s2 * (pop - nobs) / (pop * nobs)
        vsrs = np.where(pop < nobs, np.nan, vsrs)
        deff = var / vsrs
    dfs = np.repeat(np.array([d.df for d in domains], dtype=np.float64), k)
    rows = np.repeat(np.array([d.rows for d in domains], dtype=np.float64), k)
    low, high = confidence_interval(est, se, method=method, level=level, df=dfs, n=nobs, nrow=rows)
    return Estimates(
        variable=[v for _ in domains for v in cols.variable],
        category=[c for _ in domains for c in cols.category],
        domain=[d.name for d in domains for _ in range(k)],
        domain_level=[d.level for d in domains for _ in range(k)],
        kind=[kind] * (k * len(domains)),
        estimate=est,
        se=se,
        ci_low=low,
        ci_high=high,
        n=nobs.astype(np.int64),
        population=pop,
        deff=deff,
        df=dfs.astype(np.int64),
        ci_method=[method] * (k * len(domains)),
    )


def estimate(
    design: Design,
    variables: Mapping[str, ArrayLike] | IndicatorMatrix,
    *,
    kind: Kind = "mean",
    by: Mapping[str, ArrayLike] | None = None,
    overall: bool = True,
    ci: CIMethod | None = None,
    level: float = 0.95,
    na_rm: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Estimates:
    """Estimate totals, means or proportions of many variables, overall and by domain.

    ``variables`` maps names to columns (or is an :class:`IndicatorMatrix` of numeric
    indicators, the fastest input); for ``kind="proportion"`` every category of each
    column gets an estimate (a binary 0/1 column gives the categories ``"0"`` and
    ``"1"``).  ``by`` maps a domain name to a column of domain labels (use :func:`cross`
    for crossed domains); each level is a domain, estimated on the whole design like R's
    ``svyby``.  ``ci`` is ``"logit"`` (default for proportions), ``"beta"``, ``"mean"``
    (t with the domain's design df) or ``"wald"`` (normal; default for means and
    totals, as R's ``confint``).  With ``na_rm`` a missing answer excludes the respondent
    from that variable's estimates (R's ``na.rm=TRUE``); otherwise it is an error.
    ``progress`` is called with the number of estimates done after each block.
    """
    method = _interval_method(kind, ci)
    cols = _columns(design, variables, kind, na_rm)
    if method in PROPORTION_CI:
        _check_unit_interval(cols, method)
    domains = _domains(design, by, overall)
    k = cols.values.shape[1]
    if k == 0 or not domains:
        return Estimates()
    order = design.sort_order
    w = np.asarray(design.weights)
    ws = w if design.is_sorted else w[order]
    ps = (ws != 0).astype(np.float64)
    total = kind == "total"
    size = len(domains) * k
    est, var, pop, nobs, s2 = (np.empty(size) for _ in range(5))
    block = _block_columns(design, k)
    # Work buffers reused by every domain and block (their rows of the columns, and the
    # influence values): fresh n x K temporaries cost more in page faults than the
    # arithmetic on them.
    gathered = np.empty(design.n * block)
    scaled_buf = np.empty(design.n * block)
    for j, dom in enumerate(domains):
        if dom.mask is None:
            pos = None
            wd, pd = ws, ps
        else:
            pos = np.flatnonzero(dom.mask if design.is_sorted else dom.mask[order])
            wd, pd = ws[pos], ps[pos]
        take = order if pos is None else order[pos]  # the domain's rows, in sort order
        identity = pos is None and design.is_sorted  # the columns' rows as they are
        variance_of = DomainVariance(design, pos)
        for first in range(0, k, block):
            last = min(first + block, k)
            cells = slice(j * k + first, j * k + last)
            # The domain's rows of this block of columns: a copy small enough to stay in
            # the processor's cache through every pass below (none for the whole sample
            # in order: it is centred into the buffer instead).
            shape = (take.size, last - first)
            buf = _view(gathered, shape)
            if identity:
                yd = cols.values[:, first:last]  # the caller's data: never written
            elif last - first == k:
                yd = np.take(cols.values, take, axis=0, out=buf, mode="clip")
            else:
                yd = cols.values[take, first:last]
            missing = np.isnan(yd) if na_rm else None
            uniform = missing is None or not missing.any()  # same respondents everywhere
            if missing is not None and not uniform:
                ans = (~missing).astype(np.float64)
                yd = np.where(missing, 0.0, yd)
                wdk = wd[:, None] * ans
                pop_b = wdk.sum(axis=0)
                sums = np.einsum("ij,ij->j", wdk, yd)
                nobs[cells] = pd @ ans
            else:
                wdk = wd[:, None]
                pop_b = np.full(last - first, wd.sum())
                sums = wd @ yd
                nobs[cells] = pd.sum()
            owned = not (identity and uniform)
            with np.errstate(divide="ignore", invalid="ignore"):
                mean = sums / pop_b
                influence = wdk * yd if total else None  # before y is centred in place
                centred = np.subtract(
                    yd, np.where(np.isfinite(mean), mean, 0.0), out=yd if owned else buf
                )
                safe_pop = np.where(pop_b > 0, pop_b, 1.0)
                # per-row scale (n_d x 1) when every variable has the same respondents
                row_scale = wdk / safe_pop[0] if uniform else wdk / safe_pop
                scaled = np.multiply(
                    row_scale, centred, out=_view(scaled_buf, shape)
                )  # w (y - m) / N
                weighted_ss = np.einsum("ij,ij->j", scaled, centred) * pop_b
                # weighted variance with R's n/(n-1) factor (svyvar), for the deff
                s2[cells] = weighted_ss / pop_b * nobs[cells] / (nobs[cells] - 1)
            est[cells] = sums if total else mean
            var[cells] = variance_of(scaled if influence is None else influence)
            pop[cells] = pop_b
        if progress is not None:
            progress((j + 1) * k)

    return _assemble(kind, method, level, cols, domains, est, var, pop, nobs, s2)


def estimate_ratio(
    design: Design,
    numerator: ArrayLike,
    denominator: ArrayLike,
    *,
    name: str = "ratio",
    by: Mapping[str, ArrayLike] | None = None,
    overall: bool = True,
    level: float = 0.95,
) -> Estimates:
    """Ratio ``R_d = sum w I_d y / sum w I_d x`` with its linearised SE (R's ``svyratio``).

    Influence ``u_i = w_i I_d(i) (y_i - R_d x_i) / X_d``.  The CI is Wald (normal).
    """
    yv = np.asarray(numerator, dtype=np.float64)
    xv = np.asarray(denominator, dtype=np.float64)
    if yv.shape != (design.n,) or xv.shape != (design.n,):
        raise StatsError("Le numérateur et le dénominateur doivent avoir une valeur par répondant.")
    if not (np.isfinite(yv).all() and np.isfinite(xv).all()):
        raise StatsError("Le ratio ne peut pas être calculé avec des valeurs manquantes.")
    domains = _domains(design, by, overall)
    w = np.asarray(design.weights)
    infl = np.empty((design.n, len(domains)))
    est = np.empty(len(domains))
    nobs = np.empty(len(domains))
    pop = np.empty(len(domains))
    for j, dom in enumerate(domains):
        wd = w if dom.mask is None else w * dom.mask
        tx = float(wd @ xv)
        ratio = float(wd @ yv) / tx if tx else np.nan
        est[j] = ratio
        infl[:, j] = wd * (yv - ratio * xv) / tx if tx else 0.0
        nobs[j] = float((wd != 0).sum())
        pop[j] = float(wd.sum())
    se = np.sqrt(taylor_variance(design, infl))
    low, high = confidence_interval(est, se, method="wald", level=level)
    m = len(domains)
    return Estimates(
        variable=[name] * m,
        category=[""] * m,
        domain=[d.name for d in domains],
        domain_level=[d.level for d in domains],
        kind=["ratio"] * m,
        estimate=est,
        se=se,
        ci_low=low,
        ci_high=high,
        n=nobs.astype(np.int64),
        population=pop,
        deff=np.full(m, np.nan),
        df=np.array([d.df for d in domains], dtype=np.int64),
        ci_method=["wald"] * m,
    )


def estimate_many(
    design: Design,
    requests: Sequence[Mapping[str, Any]],
    data: Mapping[str, ArrayLike],
    *,
    progress: Callable[[int], None] | None = None,
) -> Estimates:
    """Run requests ``{"variable", "kind", "by", "ci", "na_rm", "level", "overall"}``.

    Requests that share their options are computed together (one matrix pass for all their
    variables); ``progress`` is called with the number of requests done.
    """
    groups: dict[tuple[Any, ...], list[str]] = {}
    for req in requests:
        var = str(req["variable"])
        if var not in data:
            raise StatsError(f"la variable « {var} » est absente des données")
        by_names = tuple(
            (entry,) if isinstance(entry, str) else tuple(entry) for entry in req.get("by") or []
        )
        for names in by_names:
            for nm in names:
                if nm not in data:
                    raise StatsError(f"le domaine « {nm} » est absent des données")
        key = (
            req.get("kind", "mean"),
            by_names,
            req.get("ci"),
            bool(req.get("na_rm", False)),
            float(req.get("level", 0.95)),
            bool(req.get("overall", True)),
        )
        groups.setdefault(key, []).append(var)
    parts: list[Estimates] = []
    done = 0
    for (kind, by_names, ci, na_rm, level, overall), var_names in groups.items():
        by: dict[str, ArrayLike] = {}
        for cols in by_names:
            by[":".join(cols)] = (
                data[cols[0]] if len(cols) == 1 else cross(*(data[nm] for nm in cols))
            )
        parts.append(
            estimate(
                design,
                {v: data[v] for v in dict.fromkeys(var_names)},
                kind=kind,
                by=by,
                overall=overall,
                ci=ci,
                level=level,
                na_rm=na_rm,
            )
        )
        done += len(var_names)
        if progress is not None:
            progress(done)
    return Estimates.concat(parts)
