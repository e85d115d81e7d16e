"""Replicate weights from the design file equal R's to 1e-10.

``repweights:`` reads replicate columns as R's ``svrepdesign`` (BRR, Fay, JK1, JKn,
bootstrap, each with R's default ``scale``/``rscales`` and with ``mse``), re-calibrated by
the design's steps; ``replicates:`` builds them as ``as.svrepdesign``.  The columns and
the values come from results/make_reference.R (repweights.csv, reference.csv).  A
near-constant variable (40,000 values 10,000 +- 10) keeps its digits.  Each defect of the
section is an exit code 2 with a French message naming the line and the key.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from observatoire.stats import Design, Estimates, replicate_estimate
from observatoire.stats.cli import main
from observatoire.stats.design_file import load_design_file, run_estimates
from observatoire.stats.replicate import Replicated
from observatoire.stats.variance import ReplicateWeights

from .test_multistage import RESULTS, check_estimates, pick, pick_se, same

ESTIMATES = """\
estimates:
  - {variable: y, kind: mean}
  - {variable: x, kind: mean}
  - {variable: y, kind: total}
  - {variable: cat, kind: proportion, na_rm: true}
  - {variable: y, kind: mean, by: dom, overall: false}
  - {variable: y, kind: total, by: dom, overall: false}
"""
POST = "calibration:\n  - postStratify: {variable: dom, population: {p: 4000, q: 3500}}\n"


def run(tmp_path: Path, design: str) -> Estimates:
    path = tmp_path / "plan.yaml"
    path.write_text(design, encoding="utf-8")
    return run_estimates(load_design_file(RESULTS / "repweights.csv", path))


def section(name: str, mse: bool, ref: dict[str, float]) -> str:
    extra = {
        "brr": "type: BRR",
        "fay": "type: Fay, rho: 0.3",
        "jk1": "type: JK1, scale: 0.975",
        "jkn": "type: JKn, rscales: " + str([ref[f"rep.jkn.rscales.{i}"] for i in range(1, 41)]),
        "boot": "type: bootstrap",
    }[name]
    return f'weights: pw\nrepweights: {{columns: "{name}_*", {extra}, mse: {str(mse).lower()}}}\n'


@pytest.mark.parametrize("mse", [False, True])
@pytest.mark.parametrize("name", ["brr", "fay", "jk1", "jkn", "boot"])
def test_given_replicate_weights_equal_svrepdesign(
    tmp_path: Path, ref: dict[str, float], name: str, mse: bool
) -> None:
    """Means, totals, proportions (na_rm), domains, and post-stratified replicates."""
    key = f"rep.{name}" + (".mse" if mse else "")
    res = run(tmp_path, section(name, mse, ref) + ESTIMATES)
    check_estimates(res, ref, key)
    post = run(tmp_path, section(name, mse, ref) + POST + ESTIMATES)
    same(np.r_[pick(post, "y", "mean"), pick(post, "x", "mean")], ref, f"{key}.post.mean.est")
    same(np.r_[pick_se(post, "y", "mean"), pick_se(post, "x", "mean")], ref, f"{key}.post.mean.se")


def test_replicates_built_from_the_design(tmp_path: Path, ref: dict[str, float]) -> None:
    """replicates: {type: JKn} then postStratify: R's as.svrepdesign then postStratify."""
    res = run(
        tmp_path, "ids: psu\nstrata: st\nweights: pw\nreplicates: {type: JKn}\n" + POST + ESTIMATES
    )
    same(np.r_[pick(res, "y", "mean"), pick(res, "x", "mean")], ref, "rep.built.jkn.post.mean.est")
    same(
        np.r_[pick_se(res, "y", "mean"), pick_se(res, "x", "mean")],
        ref,
        "rep.built.jkn.post.mean.se",
    )
    same(pick(res, "y", "total", "dom"), ref, "rep.built.jkn.post.by_dom.total.est")
    same(pick_se(res, "y", "total", "dom"), ref, "rep.built.jkn.post.by_dom.total.se")


def test_bootstrap_built_from_the_design_is_seeded(tmp_path: Path) -> None:
    """replicates: {type: bootstrap, replicates, seed}: the same seed, the same SEs; another
    seed, other SEs near the jackknife's."""
    base = "ids: psu\nstrata: st\nweights: pw\n"
    one = run(
        tmp_path, base + "replicates: {type: bootstrap, replicates: 400, seed: 3}\n" + ESTIMATES
    )
    again = run(
        tmp_path, base + "replicates: {type: bootstrap, replicates: 400, seed: 3}\n" + ESTIMATES
    )
    other = run(
        tmp_path, base + "replicates: {type: bootstrap, replicates: 400, seed: 4}\n" + ESTIMATES
    )
    jkn = run(tmp_path, base + "replicates: {type: JKn}\n" + ESTIMATES)
    np.testing.assert_array_equal(one.se, again.se)
    assert not np.array_equal(one.se, other.se)
    np.testing.assert_allclose(one.estimate, jkn.estimate, rtol=1e-12)
    np.testing.assert_allclose(one.se, jkn.se, rtol=0.25)


