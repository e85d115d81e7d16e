"""Property tests (hypothesis): invariants every design and weighting must satisfy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from observatoire.stats import (
    Design,
    IndicatorMatrix,
    StatsError,
    calibrate,
    estimate,
    post_stratify,
    rake,
    taylor_variance,
)
from observatoire.stats.variance import domain_variance

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def samples(draw: st.DrawFn, min_n: int = 12, max_n: int = 60) -> dict[str, NDArray[np.generic]]:
    """A random stratified sample: strata with >= 2 units, weights, two factors, a response."""
    n_strata = draw(st.integers(1, 4))
    low = max(3, min_n // n_strata + 1)
    sizes = [draw(st.integers(low, max_n // n_strata + low)) for _ in range(n_strata)]
    n = sum(sizes)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    strata = np.repeat(np.array([f"h{i}" for i in range(n_strata)]), sizes)
    weights = rng.uniform(1.0, 20.0, size=n)
    # every (a, b) cell appears at least twice, so that raking is feasible
    combo = np.arange(n) % 6
    rng.shuffle(combo)
    a = np.array(["a0", "a1", "a2"])[combo % 3]
    b = np.array(["b0", "b1"])[combo // 3]
    y = rng.normal(50, 10, size=n)
    return {"strata": strata, "w": weights, "a": a, "b": b, "y": y, "seed": np.array([seed])}


def _margin(
    values: NDArray[np.generic], scale: float, rng: np.random.Generator
) -> dict[str, float]:
    levels = sorted(set(values.tolist()))
    raw = rng.uniform(0.5, 1.5, size=len(levels))
    return {lev: float(v) for lev, v in zip(levels, raw / raw.sum() * scale, strict=True)}


@SETTINGS
@given(samples())
def test_post_stratification_reproduces_the_population_counts(
    s: dict[str, NDArray[np.generic]],
) -> None:
    """After postStratify, the weights add up to each post-stratum's population count."""
    rng = np.random.default_rng(int(s["seed"][0]))
    d = Design(s["w"], strata=s["strata"])
    pop = _margin(s["a"], 10_000.0, rng)
    ps = post_stratify(d, s["a"], pop, name="a")
    for level, count in pop.items():
        assert ps.weights[s["a"] == level].sum() == pytest.approx(count, rel=1e-12)


@SETTINGS
@given(samples())
def test_raking_reproduces_every_margin(s: dict[str, NDArray[np.generic]]) -> None:
    """After rake (and after raking calibration) the weights reproduce both margins."""
    rng = np.random.default_rng(int(s["seed"][0]))
    d = Design(s["w"], strata=s["strata"])
    pop_a = _margin(s["a"], 5_000.0, rng)
    pop_b = _margin(s["b"], 5_000.0, rng)
    margins = {"a": (s["a"], pop_a), "b": (s["b"], pop_b)}
    for weighted in (
        rake(d, margins, tol=1e-12),
        calibrate(d, margins=margins, calfun="raking"),
        calibrate(d, margins=margins),
    ):
        for name, pop in (("a", pop_a), ("b", pop_b)):
            for level, count in pop.items():
                got = weighted.weights[s[name] == level].sum()
                assert got == pytest.approx(count, rel=1e-9)


