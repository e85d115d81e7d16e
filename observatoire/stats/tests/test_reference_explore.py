"""Cross-tabulations, quantiles and models equal R's `survey` (4.1) to a relative 1e-8.

The expected values are in results/reference_explore.csv, written by
results/make_reference_explore.R (svychisq, svymean/svyby, svyquantile, svyglm, regTermTest).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from observatoire.stats import (
    CrossTable,
    Design,
    calibrate,
    crosstab,
    crosstabs,
    fit_model,
    quantiles,
    rake,
    term_test,
)

RESULTS = Path(__file__).parent / "results"
RTOL = 1e-8
PROBS = (0.1, 0.25, 0.5, 0.75, 0.9)
Data = dict[str, NDArray[np.generic]]
POP_TYPES = {"E": 4421, "H": 755, "M": 1018}


@pytest.fixture(scope="module")
def ref() -> dict[str, float]:
    with (RESULTS / "reference_explore.csv").open(newline="") as fh:
        return {r["key"]: float(r["value"]) for r in csv.DictReader(fh)}


def values(ref: dict[str, float], key: str) -> NDArray[np.float64]:
    """``key`` alone or its numbered entries ``key.1``, ``key.2``…"""
    if key in ref:
        return np.array([ref[key]])
    out, i = [], 1
    while f"{key}.{i}" in ref:
        out.append(ref[f"{key}.{i}"])
        i += 1
    assert out, key
    return np.array(out)


def check(actual: object, ref: dict[str, float], key: str) -> None:
    got = np.atleast_1d(np.asarray(actual, dtype=np.float64)).ravel()
    np.testing.assert_allclose(got, values(ref, key), rtol=RTOL, atol=0, err_msg=key)


def with_extra(data: Data) -> Data:
    """The columns the R script adds: meal categories and answers missing where meals > 80."""
    meals = np.asarray(data["meals"], dtype=float)
    out = dict(data)
    out["mealcat"] = np.select([meals <= 25, meals <= 50, meals <= 75], ["a", "b", "c"], "d")
    out["comp.na"] = np.where(meals > 80, None, data["comp.imp"]).astype(object)
    out["api00.na"] = np.where(meals > 80, np.nan, np.asarray(data["api00"], dtype=float))
    return out


@pytest.fixture(scope="module")
def strat(apistrat: Data) -> Data:
    return with_extra(apistrat)


@pytest.fixture(scope="module")
def clus(apiclus1: Data) -> Data:
    return with_extra(apiclus1)


@pytest.fixture(scope="module")
def designs(dstrat: Design, dclus1: Design, clus: Data) -> dict[str, Design]:
    raked = rake(
        dclus1,
        {
            "stype": (clus["stype"], POP_TYPES),
            "sch.wide": (clus["sch.wide"], {"No": 1072, "Yes": 5122}),
        },
        tol=1e-13,
    )
    cal = calibrate(
        dclus1,
        margins={"stype": (clus["stype"], POP_TYPES)},
        totals={"api99": (clus["api99"], 3914069.0)},
        population=6194,
    )
    return {"strat": dstrat, "clus": dclus1, "rake": raked, "cal": cal}


def data_of(name: str, strat: Data, clus: Data) -> Data:
    return strat if name == "strat" else clus


def check_tests(table: CrossTable, ref: dict[str, float], prefix: str) -> None:
    f, chisq = table.tests["F"], table.tests["Chisq"]
    check(f.statistic, ref, f"{prefix}.F.statistic")
    check([f.ndf, f.ddf], ref, f"{prefix}.F.parameter")
    check(f.p_value, ref, f"{prefix}.F.p")
    check(chisq.statistic, ref, f"{prefix}.Chisq.statistic")
    check(chisq.ndf, ref, f"{prefix}.Chisq.parameter")
    check(chisq.p_value, ref, f"{prefix}.Chisq.p")


@pytest.mark.parametrize("design_name", ["strat", "clus", "rake", "cal"])
@pytest.mark.parametrize("columns", ["sch.wide", "mealcat"])
def test_svychisq(
    designs: dict[str, Design],
    strat: Data,
    clus: Data,
    ref: dict[str, float],
    design_name: str,
    columns: str,
) -> None:
    """svychisq's F (second-order Rao–Scott) and Chisq on stratified, clustered, raked and
    calibrated designs."""
    data = data_of(design_name, strat, clus)
    table = crosstab(designs[design_name], data["stype"], data[columns], names=("stype", columns))
    key = "schwide" if columns == "sch.wide" else "mealcat"
    check_tests(table, ref, f"chisq.{design_name}.stype_{key}")


@pytest.mark.parametrize("design_name", ["strat", "clus", "rake", "cal"])
def test_table_proportions(
    designs: dict[str, Design], strat: Data, clus: Data, ref: dict[str, float], design_name: str
) -> None:
    """Cell, row and column proportions and their SEs equal svymean on the interaction and
    svyby by row and by column."""
    data = data_of(design_name, strat, clus)
    table = crosstab(designs[design_name], data["stype"], data["mealcat"])
    prefix = f"cells.{design_name}.stype_mealcat"
    # R orders the interaction's cells with the rows varying fastest.
    check(table.cell.estimate.T, ref, f"{prefix}.cell.est")
    check(table.cell.se.T, ref, f"{prefix}.cell.se")
    check(table.row.estimate, ref, f"{prefix}.row.est")
    check(table.row.se, ref, f"{prefix}.row.se")
    check(table.column.estimate.T, ref, f"{prefix}.column.est")
    check(table.column.se.T, ref, f"{prefix}.column.se")
    np.testing.assert_allclose(table.row.estimate.sum(axis=1), 1.0)
    assert table.n.sum() == designs[design_name].n


def test_svychisq_missing_answers(dstrat: Design, strat: Data, ref: dict[str, float]) -> None:
    """A missing answer leaves the respondent out of the table (svychisq's na.rm=TRUE)."""
    table = crosstab(dstrat, strat["mealcat"], strat["comp.na"])
    check_tests(table, ref, "chisq.strat.na")
    assert table.n.sum() == int((np.asarray(strat["meals"], dtype=float) <= 80).sum())


@pytest.mark.parametrize("design_name", ["strat", "rake"])
def test_three_way_tables(
    designs: dict[str, Design], strat: Data, clus: Data, ref: dict[str, float], design_name: str
) -> None:
    """A third variable gives one table and its tests per level, as svychisq on subset()."""
    data = data_of(design_name, strat, clus)
    tables = crosstabs(designs[design_name], data["sch.wide"], data["mealcat"], data["stype"])
    assert [t.layer for t in tables] == ["E", "H", "M"]
    for table in tables:
        check_tests(table, ref, f"chisq.{design_name}.layer.{table.layer}")


def check_quantiles(res: object, ref: dict[str, float], prefix: str) -> None:
    check(res.estimate, ref, f"{prefix}.est")  # type: ignore[attr-defined]
    np.testing.assert_allclose(
        res.se,  # type: ignore[attr-defined]
        values(ref, f"{prefix}.se"),
        rtol=RTOL,
        equal_nan=True,
        err_msg=prefix,
    )
    bounds = np.column_stack([res.ci_low, res.ci_high]).ravel()  # type: ignore[attr-defined]
    np.testing.assert_allclose(bounds, values(ref, f"{prefix}.ci"), rtol=RTOL, equal_nan=True)


def test_svyquantile_overall(
    designs: dict[str, Design], strat: Data, clus: Data, ref: dict[str, float]
) -> None:
    """svyquantile(ci=TRUE, se=TRUE): the default rule and Woodruff intervals on each design."""
    res = quantiles(designs["strat"], {"api00": strat["api00"], "enroll": strat["enroll"]}, PROBS)
    check_quantiles(res, ref, "q.strat")
    check_quantiles(quantiles(designs["clus"], {"api00": clus["api00"]}, PROBS), ref, "q.clus")
    check_quantiles(quantiles(designs["rake"], {"api00": clus["api00"]}, PROBS), ref, "q.rake")
    check_quantiles(quantiles(designs["cal"], {"enroll": clus["enroll"]}, PROBS), ref, "q.cal")


def test_svyquantile_missing(dstrat: Design, strat: Data, ref: dict[str, float]) -> None:
    """na.rm=TRUE: quantiles among the respondents to the variable."""
    res = quantiles(dstrat, {"y": strat["api00.na"]}, PROBS, na_rm=True)
    check_quantiles(res, ref, "q.strat.na")


@pytest.mark.parametrize("design_name", ["strat", "cal"])
def test_svyquantile_by_domain(
    designs: dict[str, Design], strat: Data, clus: Data, ref: dict[str, float], design_name: str
) -> None:
    """Quantiles by domain equal svyquantile on subset(design, domain)."""
    data = data_of(design_name, strat, clus)
    res = quantiles(
        designs[design_name],
        {"api00": data["api00"]},
        PROBS,
        by={"stype": data["stype"]},
        overall=False,
    )
    for level in ("E", "H", "M"):
        rows = [i for i, lv in enumerate(res.domain_level) if lv == level]
        part = type(res)(
            estimate=[res.estimate[i] for i in rows],
            se=[res.se[i] for i in rows],
            ci_low=[res.ci_low[i] for i in rows],
            ci_high=[res.ci_high[i] for i in rows],
        )
        check_quantiles(part, ref, f"q.{design_name}.by.{level}")


def test_svyquantile_svyby(dclus1: Design, clus: Data, ref: dict[str, float]) -> None:
    """svyby(~api00, ~stype, svyquantile): same numbers (R orders by probability, then domain)."""
    res = quantiles(
        dclus1, {"api00": clus["api00"]}, PROBS, by={"stype": clus["stype"]}, overall=False
    )
    order = sorted(range(len(res)), key=lambda i: (res.probability[i], res.domain_level[i]))
    check([res.estimate[i] for i in order], ref, "q.clus.svyby.est")
    np.testing.assert_allclose(
        [res.se[i] for i in order], values(ref, "q.clus.svyby.se"), rtol=RTOL, equal_nan=True
    )


@pytest.mark.parametrize(
    ("key", "design_name", "formula", "family", "test"),
    [
        ("glm.cal.gaussian", "cal", "api00 ~ stype + enroll + meals", "gaussian", ["stype"]),
        ("glm.rake.gaussian", "rake", "api00 ~ stype + meals", "gaussian", ["stype"]),
        ("glm.cal.logit", "cal", "sch.wide ~ stype + meals", "quasibinomial", ["stype"]),
        ("glm.strat.logit", "strat", "sch.wide ~ mealcat + enroll", "quasibinomial", ["mealcat"]),
        ("glm.strat.na", "strat", "api00.na ~ stype + enroll", "gaussian", ["stype", "enroll"]),
    ],
)
def test_svyglm_and_regtermtest(
    designs: dict[str, Design],
    strat: Data,
    clus: Data,
    ref: dict[str, float],
    key: str,
    design_name: str,
    formula: str,
    family: str,
    test: list[str],
) -> None:
    """svyglm coefficients, design-based SEs, p-values, residual df and intervals, and the
    Wald test of a group of terms (regTermTest), including on calibrated designs."""
    data = data_of(design_name, strat, clus)
    model = fit_model(designs[design_name], formula, data, family=family)  # type: ignore[arg-type]
    check(model.coef, ref, f"{key}.coef")
    check(model.se, ref, f"{key}.se")
    check(model.p_value, ref, f"{key}.p")
    check(model.df_residual, ref, f"{key}.df")
    low, high = model.confint()
    check(np.column_stack([low, high]).ravel(), ref, f"{key}.ci")
    result = term_test(model, test)
    check(result.f, ref, f"{key}.test.F")
    check([result.ndf, result.ddf], ref, f"{key}.test.df")
    check(result.p_value, ref, f"{key}.test.p")


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R (Rscript) is not installed")
def test_reference_script_reproduces_committed_values(tmp_path: Path) -> None:
    """Re-running make_reference_explore.R gives the committed reference values."""
    shutil.copy(RESULTS / "make_reference_explore.R", tmp_path / "make_reference_explore.R")
    proc = subprocess.run(
        ["Rscript", "make_reference_explore.R"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    if "there is no package called" in proc.stderr:
        pytest.fail("R lacks survey or MASS: ./scripts/test installs r-cran-survey and r-cran-mass")
    assert proc.returncode == 0, proc.stderr
    committed = (RESULTS / "reference_explore.csv").read_text().splitlines()
    fresh = (tmp_path / "reference_explore.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in fresh] == [line.split(",")[0] for line in committed]
    for old, new in zip(committed[1:], fresh[1:], strict=True):
        a, b = float(old.split(",")[1]), float(new.split(",")[1])
        assert a == pytest.approx(b, rel=1e-10, abs=1e-12, nan_ok=True), old
