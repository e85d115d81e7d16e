"""Variance estimation: Taylor linearisation and replicate weights.

Taylor linearisation (Särndal, Swensson & Wretman 1992, §5.5; Lumley 2010, §2.2 and
appendix C).  An estimator ``theta`` is replaced by the total of its weighted influence
values ``u_i = w_i z_i`` (for a total ``z_i = y_i``; for a mean ``z_i = (y_i - ybar) / N``).
With ``t_hc = sum_{i in PSU c of stratum h} u_i`` the estimated variance is

    V(theta) = sum_h (1 - f_h) n_h / (n_h - 1) sum_c (t_hc - tbar_h)^2,

where ``n_h`` is the number of sampled PSUs, ``f_h = n_h / N_h`` the first-stage sampling
fraction (0 without fpc).  A stratum sampled exhaustively (``f_h = 1``) adds nothing, which
is what makes the nearly censused strata (the 18 régions) precise.

After calibration, ``u`` is replaced by its calibration residual before this formula
(Deville & Särndal 1992, §4; Lumley 2010, §7.4), exactly as R's ``svyrecvar`` does for
designs produced by ``postStratify``, ``rake`` and ``calibrate``; see
:class:`~observatoire.stats.design.ResidualOperator`.

Replicate weights (Wolter 2007, ch. 4; Lumley 2010, §2.3): JK1 (delete one PSU,
unstratified), JKn (delete one PSU within its stratum), the Rao–Wu rescaling bootstrap,
and balanced half-samples (BRR, and Fay's with ``rho``) from R's Hadamard matrices.
With replicate estimates ``theta_r``, ``V = scale sum_r rscale_r (theta_r - mean_r)^2``
(R's ``svrVar`` with ``mse = FALSE``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .design import Design, FloatArray, IntArray, label
from .errors import StatsError

if TYPE_CHECKING:
    from scipy import sparse

#: Relative size under which a one-pass or expanded sum of squares is recomputed with
#: explicit centring: at most three of the sixteen digits are lost.
_CANCELLATION = 1e-3


def stratum_scale(design: Design) -> FloatArray:
    """``(1 - f_h) n_h / (n_h - 1)`` per stratum; lonely PSUs per ``design.lonely_psu``."""
    return _scale(
        design.n_psu, design.sampling_fraction_complement, design, design.strata_labels, 1
    )


def _scale(
    n_h: FloatArray, fcomp: FloatArray, design: Design, labels: Sequence[Any], stage: int
) -> FloatArray:
    """R's ``onestrat`` factor of each stratum (or cell) of a stage, lonely units checked."""
    f = fcomp.copy()
    f[f < 1e-7] = 0.0
    lonely = (n_h <= 1) & (f > 0)
    if lonely.any() and design.lonely_psu == "fail":
        h = int(np.flatnonzero(lonely)[0])
        if stage == 1:
            raise StatsError(
                f"La strate « {labels[h]} » ne contient qu'une unité primaire : sa variance "
                "ne peut pas être estimée (choisissez lonely_psu = certainty, remove ou adjust)."
            )
        raise StatsError(
            f"Au degré {stage}, la strate « {labels[h]} » ne contient qu'une unité tirée : "
            "sa variance ne peut pas être estimée (choisissez lonely_psu = certainty, remove "
            "ou adjust)."
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n_h > 1, f * n_h / (n_h - 1), f)
    if design.lonely_psu in ("certainty", "remove"):
        scale = np.where(n_h > 1, scale, 0.0)
    return np.asarray(scale, dtype=np.float64)


def _later_stages(design: Design, u: FloatArray) -> list[FloatArray]:
    """For each later stage, its units' totals of ``u`` centred within their cell and times
    the square root of their factor: their cross-products are the stage's covariance, R's
    ``multistage`` recursion (one-stage variance within each previous-stage unit, times the
    sampling fractions above)."""
    out = []
    for stage in design.later_stages:
        with np.errstate(divide="ignore", invalid="ignore"):
            fcomp = np.where(
                np.isinf(stage.pop_units), 1.0, (stage.pop_units - stage.n_units) / stage.pop_units
            )
        scale = _scale(stage.n_units, fcomp, design, stage.cell_labels, stage.number)
        t = np.asarray(stage.unit_matrix @ u)
        keep = (stage.n_units > 1) | (design.lonely_psu != "adjust")
        centre = np.where(keep, 1.0 / stage.n_units, 0.0)
        means = np.asarray(stage.cell_matrix @ t) * centre[:, None]
        dev = t - means[stage.unit_cells]
        out.append(dev * np.sqrt(scale * stage.above)[stage.unit_cells][:, None])
    return out


