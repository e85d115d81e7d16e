"""Placing an authority in its barometer stratum (type × population band)."""

from observatoire.territoires.choices import EpciType, Kind, Stratum

COMMUNE_BANDS = (
    (3_500, Stratum.COMMUNE_LT_3500),
    (10_000, Stratum.COMMUNE_3500_10000),
    (100_000, Stratum.COMMUNE_10000_100000),
)
EPCI_STRATA = {
    EpciType.CC: Stratum.CC,
    EpciType.CA: Stratum.CA,
    EpciType.CU: Stratum.CU,
    EpciType.METRO: Stratum.METROPOLE,
    EpciType.MET69: Stratum.METROPOLE,
}


def stratum_of(kind: str, population: int | None, epci_type: str = "") -> Stratum:
    """The stratum of an authority; communes by population band (a missing one counts as 0)."""
    if kind == Kind.COMMUNE:
        for upper, stratum in COMMUNE_BANDS:
            if (population or 0) < upper:
                return stratum
        return Stratum.COMMUNE_GT_100000
    if kind == Kind.EPCI:
        return EPCI_STRATA.get(EpciType(epci_type), Stratum.OTHER) if epci_type else Stratum.OTHER
    if kind == Kind.DEPARTEMENT:
        return Stratum.DEPARTEMENT
    if kind == Kind.REGION:
        return Stratum.REGION
    return Stratum.OTHER
