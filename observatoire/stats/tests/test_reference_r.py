"""Our estimates equal R's `survey` (4.1) to a relative 1e-8 on the `api` data sets.

The expected values are in results/reference.csv, written by results/make_reference.R.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from observatoire.stats import (
    Design,
    Estimates,
    calibrate,
    calibrate_matrix,
    compare_to_overall,
    estimate,
    estimate_ratio,
    post_stratify,
    rake,
    replicate_estimate,
)
from observatoire.stats.ci import CIMethod, confidence_interval
from observatoire.stats.estimators import Kind

RTOL = 1e-8
Data = dict[str, NDArray[np.generic]]


def expected(ref: dict[str, float], key: str, count: int | None = None) -> NDArray[np.float64]:
    if count is None:
        return np.array([ref[key]])
    return np.array([ref[f"{key}.{i}"] for i in range(1, count + 1)])


def check(actual: Sequence[float] | NDArray[np.float64], ref: dict[str, float], key: str) -> None:
    values = np.atleast_1d(np.asarray(actual, dtype=np.float64))
    want = expected(ref, key, None if values.size == 1 and key in ref else values.size)
    np.testing.assert_allclose(values, want, rtol=RTOL, atol=0, err_msg=key)


def check_stat(res: Estimates, ref: dict[str, float], prefix: str, deff: bool = True) -> None:
    check(res.estimate, ref, f"{prefix}.est")
    check(res.se, ref, f"{prefix}.se")
    if deff:
        check(res.deff, ref, f"{prefix}.deff")


def test_strat_degrees_of_freedom(dstrat: Design, ref: dict[str, float]) -> None:
    """degf is the number of PSUs minus the number of strata, as R's degf()."""
    assert dstrat.degf == ref["strat.degf"]


def test_strat_mean_total_deff(dstrat: Design, apistrat: Data, ref: dict[str, float]) -> None:
    """svymean and svytotal with deff=TRUE on the stratified design with fpc."""
    means = estimate(dstrat, {"api00": apistrat["api00"], "enroll": apistrat["enroll"]})
    check_stat(means, ref, "strat.mean")
    total = estimate(dstrat, {"enroll": apistrat["enroll"]}, kind="total")
    check_stat(total, ref, "strat.total")


def test_strat_confint(dstrat: Design, apistrat: Data, ref: dict[str, float]) -> None:
    """confint() on a mean is the normal (Wald) interval."""
    res = estimate(dstrat, {"api00": apistrat["api00"]})
    check([res.ci_low[0], res.ci_high[0]], ref, "strat.mean.confint")


def test_strat_proportions(dstrat: Design, apistrat: Data, ref: dict[str, float]) -> None:
    """svymean on a factor gives one proportion per category."""
    res = estimate(dstrat, {"sch.wide": apistrat["sch.wide"]}, kind="proportion")
    assert res.category == ["No", "Yes"]
    check_stat(res, ref, "strat.prop.schwide")


@pytest.mark.parametrize(
    ("by", "var", "kind", "key"),
    [
        ("stype", "api00", "mean", "strat.by_stype.mean"),
        ("sch.wide", "api00", "mean", "strat.by_schwide.mean"),
        ("stype", "enroll", "total", "strat.by_stype.total"),
    ],
)
def test_strat_svyby(
    dstrat: Design, apistrat: Data, ref: dict[str, float], by: str, var: str, kind: Kind, key: str
) -> None:
    """svyby(..., deff=TRUE) for domains that are strata and that cut across strata."""
    res = estimate(
        dstrat,
        {var: apistrat[var]},
        kind=kind,
        by={by: apistrat[by]},
        overall=False,
    )
    check_stat(res, ref, key)


@pytest.mark.parametrize("method", ["logit", "beta", "mean"])
def test_strat_svyciprop(
    dstrat: Design, apistrat: Data, ref: dict[str, float], method: CIMethod
) -> None:
    """svyciprop overall and through svyby, each method."""
    yes = (apistrat["sch.wide"] == "Yes").astype(float)
    res = estimate(dstrat, {"y": yes}, kind="mean", ci=method)
    check(res.estimate, ref, f"strat.ciprop.{method}.est")
    check(res.se, ref, f"strat.ciprop.{method}.se")
    check([res.ci_low[0], res.ci_high[0]], ref, f"strat.ciprop.{method}.ci")
    comp = (apistrat["comp.imp"] == "Yes").astype(float)
    by = estimate(
        dstrat,
        {"y": comp},
        ci=method,
        by={"stype": apistrat["stype"]},
        overall=False,
    )
    check(by.estimate, ref, f"strat.by_stype.ciprop.{method}.est")
    check(by.se, ref, f"strat.by_stype.ciprop.{method}.se")
    check(by.ci_low, ref, f"strat.by_stype.ciprop.{method}.low")
    check(by.ci_high, ref, f"strat.by_stype.ciprop.{method}.high")