def centre_factor(design: Design) -> FloatArray:
    """``1 / n_h`` per stratum: PSU totals are centred on their stratum's mean (two-pass,
    so a near-constant variable keeps its digits); 0 for a lonely PSU under ``adjust``,
    whose total is taken about 0 as R does."""
    n_h = design.n_psu.astype(np.float64)
    keep = (n_h > 1) | (design.lonely_psu != "adjust")
    return np.where(keep, 1.0 / n_h, 0.0)


def _centred(design: Design, t: FloatArray) -> FloatArray:
    """PSU totals ``t`` (one row per PSU) minus their stratum's mean (see :func:`centre_factor`)."""
    means = np.asarray(design.strata_matrix @ t) * centre_factor(design)[:, None]
    return np.asarray(t - means[design.psu_strata], dtype=np.float64)


def taylor_variance(
    design: Design, influence: FloatArray, *, residualise: bool = True
) -> FloatArray:
    """Linearisation variance of the totals of each column of ``influence`` (``n x m``).

    ``influence`` holds the weighted influence values ``u_i``; calibration residuals are
    taken first when the design is calibrated.  Returns a vector of ``m`` variances.
    """
    u = np.asarray(influence, dtype=np.float64)
    if u.ndim == 1:
        u = u[:, None]
    op = design.residual_operator if residualise else None
    if op is not None:
        u = op.apply(u)
    t = design.psu_matrix @ u if design.has_clusters else u
    scale = stratum_scale(design)
    dev = _centred(design, t)
    if design.has_strata:
        centred = np.asarray(design.strata_matrix @ (dev * dev))
    else:
        centred = np.einsum("ij,ij->j", dev, dev)[None, :]
    var = scale @ centred
    for later in _later_stages(design, u):
        var = var + np.einsum("ij,ij->j", later, later)
    return np.asarray(var, dtype=np.float64)


def taylor_covariance(design: Design, influence: FloatArray) -> FloatArray:
    """Full ``m x m`` linearisation covariance matrix of the columns of ``influence``."""
    u = np.asarray(influence, dtype=np.float64)
    if u.ndim == 1:
        u = u[:, None]
    op = design.residual_operator
    if op is not None:
        u = op.apply(u)
    t = design.psu_matrix @ u if design.has_clusters else u
    scale = stratum_scale(design)
    dev = _centred(design, t)
    weighted = dev * np.sqrt(scale[design.psu_strata])[:, None]
    cov = weighted.T @ weighted
    for later in _later_stages(design, u):
        cov = cov + later.T @ later
    return np.asarray(cov, dtype=np.float64)


def domain_variance(design: Design, pos: IntArray | None, e: FloatArray) -> FloatArray:
    """Variance of the totals of influence columns that are zero outside a domain.

    ``pos`` are the domain's positions in ``design.sort_order`` (rows sorted by stratum,
    then PSU), increasing, or None for the whole sample; ``e`` holds the influence values
    of those rows in that order (``len(pos) x m``).  The result equals
    :func:`taylor_variance` on the full ``n x m`` matrix, which is never built; see
    :class:`DomainVariance`, which does the same for many blocks of columns.
    """
    return DomainVariance(design, pos)(e)


