"""Survey-weighted regression, as R's ``svyglm`` and ``regTermTest`` (Binder 1983).

A model ``y ~ x1 + x2`` is fitted by weighted least squares (``gaussian``) or by
iteratively reweighted least squares with the logit link (``quasibinomial``), the weights
being the design's (calibrated) weights.  Its coefficients solve the estimating equations
``sum_i w_i x_i (y_i - mu_i) = 0``; their sandwich covariance is the linearisation
variance of the totals of the influence values

    u_i = w_i (y_i - mu_i) x_i' A^-1,   A = sum_i w_i v_i x_i x_i'

(``v_i = 1`` for the linear model, ``mu_i (1 - mu_i)`` for the logistic one), with the
calibration residuals taken first, exactly as ``svy.varcoef`` does.  The residual degrees
of freedom are the design's (PSUs minus strata of the respondents) plus one minus the
number of coefficients; t tests, p-values and intervals use Student's t on them.

Terms are numeric columns or factors (a text column, or ``factor(x)``), coded with
treatment contrasts against the first level in sorted order, named as R names them
(``stypeH``).  A respondent with a missing value in any term is left out (R's
``na.omit``), as a domain of the design.  ``term_test`` is ``regTermTest`` (Wald):
``F = b' V^-1 b / k`` on ``k`` and the residual df.

With replicate weights (``replicated``, R's ``svyglm`` on a ``svrepdesign``) the model is
refitted on each replicate's weights (from the full-sample coefficients, to convergence)
and the covariance is the replicates' (R's ``svrVar``); the residual degrees of freedom
are the replicate design's ``degf`` (rank of the replicate weights minus one) plus one
minus the number of coefficients, as R's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from .design import Design, FloatArray, is_missing, label
from .errors import StatsError
from .tables import domain_df
from .variance import taylor_covariance

if TYPE_CHECKING:
    from .replicate import Replicated

Family = Literal["gaussian", "quasibinomial"]
FAMILIES: tuple[str, ...] = ("gaussian", "quasibinomial")
_NAME = r"[A-Za-z_.][A-Za-z0-9_.]*"
_TERM = re.compile(rf"^(?:factor\(\s*({_NAME})\s*\)|({_NAME}))$")


def _t() -> Any:
    """Student's distribution, imported on demand (scipy.stats takes half a second)."""
    from scipy import stats as sps

    return sps.t


@dataclass(frozen=True)
class Formula:
    """A parsed ``y ~ x1 + factor(x2)``: the outcome and each term (name, forced factor)."""

    outcome: str
    terms: tuple[tuple[str, bool], ...]

    @classmethod
    def parse(cls, text: str) -> Formula:
        """Parse the formula; a French error says what is wrong."""
        if text.count("~") != 1:
            raise StatsError(f"Formule « {text} » : il faut un seul « ~ » (y ~ x1 + x2).")
        left, right = (part.strip() for part in text.split("~"))
        if not re.fullmatch(_NAME, left):
            raise StatsError(f"Formule « {text} » : la variable expliquée « {left} » est invalide.")
        terms: list[tuple[str, bool]] = []
        for raw in right.split("+"):
            item = raw.strip()
            if item == "1":
                continue
            match = _TERM.match(item)
            if match is None:
                raise StatsError(
                    f"Formule « {text} » : terme « {item} » invalide (une colonne ou factor(colonne))."
                )
            name = match.group(1) or match.group(2)
            if name in (t[0] for t in terms):
                raise StatsError(f"Formule « {text} » : le terme « {name} » est répété.")
            terms.append((name, match.group(1) is not None))
        return cls(left, tuple(terms))

    @property
    def variables(self) -> list[str]:
        return [self.outcome, *(t[0] for t in self.terms)]

    def __str__(self) -> str:
        rhs = " + ".join(f"factor({n})" if f else n for n, f in self.terms) or "1"
        return f"{self.outcome} ~ {rhs}"


