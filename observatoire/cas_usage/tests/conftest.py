import pytest

from observatoire.cas_usage import services
from observatoire.territoires.choices import Kind
from observatoire.territoires.factories import AuthorityFactory


@pytest.fixture
def cited(db):
    """The cases the source documents cite, with the authorities they name."""
    AuthorityFactory(code="78490", siren="217804905", name="Plaisir", population=31_811)
    AuthorityFactory(
        kind=Kind.EPCI, code="244400404", name="Nantes Métropole", population=683_981,
        epci_type="METRO", departement="44", region="52",
    )  # fmt: skip
    services.load_cited_cases()
    return {c.external_id.removeprefix("cite:"): c for c in services.UseCase.objects.all()}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The personas' passwords are hashed with a fast hasher: these tests are not about it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