def test_strat_ratio(dstrat: Design, apistrat: Data, ref: dict[str, float]) -> None:
    """svyratio(~api00, ~api99) overall and by school type."""
    res = estimate_ratio(dstrat, apistrat["api00"], apistrat["api99"])
    check(res.estimate, ref, "strat.ratio.est")
    check(res.se, ref, "strat.ratio.se")
    by = estimate_ratio(
        dstrat, apistrat["api00"], apistrat["api99"], by={"stype": apistrat["stype"]}, overall=False
    )
    check(by.estimate, ref, "strat.by_stype.ratio.est")
    check(by.se, ref, "strat.by_stype.ratio.se")


def test_bootstrap_is_close_to_the_jackknife(dstrat: Design, apistrat: Data) -> None:
    """The Rao-Wu bootstrap SE (random) is within 20 % of the JKn SE for 400 replicates."""
    jkn = replicate_estimate(dstrat, {"api00": apistrat["api00"]}, type="JKn")
    boot = replicate_estimate(
        dstrat, {"api00": apistrat["api00"]}, type="bootstrap", replicates=400, seed=7
    )
    assert boot.estimate[0] == pytest.approx(jkn.estimate[0])
    assert boot.se[0] == pytest.approx(jkn.se[0], rel=0.2)


def test_proportion_categories_use_the_same_ci(
    dstrat: Design, apistrat: Data, ref: dict[str, float]
) -> None:
    """kind="proportion" with ci="beta" gives R's svyciprop interval for each category."""
    res = estimate(dstrat, {"sch.wide": apistrat["sch.wide"]}, kind="proportion", ci="beta")
    i = res.category.index("Yes")
    check([res.ci_low[i], res.ci_high[i]], ref, "strat.ciprop.beta.ci")


def test_clus_design(dclus1: Design, apiclus1: Data, ref: dict[str, float]) -> None:
    """One-stage cluster sample with fpc: means, totals, domains, degf."""
    assert dclus1.degf == ref["clus.degf"]
    check_stat(
        estimate(dclus1, {"api00": apiclus1["api00"], "enroll": apiclus1["enroll"]}),
        ref,
        "clus.mean",
    )
    check_stat(estimate(dclus1, {"enroll": apiclus1["enroll"]}, kind="total"), ref, "clus.total")
    by = estimate(
        dclus1, {"api00": apiclus1["api00"]}, by={"stype": apiclus1["stype"]}, overall=False
    )
    check_stat(by, ref, "clus.by_stype.mean")


@pytest.mark.parametrize("method", ["logit", "beta", "mean"])
def test_clus_svyciprop(
    dclus1: Design, apiclus1: Data, ref: dict[str, float], method: CIMethod
) -> None:
    """svyciprop on the cluster design (df = 14)."""
    yes = (apiclus1["sch.wide"] == "Yes").astype(float)
    res = estimate(dclus1, {"y": yes}, ci=method)
    check([res.ci_low[0], res.ci_high[0]], ref, f"clus.ciprop.{method}.ci")


POP_TYPES = {"E": 4421, "H": 755, "M": 1018}


def test_post_stratification(dclus1: Design, apiclus1: Data, ref: dict[str, float]) -> None:
    """postStratify on stype: means, totals, domains and svyciprop use the residual variance."""
    d = post_stratify(dclus1, apiclus1["stype"], POP_TYPES, name="stype")
    check_stat(
        estimate(d, {"api00": apiclus1["api00"], "enroll": apiclus1["enroll"]}), ref, "post.mean"
    )
    check_stat(estimate(d, {"enroll": apiclus1["enroll"]}, kind="total"), ref, "post.total")
    by = estimate(
        d, {"api00": apiclus1["api00"]}, by={"sch.wide": apiclus1["sch.wide"]}, overall=False
    )
    check_stat(by, ref, "post.by_schwide.mean")
    yes = (apiclus1["sch.wide"] == "Yes").astype(float)
    methods: tuple[CIMethod, ...] = ("beta", "logit")
    for method in methods:
        res = estimate(d, {"y": yes}, ci=method)
        check(res.se, ref, f"post.ciprop.{method}.se")
        check([res.ci_low[0], res.ci_high[0]], ref, f"post.ciprop.{method}.ci")


