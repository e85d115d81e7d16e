"""Benchmark of the catalogue's search with facets on SQLite and PostgreSQL (not a test).

    .venv/bin/python bench/search.py [--cases 50000] [--queries 200] [--engines sqlite,postgresql]
                                     [--keep DIR] [--verbose]

Builds a catalogue of N cases from the PSTW rows (../shared/data/pstw/) replicated with
variations (country, stage, domain, a French sentence from the cited cases), then times
200 realistic French queries through `queries.search_cases` + the first page of results
(the whole work of the search page: count, 5 facets, 2 scope counts, 20 ranked rows with
excerpts). Each engine runs in its own process on a fresh database; PostgreSQL is the one
at 127.0.0.1:5432 (database `obs_bench_search`, or BENCH_DB_NAME, dropped and recreated).
The shipped thesaurus is loaded, so queries are widened with their synonyms as on the site.
The last lines are `engine=… cases=… p50_ms=… p95_ms=… cpu_p95_ms=…`, one per engine: wall
time, then this process's CPU time (on SQLite the whole search; on PostgreSQL the client's
share only), which a host shared with other work inflates far less; on PostgreSQL also
`server_cpu_p95_ms` (the backend's CPU time, read from /proc: the server must run on this
machine) and `client_server_cpu_p95_ms` (both, query by query). `--keep DIR`
keeps the catalogues (DIR/bench.sqlite3 and the PostgreSQL database) and reuses them on the
next run instead of building them again (minutes); `--verbose` prints the slowest queries.
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PG_NAME = os.environ.get("BENCH_DB_NAME", "obs_bench_search")  # one per engineer on a shared host
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_NAME}"

BASE_QUERIES = [
    "cantine", "cantines scolaires", "restauration scolaire", "gaspillage alimentaire",
    "fuites d'eau", "prédiction fuites", "réseau d'eau potable", "assainissement",
    "chatbot", "agent conversationnel", "assistant virtuel mairie", "relation usagers",
    "délibérations", "génération de courriers", "comptes rendus", "IA générative",
    "vidéosurveillance", "caméras", "sécurité publique", "police municipale",
    "mobilité", "trafic routier", "transports en commun", "stationnement",
    "déchets", "tri des déchets", "collecte des ordures", "conteneurs",
    "énergie", "éclairage public", "bâtiments publics", "consommation électrique",
    "non-recours", "aides sociales", "action sociale", "personnes âgées",
    "charte éthique", "gouvernance des données", "stratégie data", "registre des algorithmes",
    "formation des agents", "acculturation", "convention citoyenne", "participation citoyenne",
    "tourisme", "occupation des sols", "urbanisme", "cadastre",
    "santé", "hôpital", "éducation", "école",
    "prédictif", "apprentissage automatique", "vision par ordinateur", "traitement du langage",
    "blockchain", "jumeau numérique", "capteurs", "données ouvertes",
    "marchés publics", "fiscalité", "ressources humaines", "archives",
    "inondations", "pollution de l'air", "biodiversité", "agriculture",
    "emploi", "chômage", "logement", "culture",
]  # fmt: skip
VARIANTS = [
    lambda q: q,
    lambda q: q.upper(),
    lambda q: "".join(c for c in unicodedata.normalize("NFKD", q) if ord(c) < 128),
    lambda q: q + " collectivité",
]
STAGES = ["idee", "experimentation", "deploye", "abandonne"]
DOMAINS = ["administration", "citoyens", "mobilite", "eau", "dechets", "energie", "securite"]


def queries(count: int, rng: random.Random) -> list[dict]:
    """Realistic searches: a query, often a filter, sometimes the European tab."""
    out = []
    for i in range(count):
        base = BASE_QUERIES[i % len(BASE_QUERIES)]
        params = {"q": VARIANTS[(i // len(BASE_QUERIES)) % len(VARIANTS)](base)}
        if rng.random() < 0.4:
            params["stage"] = rng.choice(STAGES)
        if rng.random() < 0.2:
            params["domain"] = rng.choice(DOMAINS)
        if rng.random() < 0.3:
            params["scope"] = "europe"
        out.append(params)
    return out


def build(cases: int, rng: random.Random) -> int:
    from django.db import transaction
    from django.utils import timezone

    from observatoire.cas_usage import pstw, services
    from observatoire.cas_usage.choices import Origin, Status
    from observatoire.cas_usage.models import UseCase, scope_of

    path = pstw.shared_file()
    if path is None:
        sys.exit("Fichier PSTW absent de ../shared/data/pstw/ : benchmark impossible.")
    rows = [fields for _line, fields in pstw.read_rows(path).cases]
    for fields in rows:
        del fields["nuts"]  # read for the organisations' matching, not a case field
    services.load_thesaurus()  # searches widen their words with it, as on the site
    services.load_cited_cases()
    french = [c.summary for c in UseCase.objects.all()]
    countries = ["France", "France", "Allemagne", "Italie", "Espagne", "Pays-Bas", "Belgique"]
    batch: list = []
    now = timezone.now()
    made = UseCase.objects.count()
    with transaction.atomic():
        while made < cases:
            for fields in rows:
                if made >= cases:
                    break
                copy = dict(fields)
                copy["external_id"] = f"B{made}"
                copy["country"] = rng.choice(countries)
                copy["stage"] = rng.choice(STAGES)
                if rng.random() < 0.5:
                    copy["domain"] = rng.choice(DOMAINS)
                copy["description"] = copy["description"] + "\n" + rng.choice(french)
                copy["title"] = f"{copy['title']} ({made})"[:300]
                batch.append(
                    UseCase(
                        origin=Origin.PSTW,
                        status=Status.PUBLISHED,
                        scope=scope_of(copy["country"]),
                        published_at=now,
                        **copy,
                    )
                )
                made += 1
                if len(batch) == 2000:
                    _flush(batch, services)
                    batch = []
                    print(f"  {made} cas…", file=sys.stderr)
        _flush(batch, services)
    return UseCase.objects.count()


def _flush(batch, services) -> None:
    """Write a batch as the PSTW import does: one bulk insert, then the index in bulk."""
    from observatoire.cas_usage.models import UseCase

    services.index_cases(UseCase.objects.bulk_create(batch))


def run_engine(engine: str, cases: int, count: int, verbose: bool = False) -> str:
    """In a child process: fresh database, build, time the queries, print the result line."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "observatoire.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from observatoire.cas_usage import services

    call_command("migrate", verbosity=0, skip_checks=True)
    rng = random.Random(2026)
    started = time.perf_counter()
    total = build(cases, rng)  # tops up a kept catalogue (--keep): nothing to do when full
    print(f"{engine}: {total} cas en {time.perf_counter() - started:.0f} s", file=sys.stderr)
    # A catalogue at rest, as it is after an import: the planner's statistics on both engines
    # (services.import_pstw refreshes them on SQLite, autovacuum on PostgreSQL) and, on
    # PostgreSQL, the visibility map without which index-only scans read the table row by
    # row (the development cluster runs with autovacuum off: ANALYZE alone never sets it).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if engine == "postgresql" else "ANALYZE")
    searches = queries(count, random.Random(2026))  # the same 200 whether built or kept
    for params in searches[:10]:  # warm-up
        _search(services, params)
    server = _server_clock(connection) if engine == "postgresql" else (lambda: 0.0)
    timings, cpu, server_cpu, both = [], [], [], []
    hits = 0
    for params in searches:
        start, start_cpu, start_server = time.perf_counter(), time.process_time(), server()
        hits += _search(services, params)
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        server_cpu.append(server() - start_server)
        both.append(cpu[-1] + server_cpu[-1])
    if verbose:
        for ms, params in sorted(zip(timings, searches, strict=True), key=lambda t: -t[0])[:15]:
            print(f"  {ms:7.1f} ms  {params}", file=sys.stderr)
    print(f"{engine}: {hits} résultats au total, max {max(timings):.1f} ms", file=sys.stderr)
    line = (
        f"engine={engine} cases={total} p50_ms={statistics.median(timings):.1f}"
        f" p95_ms={_p95(timings):.1f} cpu_p95_ms={_p95(cpu):.1f}"
    )
    if engine == "postgresql":
        line += (
            f" server_cpu_p95_ms={_p95(server_cpu):.1f} client_server_cpu_p95_ms={_p95(both):.1f}"
        )
    return line


