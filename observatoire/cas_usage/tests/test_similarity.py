"""« Cas similaires » compares what cases do — text, domain, technology, problem — in French
and English through the thesaurus (bench/similarity.py measures it on a judged set)."""

from pathlib import Path

import pytest
import yaml

from observatoire.cas_usage import services, similarity
from observatoire.cas_usage.choices import Domain, Technology
from observatoire.cas_usage.factories import UseCaseFactory

JUDGED = Path(__file__).parent / "data" / "similar-cases.yaml"


@pytest.fixture
def thesaurus(db):
    services.load_thesaurus()


def test_nantes_canteens_find_catering_and_food_waste_first(cited, thesaurus):
    """School catering and food-waste cases, French or English, come before predictive
    models of other fields (an electricity grid, tax fraud, university admissions)."""
    nantes = cited["nantes-restauration-scolaire"]
    predictive = {"technology": Technology.PREDICTIVE, "country": "France"}
    unrelated = [
        UseCaseFactory(title="Prévision de la charge du réseau électrique", summary="Un modèle prédictif anticipe les pics de consommation.", domain=Domain.ENERGY, **predictive),
        UseCaseFactory(title="Machine learning to detect tax fraud", summary="Predictive models target inspections.", domain=Domain.ADMINISTRATION, **predictive),
        UseCaseFactory(title="Parcoursup : affectation des lycéens", summary="Un algorithme prédit les admissions.", domain=Domain.EDUCATION, **predictive),
    ]  # fmt: skip
    related = [
        UseCaseFactory(title="Lutte contre le gaspillage alimentaire dans les restaurants scolaires", summary="Pesée des restes des repas à la cantine.", domain=Domain.SCHOOL_CATERING, technology=Technology.ANALYTICS),
        UseCaseFactory(title="Reducing food waste in school meals", summary="Leftovers of school lunches are weighed every day.", domain=Domain.ENVIRONMENT, technology=Technology.IOT, country="Suède"),
    ]  # fmt: skip
    similar = similarity.similar_cases(nantes, limit=5)
    assert set(similar[:2]) == set(related)
    assert nantes not in similar
    assert all(
        similar.index(r) < similar.index(u) for r in related for u in unrelated if u in similar
    )


def test_chatbot_finds_english_chatbots_over_same_domain(cited, thesaurus):
    """Plaisir's « agent conversationnel » finds a chatbot described in English before a
    case that only shares its domain."""
    optimus = cited["plaisir-optimus"]
    chatbot = UseCaseFactory(title="Virtual assistant for citizens", summary="A chatbot answers residents' questions day and night.", domain=Domain.ADMINISTRATION, technology=Technology.OTHER_AI, country="Espagne")  # fmt: skip
    same_domain = UseCaseFactory(title="Un tableau des horaires", summary="Affiché en vitrine.", domain=optimus.domain)  # fmt: skip
    similar = similarity.similar_cases(optimus, limit=5)
    assert similar.index(chatbot) < similar.index(same_domain)


def test_judged_set_is_large_enough_and_known():
    """The judged set holds at least 40 cases, each with the cases truly similar to it,
    named by their PSTW identifier or cited-case key."""
    judged = yaml.safe_load(JUDGED.read_text(encoding="utf-8"))["cases"]
    assert len(judged) >= 40
    assert all(entry["similar"] and entry["case"] not in entry["similar"] for entry in judged)
