"""Quantiles, tables and models with replicate weights, and BRR/Fay built from the design,
equal R's to 1e-10 (issue 16, "every estimate kind").

Three replicate designs of results/repweights.csv: Fay (rho 0.3) built from the design
(``as.svrepdesign``), BRR built and post-stratified, and the given bootstrap columns with
``mse``.  On each: ``svyquantile`` (both interval types, overall and in each domain),
``svymean``/``svychisq`` of a table (and a layer), ``svyglm`` and ``regTermTest``.  R's
values come from results/make_reference.R.  What R does not compute is refused (exit 2).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from observatoire.stats import Design
from observatoire.stats.cli import main
from observatoire.stats.design_file import Loaded, load_design_file, read_data
from observatoire.stats.replicate import replicate_design, replicate_many
from observatoire.stats.sections import run_models, run_quantiles, run_tables
from observatoire.stats.tables import crosstabs
from observatoire.stats.variance import hadamard

from .test_multistage import RESULTS, pick, pick_se, same
from .test_replicate_file import ESTIMATES, POST, run

DESIGNS = {
    "fay": "ids: psu\nstrata: st\nweights: pw\nreplicates: {type: Fay, rho: 0.3}\n",
    "brrpost": "ids: psu\nstrata: st\nweights: pw\nreplicates: {type: BRR}\n" + POST,
    "bootmse": 'weights: pw\nrepweights: {columns: "boot_*", type: bootstrap, mse: true}\n',
}


def load(tmp_path: Path, name: str) -> Loaded:
    path = tmp_path / "plan.yaml"
    path.write_text(DESIGNS[name] + "estimates:\n  - {variable: y}\n", encoding="utf-8")
    loaded = load_design_file(RESULTS / "repweights.csv", path)
    data = loaded.data
    data["hi"] = np.where(data["y"] > 16, "oui", "non").astype(object)
    data["yna"] = np.where(data["x"] > 8, np.nan, data["y"])
    return loaded


def test_brr_and_fay_built_from_the_design(tmp_path: Path, ref: dict[str, float]) -> None:
    """replicates: {type: BRR} (post-stratified) and {type: Fay, rho}: R's replicate
    columns (as.svrepdesign, written to repweights.csv), hence R's SEs."""
    data = read_data(RESULTS / "repweights.csv")
    design = Design(data["pw"], strata=data["st"], ids=data["psu"])
    for name, kind, rho in (("brr", "BRR", 0.0), ("fay", "Fay", 0.3)):
        columns = [data[f"{name}_{j}"] for j in range(1, 25)]
        built = replicate_design(design, kind, rho=rho)  # type: ignore[arg-type]
        np.testing.assert_allclose(built.weights, np.column_stack(columns), rtol=1e-14)
    res = run(tmp_path, DESIGNS["brrpost"] + ESTIMATES)
    same(np.r_[pick(res, "y", "mean"), pick(res, "x", "mean")], ref, "rep.built.brr.post.mean.est")
    same(
        np.r_[pick_se(res, "y", "mean"), pick_se(res, "x", "mean")],
        ref,
        "rep.built.brr.post.mean.se",
    )
    res = run(tmp_path, DESIGNS["fay"] + ESTIMATES)
    same(np.r_[pick_se(res, "y", "mean"), pick_se(res, "x", "mean")], ref, "rep.built.fay.mean.se")
    same(pick_se(res, "y", "total", "dom"), ref, "rep.built.fay.by_dom.total.se")


def test_hadamard_is_r_matrix(ref: dict[str, float]) -> None:
    """R's hadamard(n) for 1 to 300 strata (precooked 4/16/28/36, Paley, doubled): its size
    and two weighted sums of its entries; and it is a Hadamard matrix."""
    for n in range(1, 301):
        h = hadamard(n)
        k = np.arange(1, h.shape[0] + 1, dtype=np.float64)
        got = [
            h.shape[0],
            float((h * np.outer(k, k**2)).sum()),
            float((h * np.outer(k**2, k)).sum()),
        ]
        assert got == [ref[f"hadamard.{n}.{i}"] for i in (1, 2, 3)], n
    for n in (1, 13, 20, 27, 35, 40):
        signs = 2 * hadamard(n) - 1
        np.testing.assert_array_equal(signs.T @ signs, signs.shape[0] * np.eye(signs.shape[0]))


