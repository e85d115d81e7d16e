"""Building the compact universe file from Etalab's COG package, and loading it."""

import csv
import gzip
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from django.db import connection, transaction
from django.db.models import Field, Max

from observatoire.core import audit, csvsafe
from observatoire.core.cache import pages_changed
from observatoire.territoires.choices import Kind
from observatoire.territoires.models import Authority, UniverseCount, normalize
from observatoire.territoires.strata import stratum_of

DATA_DIR = Path(__file__).resolve().parent / "data"
# One version of @etalab/decoupage-administratif per vintage of the COG.
PACKAGE_VINTAGES = {"2.3.1": 2022, "3.1.1": 2023, "4.1.0": 2024, "5.3.0": 2025, "6.0.0": 2026}
COLUMNS = ["kind", "code", "siren", "name", "population", "departement", "region", "epci"]
COLUMNS += ["epci_type"]


class UniverseError(Exception):
    """A universe file that cannot be built or loaded; the message is for the user."""


def vintage_file(vintage: int) -> Path:
    return DATA_DIR / f"cog-{vintage}.csv.gz"


def shipped_vintages() -> list[int]:
    return sorted(int(p.name[4:8]) for p in DATA_DIR.glob("cog-*.csv.gz"))


def _load_json(directory: Path, name: str) -> list[dict]:
    path = directory / name
    if not path.exists():
        path = directory / "data" / name
    if not path.exists():
        raise UniverseError(f"Fichier introuvable : {name} dans {directory}")
    return json.loads(path.read_text(encoding="utf-8"))


def build_rows(package_dir: Path) -> list[dict]:
    """Rows of the compact file from an unpacked package (its folder or its data/ folder)."""
    communes = [
        c for c in _load_json(package_dir, "communes.json") if c["type"] == "commune-actuelle"
    ]
    epcis = _load_json(package_dir, "epci.json")
    departements = [d for d in _load_json(package_dir, "departements.json") if d["zone"] != "com"]
    regions = [r for r in _load_json(package_dir, "regions.json") if r["zone"] != "com"]

    commune_epci = {m["code"]: e["code"] for e in epcis for m in e["membres"]}
    commune_dep = {c["code"]: c["departement"] for c in communes}
    dep_region = {d["code"]: d["region"] for d in departements}
    rows: list[dict] = []
    for r in regions:
        rows.append({"kind": Kind.REGION, "code": r["code"], "name": r["nom"], "region": r["code"]})
    for d in departements:
        rows.append(
            {
                "kind": Kind.DEPARTEMENT,
                "code": d["code"],
                "name": d["nom"],
                "departement": d["code"],
                "region": d["region"],
            }
        )
    for e in epcis:
        # An EPCI belongs to the département where most of its population lives.
        weight: Counter[str] = Counter()
        for m in e["membres"]:
            weight[commune_dep.get(m["code"], "")] += m.get("populationMunicipale") or 0
        dep = weight.most_common(1)[0][0] if weight else ""
        rows.append(
            {
                "kind": Kind.EPCI,
                "code": e["code"],
                "siren": e["code"],
                "name": e["nom"],
                "population": e["populationMunicipale"],
                "departement": dep,
                "region": dep_region.get(dep, ""),
                "epci_type": e["type"],
            }
        )
    for c in communes:
        rows.append(
            {
                "kind": Kind.COMMUNE,
                "code": c["code"],
                "siren": c.get("siren", ""),
                "name": c["nom"],
                "population": c.get("population"),
                "departement": c["departement"],
                "region": c["region"],
                "epci": commune_epci.get(c["code"], ""),
            }
        )
    return rows


def write_vintage(rows: Iterable[dict], path: Path) -> None:
    buffer = io.StringIO()
    writer = csvsafe.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in COLUMNS})
    # mtime=0 keeps the file byte-identical from one build to the next.
    path.write_bytes(gzip.compress(buffer.getvalue().encode("utf-8"), mtime=0))


def build_vintage(package_version: str, package_dir: Path) -> tuple[Path, int]:
    """Rebuild the shipped file of a vintage from an unpacked package; returns (path, rows)."""
    if package_version not in PACKAGE_VINTAGES:
        known = ", ".join(PACKAGE_VINTAGES)
        raise UniverseError(f"Version inconnue : {package_version} (versions connues : {known})")
    rows = build_rows(package_dir)
    path = vintage_file(PACKAGE_VINTAGES[package_version])
    write_vintage(rows, path)
    return path, len(rows)


def read_vintage(path: Path) -> list[dict]:
    if not path.exists():
        raise UniverseError(f"Fichier du millésime introuvable : {path}")
    try:
        return _read_rows(path)
    except (csv.Error, OSError, EOFError, UnicodeDecodeError) as exc:
        raise UniverseError(f"{path.name} : fichier illisible ({exc})") from exc


