"""A wrong grid or duties file gives a French message naming the line and the field, and
changes nothing: the version in force stays, and so do the runs' scores."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import escape

from observatoire.diagnostic import services
from observatoire.diagnostic.choices import RulesKind
from observatoire.diagnostic.models import RulesVersion
from observatoire.diagnostic.scoring import shipped_text

GRID = shipped_text(RulesKind.GRID)


def _line_of(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def _replace(old: str, new: str) -> tuple[str, int]:
    assert GRID.count(old) == 1
    text = GRID.replace(old, new)
    return text, _line_of(text, new.splitlines()[0])


CASES = {
    "unknown question": (
        "      - question: culture_donnee",
        "      - question: culture_numerique",
        "axe « culture », champ « question » : le questionnaire n'a pas de question « culture_numerique ».",
    ),
    "unknown value": (
        "        points: {bonne: 4, correcte: 3, insuffisante: 1, faible: 0}",
        "        points: {bonne: 4, correcte: 3, moyenne: 1, faible: 0}",
        "axe « culture », champ « points » : « moyenne » n'est pas un choix de la question « culture_donnee ».",
    ),
    "unknown axis of an action": (
        "    axis: culture\n    title: Sensibiliser les élus à la donnée et à l'IA",
        "    axis: culturel\n    title: Sensibiliser les élus à la donnée et à l'IA",
        "action « formation_elus », champ « axis » : axe « culturel » inconnu.",
    ),
    "unknown value in a condition": (
        "    when: {question: formation_elus, not_in: [oui]}",
        "    when: {question: formation_elus, not_in: [peut_etre]}",
        "action « formation_elus », champ « not_in » : « peut_etre » n'est pas un choix de la question « formation_elus ».",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_grid_error_names_line_and_field_and_changes_nothing(questionnaire, users, case):
    """Unknown question, unknown value, unknown axis: the message says where; no new version."""
    old, new, message = CASES[case]
    text, line = _replace(old, new)
    before = services.current_rules(RulesKind.GRID)
    with pytest.raises(ValidationError) as error:
        services.update_rules(RulesKind.GRID, text, by=users["analyst"])
    assert error.value.messages == [f"grille.yaml, ligne {line}, {message}"]
    assert list(RulesVersion.objects.values_list("kind", "number")) == [(before.kind, 1)]


def test_missing_axes_list(questionnaire, users):
    """A grid without its « axes » list is refused, naming the field."""
    text = GRID.replace("axes:\n", "axe:\n", 1)
    with pytest.raises(ValidationError) as error:
        services.update_rules(RulesKind.GRID, text, by=users["analyst"])
    assert error.value.messages == [
        "grille.yaml, champ « axes » : une liste non vide est attendue."
    ]


def test_axis_without_items(questionnaire, users):
    """An axis left without items (its questions removed) is refused at its line."""
    start = GRID.index("  - code: organisation")
    end = GRID.index("    indicators:", start)
    items_line = GRID[start:end].split("    items:")[0] + "    items: []\n"
    text = GRID[:start] + items_line + GRID[end:]
    line = _line_of(text, "    items: []")
    with pytest.raises(ValidationError) as error:
        services.update_rules(RulesKind.GRID, text, by=users["analyst"])
    assert error.value.messages == [
        f"grille.yaml, ligne {line}, axe « organisation », champ « items » : une liste non vide est attendue."
    ]


def test_duties_error_names_line_and_field(questionnaire, users):
    """A duty reading an unknown question is refused at the line of its condition."""
    text = shipped_text(RulesKind.DUTIES).replace(
        "met: {question: dpo_designe,", "met: {question: dpo,"
    )
    line = _line_of(text, "    met: {question: dpo, in: [oui]}")
    with pytest.raises(ValidationError) as error:
        services.update_rules(RulesKind.DUTIES, text, by=users["analyst"])
    assert error.value.messages == [
        f"obligations.yaml, ligne {line}, obligation « rgpd_dpo », champ « in » : "
        "le questionnaire n'a pas de question « dpo »."
    ]
    assert not RulesVersion.objects.filter(kind=RulesKind.DUTIES, number__gt=1).exists()


def test_analyst_page_shows_the_error_and_keeps_the_version(questionnaire, client_for):
    """Through the analysts' page: status 400, the message shown, version 1 still in force;
    a valid edit then becomes version 2."""
    client = client_for("analyst")
    old, new, message = CASES["unknown value"]
    text, line = _replace(old, new)
    response = client.post("/diagnostic/grille/grille/", {"text": text})
    assert response.status_code == 400
    assert escape(f"ligne {line}, {message}") in response.content.decode()
    assert services.current_rules(RulesKind.GRID).number == 1
    edited = GRID.replace("label: avancé, min: 75", "label: avancé, min: 80")
    response = client.post("/diagnostic/grille/grille/", {"text": edited, "note": "seuil relevé"})
    assert response.status_code == 302
    current = services.current_rules(RulesKind.GRID)
    assert (current.number, current.note, current.text) == (2, "seuil relevé", edited)
