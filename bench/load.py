"""Load test of the production setup on loopback (not a test): gunicorn + worker + database.

    .venv/bin/pip install -e '.[bench]'      # locust
    .venv/bin/python bench/load.py [--engine postgresql|sqlite] [--seconds 30] [--rate 220]

Prepares a database (PostgreSQL `observatoire_load` at 127.0.0.1:5432, or a SQLite file under
data/load/) with the demo, 10,000 register entries and the 50,000-case catalogue (once;
ANALYZE after), collects the static files (WhiteNoise, hashed and compressed), starts
gunicorn (observatoire.wsgi, 3 workers of 4 threads), `observatoire worker` and a disposable
Redis (CACHE_URL) with OBSERVATOIRE_ENV=production, reads each page of the mix once (the
first reads after a publication, timed apart), then runs locust headless twice, each
bounded in time, and prints the CPU each part used per request (gunicorn, Redis, the
PostgreSQL backends, the worker, locust): on a shared machine, what wall-clock times hide:
  1. visitors on the public mix: home, note, indicator page, register and catalogue
     searches, API reads, asked at --rate pages a second together (0: without pause);
  2. 50 référents saving different questions of one response at once; afterwards every
     value a writer was told was saved must be in the response (else a lost answer).
Everything it started is stopped at the end. The last line is
`rps=… p50_ms=… p95_ms=… errors=… lost_answers=…` (rps and latencies of the public mix;
errors of both runs). Targets on a 2-core machine: rps ≥ 200, p95 < 100 ms, errors=0,
lost_answers=0.
"""

from __future__ import annotations

import argparse
import copy
import csv
import importlib.util
import json
import os
import random
import resource
import secrets
import string
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import unquote, urlencode

REPO = Path(__file__).resolve().parents[1]
BIN = REPO / ".venv" / "bin"
PG_URL = "postgres://postgres@127.0.0.1:5432/observatoire_load"
WRITERS = 50
ENTRIES = 10_000
CASES = 50_000
REGISTER_QUERIES = ["chatbot", "eau", "prédiction", "vidéoprotection", "courrier", "déchets",
                    "stationnement", "traduction", "transcription", "éclairage"]  # fmt: skip
CATALOGUE_QUERIES = ["cantine", "fuites d'eau", "agent conversationnel", "mobilité",
                     "déchets", "énergie", "urbanisme", "santé"]  # fmt: skip


# --- Preparation, in a child process with Django set up ------------------------------------


