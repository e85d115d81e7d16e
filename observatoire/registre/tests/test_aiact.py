"""The guided AI Act classification on cases from the source documents and the standards.

Each case lists only the answers that are "yes"; the expected level and the article the
reasoning must cite come from Regulation (EU) 2024/1689 (article 5, Annex III, article 6(3),
article 50).
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from observatoire.registre.aiact import QUESTION_CODES, classify

AI = {"is_ai_system": True}

CASES = [
    pytest.param(
        {**AI, "interacts_with_people": True},
        "transparency",
        "article 50, 1",
        id="plaisir-chatbot-optimus",
    ),
    pytest.param(
        {**AI, "interacts_with_people": True, "generates_content": True},
        "transparency",
        "article 50, 2",
        id="generative-chatbot-answering-residents",
    ),
    pytest.param(
        {**AI, "realtime_biometric_identification": True},
        "prohibited",
        "article 5, 1, h",
        id="olympics-video-surveillance-with-real-time-face-recognition",
    ),
    pytest.param(
        {**AI, "realtime_biometric_identification": True, "biometric_exception_authorised": True},
        "high",
        "article 5, 2",
        id="olympics-video-surveillance-authorised-exception",
    ),
    pytest.param(
        {**AI},
        "minimal",
        "risque minimal",
        id="olympics-video-surveillance-events-only-no-biometrics",
    ),
    pytest.param(
        {**AI, "public_benefits": True, "profiling": True},
        "high",
        "annexe III, point 5, a",
        id="benefit-eligibility-scoring",
    ),
    pytest.param(
        {**AI, "public_benefits": True, "narrow_procedural_task": True},
        "minimal",
        "article 6, 3",
        id="benefit-files-sorting-procedural-task",
    ),
    pytest.param(
        {**AI, "public_benefits": True, "narrow_procedural_task": True, "profiling": True},
        "high",
        "dérogation de l'article 6, 3 est exclue",
        id="procedural-task-with-profiling-stays-high",
    ),
    pytest.param(
        {**AI},
        "minimal",
        "risque minimal",
        id="nantes-school-catering-forecast",
    ),
    pytest.param(
        {**AI},
        "minimal",
        "article 4",
        id="saint-savin-water-leak-prediction-prioritises-inspections",
    ),
    pytest.param(
        {**AI, "critical_infrastructure": True},
        "high",
        "annexe III, point 2",
        id="water-network-pressure-control-safety-component",
    ),
    pytest.param(
        {**AI, "employment": True},
        "high",
        "annexe III, point 4",
        id="cv-screening-for-municipal-recruitment",
    ),
    pytest.param(
        {**AI, "social_scoring": True},
        "prohibited",
        "article 5, 1, c",
        id="citizen-social-score",
    ),
    pytest.param(
        {**AI, "emotion_work_education": True},
        "prohibited",
        "article 5, 1, f",
        id="emotion-recognition-of-pupils",
    ),
    pytest.param(
        {**AI, "education_access": True, "interacts_with_people": True},
        "high",
        "article 50, 1",
        id="school-allocation-assistant-high-with-transparency-duty",
    ),
    pytest.param(
        {"interacts_with_people": True},
        "not_ai",
        "article 3, 1",
        id="rules-based-decision-tree-bot-is-not-ai",
    ),
]


@pytest.mark.parametrize(("answers", "level", "cited"), CASES)
def test_classification_cases(answers, level, cited):
    """Each case reaches its expected level, and the reasoning or duties cite the right article."""
    result = classify(answers)
    assert result.level == level
    text = " ".join(str(x) for x in [*result.reasoning, *result.obligations])
    assert cited in text


def test_high_risk_lists_deployer_duties():
    """A high-risk system comes with the FRIA (art. 27) and the EU database registration (art. 49)."""
    result = classify({**AI, "public_benefits": True})
    duties = " ".join(result.obligations)
    assert "article 27" in duties
    assert "article 49, 3" in duties
    assert result.annex_iii == ["public_benefits"]


def test_unknown_answers_are_ignored():
    """Unknown keys never change the level: only the listed questions count."""
    assert classify({**AI, "made_up": True}).level == "minimal"


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(QUESTION_CODES), st.booleans()))
def test_any_answers_give_a_level_and_reasons(answers):
    """Whatever the answers, a level comes with at least one reason; prohibited wins over all."""
    result = classify(answers)
    assert result.level in {"prohibited", "high", "transparency", "minimal", "not_ai"}
    assert result.reasoning
    if answers.get("is_ai_system") and answers.get("social_scoring"):
        assert result.level == "prohibited"