def _read_rows(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(COLUMNS) - set(reader.fieldnames or [])
        if missing:
            raise UniverseError(f"{path.name} : colonnes manquantes : {', '.join(sorted(missing))}")
        rows = []
        for line, row in enumerate(reader, start=2):
            if row["kind"] not in Kind.values or not row["code"] or not row["name"]:
                raise UniverseError(f"{path.name}, ligne {line} : type, code ou nom invalide")
            try:
                row["population"] = int(row["population"]) if row["population"] else None
            except ValueError as exc:
                raise UniverseError(
                    f"{path.name}, ligne {line}, champ population : « {row['population']} » "
                    "n'est pas un entier"
                ) from exc
            rows.append(row)
    return rows


@dataclass
class ImportSummary:
    vintage: int
    created: int
    updated: int
    deactivated: int


@transaction.atomic
def import_vintage(
    vintage: int, path: Path | None = None, progress: Callable[[int], None] | None = None
) -> ImportSummary:
    """Load a vintage: upsert authorities in bulk, record its counts; idempotent.

    Attributes are only overwritten by a vintage at least as recent as the one they come
    from, so loading 2024 after 2026 adds the 2024 counts without ageing the universe.
    """
    rows = read_vintage(path or vintage_file(vintage))
    existing = {(a.kind, a.code): a for a in Authority.objects.exclude(kind=Kind.OTHER)}
    latest = Authority.objects.exclude(kind=Kind.OTHER).aggregate(m=Max("vintage"))["m"] or 0
    fields = [
        "siren",
        "name",
        "name_search",
        "population",
        "epci_type",
        "departement",
        "region",
        "stratum",
        "vintage",
        "is_active",
    ]
    to_create, to_update = [], []
    for i, row in enumerate(rows):
        values = {
            "siren": row["siren"],
            "name": row["name"],
            "name_search": normalize(row["name"]),
            "population": row["population"],
            "epci_type": row["epci_type"],
            "departement": row["departement"],
            "region": row["region"],
            "stratum": stratum_of(row["kind"], row["population"], row["epci_type"]),
            "vintage": vintage,
        }
        current = existing.get((row["kind"], row["code"]))
        # An authority absent from a newer loaded vintage stays inactive.
        values["is_active"] = vintage >= latest or bool(current and current.is_active)
        if current is None:
            to_create.append(Authority(kind=row["kind"], code=row["code"], **values))
        elif vintage >= current.vintage and any(
            getattr(current, k) != v for k, v in values.items()
        ):
            for key, value in values.items():
                setattr(current, key, value)
            to_update.append(current)
        if progress and i % 1000 == 999:
            progress(1000)
    Authority.objects.bulk_create(to_create, batch_size=2000)
    _update_rows(to_update, fields)
    if progress:
        progress(len(rows) % 1000)

    deactivated = 0
    if vintage >= latest:
        codes = {(r["kind"], r["code"]) for r in rows}
        gone = [a.pk for key, a in existing.items() if key not in codes and a.is_active]
        deactivated = Authority.objects.filter(pk__in=gone).update(is_active=False)
        _link_epci(rows)
    _record_counts(vintage, rows)
    summary = ImportSummary(vintage, len(to_create), len(to_update), deactivated)
    pages_changed("territoires")  # bulk writes: no signal
    audit.record_event(
        "territoires.universe",
        str(vintage),
        f"Millésime {vintage} chargé : {summary.created} créées, {summary.updated} mises à jour, "
        f"{summary.deactivated} désactivées",
    )
    return summary


def _link_epci(rows: list[dict]) -> None:
    epci_ids = dict(Authority.objects.filter(kind=Kind.EPCI).values_list("code", "pk"))
    communes = {a.code: a for a in Authority.objects.filter(kind=Kind.COMMUNE)}
    changed = []
    for row in rows:
        if row["kind"] != Kind.COMMUNE:
            continue
        commune, epci_id = communes[row["code"]], epci_ids.get(row["epci"])
        if commune.epci_id != epci_id:
            commune.epci_id = epci_id
            changed.append(commune)
    _update_rows(changed, ["epci"])


def _update_rows(authorities: list[Authority], fields: list[str]) -> None:
    """One prepared UPDATE run over all rows: Django's bulk_update is quadratic on SQLite."""
    if not authorities:
        return
    model_fields = [cast(Field, Authority._meta.get_field(name)) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in model_fields)
    sql = f"UPDATE {quote(Authority._meta.db_table)} SET {assignments} WHERE id = %s"
    attnames = [f.attname for f in model_fields]
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[*(getattr(a, n) for n in attnames), a.pk] for a in authorities])


def _record_counts(vintage: int, rows: list[dict]) -> None:
    cells: Counter[tuple[str, str]] = Counter()
    population: Counter[tuple[str, str]] = Counter()
    for row in rows:
        key = (stratum_of(row["kind"], row["population"], row["epci_type"]), row["region"])
        cells[key] += 1
        population[key] += row["population"] or 0
    UniverseCount.objects.filter(vintage=vintage).delete()
    UniverseCount.objects.bulk_create(
        UniverseCount(vintage=vintage, stratum=s, region=r, count=n, population=population[(s, r)])
        for (s, r), n in cells.items()
    )