@dataclass
class Model:
    """A fitted survey-weighted model: one entry per coefficient, as R's ``summary``."""

    formula: str
    family: str
    names: list[str]
    terms: list[str]  # the term of each coefficient ("" for the intercept)
    coef: FloatArray
    vcov: FloatArray
    df_residual: int
    n: int
    iterations: int
    reference: dict[str, str] = field(default_factory=dict)  # factor -> reference level

    @property
    def se(self) -> FloatArray:
        return np.asarray(np.sqrt(np.diag(self.vcov)), dtype=np.float64)

    @property
    def t(self) -> FloatArray:
        return np.asarray(self.coef / self.se, dtype=np.float64)

    @property
    def p_value(self) -> FloatArray:
        """Two-sided p-values on the residual degrees of freedom (NaN without any)."""
        if self.df_residual <= 0:
            return np.full(self.coef.size, np.nan)
        return np.asarray(2 * _t().sf(np.abs(self.t), self.df_residual), dtype=np.float64)

    def confint(self, level: float = 0.95) -> tuple[FloatArray, FloatArray]:
        """Wald intervals with Student's t on the residual df (R's ``confint``)."""
        crit = (
            float(_t().ppf(1 - (1 - level) / 2, self.df_residual))
            if self.df_residual > 0
            else np.nan
        )
        return self.coef - crit * self.se, self.coef + crit * self.se

    def odds_ratios(self, level: float = 0.95) -> tuple[FloatArray, FloatArray, FloatArray]:
        """``exp`` of the coefficients and of their interval bounds (logistic models)."""
        low, high = self.confint(level)
        return np.exp(self.coef), np.exp(low), np.exp(high)

    def rows(self, level: float = 0.95) -> list[dict[str, Any]]:
        """One dictionary per coefficient (odds ratios for a logistic model)."""
        low, high = self.confint(level)
        se, t, p = self.se, self.t, self.p_value
        out = []
        for i, name in enumerate(self.names):
            row: dict[str, Any] = {
                "term": self.terms[i],
                "coefficient": name,
                "estimate": float(self.coef[i]),
                "se": float(se[i]),
                "t": float(t[i]),
                "p_value": float(p[i]),
                "ci_low": float(low[i]),
                "ci_high": float(high[i]),
            }
            if self.family == "quasibinomial":
                row.update(
                    odds_ratio=float(np.exp(self.coef[i])),
                    or_low=float(np.exp(low[i])),
                    or_high=float(np.exp(high[i])),
                )
            out.append(row)
        return out


@dataclass(frozen=True)
class TermTest:
    """A Wald test that a group of coefficients is zero (R's ``regTermTest``)."""

    terms: tuple[str, ...]
    f: float
    ndf: int
    ddf: int
    p_value: float
    chisq: float


def _design_matrix(
    formula: Formula, data: Mapping[str, ArrayLike], n: int
) -> tuple[FloatArray, list[str], list[str], NDArray[np.bool_], dict[str, str]]:
    """Columns (intercept first), their names and terms, the complete rows, references."""
    columns: list[FloatArray] = [np.ones(n)]
    names, terms = ["(Intercept)"], [""]
    complete = np.ones(n, dtype=bool)
    reference: dict[str, str] = {}
    for name, forced in formula.terms:
        arr = _column(data, name, n)
        missing = is_missing(arr)
        complete &= ~missing
        numeric = arr.dtype.kind in "fiub"
        if numeric and not forced:
            values = np.where(missing, 0.0, arr).astype(np.float64)
            if np.isinf(values).any():
                raise StatsError(f"La variable « {name} » contient une valeur infinie.")
            columns.append(values)
            names.append(name)
            terms.append(name)
            continue
        texts = np.array([label(v) for v in arr.tolist()], dtype=object)
        levels = sorted({str(v) for v in texts[~missing].tolist()})
        if len(levels) < 2:
            raise StatsError(f"Le facteur « {name} » n'a qu'une modalité parmi les répondants.")
        reference[name] = levels[0]
        for lev in levels[1:]:
            columns.append(((texts == lev) & ~missing).astype(np.float64))
            names.append(f"{name}{lev}")
            terms.append(name)
    return np.column_stack(columns), names, terms, complete, reference


def _column(data: Mapping[str, ArrayLike], name: str, n: int) -> NDArray[Any]:
    if name not in data:
        raise StatsError(f"La variable « {name} » est absente des données.")
    arr = np.asarray(data[name])
    if arr.ndim != 1 or arr.shape[0] != n:
        raise StatsError(f"La variable « {name} » doit avoir une valeur par répondant ({n}).")
    return arr


def _outcome(arr: NDArray[Any], name: str, family: str) -> tuple[FloatArray, NDArray[np.bool_]]:
    """The outcome as numbers; a two-level text outcome is 1 for its second level (R)."""
    missing = is_missing(arr)
    if arr.dtype.kind in "fiub":
        y = np.where(missing, 0.0, arr).astype(np.float64)
    else:
        texts = np.array([label(v) for v in arr.tolist()], dtype=object)
        levels = sorted({str(v) for v in texts[~missing].tolist()})
        if family != "quasibinomial" or len(levels) != 2:
            raise StatsError(
                f"La variable expliquée « {name} » doit être numérique (ou à deux modalités "
                "pour un modèle logistique)."
            )
        y = ((texts == levels[1]) & ~missing).astype(np.float64)
    if family == "quasibinomial" and ((y < 0) | (y > 1))[~missing].any():
        raise StatsError(f"La variable expliquée « {name} » doit être comprise entre 0 et 1.")
    return y, missing