@SETTINGS
@given(samples(), st.integers(0, 2**32 - 1))
def test_estimates_do_not_depend_on_row_order(s: dict[str, NDArray[np.generic]], seed: int) -> None:
    """Shuffling the rows changes neither estimates nor SEs (calibrated design, domains)."""
    rng = np.random.default_rng(seed)
    perm = rng.permutation(s["w"].size)
    pop_a = _margin(s["a"], 1_000.0, np.random.default_rng(1))

    def run(idx: NDArray[np.intp]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        d = Design(s["w"][idx], strata=s["strata"][idx])
        d = post_stratify(d, s["a"][idx], pop_a, name="a")
        res = estimate(d, {"y": s["y"][idx]}, by={"b": s["b"][idx]})
        return res.estimate, res.se

    e1, se1 = run(np.arange(s["w"].size))
    e2, se2 = run(perm)
    np.testing.assert_allclose(e1, e2, rtol=1e-10)
    np.testing.assert_allclose(se1, se2, rtol=1e-8, atol=1e-12)


@SETTINGS
@given(samples())
def test_census_stratum_contributes_no_variance(s: dict[str, NDArray[np.generic]]) -> None:
    """A stratum sampled exhaustively (fpc = n_h) adds nothing to the variance."""
    strata = s["strata"]
    counts = {h: int((strata == h).sum()) for h in set(strata.tolist())}
    first = sorted(counts)[0]
    # Population size: census for the first stratum, ten times the sample elsewhere.
    fpc = np.array([counts[h] if h == first else 10 * counts[h] for h in strata.tolist()], float)
    d = Design(strata=strata, fpc=fpc)
    inside = strata == first
    y_only_census = np.where(inside, s["y"], 0.0)
    assert taylor_variance(d, y_only_census * d.weights)[0] == pytest.approx(0.0, abs=1e-9)
    res = estimate(d, {"y": s["y"]}, by={"stratum": strata}, overall=False)
    i = res.domain_level.index(first)
    assert res.se[i] == pytest.approx(0.0, abs=1e-9)


@SETTINGS
@given(samples(), st.floats(-1e3, 1e3, allow_nan=False))
def test_constant_response_has_zero_standard_error(
    s: dict[str, NDArray[np.generic]], value: float
) -> None:
    """All-equal answers: the mean is that value and its SE is 0, overall and in domains."""
    d = Design(s["w"], strata=s["strata"])
    d = post_stratify(d, s["a"], _margin(s["a"], 500.0, np.random.default_rng(2)), name="a")
    y = np.full(s["w"].size, value)
    res = estimate(d, {"y": y}, by={"b": s["b"]})
    np.testing.assert_allclose(res.estimate, value, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(res.se, 0.0, atol=1e-9 * max(1.0, abs(value)))


@SETTINGS
@given(samples())
def test_domain_variance_equals_full_matrix_variance(s: dict[str, NDArray[np.generic]]) -> None:
    """The domain-sparse variance equals the dense one (calibrated, clustered design)."""
    rng = np.random.default_rng(int(s["seed"][0]))
    n = s["w"].size
    ids = np.arange(n) // 2  # pairs of rows form PSUs (nested in strata by construction)
    d = Design(s["w"], strata=s["strata"], ids=ids)
    d = calibrate(d, margins={"b": (s["b"], _margin(s["b"], 2_000.0, rng))})
    mask = s["a"] == "a1"
    e = rng.normal(size=(n, 3)) * mask[:, None]
    pos = np.flatnonzero(mask[d.sort_order])
    rows = d.sort_order[pos]
    np.testing.assert_allclose(
        domain_variance(d, pos, e[rows]), taylor_variance(d, e), rtol=1e-9, atol=1e-12
    )


@SETTINGS
@given(samples(), st.sampled_from(["none", "rake", "calibrate", "clustered rake"]))
def test_column_blocks_and_sparse_calibration_change_nothing(
    s: dict[str, NDArray[np.generic]], weighting: str
) -> None:
    """Indicators estimated in blocks of 8 columns, with the calibration matrices sparse,
    equal one block with dense matrices (missing answers, domains, rows out of order)."""
    from observatoire.stats import design as design_module
    from observatoire.stats import estimators

    rng = np.random.default_rng(int(s["seed"][0]))
    n = s["w"].size
    perm = rng.permutation(n)  # rows not in stratum order: every domain is gathered
    strata, a, b = s["strata"][perm], s["a"][perm], s["b"][perm]
    ids = np.arange(n) // 2 if weighting == "clustered rake" else None
    d = Design(s["w"][perm], strata=strata, ids=None if ids is None else ids[perm])
    margins = {"a": (a, _margin(a, 900.0, rng)), "b": (b, _margin(b, 900.0, rng))}
    if weighting == "calibrate":
        d = calibrate(d, margins=margins)
    elif weighting != "none":
        d = rake(d, margins)
    y = rng.normal(size=(n, 20)) * 10.0
    y[rng.random((n, 20)) < 0.2] = np.nan
    y[:, 3] = np.where(rng.random(n) < 0.5, 1.0, 0.0)  # a column without missing answers
    matrix = IndicatorMatrix([f"y{j}" for j in range(20)], y)
    by = {"a": a, "b": b}

    def run(block_bytes: int, density: float) -> list[NDArray[np.float64]]:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(estimators, "BLOCK_BYTES", block_bytes)
            mp.setattr(design_module, "SPARSE_DENSITY", density)
            fresh = d.with_weights(d.weights, None)  # no cached sparse matrices
            means = estimate(fresh, matrix, kind="mean", by=by, na_rm=True)
            totals = estimate(fresh, matrix, kind="total", by=by, na_rm=True)
            return [means.estimate, means.se, means.population, means.deff, totals.estimate,
                    totals.se, totals.deff]  # fmt: skip

    for got, want in zip(run(1, 1.0), run(2**40, -1.0), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-12)


# ------------------------------------------------------------------ bad inputs


def test_negative_weight_is_refused() -> None:
    """A negative weight raises an error that names the row."""
    with pytest.raises(StatsError, match=r"négatif.*ligne 2"):
        Design([1.0, -2.0, 3.0])


@given(st.integers(0, 4))
def test_missing_weight_is_refused(i: int) -> None:
    """A NaN weight raises an error that names the row."""
    w = np.ones(5)
    w[i] = np.nan
    with pytest.raises(StatsError, match=f"ligne {i + 1}"):
        Design(w)


def test_mismatched_lengths_are_refused() -> None:
    """Columns of different lengths are refused, in the design and in estimates."""
    with pytest.raises(StatsError, match="longueur"):
        Design([1.0, 2.0, 3.0], strata=["a", "b"])
    d = Design([1.0, 2.0, 3.0])
    with pytest.raises(StatsError, match="longueurs différentes"):
        estimate(d, {"y": [1.0, 2.0]})


def test_missing_response_requires_na_rm() -> None:
    """A NaN answer is an error unless na_rm, which estimates among respondents (as R)."""
    d = Design([1.0, 2.0, 3.0, 4.0])
    y = np.array([1.0, np.nan, 3.0, 5.0])
    with pytest.raises(StatsError, match="ligne 2"):
        estimate(d, {"y": y})
    res = estimate(d, {"y": y}, na_rm=True)
    assert res.estimate[0] == pytest.approx((1 * 1 + 3 * 3 + 4 * 5) / 8)
    assert res.n[0] == 3


@pytest.mark.parametrize("row", [0, 150, 299])
def test_infinite_value_names_its_variable(row: int) -> None:
    """An infinite answer is refused naming the first variable that holds one (matrix or
    mapping), wherever its row falls among the rows checked together."""
    d = Design(np.ones(300))
    y = np.zeros((300, 400))
    y[row, 250] = np.inf
    y[299 - row, 320] = -np.inf
    names = [f"v{j}" for j in range(400)]
    with pytest.raises(StatsError, match="« v250 » contient une valeur infinie"):
        estimate(d, IndicatorMatrix(names, y), na_rm=True)
    with pytest.raises(StatsError, match="« v250 » contient une valeur infinie"):
        estimate(d, {name: y[:, j] for j, name in enumerate(names)})


def test_margins_that_do_not_add_up_are_refused() -> None:
    """Raking margins with different grand totals raise an error naming both margins."""
    d = Design(np.ones(6))
    a = np.array(["x", "y", "x", "y", "x", "y"])
    b = np.array(["u", "u", "v", "v", "u", "v"])
    with pytest.raises(StatsError, match=r"« a » = 100.*« b » = 120"):
        rake(d, {"a": (a, {"x": 50, "y": 50}), "b": (b, {"u": 60, "v": 60})})


def test_empty_raking_cell_names_the_margin() -> None:
    """A population level with no respondent names the margin and the cell."""
    d = Design(np.ones(4))
    a = np.array(["x", "y", "x", "y"])
    b = np.array(["u", "u", "v", "v"])
    with pytest.raises(StatsError, match=r"Marge « b ».*« w »"):
        rake(d, {"a": (a, {"x": 5, "y": 5}), "b": (b, {"u": 3, "v": 3, "w": 4})})


def test_sample_level_absent_from_population_is_refused() -> None:
    """A sample level missing from the population counts is named."""
    d = Design(np.ones(4))
    with pytest.raises(StatsError, match="« z »"):
        post_stratify(d, np.array(["x", "z", "x", "x"]), {"x": 10}, name="a")


def test_lonely_psu_fails_by_default_and_can_be_certainty() -> None:
    """A stratum with one PSU is an error (R's default) unless lonely_psu says otherwise."""
    strata = np.array(["a", "a", "b"])
    with pytest.raises(StatsError, match="une unité primaire"):
        estimate(Design([1.0, 2.0, 3.0], strata=strata), {"y": [1.0, 2.0, 3.0]})
    res = estimate(
        Design([1.0, 2.0, 3.0], strata=strata, lonely_psu="certainty"), {"y": [1.0, 2.0, 3.0]}
    )
    assert np.isfinite(res.se[0])


def test_fpc_smaller_than_sample_is_refused() -> None:
    """A population smaller than the sample in a stratum is refused."""
    with pytest.raises(StatsError, match="plus d'unités"):
        Design([1.0, 1.0, 1.0], strata=["a", "a", "a"], fpc=[2.0, 2.0, 2.0])


def test_domain_without_respondents_is_kept_as_nan() -> None:
    """A domain where nobody answered keeps its row: n = 0, estimate and SE NaN."""
    d = Design(np.ones(6), strata=np.array(["a", "a", "a", "b", "b", "b"]))
    y = np.array([1.0, 0.0, 1.0, np.nan, np.nan, np.nan])
    res = estimate(d, {"y": y}, by={"g": np.array(["x", "x", "x", "z", "z", "z"])}, na_rm=True)
    i = res.domain_level.index("z")
    assert res.n[i] == 0
    assert np.isnan(res.estimate[i])
    assert np.isnan(res.se[i])


def test_unanimous_domain_proportion_is_exactly_one() -> None:
    """All respondents of a domain in one category: p = 1, SE = 0, CI inside [0, 1]."""
    d = Design(np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
    answer = np.array(["oui", "oui", "oui", "non", "oui", "non"])
    res = estimate(
        d, {"q": answer}, kind="proportion", by={"g": np.array([1, 1, 1, 2, 2, 2])}, ci="beta"
    )
    i = res.find("q", "oui", "g", "1")
    assert res.estimate[i] == 1.0
    assert res.se[i] == 0.0
    assert 0.0 < res.ci_low[i] < 1.0
    assert res.ci_high[i] == 1.0


def test_indicator_matrix_equals_mapping_of_columns() -> None:
    """An IndicatorMatrix gives the same results as a mapping of the same columns."""
    rng = np.random.default_rng(3)
    n = 40
    d = Design(rng.uniform(1, 5, n), strata=np.repeat(["a", "b"], n // 2))
    y = rng.normal(size=(n, 3))
    g = np.array(["x", "y"])[rng.integers(0, 2, n)]
    a = estimate(d, IndicatorMatrix(["u", "v", "w"], y), by={"g": g})
    b = estimate(d, {"u": y[:, 0], "v": y[:, 1], "w": y[:, 2]}, by={"g": g})
    assert a.variable == b.variable
    np.testing.assert_allclose(a.estimate, b.estimate, rtol=1e-13)
    np.testing.assert_allclose(a.se, b.se, rtol=1e-12)
    y[5, 1] = np.nan
    with pytest.raises(StatsError, match=r"« v ».*ligne 6"):
        estimate(d, IndicatorMatrix(["u", "v", "w"], y))