@pytest.mark.parametrize("name", list(DESIGNS))
@pytest.mark.parametrize("interval", ["mean", "quantile"])
def test_quantiles_equal_svyquantile(
    tmp_path: Path, ref: dict[str, float], name: str, interval: str
) -> None:
    """Quartiles overall and by dom, Woodruff (mean) and replicate-quantile intervals."""
    loaded = load(tmp_path, name)
    assert loaded.replicates is not None
    req = {"variable": "y", "probs": [0.25, 0.5, 0.75], "by": ["dom"], "interval_type": interval}
    res = run_quantiles(loaded.design, [req], loaded.data, loaded.replicates)
    for i, level in enumerate(["", "p", "q"]):
        key = f"rs.{name}.q.{interval}" + (f".{level}" if level else "")
        part = slice(3 * i, 3 * i + 3)
        same(np.array(res.estimate[part]), ref, f"{key}.est")
        same(np.array(res.ci_low[part]), ref, f"{key}.low")
        same(np.array(res.ci_high[part]), ref, f"{key}.high")
        same(np.array(res.se[part]), ref, f"{key}.se")
    assert res.df[0] == ref[f"rs.{name}.degf"]


@pytest.mark.parametrize("name", list(DESIGNS))
def test_missing_answers_with_replicates(tmp_path: Path, ref: dict[str, float], name: str) -> None:
    """na_rm quantiles (R's design[!is.na(y), ], its own degf) and a model leaving out the
    rows with a missing outcome (R's na.omit, df of the whole design)."""
    loaded = load(tmp_path, name)
    req = {"variable": "yna", "probs": [0.25, 0.5, 0.75], "na_rm": True}
    res = run_quantiles(loaded.design, [req], loaded.data, loaded.replicates)
    key = f"rs.{name}"
    for what in ("est", "low", "high", "se"):
        column = {"est": res.estimate, "low": res.ci_low, "high": res.ci_high, "se": res.se}
        same(np.array(column[what]), ref, f"{key}.q.na.{what}")
    rows, _tests = run_models(
        loaded.design, [{"formula": "yna ~ x + dom"}], loaded.data, loaded.replicates
    )
    same(np.array([r["estimate"] for r in rows]), ref, f"{key}.glm.na.coef")
    same(np.array([r["se"] for r in rows]), ref, f"{key}.glm.na.se")
    assert rows[0]["df"] == ref[f"{key}.glm.na.df"]


@pytest.mark.parametrize("name", list(DESIGNS))
@pytest.mark.parametrize("ci", ["mean", "beta"])
def test_proportion_intervals_equal_svyciprop(
    tmp_path: Path, ref: dict[str, float], name: str, ci: str
) -> None:
    """ci: mean and beta with replicate weights: R's svyciprop on the replicate design,
    overall, per domain (svyby's subsets, their own degf and rows) and with na_rm."""
    loaded = load(tmp_path, name)
    assert loaded.replicates is not None
    requests = [
        {"variable": "hi", "kind": "proportion", "ci": ci, "by": ["dom"]},
        {"variable": "cat", "kind": "proportion", "ci": ci, "na_rm": True},
    ]
    res = replicate_many(loaded.replicates, requests, loaded.data)
    key = f"rs.{name}.ciprop.{ci}"
    oui = [i for i, c in enumerate(res.category) if c == "oui"]
    overall, by = oui[0], oui[1:]
    cat_a = res.category.index("a")
    for index, suffix in ((overall, ""), (cat_a, ".na")):
        same(np.array([res.estimate[index]]), ref, f"{key}{suffix}.est")
        same(np.array([res.se[index]]), ref, f"{key}{suffix}.se")
        same(np.array([res.ci_low[index], res.ci_high[index]]), ref, f"{key}{suffix}.ci")
    same(res.estimate[by], ref, f"{key}.by.est")
    same(res.se[by], ref, f"{key}.by.se")
    same(res.ci_low[by], ref, f"{key}.by.low")
    same(res.ci_high[by], ref, f"{key}.by.high")


@pytest.mark.parametrize("name", list(DESIGNS))
def test_tables_equal_svymean_and_svychisq(
    tmp_path: Path, ref: dict[str, float], name: str
) -> None:
    """Cells of the whole, by row, by column with replicate SEs; F and Chisq tests; the
    F test in each layer (R's subset of the replicate design)."""
    loaded = load(tmp_path, name)
    cells, tests = run_tables(
        loaded.design, [{"rows": "cat", "columns": "dom"}], loaded.data, loaded.replicates
    )
    key = f"rs.{name}.tab"
    same(np.array([c["cell_estimate"] for c in cells]), ref, f"{key}.cell.est")
    same(np.array([c["cell_se"] for c in cells]), ref, f"{key}.cell.se")
    for r in "abc":
        row = [c for c in cells if c["row"] == r]
        same(np.array([c["row_estimate"] for c in row]), ref, f"{key}.row.{r}.est")
        same(np.array([c["row_se"] for c in row]), ref, f"{key}.row.{r}.se")
    for col in "pq":
        column = [c for c in cells if c["column"] == col]
        same(np.array([c["column_estimate"] for c in column]), ref, f"{key}.col.{col}.est")
        same(np.array([c["column_se"] for c in column]), ref, f"{key}.col.{col}.se")
    f, chisq = tests
    same(np.array([f["statistic"], f["ndf"], f["ddf"], f["p_value"]]), ref, f"{key}.F")
    same(np.array([chisq["statistic"], chisq["p_value"]]), ref, f"{key}.Chisq")
    data = loaded.data
    layers = crosstabs(
        loaded.design, data["cat"], data["hi"], data["dom"], replicated=loaded.replicates
    )
    for table, level in zip(layers, "pq", strict=True):
        test = table.tests["F"]
        same(
            np.array([test.statistic, test.ndf, test.ddf, test.p_value]),
            ref,
            f"{key}3.{level}.F",
        )