def fit_model(
    design: Design,
    formula: str,
    data: Mapping[str, ArrayLike],
    *,
    family: Family = "gaussian",
    tol: float = 1e-12,
    max_iter: int = 100,
    replicated: Replicated | None = None,
) -> Model:
    """Fit ``formula`` on the design (see the module docstring); R's ``svyglm``, with
    replicate variances when ``replicated`` is given."""
    if family not in FAMILIES:
        raise StatsError(f"Famille inconnue : « {family} » (gaussian ou quasibinomial).")
    parsed = Formula.parse(formula)
    n = design.n
    x, names, terms, complete, reference = _design_matrix(parsed, data, n)
    y, y_missing = _outcome(_column(data, parsed.outcome, n), parsed.outcome, family)
    complete &= ~y_missing
    w = np.where(complete, np.asarray(design.weights), 0.0)
    if np.count_nonzero(w) <= x.shape[1]:
        raise StatsError("Trop peu de répondants pour estimer ce modèle.")
    beta, mu, iterations = _fit(x, y, w, family, tol, max_iter)
    working = w if family == "gaussian" else w * mu * (1 - mu)
    gram = x.T @ (working[:, None] * x)
    try:
        a_inv = np.linalg.inv(gram)
    except np.linalg.LinAlgError as exc:
        raise StatsError(
            "Le modèle n'est pas estimable : des variables explicatives sont redondantes."
        ) from exc
    if replicated is None:
        influence = (x * (w * (y - mu))[:, None]) @ a_inv
        vcov = taylor_covariance(design, influence)
        df = domain_df(design, complete) + 1 - x.shape[1]
    else:
        rep_w = np.where(complete[:, None], replicated.weights, 0.0)
        betas = np.array(
            [
                _fit(x, y, rep_w[:, r], family, tol, max_iter, start=beta)[0]
                for r in range(rep_w.shape[1])
            ]
        ).reshape(rep_w.shape[1], x.shape[1])
        vcov = replicated.covariance(betas - beta)
        df = replicated.df() + 1 - x.shape[1]
    return Model(
        formula=str(parsed),
        family=family,
        names=names,
        terms=terms,
        coef=beta,
        vcov=vcov,
        df_residual=df,
        n=int(np.count_nonzero(w)),
        iterations=iterations,
        reference=reference,
    )


def _fit(
    x: FloatArray,
    y: FloatArray,
    w: FloatArray,
    family: str,
    tol: float,
    max_iter: int,
    start: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray, int]:
    """Coefficients, fitted means and iterations: weighted least squares, or IRLS with the
    logit link from ``start`` (else from the weighted mean) until the largest relative
    step is below ``tol``."""
    if family == "gaussian":
        beta = _wls(x, y, w)
        return beta, x @ beta, 0
    if start is None:
        beta = np.zeros(x.shape[1])
        mu = np.full(y.size, float(w @ y) / float(w.sum()))
        eta = special.logit(np.clip(mu, 1e-10, 1 - 1e-10))
    else:
        beta = start
        eta = x @ beta
        mu = special.expit(eta)
    for iterations in range(1, max_iter + 1):
        var = mu * (1 - mu)
        z = eta + (y - mu) / var
        new = _wls(x, z, w * var)
        step = float(np.max(np.abs(new - beta) / (np.abs(new) + 0.1)))
        beta = new
        eta = x @ beta
        mu = special.expit(eta)
        if step < tol:
            return beta, mu, iterations
    raise StatsError("Le modèle logistique n'a pas convergé (séparation des données ?).")


def _wls(x: FloatArray, y: FloatArray, w: FloatArray) -> FloatArray:
    """Weighted least squares by QR of ``sqrt(w) X`` (as R's ``glm.fit``)."""
    root = np.sqrt(w)
    coef, _res, rank, _sv = np.linalg.lstsq(x * root[:, None], y * root, rcond=None)
    if rank < x.shape[1]:
        raise StatsError(
            "Le modèle n'est pas estimable : des variables explicatives sont redondantes "
            "ou une modalité n'a aucun répondant."
        )
    return np.asarray(coef, dtype=np.float64)


def term_test(model: Model, terms: Sequence[str]) -> TermTest:
    """Wald test that every coefficient of ``terms`` is zero (R's ``regTermTest``)."""
    unknown = [t for t in terms if t not in model.terms or not t]
    if unknown or not terms:
        raise StatsError(
            f"Terme inconnu dans le test : « {unknown[0] if unknown else ''} » "
            f"(termes du modèle : {', '.join(t for t in dict.fromkeys(model.terms) if t)})."
        )
    index = [i for i, t in enumerate(model.terms) if t in terms]
    beta = model.coef[index]
    v = model.vcov[np.ix_(index, index)]
    chisq = float(beta @ np.linalg.solve(v, beta))
    k = len(index)
    f = chisq / k
    from scipy import stats as sps

    p = float(sps.f.sf(f, k, model.df_residual)) if model.df_residual > 0 else float("nan")
    return TermTest(tuple(terms), f, k, model.df_residual, p, chisq)
