"""The analysts' command: ``observatoire stats estimate DATA.csv --design DESIGN.yaml``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from observatoire.stats import Design, StatsError, estimate, post_stratify
from observatoire.stats.cli import main
from observatoire.stats.tests.conftest import load_api

EXAMPLES = Path(__file__).parent.parent / "examples"
COLUMNS = [
    "variable",
    "category",
    "domain",
    "domain_level",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "n",
    "deff",
]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_example_design_file_matches_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    """The example runs, writes the documented columns and equals the library's numbers."""
    code, out, _ = run(
        ["estimate", str(EXAMPLES / "apiclus1.csv"), "--design", str(EXAMPLES / "apiclus1.yaml")],
        capsys,
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == COLUMNS
    data = load_api("apiclus1")
    d = post_stratify(
        Design(data["pw"], ids=data["dnum"], fpc=data["fpc"]),
        data["stype"],
        {"E": 4421, "H": 755, "M": 1018},
        name="stype",
    )
    want = estimate(d, {"api00": data["api00"]}, by={"stype": data["stype"]})
    got = [r for r in rows if r["variable"] == "api00"]
    assert [r["domain_level"] for r in got] == ["", "E", "H", "M"]
    for i, r in enumerate(got):
        assert float(r["estimate"]) == pytest.approx(want.estimate[i], rel=1e-12)
        assert float(r["se"]) == pytest.approx(want.se[i], rel=1e-12)
    props = [r for r in rows if r["variable"] == "sch.wide"]
    assert {r["category"] for r in props} == {"No", "Yes"}
    assert all(0 <= float(r["ci_low"]) <= float(r["ci_high"]) <= 1 for r in props)


def test_out_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--out writes the CSV file and a one-line summary."""
    out = tmp_path / "res.csv"
    code, stdout, err = run(
        [
            "estimate",
            str(EXAMPLES / "apiclus1.csv"),
            "--design",
            str(EXAMPLES / "apiclus1.yaml"),
            "--out",
            str(out),
        ],
        capsys,
    )
    assert code == 0
    assert stdout == ""
    assert "estimations écrites" in err
    assert out.read_text().splitlines()[0] == ",".join(COLUMNS)


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            "strata: stypo\nweights: pw\nestimates:\n  - {variable: api00}\n",
            'd.yaml : la clé "strata" désigne une colonne absente : "stypo"',
        ),
        ("weights: pw\nestimates: []\n", "« estimates » doit être une liste non vide"),
        ("weights: pw\nestimate:\n  - {variable: api00}\n", "clé inconnue « estimate »"),
        (
            "weights: pw\nestimates:\n  - {variable: api01}\n",
            'la clé "variable" désigne une colonne absente : "api01"',
        ),
        ("weights: pw\nestimates:\n  - {variable: api00, kind: median}\n", "median"),
        ("weights: pw\nestimates: [\n", "YAML invalide"),
        (
            "weights: pw\ncalibration:\n  - postStratify: {variable: stype, population: {E: 1}}\n"
            "estimates:\n  - {variable: api00}\n",
            "« H » est présente dans l'échantillon",
        ),
    ],
)
def test_bad_design_files_exit_2_with_a_french_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], yaml_text: str, message: str
) -> None:
    """Every mistake in the design file is reported in French, naming the key, with code 2."""
    design = tmp_path / "d.yaml"
    design.write_text(yaml_text, encoding="utf-8")
    code, out, err = run(
        ["estimate", str(EXAMPLES / "apiclus1.csv"), "--design", str(design)], capsys
    )
    assert code == 2
    assert out == ""
    assert message in err


def test_missing_data_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A missing CSV file is reported with exit code 2."""
    code, _, err = run(
        ["estimate", str(tmp_path / "absent.csv"), "--design", str(EXAMPLES / "apiclus1.yaml")],
        capsys,
    )
    assert code == 2
    assert "introuvable" in err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A missing --design is a usage error (exit code 2)."""
    with pytest.raises(SystemExit) as exc:
        main(["estimate", "data.csv"])
    assert exc.value.code == 2
    assert "--design" in capsys.readouterr().err


def test_r_formula_style_and_polars_frame(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ids: ~dnum` is accepted; Design.from_columns reads a Polars frame the same way."""
    import polars as pl

    design = tmp_path / "d.yaml"
    design.write_text(
        "ids: ~dnum\nweights: pw\nfpc: fpc\nestimates:\n  - {variable: api00}\n", encoding="utf-8"
    )
    code, out, _ = run(
        ["estimate", str(EXAMPLES / "apiclus1.csv"), "--design", str(design)], capsys
    )
    assert code == 0
    frame = pl.read_csv(EXAMPLES / "apiclus1.csv")
    d = Design.from_columns(frame, ids="dnum", weights="pw", fpc="fpc")
    want = estimate(d, {"api00": frame["api00"].to_numpy()})
    row = next(iter(csv.DictReader(io.StringIO(out))))
    assert float(row["se"]) == pytest.approx(want.se[0], rel=1e-12)
    with pytest.raises(StatsError, match="« strata » désigne une colonne absente"):
        Design.from_columns(frame, strata="stypo", weights="pw")


def test_non_numeric_weight_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A text value in the weights column is reported with its line."""
    data = tmp_path / "data.csv"
    data.write_text("pw,y\n1.5,1\nabc,2\n2,3\n", encoding="utf-8")
    design = tmp_path / "d.yaml"
    design.write_text("weights: pw\nestimates:\n  - {variable: y}\n", encoding="utf-8")
    code, _, err = run(["estimate", str(data), "--design", str(design)], capsys)
    assert code == 2
    assert "« weights » doit contenir des nombres (ligne 2 : 'abc')" in err


def test_french_csv_with_semicolons_and_decimal_commas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A `;`-separated file with decimal commas (French spreadsheets) is read correctly."""
    data = tmp_path / "fr.csv"
    data.write_text("poids;y\n1,5;2,25\n2;3\n0,5;1\n", encoding="utf-8")
    design = tmp_path / "d.yaml"
    design.write_text("weights: poids\nestimates:\n  - {variable: y}\n", encoding="utf-8")
    code, out, _ = run(["estimate", str(data), "--design", str(design)], capsys)
    assert code == 0
    row = next(iter(csv.DictReader(io.StringIO(out))))
    assert float(row["estimate"]) == pytest.approx((1.5 * 2.25 + 2 * 3 + 0.5 * 1) / 4)
