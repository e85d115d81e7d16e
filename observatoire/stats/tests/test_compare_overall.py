"""A domain against the whole population (compare_to_overall): gap, SE and p-value.

Three references that do not go through the covariance shortcut of the engine: the gap's
influence values ``u_d - u`` built here and passed to ``taylor_variance``; on a design
post-stratified on the domain, the identity ``gap = (N_c / N) (m_d - m_c)`` with the
domain-to-complement difference of ``compare_domains``; R's ``svycontrast`` (in
test_reference_r.py).
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy import stats

from observatoire.stats import (
    Design,
    IndicatorMatrix,
    StatsError,
    calibrate,
    compare_domains,
    compare_to_overall,
    estimate,
    post_stratify,
    rake,
    taylor_variance,
)

Data = dict[str, NDArray[np.generic]]
POP_TYPES = {"E": 4421, "H": 755, "M": 1018}


def explicit_gap(
    design: Design, y: NDArray[np.float64], mask: NDArray[np.bool_]
) -> tuple[float, float]:
    """Gap and SE from the influence values of both means, written out (respondents only)."""
    answered = ~np.isnan(y)
    y0 = np.where(answered, y, 0.0)
    w = np.asarray(design.weights)

    def mean_and_influence(inside: NDArray[np.bool_]) -> tuple[float, NDArray[np.float64]]:
        wm = w * (inside & answered)
        total = wm.sum()
        mean = float(wm @ y0 / total)
        return mean, wm * (y0 - mean) / total

    m_d, u_d = mean_and_influence(mask)
    m, u = mean_and_influence(np.ones(design.n, dtype=bool))
    return m_d - m, float(np.sqrt(taylor_variance(design, u_d - u)[0]))


def small_design() -> tuple[Design, Data]:
    """40 rows, a stratum with a single PSU (lonely_psu="adjust"), clusters, fpc, then
    raking on two margins: every branch of the variance at once."""
    rng = np.random.default_rng(7)
    strata = np.repeat(["a", "b", "c", "d"], [2, 8, 12, 18])
    psu = np.concatenate([[0, 0], np.arange(8) // 2, np.arange(12) // 3, np.arange(18) // 2])
    fpc = {"a": 5.0, "b": 20.0, "c": 30.0, "d": 90.0}
    design = Design(rng.uniform(1, 5, 40), strata=strata, ids=psu, fpc=fpc, lonely_psu="adjust")
    sex = rng.choice(["f", "h"], 40)
    zone = rng.choice(["nord", "sud", "est"], 40)
    design = rake(
        design,
        {"sex": (sex, {"f": 80, "h": 70}), "zone": (zone, {"nord": 40, "sud": 60, "est": 50})},
        tol=1e-13,
    )
    y = rng.normal(10, 3, 40)
    y[rng.random(40) < 0.2] = np.nan
    return design, {"y": y, "share": (rng.random(40) < 0.4).astype(float), "zone": zone, "sex": sex}


def designs(apistrat: Data, apiclus1: Data) -> list[tuple[str, Design, Data, str]]:
    dstrat = Design(apistrat["pw"], strata=apistrat["stype"], fpc=apistrat["fpc"])
    dclus1 = Design(apiclus1["pw"], ids=apiclus1["dnum"], fpc=apiclus1["fpc"])
    cal = calibrate(
        dclus1,
        margins={"stype": (apiclus1["stype"], POP_TYPES)},
        totals={"api99": (apiclus1["api99"], 3914069)},
    )
    small, data = small_design()
    return [
        ("stratified, fpc", dstrat, apistrat, "stype"),
        ("clusters", dclus1, apiclus1, "stype"),
        ("clusters, linear calibration", cal, apiclus1, "sch.wide"),
        ("lonely PSU, raked", small, data, "zone"),
    ]


def column(data: Data) -> NDArray[np.float64]:
    """A numeric column with missing answers (api00 unknown for the poorest schools)."""
    if "api00" not in data:
        return np.asarray(data["y"], dtype=np.float64)
    return np.where(np.asarray(data["meals"]) > 80, np.nan, np.asarray(data["api00"], float))


def test_gap_equals_the_written_out_linearisation(apistrat: Data, apiclus1: Data) -> None:
    """For every design and every level, the gap and its SE equal those of the explicit
    influence values ``u_d - u``; the p-value is Student's with the design's df."""
    for name, design, data, by in designs(apistrat, apiclus1):
        y = column(data)
        comp = compare_to_overall(design, {"y": y}, {by: data[by]}, na_rm=True)
        assert comp.domain == [by] * len(comp)
        for i, level in enumerate(comp.domain_level):
            gap, se = explicit_gap(design, y, np.asarray(data[by]) == level)
            assert comp.difference[i] == pytest.approx(gap, rel=1e-10), (name, level)
            assert comp.se[i] == pytest.approx(se, rel=1e-9), (name, level)
            t = abs(gap) / se
            assert comp.p_value[i] == pytest.approx(2 * stats.t.sf(t, design.degf), rel=1e-7)
            assert comp.estimate_b[i] - comp.estimate_a[i] == pytest.approx(gap, rel=1e-9)


def test_gap_is_the_complement_difference_scaled_when_domain_sizes_are_known(
    apiclus1: Data,
) -> None:
    """Post-stratified on the domain, N_d and N_c are fixed, so ``gap = (N_c/N) (m_d - m_c)``
    and its SE is ``N_c/N`` times that of compare_domains (an independent code path)."""
    schwide = apiclus1["sch.wide"]
    sizes = {"No": 1072.0, "Yes": 5122.0}
    design = post_stratify(
        Design(apiclus1["pw"], ids=apiclus1["dnum"], fpc=apiclus1["fpc"]),
        schwide,
        sizes,
        name="sch.wide",
    )
    y = {"api00": apiclus1["api00"]}
    comp = compare_to_overall(design, y, {"sch.wide": schwide})
    between = compare_domains(design, y, schwide, "No", "Yes")  # m_Yes - m_No
    share_no = sizes["No"] / sum(sizes.values())
    yes = comp.domain_level.index("Yes")
    assert comp.difference[yes] == pytest.approx(share_no * between.difference[0], rel=1e-10)
    assert comp.se[yes] == pytest.approx(share_no * between.se[0], rel=1e-9)
    no = comp.domain_level.index("No")
    assert comp.difference[no] == pytest.approx(-(1 - share_no) * between.difference[0])
    assert comp.se[no] == pytest.approx((1 - share_no) * between.se[0], rel=1e-9)


def test_many_columns_and_domains_in_one_call(apistrat: Data) -> None:
    """An IndicatorMatrix of several columns and two domains (more columns than one chunk
    holds) gives, cell by cell, the result of one column and one domain at a time; the
    estimates passed in are those of estimate() and give the same numbers."""
    dstrat = Design(apistrat["pw"], strata=apistrat["stype"], fpc=apistrat["fpc"])
    rng = np.random.default_rng(3)
    values = rng.normal(size=(dstrat.n, 70)) + (apistrat["stype"] == "H")[:, None]
    values[rng.random(values.shape) < 0.1] = np.nan
    names = [f"v{j}" for j in range(70)]
    by = {"stype": apistrat["stype"], "both": apistrat["both"]}
    matrix = IndicatorMatrix(names, values)
    est = estimate(dstrat, matrix, by=by, na_rm=True)
    comp = compare_to_overall(dstrat, matrix, by, na_rm=True, estimates=est)
    alone = compare_to_overall(dstrat, matrix, by, na_rm=True)
    np.testing.assert_array_equal(comp.se, alone.se)
    assert len(comp) == 70 * (3 + 2)
    for i in (0, 69, 70 * 3 + 41, len(comp) - 1):
        j = names.index(comp.variable[i])
        mask = np.asarray(by[comp.domain[i]]) == comp.domain_level[i]
        gap, se = explicit_gap(dstrat, values[:, j], mask)
        assert comp.difference[i] == pytest.approx(gap, rel=1e-10)
        assert comp.se[i] == pytest.approx(se, rel=1e-9)


def test_proportions_have_one_gap_per_category(apistrat: Data) -> None:
    """kind="proportion": each category's share is compared with the whole's."""
    dstrat = Design(apistrat["pw"], strata=apistrat["stype"], fpc=apistrat["fpc"])
    comp = compare_to_overall(
        dstrat, {"comp.imp": apistrat["comp.imp"]}, {"stype": apistrat["stype"]}, kind="proportion"
    )
    assert sorted(set(comp.category)) == ["No", "Yes"]
    for i in range(len(comp)):
        y = (apistrat["comp.imp"] == comp.category[i]).astype(float)
        gap, se = explicit_gap(dstrat, y, apistrat["stype"] == comp.domain_level[i])
        assert comp.difference[i] == pytest.approx(gap, rel=1e-10, abs=1e-14)
        assert comp.se[i] == pytest.approx(se, rel=1e-9)


def test_a_domain_that_is_the_whole_population_has_no_gap(apistrat: Data) -> None:
    """A one-level domain is the whole population: gap 0, SE 0 (not a rounding residue of
    V_d + V - 2 C_d), p-value 1, not significant."""
    dstrat = Design(apistrat["pw"], strata=apistrat["stype"], fpc=apistrat["fpc"])
    columns = {name: apistrat[name] for name in ("api00", "api99", "enroll", "meals")}
    comp = compare_to_overall(dstrat, columns, {"all": np.full(dstrat.n, "tous")})
    np.testing.assert_array_equal(comp.difference, 0.0)
    np.testing.assert_array_equal(comp.se, 0.0)
    np.testing.assert_array_equal(comp.p_value, 1.0)
    assert not comp.significant().any()


def test_a_domain_without_respondents_has_no_gap(apistrat: Data) -> None:
    """No respondent to the variable in the domain: NaN (never a silent 0), others intact."""
    dstrat = Design(apistrat["pw"], strata=apistrat["stype"], fpc=apistrat["fpc"])
    y = np.where(apistrat["stype"] == "H", np.nan, apistrat["api00"].astype(float))
    comp = compare_to_overall(dstrat, {"y": y}, {"stype": apistrat["stype"]}, na_rm=True)
    high = comp.domain_level.index("H")
    assert np.isnan(comp.difference[high]) and np.isnan(comp.se[high])
    assert np.isfinite(np.delete(comp.se, high)).all()


def test_estimates_of_other_domains_are_refused(apistrat: Data) -> None:
    """Estimates that lack a domain level are an error naming it, not a silent mismatch."""
    dstrat = Design(apistrat["pw"], strata=apistrat["stype"], fpc=apistrat["fpc"])
    y = {"api00": apistrat["api00"]}
    other = estimate(dstrat, y, by={"sch.wide": apistrat["sch.wide"]})
    with pytest.raises(StatsError, match="« stype » = « E »"):
        compare_to_overall(dstrat, y, {"stype": apistrat["stype"]}, estimates=other)
    with pytest.raises(StatsError, match="moyennes ou proportions"):
        compare_to_overall(dstrat, y, {"stype": apistrat["stype"]}, kind="total")