class DomainVariance:
    """:func:`domain_variance` of one domain, prepared once for any number of column blocks.

    With the calibration residual ``r = e - Z beta``, ``beta = T A' e``, the stratum sums
    are

        sum_h r = sum_h e - (sum_h Z)' beta,
        sum_h r^2 = sum_h e^2 - 2 beta' sum_h Z e + beta' (sum_h Z Z') beta,

    where only the first and the middle terms involve the domain's rows; ``sum_h Z`` and
    ``sum_h Z Z'`` are computed once per design.  The cost is one pass over the domain's
    rows whatever the number of raking iterations; what depends only on the domain (its
    rows of ``A`` and ``Z``, its PSU and stratum boundaries) is gathered here once, so that
    the indicators can go through in blocks that stay in the processor's cache.  Columns
    whose one-pass sums lose more than six digits to cancellation are recomputed exactly.
    """

    def __init__(self, design: Design, pos: IntArray | None) -> None:
        self.design = design
        order = design.sort_order
        if pos is None:
            rows = order
        elif design.is_sorted:
            rows = pos
        else:
            rows = order[pos]
        self.rows: IntArray = rows
        self.starts: IntArray | None = None
        if design.has_clusters:
            psu = design.psu_codes[rows]
            self.starts = np.flatnonzero(np.r_[True, psu[1:] != psu[:-1]]) if rows.size else rows
            units = psu[self.starts]
            unit_strata = design.psu_strata[units]
        else:
            units = rows
            unit_strata = design.strata_codes[rows]
        bounds = (
            np.flatnonzero(np.r_[True, unit_strata[1:] != unit_strata[:-1]])
            if units.size
            else units
        )
        self.bounds = bounds
        self.present: IntArray = unit_strata[bounds]
        self.ends: list[int] = [*bounds[1:].tolist(), units.size]
        # beta = T A' e needs the domain's rows of A (transposed); the stratum sums of Z e
        # need its units' rows of Z: as one sparse (strata x Z columns) x units matrix when
        # Z is sparse, else per stratum.
        self.a_t: FloatArray | sparse.csc_matrix | None = None
        self.z_units: FloatArray | None = None
        self.z_strata: sparse.csc_matrix | None = None
        cal = design.unit_calibration
        if design.residual_operator is None or cal is None:
            return
        sparse_az = design.sparse_calibration
        if sparse_az is not None:
            self.a_t = (sparse_az[0] if pos is None else sparse_az[0][pos]).T  # CSC
        else:
            self.a_t = (design.sorted_a if pos is None else design.sorted_a[pos]).T
        if design.has_clusters:
            self.z_units = cal[0][units]
        elif sparse_az is not None:
            # Row i of Z goes to the columns of its stratum: (units x strata*qz), transposed.
            from scipy import sparse

            z_rows = sparse_az[1] if pos is None else sparse_az[1][pos]
            qz = z_rows.shape[1]
            per_row = np.diff(z_rows.indptr)
            shifted = z_rows.indices + np.repeat(unit_strata * qz, per_row)
            self.z_strata = sparse.csr_matrix(
                (z_rows.data, shifted, z_rows.indptr),
                shape=(units.size, len(design.strata_labels) * qz),
            ).T
        else:
            self.z_units = design.sorted_z if pos is None else design.sorted_z[pos]

    def __call__(self, e: FloatArray) -> FloatArray:
        """Variances of the totals of the columns of ``e`` (the domain's rows, ``len(pos) x m``)."""
        design = self.design
        m = e.shape[1]
        if design.later_stages:  # multi-stage: R's recursion, on the full matrix
            full = np.zeros((design.n, m))
            full[self.rows] = e
            return taylor_variance(design, full)
        n_strata = len(design.strata_labels)
        if self.starts is not None:
            units_e = np.add.reduceat(e, self.starts, axis=0) if self.rows.size else e
        else:
            units_e = e
        # Within each stratum, sum (x - c_h s1)^2 over its n_h units (those outside the
        # domain being 0); ``k_h = c_h (2 - n_h c_h)`` is 1 / n_h, or 0 for an adjusted
        # lonely PSU.
        c_h = centre_factor(design)
        n_h = design.n_psu
        s1 = np.zeros((n_strata, m))
        ss = np.zeros((n_strata, m))
        segments = list(zip(self.present.tolist(), self.bounds.tolist(), self.ends, strict=True))
        for h, lo, hi in segments:
            seg = units_e[lo:hi]
            s1[h] = seg.sum(axis=0)
            k = c_h[h] * (2.0 - n_h[h] * c_h[h])
            raw = np.einsum("ij,ij->j", seg, seg)
            ss[h] = raw - k * s1[h] * s1[h]
            # one pass is exact to the last digits unless it cancels: those columns get
            # the second pass (a near-constant variable), so the speed is kept elsewhere
            lost = np.flatnonzero(ss[h] < _CANCELLATION * raw)
            if lost.size:
                centre = s1[h, lost] * c_h[h]
                dev = seg[:, lost] - centre
                missing = n_h[h] - (hi - lo)  # the stratum's units outside the domain: 0
                ss[h, lost] = np.einsum("ij,ij->j", dev, dev) + missing * centre * centre
        op = design.residual_operator
        cal = design.unit_calibration
        magnitude = ss
        centred = ss
        if op is not None and cal is not None and self.a_t is not None:
            # The residual r = e - Z beta, centred:  sum (r - rbar)^2 = sum (e - ebar)^2
            # - 2 beta' sum (z - zbar)(e - ebar) + beta' sum (z - zbar)(z - zbar)' beta,
            # with the centred Gram matrices of the design; cross products of sums use
            # ``k_h = c_h (2 - n_h c_h)`` (1 / n_h, or 0 for an adjusted lonely PSU).
            _z_unit, z_sums, gram = cal
            beta = op.t @ (self.a_t @ e)
            cross_sum = np.zeros((n_strata, m))
            if self.z_strata is not None:
                z_e = (self.z_strata @ units_e).reshape(n_strata, -1, m)
                cross_sum = np.einsum("hqk,qk->hk", z_e, beta)
            elif (z_units := self.z_units) is not None:
                for h, lo, hi in segments:
                    cross_sum[h] = np.einsum("qk,qk->k", beta, z_units[lo:hi].T @ units_e[lo:hi])
            k_h = (c_h * (2.0 - n_h * c_h))[:, None]
            cross_sum -= k_h * (z_sums @ beta) * s1
            quad = (np.tensordot(gram, beta, axes=([2], [0])) * beta[None, :, :]).sum(axis=1)
            # the quadratic form can cancel within itself (near-constant Z beta): its
            # size is that of |beta|' |G| |beta|
            size = np.abs(beta)
            bound = (np.tensordot(np.abs(gram), size, axes=([2], [0])) * size[None]).sum(axis=1)
            magnitude = ss + bound + 2.0 * np.abs(cross_sum)
            centred = ss + quad - 2.0 * cross_sum
        scale = design.stratum_scale
        bad = ((centred < _CANCELLATION * magnitude) & (scale[:, None] > 0)).any(axis=0)
        var = np.asarray(scale @ np.maximum(centred, 0.0), dtype=np.float64)
        if bad.any():
            cols = np.flatnonzero(bad)
            full = np.zeros((design.n, cols.size))
            full[self.rows] = e[:, cols]
            var[cols] = taylor_variance(design, full)
        return var


