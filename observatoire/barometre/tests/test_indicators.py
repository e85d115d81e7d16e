"""Indicators declared in YAML: validation messages and the columns each kind produces."""

import math

import pytest

from observatoire.barometre import indicator_specs
from observatoire.questionnaires.choices import DONT_KNOW, REFUSED

THEMES = "themes: [{code: ia, title: IA}]\n"


def test_shipped_files_are_valid():
    """Both shipped indicator files parse and every indicator belongs to a theme."""
    for population in ("authorities", "citizens"):
        iset = indicator_specs.for_population(population)
        assert iset.indicators
        assert all(i.theme in iset.themes for i in iset.indicators)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("indicators: [{code: a, theme: ia, title: A, kind: share, question: q}]",
         "indicateur « a » : le champ « values » est obligatoire"),
        ("indicators: [{code: a, theme: ia, title: A, kind: median, question: q}]",
         "champ « kind » : « median » inconnu"),
        ("indicators: [{code: a, theme: zz, title: A, kind: mean, question: q}]",
         "thème « zz » inconnu"),
        ("indicators: [{code: a, theme: ia, kind: mean, question: q}]",
         "le champ « title » est obligatoire"),
    ],
)  # fmt: skip
def test_invalid_file_names_file_indicator_and_field(body, message):
    """A bad indicator file is rejected with a French message naming where it is wrong."""
    with pytest.raises(indicator_specs.IndicatorError, match=message) as error:
        indicator_specs.parse(THEMES + body, "essai.yaml")
    assert "essai.yaml" in str(error.value)


def _columns(spec: str, answers):
    iset = indicator_specs.parse(THEMES + "indicators: [" + spec + "]", "essai.yaml")
    return {k: [None if math.isnan(v) else v for v in col] for k, col in iset.indicators[0].columns(answers).items()}  # fmt: skip


def test_share_keeps_dont_know_in_base_and_drops_refusals_and_skips():
    """ "Ne sait pas" counts as not choosing; a refusal or a skipped question is out of base."""
    cols = _columns(
        "{code: a, theme: ia, title: A, kind: share, question: q, values: [oui]}",
        [{"q": "oui"}, {"q": "non"}, {"q": DONT_KNOW}, {"q": REFUSED}, {}],
    )
    assert cols == {"": [1.0, 0.0, 0.0, None, None]}


def test_done_or_planned_and_among_and_ranking():
    """Done/planned give three categories; among restricts the base; ranking one per choice."""
    cols = _columns(
        "{code: a, theme: ia, title: A, kind: done_or_planned, question: q}",
        [{"q": "oui"}, {"q": "prevu"}, {"q": "non"}],
    )
    assert cols == {
        "fait": [1.0, 0.0, 0.0],
        "prevu": [0.0, 1.0, 0.0],
        "fait_ou_prevu": [1.0, 1.0, 0.0],
    }
    cols = _columns(
        "{code: a, theme: ia, title: A, kind: ranking, question: t, values: [x, y],"
        " among: {question: u, values: [oui]}}",
        [{"u": "oui", "t": ["x"]}, {"u": "non", "t": ["x", "y"]}, {"u": "oui", "t": ["y"]}],
    )
    assert cols == {"x": [1.0, None, 0.0], "y": [0.0, None, 1.0]}
    cols = _columns(
        "{code: a, theme: ia, title: A, kind: share, question: d, values: [g], skipped: non}",
        [{"d": ["g"]}, {}],
    )
    assert cols == {"": [1.0, 0.0]}
