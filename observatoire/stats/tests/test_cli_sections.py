"""The design file's ``tables:``, ``models:`` and ``kind: quantile``, each in its own CSV,
equal to R (results/reference_explore.csv, written by make_reference_explore.R)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from observatoire.stats.cli import main
from observatoire.stats.sections import MODEL_COLUMNS, TABLE_COLUMNS, TEST_COLUMNS

RESULTS = Path(__file__).parent / "results"
PROBS = [0.1, 0.25, 0.5, 0.75, 0.9]
STRAT = f"""
strata: stype
weights: pw
fpc: fpc
estimates:
  - {{variable: api00, kind: mean}}
  - {{variable: api00, kind: quantile, probs: {PROBS}}}
tables:
  - {{rows: stype, columns: sch.wide}}
  - {{rows: sch.wide, columns: both, layer: stype}}
"""
CAL = """
ids: dnum
weights: pw
fpc: fpc
calibration:
  - calibrate:
      population: 6194
      margins: {stype: {E: 4421, H: 755, M: 1018}}
      totals: {api99: 3914069}
estimates:
  - {variable: enroll, kind: quantile, probs: [0.1, 0.25, 0.5, 0.75, 0.9]}
models:
  - {formula: "api00 ~ stype + enroll + meals", family: gaussian, test: [stype]}
  - {formula: "sch.wide ~ stype + meals", family: quasibinomial}
"""


@pytest.fixture(scope="module")
def ref() -> dict[str, float]:
    with (RESULTS / "reference_explore.csv").open(newline="") as fh:
        return {r["key"]: float(r["value"]) for r in csv.DictReader(fh)}


def values(ref: dict[str, float], key: str) -> list[float]:
    out, i = [], 1
    while f"{key}.{i}" in ref:
        out.append(ref[f"{key}.{i}"])
        i += 1
    return out or [ref[key]]


def run(tmp_path: Path, design: str, data: str) -> tuple[int, Path]:
    path = tmp_path / "design.yaml"
    path.write_text(design, encoding="utf-8")
    out = tmp_path / "results.csv"
    code = main(["estimate", str(RESULTS / data), "--design", str(path), "--out", str(out)])
    return code, out


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_tables_and_quantiles_files_equal_r(tmp_path: Path, ref: dict[str, float]) -> None:
    """tables: gives the cells and the Rao–Scott tests (svychisq F and Chisq), a layer one
    pair of tests per level; kind: quantile gives svyquantile's estimates and intervals."""
    code, out = run(tmp_path, STRAT, "apistrat.csv")
    assert code == 0
    assert [r["variable"] for r in read(out)] == ["api00"]
    quantiles = read(tmp_path / "results.quantiles.csv")
    assert [float(r["probability"]) for r in quantiles] == PROBS
    assert [float(r["estimate"]) for r in quantiles] == pytest.approx(
        values(ref, "q.strat.est")[:5], rel=1e-8
    )
    bounds = [float(v) for r in quantiles for v in (r["ci_low"], r["ci_high"])]
    assert bounds == pytest.approx(values(ref, "q.strat.ci")[:10], rel=1e-8)
    cells = read(tmp_path / "results.tables.csv")
    assert list(cells[0]) == list(TABLE_COLUMNS)
    assert {r["table"] for r in cells} == {"stype x sch.wide", "sch.wide x both"}
    tests = read(tmp_path / "results.tests.csv")
    assert list(tests[0]) == list(TEST_COLUMNS)
    first = {r["test"]: r for r in tests if r["name"] == "stype x sch.wide"}
    assert float(first["F"]["statistic"]) == pytest.approx(
        ref["chisq.strat.stype_schwide.F.statistic"], rel=1e-8
    )
    assert float(first["F"]["p_value"]) == pytest.approx(
        ref["chisq.strat.stype_schwide.F.p"], rel=1e-8
    )
    assert float(first["Chisq"]["p_value"]) == pytest.approx(
        ref["chisq.strat.stype_schwide.Chisq.p"], rel=1e-8
    )
    assert [r["layer"] for r in tests if r["name"] == "sch.wide x both"] == [
        "E",
        "E",
        "H",
        "H",
        "M",
        "M",
    ]


def test_models_file_equals_svyglm_on_a_calibrated_design(
    tmp_path: Path, ref: dict[str, float]
) -> None:
    """models: coefficients, SEs, p-values and intervals of svyglm on a calibrated design,
    and regTermTest for the terms asked (each term for a model without ``test``)."""
    code, _out = run(tmp_path, CAL, "apiclus1.csv")
    assert code == 0
    rows = read(tmp_path / "results.models.csv")
    assert list(rows[0]) == list(MODEL_COLUMNS)
    linear = [r for r in rows if r["model"] == "1"]
    assert [r["coefficient"] for r in linear] == [
        "(Intercept)",
        "stypeH",
        "stypeM",
        "enroll",
        "meals",
    ]
    assert [float(r["estimate"]) for r in linear] == pytest.approx(
        values(ref, "glm.cal.gaussian.coef"), rel=1e-8
    )
    assert [float(r["se"]) for r in linear] == pytest.approx(
        values(ref, "glm.cal.gaussian.se"), rel=1e-8
    )
    assert [float(r["p_value"]) for r in linear] == pytest.approx(
        values(ref, "glm.cal.gaussian.p"), rel=1e-8
    )
    logistic = [r for r in rows if r["model"] == "2"]
    assert [float(r["se"]) for r in logistic] == pytest.approx(
        values(ref, "glm.cal.logit.se"), rel=1e-8
    )
    assert all(float(r["odds_ratio"]) > 0 for r in logistic)
    tests = read(tmp_path / "results.tests.csv")
    wald = [r for r in tests if r["source"] == "model"]
    assert [r["test"] for r in wald] == ["Wald stype", "Wald stype", "Wald meals"]
    assert float(wald[0]["statistic"]) == pytest.approx(ref["glm.cal.gaussian.test.F"], rel=1e-8)
    assert float(wald[1]["p_value"]) == pytest.approx(ref["glm.cal.logit.test.p"], rel=1e-8)
    assert (tmp_path / "results.quantiles.csv").exists()


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("tables:\n  - {rows: stype, colums: sch.wide}\n", "colums"),
        ("tables:\n  - {rows: stype, columns: nope}\n", "nope"),
        ('models:\n  - {formula: "api00 ~ stype +", family: gaussian}\n', "api00 ~ stype +"),
        ('models:\n  - {formula: "api00 ~ stype", family: poisson}\n', "poisson"),
        ("estimates:\n  - {variable: api00, kind: quantile, probs: [1.5]}\n", "1.5"),
    ],
)
def test_bad_sections_are_refused_in_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], section: str, message: str
) -> None:
    """A bad table, model or quantile request: exit code 2, a French message naming it,
    and no file written."""
    design = "strata: stype\nweights: pw\nfpc: fpc\n" + section
    if not section.startswith("estimates"):
        design += "estimates:\n  - {variable: api00, kind: mean}\n"
    code, out = run(tmp_path, design, "apistrat.csv")
    assert code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
