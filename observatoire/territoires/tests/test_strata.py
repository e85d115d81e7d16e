"""Each authority falls in exactly one barometer stratum."""

import pytest

from observatoire.territoires.choices import Kind, Stratum
from observatoire.territoires.strata import stratum_of


@pytest.mark.parametrize(
    ("kind", "population", "epci_type", "expected"),
    [
        (Kind.COMMUNE, 0, "", Stratum.COMMUNE_LT_3500),
        (Kind.COMMUNE, None, "", Stratum.COMMUNE_LT_3500),
        (Kind.COMMUNE, 3_499, "", Stratum.COMMUNE_LT_3500),
        (Kind.COMMUNE, 3_500, "", Stratum.COMMUNE_3500_10000),
        (Kind.COMMUNE, 9_999, "", Stratum.COMMUNE_3500_10000),
        (Kind.COMMUNE, 10_000, "", Stratum.COMMUNE_10000_100000),
        (Kind.COMMUNE, 99_999, "", Stratum.COMMUNE_10000_100000),
        (Kind.COMMUNE, 100_000, "", Stratum.COMMUNE_GT_100000),
        (Kind.EPCI, 20_000, "CC", Stratum.CC),
        (Kind.EPCI, 80_000, "CA", Stratum.CA),
        (Kind.EPCI, 300_000, "CU", Stratum.CU),
        (Kind.EPCI, 600_000, "METRO", Stratum.METROPOLE),
        (Kind.EPCI, 1_400_000, "MET69", Stratum.METROPOLE),
        (Kind.DEPARTEMENT, 1_000_000, "", Stratum.DEPARTEMENT),
        (Kind.REGION, 5_000_000, "", Stratum.REGION),
        (Kind.OTHER, None, "", Stratum.OTHER),
    ],
)
def test_stratum_of(kind, population, epci_type, expected):
    assert stratum_of(kind, population, epci_type) == expected
