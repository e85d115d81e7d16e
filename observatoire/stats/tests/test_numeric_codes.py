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


#: Calibration step (keys typed every way), estimates, and the R results to compare:
#: (R key prefix, variables, domain column).
CASES = {
    "postStratify": (
        "calibration:\n"
        '  - postStratify: {variable: reg, population: {1: 4400, "2": 2700, 3.0: 1800}}\n'
        "estimates:\n  - {variable: y}\n  - {variable: x}\n"
        "  - {variable: y, kind: total, by: reg, overall: false}\n",
        [("num.post.mean", ["y", "x"], ""), ("num.post.by_reg.total", ["y"], "reg")],
    ),
    "rake": (
        "calibration:\n  - rake:\n      tol: 1.0e-13\n      margins:\n"
        "        sex: {1: 4300, 2.0: 4600}\n"
        '        age: {"1": 2000, "2.0": 2400, 3: 2500, 4: 2000}\n'
        "estimates:\n  - {variable: y}\n  - {variable: x}\n"
        "  - {variable: y, by: sex, overall: false}\n",
        [("num.rake.mean", ["y", "x"], ""), ("num.rake.by_sex.mean", ["y"], "sex")],
    ),
    "calibrate": (
        "calibration:\n  - calibrate:\n      margins:\n"
        "        reg: {1: 4400, 2: 2700, 3: 1800}\n"
        "        age: {1: 2000, 2: 2400, 3: 2500, 4: 2000}\n"
        "      totals: {x: 92000}\n"
        "estimates:\n  - {variable: y, by: sex}\n",
        [("num.cal.mean", ["y"], ""), ("num.cal.by_sex.mean", ["y"], "sex")],
    ),
}


@pytest.mark.parametrize("step", list(CASES))
def test_numeric_codes_equal_r(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ref: dict[str, float], step: str
) -> None:
    """postStratify on region, rake on sex and age band, calibrate on region, age band and
    a total: with numeric codes, estimates and SEs equal R's to 1e-10."""
    yaml_text, expected = CASES[step]
    rows = run(tmp_path, capsys, yaml_text)
    for key, variables, domain in expected:
        got = [r for v in variables for r in rows if r["variable"] == v and r["domain"] == domain]
        assert len(got) == sum(k == f"{key}.est" or k.startswith(f"{key}.est.") for k in ref)
        if domain:
            assert [r["domain_level"] for r in got] == ["1", "2", "3"][: len(got)]
        for field, suffix in (("estimate", "est"), ("se", "se")):
            values = np.array([float(r[field]) for r in got])
            name = f"{key}.{suffix}"
            want = [ref[name]] if name in ref else [ref[f"{name}.{i + 1}"] for i in range(len(got))]
            np.testing.assert_allclose(values, want, rtol=RTOL, atol=0, err_msg=name)


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
