"""The shipped universe files load with the real counts of the official COG."""

import gzip
import json

import pytest

from observatoire.territoires import queries, services
from observatoire.territoires.choices import Kind, Stratum
from observatoire.territoires.models import Authority

pytestmark = pytest.mark.django_db


def test_2026_vintage_has_the_official_counts():
    """Package 6.0.0: 34,969 communes, 1,255 EPCI (21 METRO + Lyon), 101 départements, 18 régions."""
    services.import_vintage(2026)
    active = Authority.objects.filter(is_active=True)
    assert active.filter(kind=Kind.COMMUNE).count() == 34_969
    assert active.filter(kind=Kind.EPCI).count() == 1_255
    assert active.filter(kind=Kind.EPCI, epci_type="METRO").count() == 21
    assert active.filter(kind=Kind.EPCI, epci_type="MET69").get().name == "Métropole de Lyon"
    assert active.filter(kind=Kind.DEPARTEMENT).count() == 101
    assert active.filter(kind=Kind.REGION).count() == 18
    counts = queries.stratum_counts(2026)
    assert counts[Stratum.METROPOLE] == 22
    assert counts[Stratum.REGION] == 18
    assert sum(v for k, v in counts.items() if k.startswith("commune")) == 34_969


def test_known_authorities_and_their_strata():
    """Plaisir (78490) in the Yvelines and its EPCI; Nantes Métropole; Besançon and its EPCI."""
    services.import_vintage(2026)
    plaisir = Authority.objects.select_related("epci").get(kind=Kind.COMMUNE, code="78490")
    assert (plaisir.name, plaisir.departement, plaisir.siren) == ("Plaisir", "78", "217804905")
    assert plaisir.stratum == Stratum.COMMUNE_10000_100000
    assert plaisir.epci.name == "CA de Saint Quentin en Yvelines"
    nantes = Authority.objects.get(kind=Kind.EPCI, name="Nantes Métropole")
    assert (nantes.epci_type, nantes.stratum) == ("METRO", Stratum.METROPOLE)
    besancon = Authority.objects.select_related("epci").get(kind=Kind.COMMUNE, code="25056")
    assert besancon.stratum == Stratum.COMMUNE_GT_100000
    # Despite its name, Grand Besançon Métropole is legally a communauté urbaine.
    assert besancon.epci.name == "CU Grand Besançon Métropole"
    assert besancon.epci.stratum == Stratum.CU


def test_2024_vintage_counts_and_idempotent_reload():
    """Package 4.1.0: 35,029 communes; loading it twice changes nothing the second time."""
    first = services.import_vintage(2024)
    assert first.created == 36_403
    assert Authority.objects.filter(kind=Kind.COMMUNE).count() == 35_029
    again = services.import_vintage(2024)
    assert (again.created, again.updated, again.deactivated) == (0, 0, 0)


def test_newer_vintage_deactivates_merged_communes_and_older_one_does_not_age_them():
    services.import_vintage(2024)
    summary = services.import_vintage(2026)
    assert summary.deactivated == Authority.objects.filter(is_active=False).count() > 0
    services.import_vintage(2024)
    assert not Authority.objects.filter(is_active=True, vintage=2024).exists()
    assert queries.loaded_vintages() == [2024, 2026]


def _package(tmp_path, communes=None):
    data = tmp_path / "data"
    data.mkdir()
    files = {
        "regions.json": [{"code": "11", "nom": "Île-de-France", "zone": "metro"}],
        "departements.json": [{"code": "78", "nom": "Yvelines", "region": "11", "zone": "metro"}],
        "epci.json": [
            {
                "code": "200058519",
                "nom": "CA Test",
                "type": "CA",
                "populationMunicipale": 100,
                "membres": [{"code": "78490", "populationMunicipale": 100}],
            }
        ],
        "communes.json": communes
        or [
            {
                "code": "78490",
                "nom": "Plaisir",
                "type": "commune-actuelle",
                "departement": "78",
                "region": "11",
                "siren": "217804905",
                "population": 31811,
            },
            {
                "code": "78999",
                "nom": "Déléguée",
                "type": "commune-deleguee",
                "departement": "78",
                "region": "11",
            },
        ],
    }
    for name, content in files.items():
        (data / name).write_text(json.dumps(content), encoding="utf-8")
    return tmp_path


def test_build_from_an_unpacked_package_is_reproducible(tmp_path, monkeypatch):
    """`territoires build` keeps current communes only and writes byte-identical files."""
    monkeypatch.setattr(services, "DATA_DIR", tmp_path / "out")
    (tmp_path / "out").mkdir()
    path, rows = services.build_vintage("6.0.0", _package(tmp_path))
    first = path.read_bytes()
    services.build_vintage("6.0.0", tmp_path)
    assert rows == 4 and path.read_bytes() == first
    lines = gzip.decompress(first).decode().splitlines()
    assert "commune,78490,217804905,Plaisir,31811,78,11,200058519," in lines


def test_unknown_package_version_is_refused(tmp_path):
    with pytest.raises(services.UniverseError, match=r"Version inconnue : 9\.9\.9"):
        services.build_vintage("9.9.9", tmp_path)


def test_bad_file_names_the_line_and_field_and_loads_nothing(tmp_path):
    path = tmp_path / "bad.csv.gz"
    services.write_vintage(
        [
            {"kind": "region", "code": "11", "name": "IdF"},
            {"kind": "commune", "code": "1", "name": "X", "population": "beaucoup"},
        ],
        path,
    )
    with pytest.raises(services.UniverseError, match="ligne 3, champ population"):
        services.import_vintage(2026, path)
    assert not Authority.objects.exists()
