"""Survey designs: sampling weights, strata, finite population corrections and clusters.

A :class:`Design` is the Python counterpart of R's ``svydesign(ids=, strata=, weights=,
fpc=)`` object (Lumley 2010, ch. 2).  It holds, for ``n`` respondents,

* the sampling weights ``w_i`` (``1 / pi_i``),
* the stratum of each respondent (``h = 1..H``),
* the primary sampling unit (PSU) of each respondent; without ``ids`` every respondent is
  its own PSU (a one-stage element sample),
* the number of sampled PSUs ``n_h`` and, when a finite population correction is given,
  the number of population PSUs ``N_h`` in each stratum,
* the calibration steps applied so far (post-stratification, raking, GREG calibration),
  which the variance estimator needs (Deville & Särndal 1992; Lumley 2010, ch. 7).

As in R, ``fpc`` is either the population size of each stratum (all values ``>= 1``) or
the sampling fraction (all values ``<= 1``); it must be constant within a stratum.

Multi-stage designs (``ids=[psu, ssu, …]``, R's ``ids=~psu+ssu``) keep each later stage
as a :class:`Stage`: its units are nested in the previous stage's units and stratified
within them (by ``strata[k]`` if given, as R's ``interaction(strata[, k], ids[, k-1])``).
With ``fpc`` given for every stage the variance adds, as R's ``svyrecvar``, each later
stage's one-stage variance within its previous-stage units, scaled by the sampling
fractions of the stages above (``n_1 / N_1``); without ``fpc`` only the first stage
counts (the ultimate-cluster approximation, as R).

Designs are immutable: weighting functions return a new design.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import StatsError

if TYPE_CHECKING:  # SciPy is imported where used: it takes longer than a small run
    from scipy import sparse

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
LonelyPSU = Literal["fail", "certainty", "remove", "adjust"]
LONELY_PSU_RULES: tuple[str, ...] = ("fail", "certainty", "remove", "adjust")
#: Largest share of non-zero entries for which the calibration matrices are kept sparse.
SPARSE_DENSITY = 0.25


def is_missing(values: NDArray[Any]) -> NDArray[np.bool_]:
    """Boolean mask of missing entries (``None``, NaN or empty string) in any array."""
    kind = values.dtype.kind
    if kind == "f":
        nan_mask: NDArray[np.bool_] = np.isnan(values)
        return nan_mask
    if kind in "iub":
        return np.zeros(values.shape, dtype=bool)
    if kind in "US":
        empty_text: NDArray[np.bool_] = np.asarray(values == values.dtype.type(""), dtype=bool)
        return empty_text
    none = np.equal(values, np.array(None, dtype=object))
    nan = np.not_equal(values, values)
    empty = np.equal(values, np.array("", dtype=object))
    mask: NDArray[np.bool_] = np.asarray(none | nan | empty, dtype=bool)
    return mask


def factorize(values: ArrayLike, name: str) -> tuple[IntArray, list[Any]]:
    """Integer codes ``0..L-1`` and sorted labels of a categorical array.

    Raises :class:`StatsError` if the array holds missing values.
    """
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise StatsError(f"« {name} » doit être une colonne (tableau à une dimension).")
    if is_missing(arr).any():
        first = int(np.flatnonzero(is_missing(arr))[0])
        raise StatsError(
            f"« {name} » contient une valeur manquante (ligne {first + 1} des données)."
        )
    if arr.dtype.kind == "O":
        arr = arr.astype(str)
    labels, codes = np.unique(arr, return_inverse=True)
    return codes.astype(np.intp), [v.item() if hasattr(v, "item") else v for v in labels]


def label(value: Any) -> str:
    """Text label of a category value (``1.0`` -> ``"1"``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def level_key(value: Any) -> Any:
    """The value a category is matched by: numbers by value, text as text.

    ``1``, ``1.0``, ``"1"`` and ``np.float64(1)`` are one level, so that a CSV column of
    codes read as floats matches population totals keyed however YAML typed them.
    """
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return number if np.isfinite(number) else text


def level_lookup(population: Mapping[Any, Any], name: str) -> dict[Any, tuple[Any, Any]]:
    """``level_key(key) -> (key, value)`` for a mapping keyed by category (French errors)."""
    out: dict[Any, tuple[Any, Any]] = {}
    for key, value in population.items():
        k = level_key(key)
        if k in out:
            raise StatsError(
                f"« {name} » : les modalités « {out[k][0]} » et « {key} » désignent la même "
                "valeur ; gardez-en une."
            )
        out[k] = (key, value)
    return out


def sample_level_keys(labels: Sequence[Any], name: str) -> list[Any]:
    """``level_key`` of each sample label, checked to be distinct ("01" and "1" are one)."""
    keys = [level_key(v) for v in labels]
    if len(set(keys)) < len(keys):
        seen: dict[Any, Any] = {}
        for lab, k in zip(labels, keys, strict=True):
            if k in seen:
                raise StatsError(
                    f"« {name} » a deux modalités de même valeur, « {seen[k]} » et « {lab} » ; "
                    "harmonisez la colonne."
                )
            seen[k] = lab
    return keys


def as_float_vector(values: ArrayLike, name: str, n: int | None = None) -> FloatArray:
    """A finite float64 vector, checked for length, NaN and infinity (French errors)."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raw = np.asarray(values, dtype=object).ravel().tolist()
        for i, v in enumerate(raw):
            try:
                float(v)
            except (TypeError, ValueError):
                raise StatsError(
                    f"« {name} » doit contenir des nombres (ligne {i + 1} : {v!r})."
                ) from exc
        raise StatsError(f"« {name} » doit contenir des nombres.") from exc
    if arr.ndim != 1:
        raise StatsError(f"« {name} » doit être une colonne (tableau à une dimension).")
    if n is not None and arr.shape[0] != n:
        raise StatsError(
            f"« {name} » a {arr.shape[0]} valeurs alors que le plan en compte {n} "
            "(longueurs différentes)."
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise StatsError(
            f"« {name} » contient une valeur manquante ou infinie (ligne {first + 1})."
        )
    return arr


@dataclass(frozen=True)
class Projection:
    """One linear step ``E <- E - Z (A' E)`` of the calibration residual operator.

    ``a_key``/``z_key`` identify ``A``/``Z`` so that repeated steps (raking back-fitting
    iterations) share their matrices.
    """

    a: FloatArray
    z: FloatArray
    a_key: int
    z_key: int


@dataclass(frozen=True)
class CalibrationStep:
    """A calibration applied to the design, kept for the variance (like R's ``postStrata``).

    ``kind`` is ``"poststratify"``, ``"rake"`` or ``"calibrate"``; ``projections`` is the
    sequence of linear residualisation steps that R's ``svyrecvar`` applies for it;
    ``reapply`` redoes the same step on another design (used to calibrate each set of
    replicate weights, as R's methods for replicate designs do).
    """

    kind: str
    projections: tuple[Projection, ...]
    description: str
    reapply: Callable[[Design], Design] | None = None


@dataclass(frozen=True)
class ResidualOperator:
    """``E -> E - Z (T (A' E))``: the composition of all calibration projections.

    Composing the ``J`` projections ``E_j = E_{j-1} - Z_j A_j' E_{j-1}`` gives
    ``E_J = E - sum_j Z_j B_j`` with ``B_j = A_j' E - sum_{l<j} (A_j' Z_l) B_l``, i.e.
    ``B = (I + L)^{-1} F`` with ``F = [A_j' E]`` and ``L`` strictly lower block-triangular.
    Steps sharing the same ``A`` or ``Z`` are merged, so the cost per estimate is that of
    one weighted least-squares fit whatever the number of raking iterations.
    """

    a: FloatArray  # n x qa (distinct A matrices side by side)
    z: FloatArray  # n x qz (distinct Z matrices side by side)
    t: FloatArray  # qz x qa

    def apply(self, e: FloatArray) -> FloatArray:
        """Return the calibration residuals of the columns of ``e`` (n x m)."""
        beta = self.t @ (self.a.T @ e)
        return e - self.z @ beta

    @classmethod
    def compose(cls, projections: Sequence[Projection]) -> ResidualOperator:
        """Build the operator from projections applied in order."""
        a_index: dict[int, tuple[int, FloatArray]] = {}
        z_index: dict[int, tuple[int, FloatArray]] = {}
        a_off: list[int] = []
        z_off: list[int] = []
        qa = qz = 0
        for p in projections:
            if p.a_key not in a_index:
                a_index[p.a_key] = (qa, p.a)
                qa += p.a.shape[1]
            if p.z_key not in z_index:
                z_index[p.z_key] = (qz, p.z)
                qz += p.z.shape[1]
            a_off.append(a_index[p.a_key][0])
            z_off.append(z_index[p.z_key][0])
        sizes = [p.a.shape[1] for p in projections]
        starts = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        total = int(starts[-1])
        lower = np.zeros((total, total))
        cross: dict[tuple[int, int], FloatArray] = {}
        for j, pj in enumerate(projections):
            for k in range(j):
                pk = projections[k]
                key = (pj.a_key, pk.z_key)
                if key not in cross:
                    cross[key] = pj.a.T @ pk.z
                lower[starts[j] : starts[j + 1], starts[k] : starts[k + 1]] = cross[key]
        # P expands the distinct F blocks into one block per projection; S sums the B blocks
        # that share a Z matrix.
        expand = np.zeros((total, qa))
        gather = np.zeros((qz, total))
        for j in range(len(projections)):
            size = sizes[j]
            eye = np.eye(size)
            expand[starts[j] : starts[j + 1], a_off[j] : a_off[j] + size] = eye
            gather[z_off[j] : z_off[j] + size, starts[j] : starts[j + 1]] += eye
        solved = np.linalg.solve(np.eye(total) + lower, expand)
        a_mat = np.hstack([m for _, m in a_index.values()])
        z_mat = np.hstack([m for _, m in z_index.values()])
        return cls(a=a_mat, z=z_mat, t=gather @ solved)


def to_csr(dense: FloatArray) -> sparse.csr_matrix:
    """A dense matrix as CSR, built from its non-zeros (faster than SciPy's conversion)."""
    from scipy import sparse

    flat = np.ascontiguousarray(dense).ravel()
    nonzero = flat != 0
    where = np.flatnonzero(nonzero)
    indptr = np.zeros(dense.shape[0] + 1, dtype=np.intp)
    np.cumsum(nonzero.reshape(dense.shape).sum(axis=1), out=indptr[1:])
    return sparse.csr_matrix((flat[where], where % dense.shape[1], indptr), shape=dense.shape)


@dataclass(frozen=True)
class Stage:
    """A later sampling stage (2, 3, …) of a multi-stage design, for R's ``multistage``.

    Units are nested in the previous stage's units; a *cell* is a stratum of this stage
    within one previous-stage unit (R's ``interaction(strata[, k], ids[, k-1])``).
    ``above`` is, per cell, the product of the sampling fractions ``n / N`` of the cells
    that contain it at the earlier stages (R's ``nPSUs / fpcs`` factor of the recursion).
    """

    number: int
    unit_codes: IntArray  # per row
    unit_cells: IntArray  # per unit
    n_units: FloatArray  # per cell: sampled units
    pop_units: FloatArray  # per cell: population units (inf without fpc)
    above: FloatArray  # per cell
    cell_labels: list[str]

    @cached_property
    def unit_matrix(self) -> sparse.csr_matrix:
        """Sparse ``U x n`` matrix summing rows into their unit of this stage."""
        from scipy import sparse

        n = self.unit_codes.shape[0]
        return sparse.csr_matrix(
            (np.ones(n), (self.unit_codes, np.arange(n))), shape=(self.unit_cells.size, n)
        )

    @cached_property
    def cell_matrix(self) -> sparse.csr_matrix:
        """Sparse ``C x U`` matrix summing units into their cell."""
        from scipy import sparse

        units = self.unit_cells.size
        return sparse.csr_matrix(
            (np.ones(units), (self.unit_cells, np.arange(units))),
            shape=(self.n_units.size, units),
        )


def _stage_columns(value: Any) -> list[Any] | None:
    """``ids``, ``strata`` or ``fpc`` as one column per stage (None when absent)."""
    if value is None or isinstance(value, Mapping):
        return None if value is None else [value]
    if isinstance(value, list | tuple) and value and np.ndim(value[0]) == 1:
        return list(value)
    return [value]


def _codes(outer: IntArray, inner: IntArray) -> IntArray:
    """One code ``0..`` per distinct pair of codes, in the pairs' order."""
    pair = outer.astype(np.int64) * (int(inner.max()) + 1) + inner
    _, inverse = np.unique(pair, return_inverse=True)
    return np.asarray(inverse, dtype=np.intp).ravel()


def _population(
    per_row: FloatArray, cells: IntArray, n_cells: FloatArray, labels: list[str], stage: int
) -> FloatArray:
    """Population units per cell from an fpc column (sizes if any value is above 1, else
    sampling fractions), constant within each cell and not below the sample's (as R)."""
    if (per_row <= 0).any():
        raise StatsError("« fpc » doit être strictement positif.")
    is_popsize = bool((per_row > 1).any())
    if is_popsize and not (per_row >= 1).all():
        raise StatsError("« fpc » mélange des tailles de population (> 1) et des fractions (< 1).")
    where = f" à l'étape {stage}" if stage > 1 else ""
    lo = np.full(n_cells.size, np.inf)
    hi = np.full(n_cells.size, -np.inf)
    np.minimum.at(lo, cells, per_row)
    np.maximum.at(hi, cells, per_row)
    varies = np.flatnonzero(lo != hi)
    if varies.size:
        raise StatsError(
            f"« fpc » varie à l'intérieur de la strate « {labels[varies[0]]} »{where}."
        )
    pop = lo if is_popsize else n_cells / lo
    if (pop < n_cells - 1e-9).any():
        h = int(np.flatnonzero(pop < n_cells - 1e-9)[0])
        raise StatsError(
            f"« fpc » : la strate « {labels[h]} »{where} a plus d'unités dans "
            f"l'échantillon ({int(n_cells[h])}) que dans la population ({pop[h]:g})."
        )
    return np.asarray(pop, dtype=np.float64)


_KEY = [0]


def new_key() -> int:
    """A fresh identifier for a projection matrix."""
    _KEY[0] += 1
    return _KEY[0]


class Design:
    """A stratified, clustered, possibly multi-stage survey design, as R's ``svydesign``.

    Parameters use R's names: ``weights`` (sampling weights) or ``probs`` (inclusion
    probabilities), ``strata``, ``ids`` (PSU identifiers; PSUs are nested in strata) and
    ``fpc`` (population size per stratum, or sampling fraction).  For a multi-stage design
    ``ids`` is a list of columns, one per stage, and so are ``fpc`` and (optionally)
    ``strata`` (see :class:`Stage`).  When neither weights nor
    probabilities are given and ``fpc`` is a population size, the weights are
    ``N_h / n_h`` (stratified simple random sampling).

    ``lonely_psu`` says what to do with a stratum holding a single PSU, as R's option
    ``survey.lonely.psu``: ``"fail"`` (an error), ``"certainty"`` or ``"remove"`` (no
    contribution) or ``"adjust"`` (deviation from the overall mean).
    """

    def __init__(
        self,
        weights: ArrayLike | None = None,
        *,
        strata: ArrayLike | None = None,
        ids: ArrayLike | None = None,
        fpc: ArrayLike | Mapping[Any, float] | None = None,
        probs: ArrayLike | None = None,
        lonely_psu: LonelyPSU = "fail",
        n: int | None = None,
    ) -> None:
        id_stages = _stage_columns(ids)
        strata_stages = _stage_columns(strata)
        fpc_stages = _stage_columns(fpc)
        columns = [weights, probs, *(id_stages or []), *(strata_stages or [])]
        sizes = [np.asarray(v).shape[0] for v in columns if v is not None]
        sizes += [np.asarray(v).shape[0] for v in fpc_stages or [] if not isinstance(v, Mapping)]
        if n is not None:
            sizes.append(n)
        if not sizes:
            raise StatsError("Le plan de sondage est vide : aucune colonne n'a été fournie.")
        if len(set(sizes)) != 1:
            raise StatsError(
                "Les colonnes du plan de sondage n'ont pas la même longueur : "
                + ", ".join(str(s) for s in sizes)
                + "."
            )
        self.n: int = sizes[0]
        if self.n == 0:
            raise StatsError("Le plan de sondage ne contient aucune ligne.")
        if lonely_psu not in LONELY_PSU_RULES:
            raise StatsError(
                f"« lonely_psu » doit valoir {', '.join(LONELY_PSU_RULES)} (reçu : {lonely_psu})."
            )
        self.lonely_psu: LonelyPSU = lonely_psu
        n_stages = len(id_stages) if id_stages else 1
        for key, given in (("strata", strata_stages), ("fpc", fpc_stages)):
            if given is not None and len(given) > n_stages:
                raise StatsError(
                    f"« {key} » donne {len(given)} colonnes pour {n_stages} degré(s) de "
                    "tirage (« ids ») : une par degré au plus."
                )
        if fpc_stages is not None and n_stages > 1 and len(fpc_stages) != n_stages:
            raise StatsError(
                f"« fpc » donne {len(fpc_stages)} colonne(s) pour {n_stages} degrés de tirage "
                "(« ids ») : une par degré (ou aucune, la variance ne portant alors que sur "
                "le premier degré)."
            )

        if strata_stages is None:
            self.strata_codes: IntArray = np.zeros(self.n, dtype=np.intp)
            self.strata_labels: list[Any] = [""]
            self.has_strata = False
        else:
            self.strata_codes, self.strata_labels = factorize(strata_stages[0], "strata")
            self.has_strata = True
        n_strata = len(self.strata_labels)

        if id_stages is None:
            psu = np.arange(self.n, dtype=np.intp)
            self.has_clusters = False
        else:
            id_codes, _ = factorize(id_stages[0], "ids")
            # PSUs are nested in strata (R's nest=TRUE).
            psu = _codes(self.strata_codes, id_codes)
            self.has_clusters = True
        self.psu_codes: IntArray = psu
        n_psu_total = int(psu.max()) + 1
        psu_strata = np.zeros(n_psu_total, dtype=np.intp)
        psu_strata[psu] = self.strata_codes
        self.psu_strata: IntArray = psu_strata
        self.n_psu: FloatArray = np.bincount(psu_strata, minlength=n_strata).astype(np.float64)

        self.pop_psu: FloatArray = np.full(n_strata, np.inf)
        self.has_fpc = fpc_stages is not None
        if fpc_stages is not None:
            self.pop_psu = self._parse_fpc(fpc_stages[0])
        #: Stages 2, 3, … (only with their fpc: without, R's variance is the first stage's).
        self.later_stages: tuple[Stage, ...] = ()
        if id_stages is not None and len(id_stages) > 1:
            self.later_stages = self._later_stages(id_stages, strata_stages or [], fpc_stages)

        if weights is not None and probs is not None:
            raise StatsError("Donnez les poids (« weights ») ou les probabilités, pas les deux.")
        if weights is not None:
            w = as_float_vector(weights, "weights", self.n)
        elif probs is not None:
            p = as_float_vector(probs, "probs", self.n)
            if (p <= 0).any() or (p > 1).any():
                raise StatsError("« probs » doit être compris dans ]0, 1].")
            w = 1.0 / p
        elif fpc is not None:
            w = (self.pop_psu / self.n_psu)[self.strata_codes]
            for stage in self.later_stages:  # R: the product of the stages' N / n
                w = w * (stage.pop_units / stage.n_units)[stage.unit_cells[stage.unit_codes]]
        else:
            raise StatsError(
                "Le plan de sondage n'a ni poids (« weights »), ni probabilités, ni taille de "
                "population (« fpc ») pour les calculer."
            )
        if (w < 0).any():
            first = int(np.flatnonzero(w < 0)[0])
            raise StatsError(f"« weights » contient un poids négatif (ligne {first + 1}).")
        if not w.any():
            raise StatsError(
                "Tous les poids sont nuls : aucune ligne ne compte dans les estimations ; "
                "vérifiez la colonne de poids (« weights »)."
            )
        self.weights: FloatArray = w
        self.weights.flags.writeable = False
        #: The weights before any calibration step (sampling weights).
        self.base_weights: FloatArray = w
        self.calibration: tuple[CalibrationStep, ...] = ()

    def _parse_fpc(self, fpc: ArrayLike | Mapping[Any, float]) -> FloatArray:
        n_strata = len(self.strata_labels)
        if isinstance(fpc, Mapping):
            values = np.empty(n_strata)
            for h, label in enumerate(self.strata_labels):
                if label not in fpc and str(label) not in fpc:
                    raise StatsError(f"« fpc » ne donne pas la taille de la strate « {label} ».")
                values[h] = float(fpc[label] if label in fpc else fpc[str(label)])
            per_row = values[self.strata_codes]
        else:
            per_row = as_float_vector(fpc, "fpc", self.n)
        labels = [str(v) for v in self.strata_labels]
        return _population(per_row, self.strata_codes, self.n_psu, labels, 1)

    def _later_stages(
        self,
        ids: list[Any],
        strata: list[Any],
        fpc: list[Any] | None,
    ) -> tuple[Stage, ...]:
        """Stages 2… of ``ids``, nested as R's ``svydesign`` nests them (see :class:`Stage`)."""
        if fpc is None:
            return ()
        stages: list[Stage] = []
        outer = self.psu_codes  # the previous stage's unit of each row
        outer_fraction = (self.n_psu / self.pop_psu)[self.psu_strata]  # per previous unit
        outer_above = np.ones(outer_fraction.size)
        for k in range(1, len(ids)):
            id_codes, _ = factorize(ids[k], "ids")
            if k < len(strata):
                stratum, _ = factorize(strata[k], "strata")
            else:
                stratum = np.zeros(self.n, dtype=np.intp)  # R: strata[, min(k, NS)] within
            cell_row = _codes(outer, stratum)
            unit = _codes(cell_row, id_codes)
            unit_cells = np.zeros(int(unit.max()) + 1, dtype=np.intp)
            unit_cells[unit] = cell_row
            n_cells = np.bincount(unit_cells).astype(np.float64)
            cell_outer = np.zeros(n_cells.size, dtype=np.intp)
            cell_outer[cell_row] = outer
            first = np.zeros(n_cells.size, dtype=np.intp)
            first[cell_row[::-1]] = np.arange(self.n)[::-1]  # each cell's first row
            labels = [
                " / ".join(str(np.asarray(ids[j])[r]) for j in range(k))
                + (f" / {np.asarray(strata[k])[r]}" if k < len(strata) else "")
                for r in first.tolist()
            ]
            pop = _population(
                as_float_vector(fpc[k], "fpc", self.n), cell_row, n_cells, labels, k + 1
            )
            above = (outer_above * outer_fraction)[cell_outer]
            stages.append(Stage(k + 1, unit, unit_cells, n_cells, pop, above, labels))
            outer = unit
            outer_fraction = (n_cells / pop)[unit_cells]
            outer_above = above[unit_cells]
        return tuple(stages)

    @classmethod
    def from_columns(
        cls,
        data: Mapping[str, ArrayLike] | Any,
        *,
        weights: str | None = None,
        strata: str | Sequence[str] | None = None,
        ids: str | Sequence[str] | None = None,
        fpc: str | Sequence[str] | None = None,
        probs: str | None = None,
        lonely_psu: LonelyPSU = "fail",
    ) -> Design:
        """Build a design from named columns of a mapping or a DataFrame (Polars, pandas).

        Column names follow R's ``svydesign``; a missing column raises a French error
        naming the argument and the column.
        """
        names = list(data.columns) if hasattr(data, "columns") else list(data.keys())

        def col(arg: str, name: str | Sequence[str] | None) -> Any:
            if name is None:
                return None
            if not isinstance(name, str):  # one column per stage
                return [col(arg, one) for one in name]
            if name not in names:
                raise StatsError(f"la clé « {arg} » désigne une colonne absente : « {name} »")
            values = data[name]
            return np.asarray(values.to_numpy() if hasattr(values, "to_numpy") else values)

        n = int(np.asarray(data[names[0]]).shape[0]) if names else 0
        return cls(
            col("weights", weights),
            strata=col("strata", strata),
            ids=col("ids", ids),
            fpc=col("fpc", fpc),
            probs=col("probs", probs),
            lonely_psu=lonely_psu,
            n=n,
        )

    # ------------------------------------------------------------------ derived designs
    def with_weights(self, weights: FloatArray, step: CalibrationStep | None) -> Design:
        """A copy with new weights and, if given, one more calibration step."""
        new = object.__new__(Design)
        new.__dict__.update({k: v for k, v in self.__dict__.items() if k not in _CACHED_ATTRIBUTES})
        w = np.asarray(weights, dtype=np.float64).copy()
        w.flags.writeable = False
        new.weights = w
        if step is not None:
            new.calibration = (*self.calibration, step)
        return new

    def replay(self, base_weights: FloatArray) -> Design:
        """The same design and calibration steps started from other base weights.

        Used for replicate weights: each replicate's base weights go through the same
        post-stratification, raking or calibration (R's methods for ``svyrep.design``).
        """
        start = self.with_weights(np.asarray(base_weights, dtype=np.float64), None)
        start.calibration = ()
        start.base_weights = start.weights
        for step in self.calibration:
            if step.reapply is None:
                raise StatsError(f"L'étape « {step.description} » ne peut pas être rejouée.")
            start = step.reapply(start)
        return start

    # ------------------------------------------------------------------ cached helpers
    @property
    def is_calibrated(self) -> bool:
        """True once post-stratification, raking or calibration has been applied."""
        return bool(self.calibration)

    @cached_property
    def residual_operator(self) -> ResidualOperator | None:
        """The calibration residual operator, or None for an uncalibrated design."""
        if not self.calibration:
            return None
        return ResidualOperator.compose([p for s in self.calibration for p in s.projections])

    @cached_property
    def sort_order(self) -> IntArray:
        """Row order sorted by stratum then PSU (stable), used for segment sums."""
        key = self.strata_codes.astype(np.int64) * (self.psu_strata.shape[0] + 1) + self.psu_codes
        if key.size < 2 or bool((key[1:] >= key[:-1]).all()):
            return np.arange(self.n, dtype=np.intp)  # already sorted: gathers become copies
        return np.argsort(key, kind="stable").astype(np.intp)

    @cached_property
    def is_sorted(self) -> bool:
        """True when the rows are already in stratum/PSU order (no gather needed)."""
        return bool((self.sort_order == np.arange(self.n)).all())

    @cached_property
    def unit_calibration(self) -> tuple[FloatArray, FloatArray, FloatArray] | None:
        """Per-unit ``Z`` (rows, or PSU sums), its stratum sums and centred stratum Gram matrices."""
        op = self.residual_operator
        if op is None:
            return None
        z_unit = np.asarray(self.psu_matrix @ op.z) if self.has_clusters else op.z
        unit_strata = self.psu_strata if self.has_clusters else self.strata_codes
        n_strata = len(self.strata_labels)
        qz = z_unit.shape[1]
        sums = np.zeros((n_strata, qz))
        gram = np.zeros((n_strata, qz, qz))
        order = np.argsort(unit_strata, kind="stable")
        sorted_z = z_unit if bool((order == np.arange(order.size)).all()) else z_unit[order]
        bounds = np.searchsorted(unit_strata[order], np.arange(n_strata + 1))
        adjust = self.lonely_psu == "adjust"
        for h in range(n_strata):
            block = sorted_z[bounds[h] : bounds[h + 1]]
            sums[h] = block.sum(axis=0)
            # centred on the stratum's mean (two-pass), as the variance centres the PSU
            # totals; a lonely PSU under ``adjust`` is taken about 0
            if not (adjust and block.shape[0] <= 1):
                block = block - sums[h] / block.shape[0]
            gram[h] = block.T @ block
        return z_unit, sums, gram

    @cached_property
    def sorted_a(self) -> FloatArray:
        """Rows of the residual operator's ``A`` in ``sort_order``."""
        op = self.residual_operator
        if op is None:
            return np.zeros((self.n, 0))
        return op.a if self.is_sorted else np.ascontiguousarray(op.a[self.sort_order])

    @cached_property
    def sorted_z(self) -> FloatArray:
        """Rows of the residual operator's ``Z`` in ``sort_order``."""
        op = self.residual_operator
        if op is None:
            return np.zeros((self.n, 0))
        return op.z if self.is_sorted else np.ascontiguousarray(op.z[self.sort_order])

    @cached_property
    def sparse_calibration(self) -> tuple[sparse.csr_matrix, sparse.csr_matrix] | None:
        """``sorted_a`` and ``sorted_z`` as sparse matrices, when mostly zeros (else None).

        Raking and post-stratification put one non-zero per margin in each row of ``A`` and
        ``Z``: products with the influence values then cost a couple of operations per value
        instead of one per column of ``A`` (31 for 10 strata and 21 régions).
        """
        if self.residual_operator is None:
            return None
        a, z = self.sorted_a, self.sorted_z
        if max(np.count_nonzero(a) / a.size, np.count_nonzero(z) / z.size) > SPARSE_DENSITY:
            return None
        return to_csr(a), to_csr(z)

    @cached_property
    def psu_matrix(self) -> sparse.csr_matrix:
        """Sparse ``P x n`` matrix summing rows into their PSU."""
        from scipy import sparse

        n_psu = self.psu_strata.shape[0]
        return sparse.csr_matrix(
            (np.ones(self.n), (self.psu_codes, np.arange(self.n))), shape=(n_psu, self.n)
        )

    @cached_property
    def strata_matrix(self) -> sparse.csr_matrix:
        """Sparse ``H x P`` matrix summing PSUs into their stratum."""
        from scipy import sparse

        n_psu = self.psu_strata.shape[0]
        return sparse.csr_matrix(
            (np.ones(n_psu), (self.psu_strata, np.arange(n_psu))),
            shape=(len(self.strata_labels), n_psu),
        )

    @cached_property
    def sampling_fraction_complement(self) -> FloatArray:
        """``1 - f_h = (N_h - n_h) / N_h`` per stratum (1 without fpc), as R's ``onestrat``."""
        with np.errstate(invalid="ignore"):
            f = np.where(np.isinf(self.pop_psu), 1.0, (self.pop_psu - self.n_psu) / self.pop_psu)
        return np.asarray(f, dtype=np.float64)

    @cached_property
    def stratum_scale(self) -> FloatArray:
        """``(1 - f_h) n_h / (n_h - 1)`` per stratum (see :func:`variance.stratum_scale`)."""
        from .variance import stratum_scale

        return stratum_scale(self)

    @property
    def degf(self) -> int:
        """Design degrees of freedom: number of PSUs minus number of strata (R's ``degf``)."""
        inset = self.weights != 0
        psus = np.bincount(self.psu_codes[inset], minlength=self.psu_strata.shape[0])
        strata = np.bincount(self.strata_codes[inset], minlength=len(self.strata_labels))
        return int(np.count_nonzero(psus)) - int(np.count_nonzero(strata))

    def __repr__(self) -> str:
        parts = [f"n={self.n}", f"strata={len(self.strata_labels) if self.has_strata else 0}"]
        if self.has_clusters:
            parts.append(f"psu={self.psu_strata.shape[0]}")
        if self.has_fpc:
            parts.append("fpc")
        parts.extend(s.kind for s in self.calibration)
        return f"Design({', '.join(parts)})"


_CACHED_ATTRIBUTES = frozenset(
    {"residual_operator", "unit_calibration", "sorted_a", "sorted_z", "sparse_calibration"}
)
