"""The server-side evaluator of relevant and constraint expressions."""

import json
from pathlib import Path

import pytest

from observatoire.questionnaires.expressions import ExpressionError, is_true, parse

CASES = json.loads((Path(__file__).parent / "expression_cases.json").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["expression"] or "(vide)" for c in CASES])
def test_shared_cases(case):
    """Each shared case gives the expected result (the browser runs the same table)."""
    if case.get("error"):
        with pytest.raises(ExpressionError):
            is_true(case["expression"], case["answers"], case.get("current"))
    else:
        assert is_true(case["expression"], case["answers"], case.get("current")) is case["expected"]


def test_references_lists_the_codes_an_expression_reads():
    """references() is what the XLSForm import checks against the form's codes."""
    tree = parse("${a} = 'x' and selected(${b}, 'y') or not(${c} > .)")
    assert tree.references() == {"a", "b", "c"}


def test_errors_are_in_french():
    """A syntax error explains itself in French."""
    with pytest.raises(ExpressionError, match="attendu"):
        parse("(${a} = 'x'")
