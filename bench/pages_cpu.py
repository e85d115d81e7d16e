"""CPU time and queries per request of each page of the public mix (not a test).

    .venv/bin/python bench/pages_cpu.py [--repeat 200] [--profile PAGE]

Calls the WSGI application in this process exactly as gunicorn does (no HTTP, no
network), with OBSERVATOIRE_ENV=production, on the database of DATABASE_URL (default: the
development SQLite file) and the cache of CACHE_URL (default: a disposable redis-server on
127.0.0.1:8601, whose own CPU is counted apart). For each page: the CPU of this process
(`time.process_time`) and the queries, on a cache hit (the steady state) and on a miss (the
first read after a change: the whole cache is emptied before each one). The machine is
shared: CPU time, not wall-clock time, decides. `--profile PAGE` prints cProfile's top
functions for PAGE's cache hits instead.

    .venv/bin/python bench/pages_cpu.py --server 3x4 [--clients 8] [--gunicorn-args "…"]

measures the server instead: gunicorn (WORKERSxTHREADS; 1 thread: sync workers) on
127.0.0.1:8600 serving the cached pages of the mix to CLIENTS keep-alive connections; the
CPU of gunicorn's processes, of Redis and of the client, per request (from /proc).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from load import process_cpu, production_env  # bench/ is first on sys.path

REPO = Path(__file__).resolve().parents[1]
REDIS_PORT = 8601
BODY = b""  # the last answer's body


def pages() -> dict[str, str]:
    """One address per kind of page of bench/load.py's mix."""
    from observatoire.barometre.models import Edition
    from observatoire.registre.models import Entry

    edition = Edition.objects.get(code="barometre-2024")
    indicator = edition.results.filter(domain="").values_list("indicator", flat=True).first()
    entry = Entry.objects.published().values_list("pk", flat=True).first()
    note = f"/barometre/{edition.code}/"
    return {
        "home": "/",
        "note": note,
        "indicator": f"{note}indicateur/{indicator}/",
        "registre?q": "/registre/?" + urlencode({"q": "eau"}),
        "cas-usage?q": "/cas-usage/?" + urlencode({"q": "déchets"}),
        "api/editions": "/api/v1/barometre/editions",
        "api/entry": f"/api/v1/registre/entries/{entry}",
    }


def environ(address: str) -> dict:
    path, _, query = address.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8600",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_USER_AGENT": "pages_cpu",
        "HTTP_ACCEPT_ENCODING": "gzip, deflate",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def call(app, address: str) -> int:
    return call_environ(app, environ(address))


def call_environ(app, overrides: dict) -> int:
    """The WSGI application called as a server does; the status code."""
    status = []
    request = {**environ(overrides.get("PATH_INFO", "/")), **overrides}
    body = app(request, lambda s, headers, exc_info=None: status.append(s))
    global BODY
    BODY = b"".join(body)
    if hasattr(body, "close"):
        body.close()
    return int(status[0].split()[0])


def redis_cpu(pid: int | None) -> float:
    """Seconds of CPU the redis-server process has used (user + system)."""
    return 0.0 if pid is None else process_cpu(pid)


