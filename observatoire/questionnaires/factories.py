"""Factories: a small questionnaire covering every question type, and responses."""

from decimal import Decimal

import factory

from observatoire.questionnaires.choices import Population, QuestionType, ResponseStatus
from observatoire.questionnaires.models import Questionnaire, Response
from observatoire.questionnaires.xlsform import (
    FormChoice,
    FormDefinition,
    FormQuestion,
    FormSection,
)


def small_form() -> FormDefinition:
    """Two sections, skip logic, bounds, a constraint, « ne sait pas », « autre »."""
    return FormDefinition(
        title="Questionnaire d'essai",
        form_id="essai",
        version=1,
        sections=[
            FormSection(
                "usages",
                "Usages",
                questions=[
                    FormQuestion(
                        "ia_usage",
                        QuestionType.SELECT_ONE,
                        "Utilisez-vous l'IA ?",
                        required=True,
                        choice_list="ia_usage",
                        allow_dont_know=True,
                    ),
                    FormQuestion(
                        "ia_technologies",
                        QuestionType.SELECT_MULTIPLE,
                        "Lesquelles ?",
                        choice_list="tech",
                        has_other=True,
                        relevant="${ia_usage} = 'deploye' or ${ia_usage} = 'teste'",
                        constraint="count-selected(.) <= 2",
                        constraint_message="Deux au plus.",
                    ),
                    FormQuestion(
                        "nb_agents",
                        QuestionType.INTEGER,
                        "Nombre d'agents ?",
                        minimum=Decimal(0),
                        maximum=Decimal(1000),
                        allow_refusal=True,
                    ),
                ],
            ),
            FormSection(
                "cyber",
                "Cybersécurité",
                questions=[
                    FormQuestion(
                        "cyber_strategie",
                        QuestionType.YES_NO_PLANNED,
                        "Stratégie de sécurité ?",
                        choice_list="oui_non_prevu",
                        required=True,
                    ),
                    FormQuestion("commentaire", QuestionType.TEXT, "Commentaire"),
                ],
            ),
        ],
        choices=[
            FormChoice("ia_usage", "deploye", "Déployée"),
            FormChoice("ia_usage", "teste", "En test"),
            FormChoice("ia_usage", "non", "Non"),
            FormChoice("tech", "chatbot", "Agent conversationnel"),
            FormChoice("tech", "predictif", "Prédictif"),
            FormChoice("tech", "vision", "Vision"),
            FormChoice("oui_non_prevu", "oui", "Oui"),
            FormChoice("oui_non_prevu", "non", "Non"),
            FormChoice("oui_non_prevu", "prevu", "Prévu dans les 12 mois"),
        ],
    )


def small_questionnaire(code: str = "essai-2024", population=Population.AUTHORITIES):
    from observatoire.questionnaires.services import create_from_form

    return create_from_form(small_form(), code=code, year=2024, population=population)


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    questionnaire = factory.LazyFunction(
        lambda: Questionnaire.objects.filter(code="essai-2024").first() or small_questionnaire()
    )
    questionnaire_version = 1
    status = ResponseStatus.DRAFT
    source = "web"