# ---------------------------------------------------------------------- replicate weights
ReplicateType = Literal["JK1", "JKn", "bootstrap", "BRR", "Fay"]

#: R's precooked Hadamard matrices (``survey:::hadamard.list``, 0/1 entries), one
#: hexadecimal number per row: the sizes that neither Sylvester's doubling nor Paley's
#: construction gives in the order R tries them.
_HADAMARD_ROWS: dict[int, tuple[str, ...]] = {
    4: ("f", "a", "c", "9"),
    16: (
        "ffff", "aaaa", "cccc", "9999", "f0f0", "a5a5", "c3c3", "9696",
        "ff00", "aa55", "cc33", "9966", "f00f", "a55a", "c33c", "9669",
    ),
    28: (
        "fffffff", "9c71c78", "83cd378", "83b2e66", "9a0f8d6", "952c5ae", "8cd239e",
        "58aa7f0", "45b59d4", "46cbcac", "561774a", "4b64e9a", "5959b26", "2d1eae8",
        "3666b34", "2b3b51c", "31d74b2", "32f89ca", "2ced646", "ea545e4", "f1632cc",
        "f09ce1c", "e54ad52", "e6392b2", "e8a792a", "dffe000", "bf81f80", "7f8007e",
    ),
    36: (
        "fffffffff", "5c7dc8564", "b8fb90ac8", "71f721592", "e3ee42b24", "c7dc8564a",
        "8fb90ac96", "1f721592e", "3ee42b25c", "7dc8564b8", "fb90ac970", "f721592e2",
        "ee42b25c6", "dc8564b8e", "b90ac971e", "721592e3e", "e42b25c7c", "c8564b8fa",
        "90ac971f6", "21592e3ee", "42b25c7dc", "8564b8fb8", "0ac971f72", "1592e3ee4",
        "2b25c7dc8", "564b8fb90", "ac971f720", "592e3ee42", "b25c7dc84", "64b8fb90a",
        "c971f7214", "92e3ee42a", "25c7dc856", "4b8fb90ac", "971f72158", "2e3ee42b2",
    ),
}  # fmt: skip
_HADAMARD_SIZES = (4, 16, 28, 36)
#: Largest prime R's ``paley`` tries (``survey:::paley``'s ``small.primes``: every prime
#: ``p = 3 mod 4`` up to this one).
_PALEY_LARGEST = 7919


