from typing import cast

import factory

from observatoire.barometre.choices import EditionStatus
from observatoire.barometre.models import Edition
from observatoire.questionnaires.choices import ResponseStatus
from observatoire.questionnaires.factories import small_questionnaire
from observatoire.questionnaires.models import Response
from observatoire.territoires.choices import Kind
from observatoire.territoires.factories import AuthorityFactory
from observatoire.territoires.models import Authority, UniverseCount


class EditionFactory(factory.django.DjangoModelFactory):
    """An edition on a small questionnaire, margins from the 2024 universe."""

    class Meta:
        model = Edition

    code = factory.Sequence(lambda n: f"edition-{n}")
    title = factory.Sequence(lambda n: f"Édition d'essai {n}")
    year = 2024
    vintage = 2024
    questionnaire = factory.Sequence(lambda n: small_questionnaire(code=f"essai-{n}"))


UNIVERSE = [  # stratum, région, authorities, inhabitants
    ("commune_lt_3500", "11", 300, 300_000),
    ("commune_lt_3500", "24", 200, 150_000),
    ("commune_3500_10000", "11", 40, 250_000),
    ("commune_3500_10000", "24", 30, 180_000),
    ("cc", "11", 8, 400_000),
]


def make_edition(
    sample: dict[tuple[str, str], int],
    status=EditionStatus.CLOSED,
    answers=lambda authority: {"gouv_regles": "oui" if authority.pk % 2 else "non"},
    **plan,
):
    """A small edition on a small universe: ``sample`` gives responses per (stratum, région)."""
    for stratum, region, count, population in UNIVERSE:
        UniverseCount.objects.create(
            vintage=2024, stratum=stratum, region=region, count=count, population=population
        )
    edition = cast(
        Edition,
        EditionFactory(status=status, plan={"unit": "collectivites", "min_cell": 3, **plan}),
    )
    for (stratum, region), n in sample.items():
        for _ in range(n):
            if stratum == "cc":
                fields: dict[str, object] = {"kind": Kind.EPCI, "epci_type": "CC"}
            else:
                fields = {"population": 1_000 if stratum == "commune_lt_3500" else 5_000}
            authority = cast(Authority, AuthorityFactory(region=region, **fields))
            Response.objects.create(
                questionnaire=edition.questionnaire,
                questionnaire_version=1,
                authority=authority,
                status=ResponseStatus.SUBMITTED,
                answers=answers(authority),
            )
    return edition