def test_rake_two_margins(dclus1: Design, apiclus1: Data, ref: dict[str, float]) -> None:
    """rake() on stype and sch.wide: weights, estimates and R's back-fitting variance."""
    d = rake(
        dclus1,
        {
            "stype": (apiclus1["stype"], POP_TYPES),
            "sch.wide": (apiclus1["sch.wide"], {"No": 1072, "Yes": 5122}),
        },
        tol=1e-14,
    )
    check([float(np.sum(d.weights))], ref, "rake.weights.sum")
    check(d.weights[:5], ref, "rake.weights.first")
    check_stat(
        estimate(d, {"api00": apiclus1["api00"], "enroll": apiclus1["enroll"]}), ref, "rake.mean"
    )
    check_stat(estimate(d, {"enroll": apiclus1["enroll"]}, kind="total"), ref, "rake.total")
    by = estimate(d, {"api00": apiclus1["api00"]}, by={"stype": apiclus1["stype"]}, overall=False)
    check_stat(by, ref, "rake.by_stype.mean")


def test_linear_calibration(dclus1: Design, apiclus1: Data, ref: dict[str, float]) -> None:
    """calibrate(~stype + api99) (GREG): weights, estimates, domains and svyciprop."""
    d = calibrate(
        dclus1,
        margins={"stype": (apiclus1["stype"], POP_TYPES)},
        totals={"api99": (apiclus1["api99"], 3914069)},
    )
    check(d.weights[:5], ref, "cal.weights.first")
    check_stat(
        estimate(d, {"api00": apiclus1["api00"], "enroll": apiclus1["enroll"]}), ref, "cal.mean"
    )
    check_stat(estimate(d, {"enroll": apiclus1["enroll"]}, kind="total"), ref, "cal.total")
    by = estimate(
        d, {"api00": apiclus1["api00"]}, by={"sch.wide": apiclus1["sch.wide"]}, overall=False
    )
    check_stat(by, ref, "cal.by_schwide.mean")
    yes = (apiclus1["sch.wide"] == "Yes").astype(float)
    res = estimate(d, {"y": yes}, ci="beta")
    check([res.ci_low[0], res.ci_high[0]], ref, "cal.ciprop.beta.ci")


def test_bounded_linear_calibration(dclus1: Design, apiclus1: Data, ref: dict[str, float]) -> None:
    """calibrate(..., bounds=c(0.6, 1.8)): truncated linear calibration, as R's grake."""
    d = calibrate(
        dclus1,
        margins={"stype": (apiclus1["stype"], POP_TYPES)},
        totals={"api99": (apiclus1["api99"], 3914069)},
        bounds=(0.6, 1.8),
        tol=1e-13,
        max_iter=100,
    )
    g = d.weights / dclus1.weights
    check([g.min(), g.max()], ref, "calbound.g.range")
    check_stat(
        estimate(d, {"api00": apiclus1["api00"], "enroll": apiclus1["enroll"]}),
        ref,
        "calbound.mean",
    )


def test_raking_calibration(dstrat: Design, apistrat: Data, ref: dict[str, float]) -> None:
    """calibrate(..., calfun="raking") on the stratified design."""
    x = np.column_stack(
        [
            np.ones(dstrat.n),
            (apistrat["sch.wide"] == "Yes").astype(float),
            (apistrat["comp.imp"] == "Yes").astype(float),
        ]
    )
    d = calibrate_matrix(dstrat, x, [6194, 5122, 3900], calfun="raking", tol=1e-13)
    check(d.weights[:5], ref, "calrake.weights.first")
    check_stat(
        estimate(d, {"api00": apistrat["api00"], "enroll": apistrat["enroll"]}), ref, "calrake.mean"
    )
    by = estimate(d, {"api00": apistrat["api00"]}, by={"stype": apistrat["stype"]}, overall=False)
    check_stat(by, ref, "calrake.by_stype.mean")


def test_jackknife_jk1(dclus1: Design, apiclus1: Data, ref: dict[str, float]) -> None:
    """as.svrepdesign(type="JK1") on the cluster design (with its fpc)."""
    res = replicate_estimate(
        dclus1, {"api00": apiclus1["api00"], "enroll": apiclus1["enroll"]}, type="JK1"
    )
    check_stat(res, ref, "jk1.mean", deff=False)
    tot = replicate_estimate(dclus1, {"enroll": apiclus1["enroll"]}, kind="total", type="JK1")
    check_stat(tot, ref, "jk1.total", deff=False)


def test_jackknife_jkn(dstrat: Design, apistrat: Data, ref: dict[str, float]) -> None:
    """as.svrepdesign(type="JKn") on the stratified design (with its fpc)."""
    res = replicate_estimate(
        dstrat, {"api00": apistrat["api00"], "enroll": apistrat["enroll"]}, type="JKn"
    )
    check_stat(res, ref, "jkn.mean", deff=False)
    tot = replicate_estimate(dstrat, {"enroll": apistrat["enroll"]}, kind="total", type="JKn")
    check_stat(tot, ref, "jkn.total", deff=False)


