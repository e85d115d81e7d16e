"""The demo does not pass invented values off as published ones: its note lists the figures
the sources give and labels every other one as generated; the citizens' poll speaks of
people, and its method page describes the weighting actually done."""

import pytest
from django.template.loader import render_to_string

from observatoire.barometre import demo, queries
from observatoire.barometre.factories import EditionFactory
from observatoire.questionnaires.choices import Population
from observatoire.questionnaires.factories import small_questionnaire

pytestmark = pytest.mark.django_db


def test_the_demo_note_separates_sourced_and_generated_figures():
    """2024: 53 % (> 3,500 inhabitants) is listed as from the sources, the ethics charter
    (a 2025 figure in the source) and the overall data culture as generated; a commentary
    citing a generated figure says so, and the same text in 2023 follows that year's
    sources."""
    edition = EditionFactory(year=2024, is_demo=True)
    summary, commentary = demo.demo_texts(edition)
    sourced, generated = summary.split("générés pour la démonstration")
    assert "{culture_bonne_correcte|taille=plus_3500}" in sourced
    assert "{ia_usage}" in sourced and "{ia_usage}" not in generated
    assert "{charte_ethique_ia}" in generated and "{culture_bonne_correcte}" in generated
    assert "{outils_donnee} (chiffre généré)" in commentary["outils"]
    assert "{hebergement|modalite=serveurs_propres} hébergent" in commentary["outils"]
    _summary, commentary_2023 = demo.demo_texts(EditionFactory(year=2023, is_demo=True))
    assert "{outils_donnee} des collectivités" in commentary_2023["outils"]
    assert "{hebergement|modalite=serveurs_propres} (chiffre généré)" in commentary_2023["outils"]


def test_the_poll_pages_speak_of_people_and_of_the_weighting_done():
    """The poll's banner says no person was asked (not "no authority"); the method page
    names sex and age as the only weighting margins and claims no région or occupation
    quotas."""
    edition = EditionFactory(
        year=2024,
        is_demo=True,
        plan=demo.POLL_PLAN,
        questionnaire=small_questionnaire("citoyens-essai", population=Population.CITIZENS),
    )
    banner = render_to_string("barometre/_edition_nav.html", {"edition": edition})
    assert "aucune personne n’a été interrogée" in banner and "collectivité" not in banner
    method = render_to_string("barometre/_method_body.html", {"edition": edition, **queries.method(edition)})  # fmt: skip
    assert "selon : sexe, âge ; rien d’autre n’intervient dans la pondération" in method
    assert "ne servent ni aux quotas ni au calage" in method
    assert "quotas (sexe, âge, région, profession)" not in method


def test_a_multiple_choice_without_other_gets_one_of_its_own_values():
    """A respondent the targets leave with nothing picks « autre » only where the question
    has it; otherwise one of its own values (the fill used to crash on such a question)."""
    import random

    import numpy as np

    answers: list[dict] = [{} for _ in range(40)]
    demo._fill_multiple(
        answers, np.ones(40), {}, [], 2024, [True] * 40, "q", ["a", "b"], random.Random(1)
    )
    assert all(a["q"] and set(a["q"]) <= {"a", "b"} for a in answers)
