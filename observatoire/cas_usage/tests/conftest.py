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


# Names of the authorities the matching tests meet (with their namesakes elsewhere).
UNIVERSE_NAMES = {
    "paris", "saint etienne", "noisy le grand", "nice", "marseille", "saint denis", "lille",
    "nantes", "bordeaux", "plaisir", "les clayes sous bois", "versailles", "trappes",
    "montigny le bretonneux",
}  # fmt: skip


@pytest.fixture
def universe(db, tmp_path):
    """The authorities of the 2026 COG file that these tests meet — every région and
    métropole, and the communes of UNIVERSE_NAMES — loaded through the universe's import
    (the whole file takes about 20 s a test)."""
    import csv
    import gzip

    from observatoire.territoires import services as territoires
    from observatoire.territoires.models import normalize

    with gzip.open(territoires.vintage_file(2026), "rt", encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    kept = [
        row
        for row in rows
        if row["kind"] in ("region", "departement")
        or row["epci_type"] in ("METRO", "MET69")
        or normalize(row["name"]) in UNIVERSE_NAMES
    ]
    path = tmp_path / "cog-2026.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(kept)
    territoires.import_vintage(2026, path)