def test_jackknife_after_post_stratification(
    dclus1: Design, apiclus1: Data, ref: dict[str, float]
) -> None:
    """postStratify on a JK1 replicate design: each replicate is post-stratified."""
    d = post_stratify(dclus1, apiclus1["stype"], POP_TYPES, name="stype")
    res = replicate_estimate(
        d, {"api00": apiclus1["api00"], "enroll": apiclus1["enroll"]}, type="JK1"
    )
    check_stat(res, ref, "jk1.post.mean", deff=False)


def test_jackknife_after_raking_calibration(
    dstrat: Design, apistrat: Data, ref: dict[str, float]
) -> None:
    """calibrate(calfun="raking") on a JKn replicate design: each replicate is calibrated."""
    d = calibrate(
        dstrat,
        margins={
            "sch.wide": (apistrat["sch.wide"], {"No": 6194 - 5122, "Yes": 5122}),
            "comp.imp": (apistrat["comp.imp"], {"No": 6194 - 3900, "Yes": 3900}),
        },
        calfun="raking",
        tol=1e-13,
    )
    res = replicate_estimate(
        d, {"api00": apistrat["api00"], "enroll": apistrat["enroll"]}, type="JKn"
    )
    check_stat(res, ref, "jkn.calrake.mean", deff=False)


def test_ci_function_is_the_engine_one(ref: dict[str, float]) -> None:
    """confidence_interval reproduces svyciprop(beta) from the estimate and SE alone."""
    p = np.array([ref["strat.ciprop.beta.est"]])
    se = np.array([ref["strat.ciprop.beta.se"]])
    low, high = confidence_interval(p, se, method="beta", df=197.0, nrow=np.array([200.0]))
    check([low[0], high[0]], ref, "strat.ciprop.beta.ci")


def test_gap_to_the_whole_population(
    dstrat: Design, dclus1: Design, apistrat: Data, apiclus1: Data, ref: dict[str, float]
) -> None:
    """compare_to_overall equals svycontrast(svytotal(~yd + nd + ya + na), yd/nd - ya/na):
    stratified with fpc, raked clusters, linear calibration; a missing y leaves the row out."""
    raked = rake(
        dclus1,
        {
            "stype": (apiclus1["stype"], POP_TYPES),
            "sch.wide": (apiclus1["sch.wide"], {"No": 1072, "Yes": 5122}),
        },
        tol=1e-14,
    )
    greg = calibrate(
        dclus1,
        margins={"stype": (apiclus1["stype"], POP_TYPES)},
        totals={"api99": (apiclus1["api99"], 3914069)},
    )

    def poor_missing(data: Data) -> NDArray[np.float64]:
        return np.where(np.asarray(data["meals"]) > 80, np.nan, data["api00"].astype(float))

    cases = [
        ("gap.strat.schwide", dstrat, (apistrat["sch.wide"] == "Yes").astype(float), apistrat["stype"]),
        ("gap.strat.api00na", dstrat, poor_missing(apistrat), apistrat["stype"]),
        ("gap.rake.api00", raked, apiclus1["api00"].astype(float), apiclus1["stype"]),
        ("gap.cal.api00na", greg, poor_missing(apiclus1), apiclus1["sch.wide"]),
    ]  # fmt: skip
    for prefix, design, y, by in cases:
        comp = compare_to_overall(design, {"y": y}, {"by": by}, na_rm=True)
        for i, level in enumerate(comp.domain_level):
            check([comp.difference[i]], ref, f"{prefix}.{level}.est")
            check([comp.se[i]], ref, f"{prefix}.{level}.se")
            check([comp.p_value[i]], ref, f"{prefix}.{level}.p")


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R (Rscript) is not installed")
def test_reference_script_reproduces_committed_values(tmp_path: Path) -> None:
    """Re-running make_reference.R gives the committed reference values."""
    script = Path(__file__).parent / "results" / "make_reference.R"
    shutil.copy(script, tmp_path / "make_reference.R")
    proc = subprocess.run(
        ["Rscript", "make_reference.R"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    if "there is no package called" in proc.stderr:
        pytest.fail("R lacks survey or MASS: ./scripts/test installs r-cran-survey and r-cran-mass")
    assert proc.returncode == 0, proc.stderr
    committed = (Path(__file__).parent / "results" / "reference.csv").read_text().splitlines()
    fresh = (tmp_path / "reference.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in fresh] == [line.split(",")[0] for line in committed]
    for old, new in zip(committed[1:], fresh[1:], strict=True):
        a, b = float(old.split(",")[1]), float(new.split(",")[1])
        assert a == pytest.approx(b, rel=1e-10, abs=1e-12), old