@pytest.mark.parametrize("name", list(DESIGNS))
def test_models_equal_svyglm(tmp_path: Path, ref: dict[str, float], name: str) -> None:
    """Linear and logistic svyglm: coefficients, replicate SEs, R's residual df (degf + 1
    - p) and the regTermTest Wald F of a factor."""
    loaded = load(tmp_path, name)
    specs = [
        {"formula": "y ~ x + dom", "test": ["dom"]},
        {"formula": "hi ~ x + cat", "family": "quasibinomial", "test": ["cat"]},
    ]
    rows, tests = run_models(loaded.design, specs, loaded.data, loaded.replicates)
    key = f"rs.{name}.glm"
    gaussian = [r for r in rows if r["model"] == 1]
    logit = [r for r in rows if r["model"] == 2]
    same(np.array([r["estimate"] for r in gaussian]), ref, f"{key}.gaussian.coef")
    same(np.array([r["se"] for r in gaussian]), ref, f"{key}.gaussian.se")
    assert gaussian[0]["df"] == ref[f"{key}.gaussian.df"]
    same(np.array([r["estimate"] for r in logit]), ref, f"{key}.logit.coef")
    same(np.array([r["se"] for r in logit]), ref, f"{key}.logit.se")
    for test, which in zip(tests, ("gaussian.test.dom", "logit.test.cat"), strict=True):
        got = [test["statistic"], test["ndf"], test["ddf"], test["p_value"]]
        same(np.array(got, dtype=float), ref, f"{key}.{which}")


@pytest.mark.parametrize(
    ("design", "estimate", "message"),
    [
        (
            DESIGNS["fay"],
            "{variable: y, kind: quantile, ci: logit}",
            "l'intervalle d'un quantile se choisit par « interval_type »",
        ),
        (
            DESIGNS["fay"],
            "{variable: cat, kind: proportion, ci: logit}",
            "l'intervalle logit n'est pas calculé",
        ),
        (
            DESIGNS["fay"],
            "{variable: y, kind: quantile, interval_type: beta}",
            "« interval_type » de l'estimation n° 1 : vaut « beta » ; valeurs permises",
        ),
        (
            "ids: psu\nstrata: st\nweights: pw\n",
            "{variable: y, kind: quantile, interval_type: quantile}",
            "« interval_type: quantile » (quantiles des répliques) demande des poids répliqués",
        ),
        (
            "ids: psu\nstrata: st\nweights: pw\nreplicates: {type: JKn}\n",
            "{variable: y, kind: quantile, by: psu, interval_type: quantile}",
            "Quantile de « y » (domaine 1) : la réplique n° 1 n'a aucun répondant",
        ),
        (
            "ids: psu\nweights: pw\nreplicates: {type: BRR}\n",
            "{variable: y}",
            "Les répliques BRR et Fay demandent un plan stratifié",
        ),
        (
            "ids: psu\nstrata: dom\nweights: pw\nreplicates: {type: BRR}\n",
            "{variable: y}",
            "La strate « p » a 37 unité(s) primaire(s) : les répliques BRR et Fay demandent "
            "exactement deux",
        ),
        (
            "ids: psu\nstrata: st\nweights: pw\nreplicates: {type: Fay}\n",
            "{variable: y}",
            "ligne 4 : « replicates » : le type Fay demande « rho »",
        ),
        (
            "ids: psu\nstrata: st\nweights: pw\nreplicates:\n  type: BRR\n  rho: 0.5\n",
            "{variable: y}",
            "ligne 6 : « rho » de « replicates » : ne s'applique qu'au type Fay",
        ),
    ],
)
def test_what_r_does_not_compute_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], design: str, estimate: str, message: str
) -> None:
    """A logit interval, ``ci`` on a quantile, an interval type R does not compute here,
    replicate quantiles without replicates or in a domain a replicate empties, BRR on an unstratified design or on strata
    without exactly two PSUs, Fay without rho, rho on BRR: exit 2, a French message."""
    path = tmp_path / "plan.yaml"
    path.write_text(design + f"estimates:\n  - {estimate}\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    code = main(
        ["estimate", str(RESULTS / "repweights.csv"), "--design", str(path), "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err, err
    assert "Traceback" not in err
