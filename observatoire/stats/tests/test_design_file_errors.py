"""Mistakes in design files and data (issue 16, items 1-8): exit code 2, a French message.

Each case runs the real command in a subprocess (as an analyst would), so a traceback or
another exit code cannot hide behind a caught exception.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent.parent / "examples"
API = EXAMPLES / "apiclus1.csv"
CALIBRATE = "calibration:\n  - calibrate:\n      margins: {stype: {E: 4421, H: 755, M: 1018}}\n"


def observatoire(data: Path, design: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "observatoire.cli",
            "stats",
            "estimate",
            str(data),
            "--design",
            str(design),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def refused(tmp_path: Path, design_text: str | bytes, data: Path = API) -> str:
    """Run the command, check exit code 2 with no output and no traceback; return stderr."""
    design = tmp_path / "d.yaml"
    if isinstance(design_text, bytes):
        design.write_bytes(design_text)
    else:
        design.write_text(design_text, encoding="utf-8")
    result = observatoire(data, design)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    return result.stderr


def test_yaml_booleans_as_levels_ask_for_quotes(tmp_path: Path) -> None:
    """Unquoted Yes/No keys (YAML booleans) are refused with advice to quote them."""
    err = refused(
        tmp_path,
        "weights: pw\ncalibration:\n  - rake:\n      margins:\n"
        "        sch.wide: {Yes: 5122, No: 1072}\nestimates:\n  - {variable: api00}\n",
    )
    assert err.startswith("d.yaml, ligne 5 : « sch.wide » de « margins » de l'étape 1 (rake) :")
    assert "booléen true (Yes, On ou True sans guillemets)" in err
    assert "mettez-la entre guillemets" in err


def test_design_file_not_in_utf8(tmp_path: Path) -> None:
    """A Windows-1252 design file is refused with the line of the first bad byte."""
    text = "# plan de l'enquête\nweights: pw\n# pondérations\nestimates:\n  - {variable: api00}\n"
    err = refused(tmp_path, text.encode("cp1252"))
    assert err == (
        "d.yaml, ligne 1 : le fichier n'est pas encodé en UTF-8 (octet 0xea) ; enregistrez-le "
        "en UTF-8 (par exemple « Enregistrer sous… », codage UTF-8).\n"
    )


@pytest.mark.parametrize(
    ("estimate", "message"),
    [
        (
            "{variable: api00, ci: logit}",
            "L'intervalle « logit » est fait pour une proportion : la variable « api00 » a des "
            "valeurs hors de [0, 1] (ligne 1 : 608) ; choisissez « wald » ou « mean ».",
        ),
        (
            "{variable: enroll, kind: total, ci: beta}",
            "d.yaml, ligne 3 : « ci » de l'estimation n° 1 : l'intervalle « beta » ne convient "
            "pas à une estimation « total »",
        ),
        (
            "{variable: api00, kind: quantile, ci: wald}",
            "d.yaml, ligne 3 : « ci » de l'estimation n° 1 : l'intervalle d'un quantile se "
            "choisit par « interval_type »",
        ),
    ],
)
def test_logit_and_beta_intervals_only_for_shares(
    tmp_path: Path, estimate: str, message: str
) -> None:
    """ci: logit or beta on a mean of a continuous variable or on a total is refused, and
    ci on a quantile (whose interval is interval_type) is not silently ignored."""
    err = refused(tmp_path, f"weights: pw\nestimates:\n  - {estimate}\n")
    assert message in err


@pytest.mark.parametrize(
    ("design_text", "message"),
    [
        (
            "weights: pw\n"
            + CALIBRATE
            + "      bound: [0.5, 3]\nestimates:\n  - {variable: api00}\n",
            "d.yaml, ligne 5 : clé inconnue « bound » dans l'étape 1 (calibrate) ; clés permises : "
            "bounds, calfun, margins, max_iter, population, tol, totals "
            "(vouliez-vous dire « bounds » ?).",
        ),
        (
            "weights: pw\n" + CALIBRATE + "      total: {api99: 3914069}\n"
            "estimates:\n  - {variable: api00}\n",
            "clé inconnue « total » dans l'étape 1 (calibrate) ; clés permises : bounds, calfun, "
            "margins, max_iter, population, tol, totals (vouliez-vous dire « totals » ?).",
        ),
        (
            "weights: pw\ncalibration:\n  - postStratify:\n      variable: stype\n"
            "      populaton: {E: 4421, H: 755, M: 1018}\nestimates:\n  - {variable: api00}\n",
            "d.yaml, ligne 5 : clé inconnue « populaton » dans l'étape 1 (postStratify) ; clés "
            "permises : population, variable (vouliez-vous dire « population » ?).",
        ),
        (
            "weights: pw\nestimates:\n  - {variable: api00, by: stype, domain: stype}\n",
            "d.yaml, ligne 3 : clé inconnue « domain » dans l'estimation n° 1 ; clés permises : "
            "by, ci, kind, level, na_rm, overall, variable",
        ),
        (
            "weights: pw\ncalibration:\n  - postStrat: {variable: stype}\n"
            "estimates:\n  - {variable: api00}\n",
            "d.yaml, ligne 3 : étape de calage n° 1 inconnue « postStrat » ; étapes permises : "
            "postStratify, rake, calibrate (vouliez-vous dire « postStratify » ?).",
        ),
        (
            "weights: pw\ncalibration:\n  - postStratify: {variable: stype}\n"
            "estimates:\n  - {variable: api00}\n",
            "d.yaml, ligne 3 : l'étape 1 (postStratify) : la clé « population » est obligatoire.",
        ),
        (
            "weights: pw\n" + CALIBRATE + "      max_iter: 0\nestimates:\n  - {variable: api00}\n",
            "d.yaml, ligne 5 : « max_iter » de l'étape 1 (calibrate) : doit être un entier "
            "supérieur ou égal à 1 (reçu : « 0 »).",
        ),
        (
            "weights: pw\nlonely_psu: adjst\nestimates:\n  - {variable: api00}\n",
            "d.yaml, ligne 2 : « lonely_psu » : vaut « adjst » ; valeurs permises : fail, "
            "certainty, remove, adjust (vouliez-vous dire « adjust » ?).",
        ),
        (
            "weights: pw\nweights: pw\nestimates:\n  - {variable: api00}\n",
            "d.yaml, ligne 2 : la clé « weights » apparaît deux fois (lignes 1 et 2).",
        ),
    ],
)
def test_unknown_and_invalid_keys_are_named(tmp_path: Path, design_text: str, message: str) -> None:
    """Every key is checked: unknown ones are named with the allowed keys and the closest."""
    assert message in refused(tmp_path, design_text)


@pytest.mark.parametrize("key", ["na_rm", "overall"])
def test_quoted_booleans_are_refused(tmp_path: Path, key: str) -> None:
    """na_rm: "false" (a string) is not read as true: booleans must be booleans."""
    err = refused(tmp_path, f'weights: pw\nestimates:\n  - {{variable: api00, {key}: "false"}}\n')
    assert err == (
        f"d.yaml, ligne 3 : « {key} » de l'estimation n° 1 : doit valoir true ou false, sans "
        "guillemets (reçu : « false », entre guillemets).\n"
    )


def test_proportion_of_a_continuous_variable_is_refused(tmp_path: Path) -> None:
    """kind: proportion on api00 (148 values) is refused before building its columns."""
    err = refused(tmp_path, "weights: pw\nestimates:\n  - {variable: api00, kind: proportion}\n")
    assert "« api00 » a 148 valeurs distinctes : trop pour une proportion (au plus 100" in err
    assert "demandez « kind: mean »" in err


def test_all_weights_zero_says_why(tmp_path: Path) -> None:
    """A weights column of zeros gives a message instead of an empty row."""
    data = tmp_path / "data.csv"
    data.write_text("pw,y\n0,1\n0,2\n0,3\n", encoding="utf-8")
    err = refused(tmp_path, "weights: pw\nestimates:\n  - {variable: y}\n", data)
    assert "Tous les poids sont nuls" in err


def test_non_numeric_value_in_a_mean_names_line_and_value(tmp_path: Path) -> None:
    """A text value in a mean's variable is reported with its line and value."""
    data = tmp_path / "data.csv"
    data.write_text("pw,y\n1,1.5\n1,NA\n2,abc\n", encoding="utf-8")
    err = refused(tmp_path, "weights: pw\nestimates:\n  - {variable: y, na_rm: true}\n", data)
    assert (
        "La variable « y » doit être numérique pour une estimation « mean » (ligne 3 : 'abc')"
        in err
    )


def test_calibrate_reads_max_iter(tmp_path: Path) -> None:
    """max_iter under calibrate is used (it was ignored): one iteration cannot converge."""
    err = refused(
        tmp_path,
        "weights: pw\n" + CALIBRATE + "      totals: {api99: 3914069}\n      bounds: [0.5, 3]\n"
        "      max_iter: 1\nestimates:\n  - {variable: api00}\n",
    )
    assert "Le calage n'a pas convergé en 1 itérations" in err
