"""Comparisons of editions and domains, weights report and the disclosure rule."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy import stats

from observatoire.stats import (
    Design,
    DisclosureRule,
    StatsError,
    compare_domains,
    compare_editions,
    estimate,
    taylor_variance,
    trim_weights,
    weights_report,
)
from observatoire.stats.compare import difference

Data = dict[str, NDArray[np.generic]]


def test_difference_of_independent_estimates() -> None:
    """se = sqrt(se1^2 + se2^2), normal p-value, CI around the difference."""
    diff, se, low, high, p = difference([0.40], [0.03], [0.53], [0.04])
    assert diff[0] == pytest.approx(0.13)
    assert se[0] == pytest.approx(0.05)
    assert p[0] == pytest.approx(2 * stats.norm.sf(0.13 / 0.05))
    assert low[0] == pytest.approx(0.13 - stats.norm.ppf(0.975) * 0.05)
    assert high[0] == pytest.approx(0.13 + stats.norm.ppf(0.975) * 0.05)


def test_compare_editions_matches_cells(dstrat: Design, apistrat: Data) -> None:
    """Cells are matched by variable, category and domain; unmatched cells are left out."""
    y = (apistrat["sch.wide"] == "Yes").astype(float)
    first = estimate(dstrat, {"y": y}, by={"stype": apistrat["stype"]})
    second = estimate(dstrat, {"y": 1 - y, "z": y}, by={"stype": apistrat["stype"]})
    comp = compare_editions(first, second)
    assert len(comp) == 4
    np.testing.assert_allclose(comp.difference, 1 - 2 * first.estimate)
    np.testing.assert_allclose(comp.se, np.sqrt(2) * first.se)


def test_compare_domains_accounts_for_the_shared_design(dstrat: Design, apistrat: Data) -> None:
    """The variance of a domain difference is that of u_b - u_a (covariance included)."""
    comp = compare_domains(dstrat, {"api00": apistrat["api00"]}, apistrat["sch.wide"], "No", "Yes")
    by = estimate(
        dstrat, {"api00": apistrat["api00"]}, by={"sch.wide": apistrat["sch.wide"]}, overall=False
    )
    assert comp.difference[0] == pytest.approx(by.estimate[1] - by.estimate[0])
    w = dstrat.weights
    y = apistrat["api00"].astype(float)
    infl = []
    for level in ("No", "Yes"):
        m = apistrat["sch.wide"] == level
        mean = (w * y)[m].sum() / w[m].sum()
        infl.append(np.where(m, w * (y - mean) / w[m].sum(), 0.0))
    var = taylor_variance(dstrat, infl[1] - infl[0])[0]
    assert comp.se[0] == pytest.approx(np.sqrt(var))
    assert comp.df[0] == dstrat.degf
    assert 0 <= comp.p_value[0] <= 1


def test_compare_domains_unknown_level(dstrat: Design, apistrat: Data) -> None:
    """An unknown domain level is an error naming it."""
    with pytest.raises(StatsError, match="« Peut-être »"):
        compare_domains(
            dstrat, {"api00": apistrat["api00"]}, apistrat["sch.wide"], "No", "Peut-être"
        )


def test_weights_report() -> None:
    """Kish's design effect and effective sample size."""
    rep = weights_report(np.array([1.0, 1.0, 2.0, 4.0]))
    assert rep.total == 8.0
    assert rep.deff_weighting == pytest.approx(4 * 22 / 64)
    assert rep.effective_n == pytest.approx(64 / 22)
    assert rep.ratio_max_min == 4.0


def test_trim_weights_keeps_the_total() -> None:
    """Trimmed weights stay within bounds and keep the total weight."""
    d = Design(np.array([1.0, 2.0, 3.0, 50.0]))
    t = trim_weights(d, upper=20.0)
    assert t.weights.max() <= 20.0 + 1e-9
    assert t.weights.sum() == pytest.approx(56.0)


def test_disclosure_rule_flags_and_never_drops(dstrat: Design, apistrat: Data) -> None:
    """One flag per cell: suppress small or imprecise cells, caution in between."""
    rule = DisclosureRule(min_n=10, max_cv=0.5, caution_n=30, caution_cv=0.2)
    assert rule.classify([5, 20, 100, 100, 100], [0.01, 0.01, 0.01, 0.3, 0.6]) == [
        "suppress",
        "caution",
        "ok",
        "caution",
        "suppress",
    ]
    res = estimate(
        dstrat,
        {"sch.wide": apistrat["sch.wide"]},
        kind="proportion",
        by={"stype": apistrat["stype"]},
    )
    flags = rule.apply(res)
    assert len(flags) == len(res)
    assert set(flags) <= {"ok", "caution", "suppress"}


def test_disclosure_rule_checks_its_thresholds() -> None:
    """Inconsistent thresholds are refused."""
    with pytest.raises(StatsError):
        DisclosureRule(min_n=50, caution_n=30)


def test_results_as_columns_and_dataframe(dstrat: Design, apistrat: Data) -> None:
    """Estimates convert to columns and to a Polars frame with every field."""
    res = estimate(dstrat, {"api00": apistrat["api00"]}, by={"stype": apistrat["stype"]})
    frame = res.to_polars()
    assert frame.height == 4
    assert {"estimate", "se", "ci_low", "ci_high", "n", "population", "deff", "cv"} <= set(
        frame.columns
    )
    assert frame["cv"].to_list() == pytest.approx(list(res.se / res.estimate))


def test_covariance_diagonal_is_the_variance(dclus1: Design, apiclus1: Data) -> None:
    """taylor_covariance's diagonal equals taylor_variance (cluster design)."""
    from observatoire.stats.variance import taylor_covariance

    w = dclus1.weights
    y = np.column_stack([apiclus1["api00"], apiclus1["enroll"]]).astype(float)
    u = w[:, None] * y
    cov = taylor_covariance(dclus1, u)
    np.testing.assert_allclose(np.diag(cov), taylor_variance(dclus1, u), rtol=1e-12)
    assert cov[0, 1] == pytest.approx(cov[1, 0])
