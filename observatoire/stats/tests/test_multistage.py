"""Multi-stage designs from the design file (``ids: [psu, ssu]``, ``fpc: [fpc1, fpc2]``)
equal R's ``svydesign(ids=~psu+ssu, fpc=~fpc1+fpc2)`` and its ``svyrecvar`` recursion to
1e-10: apiclus2 (5 % of the districts) and a stratified sample drawing about 15 % of its
first-stage units, strata at both stages and a lonely unit at the second stage, under each
``lonely_psu`` rule, with post-stratification and calibration.  The values are in
results/reference.csv, written by results/make_reference.R."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from observatoire.stats import Design, Estimates, estimate, estimate_ratio
from observatoire.stats.cli import main
from observatoire.stats.design_file import Loaded, load_design_file, run_estimates

RESULTS = Path(__file__).parent / "results"
RTOL = 1e-10


def run(tmp_path: Path, data: str, design: str) -> tuple[Estimates, Loaded]:
    path = tmp_path / "plan.yaml"
    path.write_text(design, encoding="utf-8")
    loaded = load_design_file(RESULTS / data, path)
    return run_estimates(loaded), loaded


def pick(res: Estimates, variable: str, kind: str, domain: str = "") -> np.ndarray:
    return np.array(
        [
            e
            for v, k, d, e in zip(res.variable, res.kind, res.domain, res.estimate, strict=True)
            if v == variable and k == kind and d == domain
        ]
    )


def pick_se(res: Estimates, variable: str, kind: str, domain: str = "") -> np.ndarray:
    return np.array(
        [
            s
            for v, k, d, s in zip(res.variable, res.kind, res.domain, res.se, strict=True)
            if v == variable and k == kind and d == domain
        ]
    )


def same(actual: np.ndarray, ref: dict[str, float], key: str) -> None:
    values = np.atleast_1d(actual)
    want = (
        np.array([ref[key]])
        if key in ref
        else np.array([ref[f"{key}.{i}"] for i in range(1, values.size + 1)])
    )
    np.testing.assert_allclose(values, want, rtol=RTOL, atol=0, err_msg=key)


def check_estimates(res: Estimates, ref: dict[str, float], key: str) -> None:
    """The means of y and x, the total of y, the shares of cat and y by dom against R's
    ``KEY.mean``, ``.total``, ``.prop``, ``.by_dom.mean`` and ``.by_dom.total``."""
    same(np.r_[pick(res, "y", "mean"), pick(res, "x", "mean")], ref, f"{key}.mean.est")
    same(np.r_[pick_se(res, "y", "mean"), pick_se(res, "x", "mean")], ref, f"{key}.mean.se")
    for variable, kind, domain, name in (
        ("y", "total", "", "total"),
        ("cat", "proportion", "", "prop"),
        ("y", "mean", "dom", "by_dom.mean"),
        ("y", "total", "dom", "by_dom.total"),
    ):
        same(pick(res, variable, kind, domain), ref, f"{key}.{name}.est")
        same(pick_se(res, variable, kind, domain), ref, f"{key}.{name}.se")


CLUS2 = """\
ids: [dnum, snum]
fpc: [fpc1, fpc2]
estimates:
  - {variable: api00, kind: mean}
  - {variable: api99, kind: mean}
  - {variable: enroll, kind: total, na_rm: true}
  - {variable: sch.wide, kind: proportion}
  - {variable: api00, kind: mean, by: stype, overall: false}
  - {variable: api99, kind: total, by: stype, overall: false}
"""


def test_apiclus2_two_stages_with_fpc_at_both(tmp_path: Path, ref: dict[str, float]) -> None:
    """Weights from the two fpc, means, totals, proportions, domains and ratios."""
    res, loaded = run(tmp_path, "apiclus2.csv", CLUS2)
    design, data = loaded.design, loaded.data
    same(design.weights[:5], ref, "clus2.weights.first")
    assert design.degf == ref["clus2.degf"]
    same(np.r_[pick(res, "api00", "mean"), pick(res, "api99", "mean")], ref, "clus2.mean.est")
    same(np.r_[pick_se(res, "api00", "mean"), pick_se(res, "api99", "mean")], ref, "clus2.mean.se")
    same(pick(res, "enroll", "total"), ref, "clus2.total.est")
    same(pick_se(res, "enroll", "total"), ref, "clus2.total.se")
    same(pick(res, "sch.wide", "proportion"), ref, "clus2.prop.schwide.est")
    same(pick_se(res, "sch.wide", "proportion"), ref, "clus2.prop.schwide.se")
    same(pick(res, "api00", "mean", "stype"), ref, "clus2.by_stype.mean.est")
    same(pick_se(res, "api00", "mean", "stype"), ref, "clus2.by_stype.mean.se")
    same(pick(res, "api99", "total", "stype"), ref, "clus2.by_stype.total.est")
    same(pick_se(res, "api99", "total", "stype"), ref, "clus2.by_stype.total.se")
    ratio = estimate_ratio(design, data["api00"], data["api99"])
    same(ratio.estimate, ref, "clus2.ratio.est")
    same(ratio.se, ref, "clus2.ratio.se")
    by = estimate_ratio(
        design, data["api00"], data["api99"], by={"stype": data["stype"]}, overall=False
    )
    same(by.estimate, ref, "clus2.by_stype.ratio.est")
    same(by.se, ref, "clus2.by_stype.ratio.se")


def test_apiclus2_post_stratified(tmp_path: Path, ref: dict[str, float]) -> None:
    """postStratify on a two-stage design: residuals first, then the recursion (svyrecvar)."""
    res, _ = run(
        tmp_path,
        "apiclus2.csv",
        "ids: [dnum, snum]\nfpc: [fpc1, fpc2]\n"
        "calibration:\n  - postStratify: {variable: stype, population: {E: 4421, H: 755, M: 1018}}\n"
        "estimates:\n  - {variable: api00, kind: mean}\n  - {variable: api99, kind: mean}\n"
        "  - {variable: api00, kind: mean, by: sch.wide, overall: false}\n",
    )
    same(np.r_[pick(res, "api00", "mean"), pick(res, "api99", "mean")], ref, "clus2.post.mean.est")
    same(
        np.r_[pick_se(res, "api00", "mean"), pick_se(res, "api99", "mean")],
        ref,
        "clus2.post.mean.se",
    )
    same(pick(res, "api00", "mean", "sch.wide"), ref, "clus2.post.by_schwide.mean.est")
    same(pick_se(res, "api00", "mean", "sch.wide"), ref, "clus2.post.by_schwide.mean.se")


MULTISTAGE = """\
ids: [psu, ssu]
strata: [st, st2]
fpc: [fpc1, fpc2]
lonely_psu: {rule}
{calibration}estimates:
  - {{variable: y, kind: mean}}
  - {{variable: x, kind: mean}}
  - {{variable: y, kind: total}}
  - {{variable: cat, kind: proportion}}
  - {{variable: y, kind: mean, by: dom, overall: false}}
  - {{variable: y, kind: total, by: dom, overall: false}}