def prepare(plan_path: Path) -> None:
    """Load what the run reads (once), then write the plan the locust users follow."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from observatoire.barometre.models import Edition
    from observatoire.cas_usage.models import UseCase
    from observatoire.core import db
    from observatoire.questionnaires.models import Questionnaire, Response
    from observatoire.questionnaires.services import collection
    from observatoire.registre.models import Entry

    call_command("migrate", verbosity=0)
    if not Edition.objects.filter(code="barometre-2024").exists():
        call_command("demo", "load")
    if UseCase.objects.count() < CASES:
        from observatoire.cas_usage import pstw

        if os.environ.get("OBS_PSTW"):  # a worktree's ../shared is not the checkout's
            pstw.shared_file = lambda: Path(os.environ["OBS_PSTW"])
        spec = importlib.util.spec_from_file_location("bench_search", REPO / "bench" / "search.py")
        assert spec and spec.loader
        bench_search = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bench_search)
        bench_search.build(CASES, random.Random(2026))
    if Entry.objects.count() < ENTRIES:
        add_entries(ENTRIES - Entry.objects.count())
    db.analyze()
    print(
        f"{UseCase.objects.count()} cas, {Entry.objects.count()} fiches du registre",
        file=sys.stderr,
    )

    referent = get_user_model().objects.get(email="referent@plaisir.demo.fr")
    questionnaire = Questionnaire.objects.get(code="barometre-2024")
    response = collection.start_response(questionnaire, referent.authority, by=referent)
    Response.objects.filter(pk=response.pk).update(status="draft", answers={})
    form = collection.LoadedQuestionnaire.load(questionnaire)
    # One question per writer, any type, outside skip logic, with values it accepts.
    questions = []
    for q in form.questions:
        if q.type == "note" or q.relevant or form.section_relevant.get(q.section_id):
            continue
        values = [v for v, _label in form.choices.get(q.choice_list, [])]
        if q.type == "integer":
            values = [str(n) for n in range(1, 9)]
        elif q.type == "decimal":
            values = [f"{n}.5" for n in range(1, 9)]
        elif q.type == "date":
            values = [f"2024-03-{day:02d}" for day in range(1, 29)]
        elif q.type == "text":
            values = [f"réponse {q.code} n° {n}" for n in range(1, 9)]
        if len(values) >= 2:
            questions.append((q.code, q.type == "select_multiple", values))
    assert len(questions) >= WRITERS, f"{len(questions)} questions pour {WRITERS} rédacteurs"
    sessions = []
    for _ in range(WRITERS):
        store = SessionStore()
        store["_auth_user_id"] = str(referent.pk)
        store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        store["_auth_user_hash"] = referent.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    plan = {
        "response": response.pk,
        "questions": questions[:WRITERS],
        "sessions": sessions,
        "indicators": list(
            Edition.objects.get(code="barometre-2024")
            .results.filter(domain="")
            .values_list("indicator", flat=True)
            .distinct()[:20]
        ),
        "entries": list(Entry.objects.published().values_list("pk", flat=True)[:200]),
    }
    plan_path.write_text(json.dumps(plan))


def add_entries(count: int) -> None:
    """Copies of the demo's entries, spread over the universe's communes, indexed."""
    from django.db import transaction

    from observatoire.core import search
    from observatoire.registre.models import SEARCH_LABEL, Entry
    from observatoire.territoires.models import Authority

    rng = random.Random(2026)
    models = list(Entry.objects.published().select_related("authority"))
    authorities = list(Authority.objects.filter(kind="commune", is_active=True)[:3000])
    with transaction.atomic():
        batch = []
        for i in range(count):
            entry = copy.copy(rng.choice(models))
            entry.pk = entry.id = None
            entry.public_id = uuid.uuid4()
            entry.authority = rng.choice(authorities)
            entry.name = f"{entry.name.split(' (')[0]} ({i})"[:200]
            batch.append(entry)
        for start in range(0, len(batch), 1000):
            for created in Entry.objects.bulk_create(batch[start : start + 1000]):
                search.index(SEARCH_LABEL, created.pk, created.search_fields())
            print(f"  {start + 1000} fiches…", file=sys.stderr)


# --- The public mix's addresses --------------------------------------------------------------

NOTE = "/barometre/barometre-2024/"


def public_urls(plan: dict) -> tuple[list[str], list[str], list[str], list[str]]:
    """Indicator pages, register searches, catalogue searches, API entries of the mix."""
    return (
        [f"{NOTE}indicateur/{code}/" for code in plan["indicators"]],
        ["/registre/?" + urlencode({"q": q}) for q in REGISTER_QUERIES],
        ["/cas-usage/?" + urlencode({"q": q}) for q in CATALOGUE_QUERIES],
        [f"/api/v1/registre/entries/{pk}" for pk in plan["entries"]],
    )


def warm_up(host: str, plan: dict) -> None:
    """Read each page of the mix once, as the first visitors after a publication do: the
    measured phase is the steady state (pages served from the cache); the cost of the
    first reads is printed apart."""
    urls = ["/", NOTE, "/api/v1/barometre/editions"]
    for group in public_urls(plan):
        urls += group
    slowest: list[tuple[float, str]] = []
    started = time.perf_counter()
    for url in urls:
        begin = time.perf_counter()
        with urllib.request.urlopen(host + url, timeout=120) as response:
            response.read()
        slowest.append((time.perf_counter() - begin, url))
    slowest.sort(reverse=True)
    print(
        f"préchauffage : {len(urls)} pages en {time.perf_counter() - started:.1f} s, les plus "
        "lentes " + ", ".join(f"{unquote(url)} {seconds:.2f} s" for seconds, url in slowest[:3]),
        file=sys.stderr,
    )


# --- The locust users (this file is also the locustfile) ------------------------------------

if os.environ.get("OBS_LOAD_PLAN"):
    from locust import FastHttpUser, HttpUser, constant, constant_throughput, events, task

    PLAN = json.loads(Path(os.environ["OBS_LOAD_PLAN"]).read_text())
    INDICATORS, REGISTER_SEARCHES, CATALOGUE_SEARCHES, API_ENTRIES = public_urls(PLAN)
    SAVED: dict[str, str] = {}  # question code → last value the server said it saved
    # question code → value sent and not answered yet: the end of the run cuts it off, and
    # the server may have saved it after the last value it confirmed.
    IN_FLIGHT: dict[str, str] = {}

    class Visitor(FastHttpUser):
        """The public mix: pages and API reads, no pause (locust's lighter HTTP client: it
        shares the machine's two cores with the server)."""

        # The visitors together ask OBS_LOAD_RATE pages a second (0: each without pause).
        rate = float(os.environ.get("OBS_LOAD_RATE") or 0) / int(os.environ["OBS_LOAD_VISITORS"])
        wait_time = constant_throughput(rate) if rate else constant(0)

        @task(2)
        def home(self):
            self.client.get("/")

        @task(3)
        def note(self):
            self.client.get(NOTE)

        @task(3)
        def indicator(self):
            self.client.get(random.choice(INDICATORS), name="indicateur")

        @task(2)
        def register_search(self):
            self.client.get(random.choice(REGISTER_SEARCHES), name="registre?q")

        @task(2)
        def catalogue_search(self):
            self.client.get(random.choice(CATALOGUE_SEARCHES), name="cas-usage?q")

        @task(1)
        def api_editions(self):
            self.client.get("/api/v1/barometre/editions")

        @task(1)
        def api_entry(self):
            self.client.get(random.choice(API_ENTRIES), name="api/registre/entries/:id")

    class Writer(HttpUser):
        """A référent saving its own question of the shared response, again and again."""

        wait_time = constant(0.2)
        count = 0

        def on_start(self):
            index = Writer.count
            Writer.count += 1
            self.code, self.multiple, self.values = PLAN["questions"][index]
            self.n = 0
            token = "".join(random.choices(string.ascii_letters + string.digits, k=32))
            self.client.cookies.set("sessionid", PLAN["sessions"][index])
            self.client.cookies.set("csrftoken", token)
            https = self.host.replace("http://", "https://")
            self.headers = {"X-CSRFToken": token, "Origin": https, "Referer": https + "/"}
            self.headers["X-Forwarded-Proto"] = "https"

        @task
        def save(self):
            self.n += 1
            value = self.values[self.n % len(self.values)]
            url = f"/questionnaires/reponses/{PLAN['response']}/enregistrer/"
            data = {"_only": self.code, self.code: value}
            IN_FLIGHT[self.code] = [value] if self.multiple else value
            with self.client.post(url, data, headers=self.headers, catch_response=True) as r:
                sent = IN_FLIGHT.pop(self.code)
                if r.status_code == 200 and 'class="error"' not in r.text:
                    SAVED[self.code] = sent
                    r.success()
                else:
                    r.failure(f"{r.status_code} {r.text[:200]}")

    @events.test_stop.add_listener
    def _write_saved(**_kwargs):
        if SAVED:
            saved = {"saved": SAVED, "in_flight": IN_FLIGHT}
            Path(os.environ["OBS_LOAD_PLAN"] + ".saved").write_text(json.dumps(saved))


# --- Orchestration ----------------------------------------------------------------------------


def production_env() -> dict[str, str]:
    """A production server's settings on this machine (bench/pages_cpu.py and save_cpu.py
    run the site with them too): DEBUG off, a fresh secret key, no HTTPS redirect."""
    return {
        "DJANGO_SETTINGS_MODULE": "observatoire.settings",
        "OBSERVATOIRE_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DEMO_MODE": "true",
        "LOG_LEVEL": "WARNING",
    }


def process_cpu(pid: int) -> float:
    """Seconds of CPU a process and its living children have used (from /proc)."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += process_cpu(int(child))
    except (FileNotFoundError, ProcessLookupError):
        pass
    return total


def postgres_pids(engine: str) -> list[int]:
    """The PostgreSQL backends serving the load database (none on SQLite)."""
    if engine != "postgresql":
        return []
    import psycopg

    with psycopg.connect(PG_URL.replace("postgres://", "postgresql://")) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
    return [pid for (pid,) in rows]


def cpu_by_pid(pids) -> dict[int, float]:
    return {pid: process_cpu(pid) for pid in pids}


def children_cpu() -> float:
    """CPU of this process's children that ended: locust (the servers run until the end)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_locust(env, host, user_class, users, seconds, prefix, servers, engine) -> dict[str, float]:
    """One locust run: its figures, and the CPU each part used per request (ms): gunicorn
    and its workers, Redis, the PostgreSQL backends of the load database, locust itself."""
    begin_servers, begin_pg = cpu_by_pid(servers.values()), cpu_by_pid(postgres_pids(engine))
    begin_locust = children_cpu()
    subprocess.run(
        [str(BIN / "locust"), "-f", __file__, "--headless", "--host", host, "-u", str(users),
         "-r", str(users), "-t", f"{seconds}s", "--only-summary", "--csv", str(prefix),
         "--stop-timeout", "5", user_class],
        env=env, check=False, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    with open(f"{prefix}_stats.csv") as f:
        total = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
    with open(f"{prefix}_failures.csv") as f:
        for row in csv.DictReader(f):
            print(
                f"  échec ×{row['Occurrences']} {row['Name']}: {row['Error'][:160]}",
                file=sys.stderr,
            )
    requests = max(float(total["Request Count"]), 1.0)
    end_servers = cpu_by_pid(servers.values())
    cpu = {
        name: (end_servers[pid] - begin_servers[pid]) * 1000 / requests
        for name, pid in servers.items()
    }
    end_pg = cpu_by_pid(postgres_pids(engine))
    cpu["postgres"] = sum(end_pg[p] - begin_pg.get(p, 0.0) for p in end_pg) * 1000 / requests
    cpu["locust"] = (children_cpu() - begin_locust) * 1000 / requests
    print(
        f"  CPU par requête ({user_class}) : "
        + ", ".join(f"{name} {ms:.2f} ms" for name, ms in cpu.items()),
        file=sys.stderr,
    )
    return {
        "requests": float(total["Request Count"]),
        "errors": float(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
    }


def wait_healthy(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if json.loads(r.read())["worker"]["ok"]:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"{url} ne répond pas.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--seconds", type=int, default=30, help="durée de chaque phase")
    parser.add_argument("--visitors", type=int, default=32)
    parser.add_argument(
        "--rate", type=float, default=220, help="pages par seconde demandées (0 : sans pause)"
    )
    parser.add_argument("--gunicorn-workers", type=int, default=3)
    parser.add_argument("--gunicorn-threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8210, help="gunicorn; Redis on the next one")
    parser.add_argument("--cache-url", help="Redis déjà lancé (sinon un redis-server jetable)")
    parser.add_argument("--pstw", help="fichier CSV PSTW, s'il n'est pas dans ../shared/data/pstw/")
    parser.add_argument("--prepare-only", action="store_true", help="prépare la base et s'arrête")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pstw:
        os.environ["OBS_PSTW"] = str(Path(args.pstw).resolve())
    data = REPO / "data" / "load" / args.engine
    data.mkdir(parents=True, exist_ok=True)
    plan = data / "plan.json"
    host = f"http://127.0.0.1:{args.port}"
    env = {
        **os.environ,
        **production_env(),
        "DATA_DIR": str(data),
        "DATABASE_URL": PG_URL if args.engine == "postgresql" else f"sqlite:///{data}/load.sqlite3",
        "CACHE_URL": args.cache_url or f"redis://127.0.0.1:{args.port + 1}/0",
    }
    if args.child == "prepare":
        prepare(plan)
        return
    if args.engine == "postgresql":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            if not c.execute(
                "SELECT 1 FROM pg_database WHERE datname = 'observatoire_load'"
            ).fetchone():
                c.execute("CREATE DATABASE observatoire_load")
    started = time.perf_counter()
    # The demo's accounts are refused in production: the data is loaded as in development,
    # before the disposable Redis starts (its pages are all made after the load).
    prepare_env = {**env, "OBSERVATOIRE_ENV": "development", "CACHE_URL": args.cache_url or ""}
    subprocess.run([sys.executable, __file__, "--engine", args.engine, "--child", "prepare"], env=prepare_env, check=True)  # fmt: skip
    if not (data / "static" / "staticfiles.json").exists():
        subprocess.run([str(BIN / "observatoire"), "collectstatic", "--noinput", "-v0"], env=env, check=True)  # fmt: skip
    print(f"préparation : {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if args.prepare_only:
        return
    processes = [] if args.cache_url else [
        subprocess.Popen(
            ["redis-server", "--port", str(args.port + 1), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
        )
    ]  # fmt: skip
    servers = {"redis": processes[0].pid} if processes else {}
    processes += [
        subprocess.Popen(
            [str(BIN / "gunicorn"), "observatoire.wsgi", "--bind", f"127.0.0.1:{args.port}",
             "--workers", str(args.gunicorn_workers), "--threads", str(args.gunicorn_threads),
             "--log-level", "warning"],
            env=env,
        ),
        subprocess.Popen([str(BIN / "observatoire"), "worker", "--no-reload", "-v0"], env=env),
    ]  # fmt: skip
    servers.update(gunicorn=processes[-2].pid, worker=processes[-1].pid)
    try:
        wait_healthy(f"{host}/sante/")
        env["OBS_LOAD_PLAN"] = str(plan)
        env["OBS_LOAD_RATE"], env["OBS_LOAD_VISITORS"] = str(args.rate), str(args.visitors)
        warm_up(host, json.loads(plan.read_text()))
        public = run_locust(
            env, host, "Visitor", args.visitors, args.seconds, data / "public", servers, args.engine
        )
        print(
            f"public: requests={public['requests']:.0f} rps={public['rps']:.1f} "
            f"p50_ms={public['p50']:.0f} p95_ms={public['p95']:.0f} errors={public['errors']:.0f}"
        )
        saved = Path(f"{plan}.saved")
        saved.unlink(missing_ok=True)
        writers = run_locust(
            env, host, "Writer", WRITERS, args.seconds, data / "writers", servers, args.engine
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    lost = count_lost(env, plan, saved)
    print(
        f"writers: {WRITERS} requests={writers['requests']:.0f} rps={writers['rps']:.1f} "
        f"p50_ms={writers['p50']:.0f} p95_ms={writers['p95']:.0f} errors={writers['errors']:.0f}"
    )
    print(
        f"rps={public['rps']:.1f} p50_ms={public['p50']:.0f} p95_ms={public['p95']:.0f} "
        f"errors={public['errors'] + writers['errors']:.0f} lost_answers={lost}"
    )


def count_lost(env, plan: Path, saved: Path) -> int:
    """Values a writer was told were saved and that the response does not hold (nor the
    value it sent next, cut off by the end of the run)."""
    code = (
        "import json, django; django.setup();"
        "from observatoire.questionnaires.models import Response;"
        f"p = json.load(open({str(plan)!r}));"
        "print(json.dumps(Response.objects.get(pk=p['response']).answers))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)  # fmt: skip
    answers = json.loads(out.stdout.strip().splitlines()[-1])
    written = json.loads(saved.read_text()) if saved.exists() else {}
    expected, in_flight = written.get("saved"), written.get("in_flight", {})
    if not expected:
        sys.exit("Aucune réponse enregistrée par les rédacteurs : voir les échecs ci-dessus.")

    def same(stored, sent):
        return stored == sent if isinstance(sent, list) else str(stored) == sent

    return sum(
        1
        for code, value in expected.items()
        if not same(answers.get(code), value)
        and not (code in in_flight and same(answers.get(code), in_flight[code]))
    )


if __name__ == "__main__":
    main()
