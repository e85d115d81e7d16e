"""Small-cell disclosure control and quality flags.

A :class:`DisclosureRule` classifies each estimate as ``"ok"``, ``"caution"`` (to be read
with caution) or ``"suppress"`` (must not be published) from its unweighted count ``n``
and its coefficient of variation ``cv = se / estimate`` — the usual rules of official
statistics (e.g. Statistics Canada's quality grades; INSEE's "à interpréter avec
prudence").  It never removes a cell: it returns one flag per estimate, in order, so
that the caller shows the cell as masked or flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .errors import StatsError
from .estimators import Estimates

OK = "ok"
CAUTION = "caution"
SUPPRESS = "suppress"


@dataclass(frozen=True)
class DisclosureRule:
    """Thresholds: suppress if ``n < min_n`` or ``cv > max_cv``; caution if
    ``n < caution_n`` or ``cv > caution_cv``; otherwise ok.

    For proportions the CV is computed on ``min(p, 1 - p)`` when ``symmetric_cv`` is true,
    so that a proportion of 98 % is judged like one of 2 %.
    """

    min_n: int = 10
    max_cv: float = 0.5
    caution_n: int = 30
    caution_cv: float = 0.2
    symmetric_cv: bool = True

    def __post_init__(self) -> None:
        if self.min_n < 0 or self.caution_n < self.min_n:
            raise StatsError("Règle de diffusion : il faut 0 <= min_n <= caution_n.")
        if not 0 < self.caution_cv <= self.max_cv:
            raise StatsError("Règle de diffusion : il faut 0 < caution_cv <= max_cv.")

    def classify(self, n: ArrayLike, cv: ArrayLike) -> list[str]:
        """One flag per cell from vectors of counts and CVs (NaN CV counts as too large)."""
        nn = np.asarray(n, dtype=np.float64)
        cc = np.asarray(cv, dtype=np.float64)
        if nn.shape != cc.shape:
            raise StatsError("Règle de diffusion : autant d'effectifs que de CV sont attendus.")
        bad_cv = np.isnan(cc) | (cc > self.max_cv)
        suppress = (nn < self.min_n) | bad_cv
        caution = (nn < self.caution_n) | (cc > self.caution_cv)
        return [
            SUPPRESS if s else CAUTION if c else OK
            for s, c in zip(suppress.tolist(), caution.tolist(), strict=True)
        ]

    def apply(self, estimates: Estimates) -> list[str]:
        """Flags for every row of ``estimates`` (same order, same length)."""
        est = np.asarray(estimates.estimate, dtype=np.float64)
        se = np.asarray(estimates.se, dtype=np.float64)
        if self.symmetric_cv:
            is_prop = np.array([k == "proportion" for k in estimates.kind], dtype=bool)
            est = np.where(is_prop, np.minimum(est, 1 - est), est)
        with np.errstate(divide="ignore", invalid="ignore"):
            cv = np.where(se == 0, 0.0, se / np.abs(est))
        return self.classify(estimates.n, cv)
