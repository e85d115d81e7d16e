"""Cancellation stress: near-constant variables against an exact rational computation.

Values of 10,000 ± 20 make the one-pass ``sum x^2 - (sum x)^2 / n`` lose about five
digits; every variance path must stay within 1e-12 of the exact value (R's does).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from numpy.typing import NDArray

from observatoire.stats import Design, estimate, estimate_ratio, post_stratify, taylor_variance

N_ROWS = 40_000
REL = 1e-12


def _sample(clustered: bool) -> dict[str, NDArray[np.generic]]:
    """A stratified (optionally clustered) sample of a variable of 10,000 ± 10."""
    rng = np.random.default_rng(16)
    strata = np.repeat(np.arange(4), N_ROWS // 4)
    psu = np.arange(N_ROWS) // 8 if clustered else np.arange(N_ROWS)
    fpc = np.where(strata == 0, 2.0e6, 4.0e6)
    weights = fpc / (N_ROWS // 4)  # stratified simple random sampling: constant in a stratum
    y = 10_000.0 + np.round(rng.normal(0.0, 20.0, size=N_ROWS), 6)
    return {"strata": strata, "psu": psu, "w": weights, "y": y, "fpc": fpc}


def _exact_variance(s: dict[str, NDArray[np.generic]], u: list[Fraction]) -> Fraction:
    """``sum_h (1 - n_h/N_h) n_h/(n_h-1) sum_c (t_hc - tbar_h)^2`` in rational arithmetic."""
    totals: dict[tuple[int, int], Fraction] = {}
    for h, c, ui in zip(s["strata"].tolist(), s["psu"].tolist(), u, strict=True):
        totals[(h, c)] = totals.get((h, c), Fraction(0)) + ui
    var = Fraction(0)
    for h in sorted(set(s["strata"].tolist())):
        t = [v for (hh, _), v in totals.items() if hh == h]
        n_h = len(t)
        mean = sum(t, Fraction(0)) / n_h
        ss = sum(((x - mean) ** 2 for x in t), Fraction(0))
        big_n = Fraction(float(s["fpc"][s["strata"] == h][0]))
        var += (1 - n_h / big_n) * Fraction(n_h, n_h - 1) * ss
    return var


def _design(s: dict[str, NDArray[np.generic]]) -> Design:
    return Design(s["w"], strata=s["strata"], ids=s["psu"], fpc=s["fpc"])


@pytest.mark.parametrize("clustered", [False, True])
def test_total_of_a_near_constant_variable_is_exact(clustered: bool) -> None:
    """The SE of the total of 10,000 ± 20 equals the exact rational SE to 1e-12."""
    s = _sample(clustered)
    u = [Fraction(w) * Fraction(y) for w, y in zip(s["w"].tolist(), s["y"].tolist(), strict=True)]
    exact = float(_exact_variance(s, u))
    got = estimate(_design(s), {"y": s["y"]}, kind="total")
    assert got.variance[0] == pytest.approx(exact, rel=REL)
    direct = taylor_variance(_design(s), s["w"] * s["y"])
    assert direct[0] == pytest.approx(exact, rel=REL)


@pytest.mark.parametrize("clustered", [False, True])
def test_mean_and_domain_total_of_a_near_constant_variable_are_exact(clustered: bool) -> None:
    """Means and domain totals (zero outside the domain) keep every digit too."""
    s = _sample(clustered)
    w = [Fraction(x) for x in s["w"].tolist()]
    y = [Fraction(x) for x in s["y"].tolist()]
    pop = sum(w, Fraction(0))
    ybar = sum((a * b for a, b in zip(w, y, strict=True)), Fraction(0)) / pop
    u_mean = [a * (b - ybar) / pop for a, b in zip(w, y, strict=True)]
    domain = (np.arange(N_ROWS) // 8) % 3 == 0
    u_dom = [a * b if d else Fraction(0) for a, b, d in zip(w, y, domain.tolist(), strict=True)]
    got_mean = estimate(_design(s), {"y": s["y"]}, kind="mean")
    assert got_mean.variance[0] == pytest.approx(float(_exact_variance(s, u_mean)), rel=REL)
    got_dom = estimate(
        _design(s), {"y": s["y"]}, kind="total", by={"d": domain.astype(int)}, overall=False
    )
    at = got_dom.find("y", domain="d", domain_level="1")
    assert got_dom.variance[at] == pytest.approx(float(_exact_variance(s, u_dom)), rel=REL)


def test_ratio_and_post_stratified_paths_agree_with_explicit_residuals() -> None:
    """The domain loop on a calibrated design equals the explicit residuals, centred."""
    s = _sample(clustered=False)
    cells = np.arange(N_ROWS) % 5
    counts = {c: float(s["w"][cells == c].sum()) * 1.01 for c in range(5)}
    ps = post_stratify(_design(s), cells, counts, name="c")
    got = estimate(ps, {"y": s["y"]}, kind="total").variance[0]
    assert got == pytest.approx(taylor_variance(ps, ps.weights * s["y"])[0], rel=REL)
    ratio = estimate_ratio(_design(s), s["y"], s["y"] - 9_990.0)
    assert np.isfinite(ratio.se[0])
