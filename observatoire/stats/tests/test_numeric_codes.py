"""Calibration margins coded as numbers (issue 16, item 1), against R's `survey`.

``results/numcodes.csv`` and the expected values are written by ``results/make_reference.R``
(the section « margins coded as numbers »): region, sex and age band coded 1, 2, 3… are
read from the CSV as floats, and the design files key them ``1``, ``"2"`` or ``3.0``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

from observatoire.stats import Design, StatsError, post_stratify
from observatoire.stats.cli import main

RESULTS = Path(__file__).parent / "results"
RTOL = 1e-10
HEAD = "ids: psu\nstrata: st\nweights: w\n"


def run(tmp_path: Path, capsys: pytest.CaptureFixture[str], yaml_text: str) -> list[dict[str, str]]:
    design = tmp_path / "d.yaml"
    design.write_text(HEAD + yaml_text, encoding="utf-8")
    code = main(["estimate", str(RESULTS / "numcodes.csv"), "--design", str(design)])
    out = capsys.readouterr()
    assert code == 0, out.err
    return list(csv.DictReader(io.StringIO(out.out)))


def pick(rows: list[dict[str, str]], variable: str, domain: str = "") -> list[dict[str, str]]:
    return [r for r in rows if r["variable"] == variable and r["domain"] == domain]


def check(
    rows: list[dict[str, str]], ref: dict[str, float], key: str, field: str = "estimate"
) -> None:
    got = np.array([float(r[field]) for r in rows])
    want = (
        np.array([ref[key]])
        if key in ref
        else np.array([ref[f"{key}.{i}"] for i in range(1, len(rows) + 1)])
    )
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=0, err_msg=key)


def test_post_stratification_on_numeric_region(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ref: dict[str, float]
) -> None:
    """postStratify on a region coded 1-3 (keys 1, "2", 3.0) equals R's postStratify."""
    rows = run(
        tmp_path,
        capsys,
        "calibration:\n"
        '  - postStratify: {variable: reg, population: {1: 4400, "2": 2700, 3.0: 1800}}\n'
        "estimates:\n"
        "  - {variable: y}\n  - {variable: x}\n"
        "  - {variable: y, kind: total, by: reg, overall: false}\n",
    )
    means = pick(rows, "y") + pick(rows, "x")
    check(means, ref, "num.post.mean.est")
    check(means, ref, "num.post.mean.se", "se")
    totals = pick(rows, "y", "reg")
    assert [r["domain_level"] for r in totals] == ["1", "2", "3"]
    check(totals, ref, "num.post.by_reg.total.est")
    check(totals, ref, "num.post.by_reg.total.se", "se")


def test_raking_on_numeric_sex_and_age_band(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ref: dict[str, float]
) -> None:
    """rake on sex 1-2 and age band 1-4, keys typed every way, equals R's rake."""
    rows = run(
        tmp_path,
        capsys,
        "calibration:\n  - rake:\n      tol: 1.0e-13\n      margins:\n"
        "        sex: {1: 4300, 2.0: 4600}\n"
        '        age: {"1": 2000, "2.0": 2400, 3: 2500, 4: 2000}\n'
        "estimates:\n  - {variable: y}\n  - {variable: x}\n"
        "  - {variable: y, by: sex, overall: false}\n",
    )
    means = pick(rows, "y") + pick(rows, "x")
    check(means, ref, "num.rake.mean.est")
    check(means, ref, "num.rake.mean.se", "se")
    check(pick(rows, "y", "sex"), ref, "num.rake.by_sex.mean.est")
    check(pick(rows, "y", "sex"), ref, "num.rake.by_sex.mean.se", "se")


def test_calibration_on_numeric_margins_and_a_total(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ref: dict[str, float]
) -> None:
    """calibrate on region and age band (numbers) and the total of x equals R's calibrate."""
    rows = run(
        tmp_path,
        capsys,
        "calibration:\n  - calibrate:\n      margins:\n"
        "        reg: {1: 4400, 2: 2700, 3: 1800}\n"
        "        age: {1: 2000, 2: 2400, 3: 2500, 4: 2000}\n"
        "      totals: {x: 92000}\n"
        "estimates:\n  - {variable: y, by: sex}\n",
    )
    check(pick(rows, "y"), ref, "num.cal.mean.est")
    check(pick(rows, "y"), ref, "num.cal.mean.se", "se")
    check(pick(rows, "y", "sex"), ref, "num.cal.by_sex.mean.est")
    check(pick(rows, "y", "sex"), ref, "num.cal.by_sex.mean.se", "se")


def test_text_codes_match_numeric_keys_and_ambiguous_codes_are_refused() -> None:
    """A text column "1"/"2" matches keys 1 and 2.0; "01" and "1" in one column are refused."""
    design = Design(np.ones(4))
    text = np.array(["1", "2", "2", "1"], dtype=object)
    numeric = post_stratify(design, np.array([1.0, 2.0, 2.0, 1.0]), {1: 10, 2: 30})
    by_text = post_stratify(design, text, {1: 10, 2.0: 30})
    np.testing.assert_array_equal(by_text.weights, numeric.weights)
    with pytest.raises(StatsError, match="« 01 » et « 1 »"):
        post_stratify(design, np.array(["01", "1", "2", "2"], dtype=object), {1: 10, 2: 30})
    with pytest.raises(StatsError, match=r"« 1 » et « 1\.0 » désignent la même valeur"):
        post_stratify(design, text, {1: 10, "1.0": 10, 2: 30})