def _paley_primes() -> list[int]:
    """The primes ``p = 3 mod 4`` up to :data:`_PALEY_LARGEST` (R's ``small.primes``)."""
    sieve = np.ones(_PALEY_LARGEST + 1, dtype=bool)
    sieve[:2] = False
    for k in range(2, int(_PALEY_LARGEST**0.5) + 1):
        if sieve[k]:
            sieve[k * k :: k] = False
    return [int(p) for p in np.flatnonzero(sieve) if p % 4 == 3]


def _double(h: IntArray) -> IntArray:
    """R's ``hadamard.doubler``: ``[[H, H], [H, 1 - H]]``."""
    return np.block([[h, h], [h, 1 - h]])


def _paley(n: int, nmax: int | None = None, prime: int | None = None) -> IntArray | None:
    """R's ``survey:::paley``: a Paley Hadamard matrix of size at least ``n + 1`` (0/1)."""
    primes = _paley_primes()
    if prime is None:
        nmax = 2 * n if nmax is None else nmax
        nceil = nn = n + 4 - n % 4
        if n % 4 + 4 == n % 8:
            while nn % 8 == 0:
                nn //= 2
            if nn - 1 in primes:
                m = _paley(nn - 1, prime=nn - 1)
                assert m is not None
                while nn < nceil:
                    m = _double(m)
                    nn *= 2
                return m
        if n > primes[-1]:
            return None
        p = min(q for q in primes if q >= n)
        if p + 1 > nceil + 4 and nceil + 4 < nmax:
            return _paley(nceil + 3)
        if p > nmax:
            return None
    else:
        p = prime
    residues = {0} | {i * i % p for i in range(1, (p - 1) // 2 + 1)}
    m = np.add.outer(np.arange(p), np.arange(p)) % p
    core = (~np.isin(m, list(residues))).astype(np.intp)
    out = np.ones((p + 1, p + 1), dtype=np.intp)
    out[1:, 1:] = core
    return out


def hadamard(n: int) -> IntArray:
    """R's ``survey::hadamard(n)``: the 0/1 Hadamard matrix (at least ``n + 1`` rows) whose
    rows 2 to ``n + 1`` give the half-samples of ``n`` strata, the very matrix R builds
    (precooked, Paley or doubled), so that BRR replicates equal R's column for column."""
    sizes = np.array(_HADAMARD_SIZES)
    precooked = [
        np.array([[int(b) for b in f"{int(row, 16):0{size}b}"] for row in _HADAMARD_ROWS[size]])
        for size in _HADAMARD_SIZES
    ]
    m = n - n % 4
    fits = np.flatnonzero((m < sizes) & (m + 4 >= sizes))
    if fits.size:
        return precooked[int(fits.min())]
    if (m < sizes).all():
        return precooked[0]
    doubles = np.maximum(0, np.ceil(np.log2((n + 1) / sizes))).astype(int)
    grown = sizes * 2**doubles
    best = int(np.argmin(grown - n))
    h: IntArray | None = None
    if grown[best] - n > 4:
        h = _paley(n, int(grown[best]))
    if h is None:
        h = precooked[best]
        for _ in range(int(doubles[best])):
            h = _double(h)
    return h


@dataclass(frozen=True)
class ReplicateWeights:
    """Replicate weight factors, as R's ``as.svrepdesign``.

    ``factors`` is ``n x R`` (multiply the full-sample weights column by column),
    ``scale`` and ``rscales`` give ``V = scale * sum_r rscales_r (theta_r - thetabar)^2``.
    """

    factors: FloatArray
    scale: float
    rscales: FloatArray
    type: str

    def _deviations(self, replicates: FloatArray, full: FloatArray | None) -> FloatArray:
        """Deviations of the replicates (``R x m``) as R's ``svrVar`` centres them: from the
        full-sample estimate with ``full`` (``mse = TRUE``), otherwise from the mean of the
        replicates (R's default)."""
        reps = np.asarray(replicates, dtype=np.float64)
        if full is None:
            keep = self.rscales > 0
            centre = reps[keep].mean(axis=0) if keep.any() else reps.mean(axis=0)
        else:
            centre = np.asarray(full, dtype=np.float64)
        return np.asarray(reps - centre, dtype=np.float64)

    def variance(self, replicates: FloatArray, full: FloatArray | None = None) -> FloatArray:
        """Variance of each column of ``replicates`` (``R x m``), as R's ``svrVar``."""
        dev = self._deviations(replicates, full)
        return np.asarray(self.scale * (self.rscales @ (dev * dev)), dtype=np.float64)

    def covariance(self, replicates: FloatArray, full: FloatArray | None = None) -> FloatArray:
        """Covariance matrix of the columns of ``replicates`` (``R x m``), as R's ``svrVar``."""
        dev = self._deviations(replicates, full)
        return np.asarray(self.scale * (dev.T @ (self.rscales[:, None] * dev)), dtype=np.float64)


def replicate_weights(
    design: Design,
    type: ReplicateType = "JKn",
    *,
    replicates: int = 50,
    seed: int = 0,
    rho: float = 0.0,
) -> ReplicateWeights:
    """Replicate weight factors for ``design`` (R: ``as.svrepdesign(design, type=...)``).

    * ``JK1``: drop each PSU in turn, others multiplied by ``n / (n - 1)``;
      ``scale = (1 - f) (n - 1) / n``.  Unstratified designs only.
    * ``JKn``: drop each PSU within its stratum, the stratum's other PSUs multiplied by
      ``n_h / (n_h - 1)``; ``rscales_r = (1 - f_h) (n_h - 1) / n_h``.  Strata sampled
      exhaustively get no replicate (R's ``survey.drop.replicates``).
    * ``bootstrap``: Rao–Wu (1988) rescaling bootstrap with ``n_h - 1`` PSUs drawn with
      replacement in each stratum; ``scale = 1 / (R - 1)`` on the mean of replicates.
      Random (``seed``), so it does not reproduce R's draws.
    * ``BRR`` and ``Fay`` (``rho``): balanced half-samples, R's ``brrweights`` (see
      :func:`brr_factors`); ``scale = 1 / (R (1 - rho)^2)``.  The fpc is dropped, as R does.

    The factors multiply the weights of ``design``; for a calibrated design, re-calibrate
    each replicate (see :func:`observatoire.stats.weighting.recalibrate_replicates`) to
    reproduce R's replicate designs built before calibration.
    """
    psu = design.psu_codes
    n_psu_total = design.psu_strata.shape[0]
    fcomp = design.sampling_fraction_complement
    if type == "JK1":
        if design.has_strata and len(design.strata_labels) > 1:
            raise StatsError("Le jackknife JK1 ne s'applique qu'à un plan non stratifié : JKn.")
        n = float(n_psu_total)
        if n < 2:
            raise StatsError("Le jackknife demande au moins deux unités primaires.")
        per_psu = np.full((n_psu_total, n_psu_total), n / (n - 1))
        np.fill_diagonal(per_psu, 0.0)
        f = float(fcomp[0])
        if f == 0.0:
            return ReplicateWeights(np.ones((design.n, 0)), 0.0, np.zeros(0), "JK1")
        return ReplicateWeights(per_psu[psu], f * (n - 1) / n, np.ones(n_psu_total), "JK1")
    if type == "JKn":
        columns: list[int] = []
        rscales: list[float] = []
        factors_psu: list[FloatArray] = []
        for h in range(len(design.strata_labels)):
            members = np.flatnonzero(design.psu_strata == h)
            n_h = members.size
            f = float(fcomp[h])
            if f == 0.0:
                continue
            if n_h < 2:
                if design.lonely_psu == "fail":
                    raise StatsError(
                        f"La strate « {design.strata_labels[h]} » ne contient qu'une unité "
                        "primaire."
                    )
                continue
            for c in members:
                col = np.ones(n_psu_total)
                col[members] = n_h / (n_h - 1)
                col[c] = 0.0
                factors_psu.append(col)
                columns.append(int(c))
                rscales.append(f * (n_h - 1) / n_h)
        if not factors_psu:
            raise StatsError("Toutes les strates sont exhaustives : il n'y a pas de variance.")
        mat = np.column_stack(factors_psu)
        return ReplicateWeights(mat[psu], 1.0, np.asarray(rscales), "JKn")
    if type == "bootstrap":
        rng = np.random.default_rng(seed)
        mat = np.ones((n_psu_total, replicates))
        for h in range(len(design.strata_labels)):
            members = np.flatnonzero(design.psu_strata == h)
            n_h = members.size
            if n_h < 2:
                continue
            f = float(fcomp[h])
            draws = rng.integers(0, n_h, size=(n_h - 1, replicates))
            counts = np.zeros((n_h, replicates))
            for r in range(replicates):
                counts[:, r] = np.bincount(draws[:, r], minlength=n_h)
            # Rao-Wu rescaling with m_h = n_h - 1 and the finite population correction.
            lam = np.sqrt(f)  # sqrt(m_h (1 - f_h) / (n_h - 1)) with m_h = n_h - 1
            mat[members] = 1 - lam + lam * counts * n_h / (n_h - 1)
        return ReplicateWeights(mat[psu], 1.0 / (replicates - 1), np.ones(replicates), "bootstrap")
    if type in ("BRR", "Fay"):
        factors = brr_factors(design, rho if type == "Fay" else 0.0)
        count = factors.shape[1]
        scale = 1.0 / (count * (1.0 - rho) ** 2) if type == "Fay" else 1.0 / count
        return ReplicateWeights(factors, scale, np.ones(count), type)
    raise StatsError(f"Type de répliques inconnu : « {type} » (JK1, JKn, bootstrap, BRR ou Fay).")


def brr_factors(design: Design, rho: float = 0.0) -> FloatArray:
    """Half-sample factors of a design with two PSUs per stratum, as R's ``brrweights``.

    Strata are numbered in the order of their labels as text (R's ``order`` on
    ``as.character(strata)``) and, within a stratum, PSUs in the order of their first row;
    replicate ``r`` gives ``2 - rho`` to the first PSU of stratum ``s`` when
    ``H[s + 1, r] = 1`` (to the second otherwise) and ``rho`` to the other, ``H`` being
    :func:`hadamard` of the number of strata: R's replicates, column for column.
    """
    if not design.has_strata:
        raise StatsError(
            "Les répliques BRR et Fay demandent un plan stratifié à deux unités primaires par "
            "strate (« strata » et « ids ») ; sinon, JK1 ou bootstrap."
        )
    psu_strata = design.psu_strata
    counts = np.bincount(psu_strata, minlength=len(design.strata_labels))
    for h in np.flatnonzero(counts != 2).tolist():
        raise StatsError(
            f"La strate « {label(design.strata_labels[h])} » a {counts[h]} unité(s) "
            "primaire(s) : les répliques BRR et Fay demandent exactement deux unités "
            "primaires par strate."
        )
    n_units = psu_strata.shape[0]
    first_row = np.full(n_units, design.n, dtype=np.intp)
    np.minimum.at(first_row, design.psu_codes, np.arange(design.n, dtype=np.intp))
    texts = [label(v) for v in design.strata_labels]
    number = np.empty(len(texts), dtype=np.intp)
    number[sorted(range(len(texts)), key=texts.__getitem__)] = np.arange(1, len(texts) + 1)
    order = np.lexsort((first_row, psu_strata))  # by stratum, then first row
    second = np.zeros(n_units, dtype=bool)
    second[order[1::2]] = True
    matrix = hadamard(len(texts))
    high = (matrix[number[psu_strata]] == 1) != second[:, None]  # units x replicates
    per_unit = np.where(high, 2.0 - rho, rho)
    return np.asarray(per_unit[design.psu_codes], dtype=np.float64)