"""
POST = "calibration:\n  - postStratify: {variable: cat, population: {u: 2500, v: 2900, w: 2600}}\n"
CAL = (
    "calibration:\n  - calibrate:\n      population: 8000\n"
    "      margins: {cat: {u: 2500, v: 2900, w: 2600}}\n      totals: {x: 230000}\n"
)


@pytest.mark.parametrize("rule", ["adjust", "remove", "certainty"])
def test_stratified_two_stages_at_15_percent(
    tmp_path: Path, ref: dict[str, float], rule: str
) -> None:
    """Strata at both stages, 15 % of the PSUs, a lonely second-stage unit under each rule."""
    res, loaded = run(tmp_path, "multistage.csv", MULTISTAGE.format(rule=rule, calibration=""))
    key = f"ms.{rule}"
    check_estimates(res, ref, key)
    ratio = estimate_ratio(loaded.design, loaded.data["y"], loaded.data["x"])
    same(ratio.estimate, ref, f"{key}.ratio.est")
    same(ratio.se, ref, f"{key}.ratio.se")
    post, _ = run(tmp_path, "multistage.csv", MULTISTAGE.format(rule=rule, calibration=POST))
    same(np.r_[pick(post, "y", "mean"), pick(post, "x", "mean")], ref, f"{key}.post.mean.est")
    same(np.r_[pick_se(post, "y", "mean"), pick_se(post, "x", "mean")], ref, f"{key}.post.mean.se")
    cal, _ = run(tmp_path, "multistage.csv", MULTISTAGE.format(rule=rule, calibration=CAL))
    same(pick(cal, "y", "mean"), ref, f"{key}.cal.mean.est")
    same(pick_se(cal, "y", "mean"), ref, f"{key}.cal.mean.se")
    same(pick(cal, "y", "mean", "dom"), ref, f"{key}.cal.by_dom.mean.est")
    same(pick_se(cal, "y", "mean", "dom"), ref, f"{key}.cal.by_dom.mean.se")


def test_second_stage_adds_to_the_first(tmp_path: Path, ref: dict[str, float]) -> None:
    """Without the second stage the SE is R's one-stage one, smaller than the two-stage's."""
    _, loaded = run(tmp_path, "multistage.csv", MULTISTAGE.format(rule="adjust", calibration=""))
    data = loaded.data
    first = Design(loaded.design.weights, strata=data["st"], ids=data["psu"], fpc=data["fpc1"])
    one = estimate(first, {"y": data["y"]})
    same(one.se, ref, "ms.onestage.mean.se")
    assert one.se[0] < ref["ms.adjust.mean.se.1"]


@pytest.mark.parametrize(
    ("design", "message"),
    [
        (
            "ids: [psu, ssu]\nstrata: [st, st2]\nfpc: [fpc1, fpc2]\n",
            "Au degré 2, la strate",
        ),
        ("ids: [psu, ssu]\nstrata: st\nfpc: fpc1\n", "« fpc » donne 1 colonne(s) pour 2 degrés"),
        ("ids: [psu, ssu]\nstrata: [st, st2, ssu]\nfpc: [fpc1, fpc2]\n", "« strata » donne 3"),
        ("ids: [psu, ssu]\nstrata: st\nfpc: [fpc1, nope]\n", 'colonne absente : "nope"'),
        ("ids: []\n", "« ids » : doit nommer une colonne, ou une liste"),
    ],
)
def test_multistage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], design: str, message: str
) -> None:
    """A lonely second-stage unit under lonely_psu: fail, fpc for some stages only, too many
    strata columns, an absent stage column, an empty list: exit 2 and a French message."""
    path = tmp_path / "plan.yaml"
    path.write_text(design + "estimates:\n  - {variable: y, kind: mean}\n", encoding="utf-8")
    code = main(["estimate", str(RESULTS / "multistage.csv"), "--design", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err
