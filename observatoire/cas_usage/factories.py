import datetime

import factory

from observatoire.cas_usage.choices import Domain, Role, Stage, Status, Technology
from observatoire.cas_usage.models import Participant, UseCase
from observatoire.cas_usage.services import index_case


class UseCaseFactory(factory.django.DjangoModelFactory):
    """A published case; pass `authority=` to make that authority its lead."""

    class Meta:
        model = UseCase
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Cas d'usage {n}")
    summary = "Un projet de données mené par une collectivité."
    domain = Domain.ADMINISTRATION
    technology = Technology.ANALYTICS
    stage = Stage.DEPLOYED
    status = Status.PUBLISHED
    published_at = factory.Faker("date_time", tzinfo=datetime.UTC)

    @factory.post_generation
    def authority(obj, create, extracted, **kwargs):
        if create and extracted is not None:
            Participant.objects.create(use_case=obj, authority=extracted, role=Role.LEAD)
        if create:
            index_case(obj)