def serve_and_measure(args, redis_pid: int | None) -> None:
    """gunicorn serving the mix's cached pages: CPU per request of each part."""
    import http.client
    import threading
    import urllib.request

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", "--noinput", verbosity=0)
    addresses = list(pages().values())
    workers, _, threads = args.server.partition("x")
    command = (
        [str(REPO / ".venv" / "bin" / "granian"), "--interface", "wsgi",
         "observatoire.wsgi:application", "--host", "127.0.0.1", "--port", "8600",
         "--workers", workers, "--blocking-threads", threads or "1", "--log-level", "warning"]
        if args.granian
        else [str(REPO / ".venv" / "bin" / "gunicorn"), "observatoire.wsgi", "--bind",
              "127.0.0.1:8600", "--workers", workers, "--threads", threads or "1",
              "--log-level", "warning"]
    )  # fmt: skip
    server = subprocess.Popen(command + args.gunicorn_args.split())
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen("http://127.0.0.1:8600/sante/", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        for address in addresses * 3:  # every worker has read each page once
            with urllib.request.urlopen("http://127.0.0.1:8600" + address, timeout=120) as r:
                r.read()
        per_client = args.requests // args.clients
        errors: list[str] = []

        def client() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", 8600, timeout=30)
            for i in range(per_client):
                connection.request("GET", addresses[i % len(addresses)])
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(str(response.status))
            connection.close()

        clients = [threading.Thread(target=client) for _ in range(args.clients)]
        begin = (process_cpu(server.pid), redis_cpu(redis_pid), time.process_time())
        started = time.perf_counter()
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        seconds = time.perf_counter() - started
        end = (process_cpu(server.pid), redis_cpu(redis_pid), time.process_time())
        count = per_client * args.clients
        gunicorn, redis, own = ((e - b) / count * 1000 for b, e in zip(begin, end, strict=True))
        print(
            f"{'granian' if args.granian else 'gunicorn'} {args.server} {args.gunicorn_args}: "
            f"{count} requests in {seconds:.1f} s, "
            f"{len(errors)} errors; CPU per request: gunicorn {gunicorn:.2f} ms, "
            f"redis {redis:.2f} ms, client {own:.2f} ms"
        )
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="cache hits measured per page")
    parser.add_argument("--misses", type=int, default=5, help="cache misses measured per page")
    parser.add_argument("--profile", help="a page's name: cProfile of its cache hits")
    parser.add_argument("--only", help="pages' names, comma-separated")
    parser.add_argument("--sql", help="a page's name: the queries of a hit and of a miss")
    parser.add_argument("--server", help="WORKERSxTHREADS: measure gunicorn instead")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=6000, help="with --server")
    parser.add_argument("--gunicorn-args", default="", help="more gunicorn options")
    parser.add_argument("--granian", action="store_true", help="granian (WSGI) instead")
    args = parser.parse_args()

    redis = None
    if not os.environ.get("CACHE_URL"):
        redis = subprocess.Popen(
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        os.environ["CACHE_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
        time.sleep(0.5)
    os.environ.update(production_env())
    try:
        if args.server:
            serve_and_measure(args, redis.pid if redis else None)
        else:
            measure(args, redis.pid if redis else None)
    finally:
        if redis:
            redis.terminate()
            redis.wait()


def measure(args, redis_pid: int | None) -> None:
    import django

    django.setup()  # collectstatic may run before the application is built
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", "--noinput", verbosity=0)
    app = get_wsgi_application()
    queries: list[str] = []

    def count(execute, sql, *rest):
        queries.append(sql)
        return execute(sql, *rest)

    counting = connection.execute_wrapper(count)  # kept: its exit (or collection) ends it
    counting.__enter__()
    targets = pages()
    if args.only:
        targets = {k: v for k, v in targets.items() if k in args.only.split(",")}
    if args.sql:
        for label in ("miss", "hit"):
            if label == "miss":
                cache.clear()
            queries.clear()
            call(app, targets[args.sql])
            print(f"--- {label}: {len(queries)} queries")
            for sql in queries:
                print("  ", sql[:300])
        return
    if args.profile:
        address = targets[args.profile]
        call(app, address)
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for _ in range(args.repeat):
            call(app, address)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(60)
        print(out.getvalue())
        return
    print(f"{'page':14} {'hit ms':>7} {'redis ms':>8} {'q':>3}  {'miss ms':>8} {'q':>4}")
    for name, address in targets.items():
        miss_cpu, miss_queries = 0.0, 0
        for _ in range(args.misses):
            cache.clear()
            queries.clear()
            begin = time.process_time()
            status = call(app, address)
            miss_cpu += time.process_time() - begin
            miss_queries += len(queries)
            assert status == 200, (address, status)
        call(app, address)
        queries.clear()
        begin, begin_redis = time.process_time(), redis_cpu(redis_pid)
        for _ in range(args.repeat):
            call(app, address)
        hit = (time.process_time() - begin) / args.repeat
        redis = (redis_cpu(redis_pid) - begin_redis) / args.repeat
        print(
            f"{name:14} {hit * 1000:7.2f} {redis * 1000:8.2f} {len(queries) / args.repeat:3.0f}  "
            f"{miss_cpu / args.misses * 1000:8.1f} {miss_queries / args.misses:4.0f}"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
