import factory

from observatoire.territoires.choices import Kind
from observatoire.territoires.models import Authority


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority
        django_get_or_create = ("kind", "code")

    kind = Kind.COMMUNE
    code = factory.Sequence(lambda n: f"9{n:04d}")
    siren = factory.Sequence(lambda n: f"2{n:08d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    population = 2_000
    departement = "78"
    region = "11"
    vintage = 2026