def _p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * (len(values) - 1))]


def _server_clock(connection):
    """The CPU time (ms) of this connection's PostgreSQL backend so far, read from the
    kernel (/proc/<pid>/schedstat, in ns: the server runs on this machine)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        path = Path(f"/proc/{cursor.fetchone()[0]}/schedstat")

    def clock() -> float:
        return int(path.read_text().split()[0]) / 1e6

    return clock


def _search(services, params: dict) -> int:
    from observatoire.cas_usage import queries as catalogue

    found = catalogue.search_cases(catalogue.Filters.from_params(params))
    page = list(found.results[: services.PAGE_SIZE])
    return len(page)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--keep", type=Path, help="garder et réutiliser les catalogues ici")
    parser.add_argument("--verbose", action="store_true", help="les requêtes les plus lentes")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(run_engine(args.child, args.cases, args.queries, args.verbose))
        return
    lines = []
    for engine in args.engines.split(","):
        env = dict(os.environ)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
        tmp = str(args.keep.resolve()) if args.keep else tempfile.mkdtemp(prefix="obs-bench-")
        if engine == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        else:
            import psycopg

            with psycopg.connect(
                "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
            ) as db:
                if not args.keep:
                    db.execute(f"DROP DATABASE IF EXISTS {PG_NAME}")
                found = db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_NAME])
                if not found.fetchone():
                    db.execute(f"CREATE DATABASE {PG_NAME}")
            env["DATABASE_URL"] = PG_URL
        env["DATA_DIR"] = tmp
        command = [sys.executable, __file__, "--child", engine, "--cases", str(args.cases)]
        command += ["--queries", str(args.queries)] + (["--verbose"] if args.verbose else [])
        out = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)  # the SQLite catalogue: about 460 MB
        sys.stderr.write(out.stderr[-3000:])
        if out.returncode != 0:
            sys.exit(f"{engine}: échec (code {out.returncode})")
        lines.append(out.stdout.strip().splitlines()[-1])
    print("\n".join(lines))


if __name__ == "__main__":
    main()