@pytest.mark.parametrize("mse", [False, True])
def test_near_constant_variable_keeps_its_digits(ref: dict[str, float], mse: bool) -> None:
    """40,000 values 10,000 +- 10 with 20 bootstrap replicates: R's SE (taken on y - 10,000,
    exact) to 1e-10, computed on y itself."""
    i = np.arange(40_000)
    y = 10_000 + ((i * 7919) % 2001 - 1000) / 100
    w = 1 + (i % 7) / 2
    reps = np.column_stack([w * (1 + ((i * r) % 5 - 2) / 4) for r in range(1, 21)])
    design = Design(w)
    rep = ReplicateWeights(np.ones((y.size, 0)), 1 / 19, np.ones(20), "bootstrap")
    res = replicate_estimate(design, {"y": y}, weights=Replicated(design, reps, rep, mse))
    key = "stress.rep" + (".mse" if mse else "")
    same(res.estimate, ref, f"{key}.est")
    same(res.se, ref, f"{key}.se")


BOOT = 'weights: pw\nrepweights: {columns: "boot_*", type: bootstrap}\n'


@pytest.mark.parametrize(
    ("design", "message"),
    [
        (
            'weights: pw\nrepweights: {columns: "boot_*", type: SDR}\n',
            "ligne 2 : « type » de « repweights » : vaut « SDR » ; valeurs permises : BRR, Fay",
        ),
        (
            "weights: pw\nrepweights:\n  columns: [boot_1, boot_99]\n  type: bootstrap\n",
            "ligne 3 : « columns » de « repweights » : colonne absente « boot_99 »",
        ),
        (
            'weights: pw\nrepweights:\n  columns: "rw_*"\n  type: bootstrap\n',
            "ligne 3 : « columns » de « repweights » : le motif « rw_* » ne désigne aucune",
        ),
        (
            'weights: pw\nrepweights:\n  columns: "fay_*"\n  type: Fay\n  rho: 1\n',
            "ligne 5 : « rho » de « repweights » : doit être compris entre 0 et 1, 1 exclu",
        ),
        (
            'weights: pw\nrepweights:\n  columns: "fay_*"\n  type: Fay\n  rho: -0.2\n',
            "ligne 5 : « rho » de « repweights » : doit être un nombre entre 0 et 1",
        ),
        (
            'weights: pw\nrepweights: {columns: "fay_*", type: Fay}\n',
            "ligne 2 : « repweights » : le type Fay demande « rho »",
        ),
        (
            'weights: pw\nrepweights:\n  columns: "brr_*"\n  type: BRR\n  rho: 0.5\n',
            "ligne 5 : « rho » de « repweights » : ne s'applique qu'au type Fay",
        ),
        (
            'weights: pw\nrepweights:\n  columns: "brr_*"\n  type: BRR\n  scale: 2\n',
            "ligne 5 : « scale » de « repweights » : est fixé par le type BRR",
        ),
        (
            'weights: pw\nrepweights: {columns: "jkn_*", type: JKn}\n',
            "ligne 2 : « repweights » : le type JKn demande « rscales »",
        ),
        (
            'weights: pw\nrepweights:\n  columns: "boot_*"\n  type: bootstrap\n  rscales: [1, 2]\n',
            "ligne 5 : « rscales » de « repweights » : 2 valeurs pour 30 répliques",
        ),
        (
            'weights: pw\nrepweights:\n  columns: "boot_*"\n  type: bootstrap\n  mse: "true"\n',
            "ligne 5 : « mse » de « repweights » : doit valoir true ou false",
        ),
        (
            'weights: pw\nrepweights:\n  columns: "boot_*"\n  typ: bootstrap\n',
            "ligne 4 : clé inconnue « typ » dans « repweights »",
        ),
        (
            BOOT + "replicates: {type: JKn}\n",
            "ligne 3 : « repweights » (poids répliqués fournis) et « replicates »",
        ),
        (
            "ids: psu\nstrata: st\nweights: pw\nreplicates:\n  type: JKn\n  seed: 4\n",
            "ligne 6 : « seed » de « replicates » : ne s'applique qu'au bootstrap",
        ),
        (
            "weights: pw\nreplicates: {type: SDR}\n",
            "ligne 2 : « type » de « replicates » : vaut « SDR »",
        ),
    ],
)
def test_repweights_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], design: str, message: str
) -> None:
    """Unknown type, absent column, a pattern matching nothing, rho outside [0, 1), Fay
    without rho, keys that do not apply to the type, rscales of the wrong length, a quoted
    boolean, a misspelt key, both sections: exit 2, a French message with line and key."""
    path = tmp_path / "plan.yaml"
    path.write_text(design + "estimates:\n  - {variable: y, kind: mean}\n", encoding="utf-8")
    code = main(["estimate", str(RESULTS / "repweights.csv"), "--design", str(path)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("estimate", "message"),
    [
        ("{variable: cat, kind: proportion, ci: logit}", "l'intervalle logit n'est pas calculé"),
    ],
)
def test_what_replicates_do_not_compute_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], estimate: str, message: str
) -> None:
    """A logit interval with replicate weights: refused, never a silent Wald (mean and beta
    intervals, quantiles: test_replicate_sections.py)."""
    path = tmp_path / "plan.yaml"
    path.write_text(BOOT + f"estimates:\n  - {estimate}\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    code = main(
        ["estimate", str(RESULTS / "repweights.csv"), "--design", str(path), "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
