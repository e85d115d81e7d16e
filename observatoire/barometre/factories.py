import factory

from observatoire.barometre.models import Edition
from observatoire.questionnaires.factories import small_questionnaire


class EditionFactory(factory.django.DjangoModelFactory):
    """An edition on a small questionnaire, margins from the 2024 universe."""

    class Meta:
        model = Edition

    code = factory.Sequence(lambda n: f"edition-{n}")
    title = factory.Sequence(lambda n: f"Édition d'essai {n}")
    year = 2024
    vintage = 2024
    questionnaire = factory.Sequence(lambda n: small_questionnaire(code=f"essai-{n}"))
