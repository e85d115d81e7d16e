"""CPU, queries and row-lock time of one référent's htmx save (not a test).

    .venv/bin/python bench/save_cpu.py [--saves 200] [--profile]

Calls the WSGI application in this process as gunicorn does, with
OBSERVATOIRE_ENV=production (HTTPS as behind the proxy), on the database of DATABASE_URL
(default: the development SQLite file, with the demo loaded), the way bench/load.py's
writers do: each POST saves one question of Plaisir's barometer response, in turn. Prints
the CPU of this process per save, the queries per save, and how long the response's row
was locked (from its SELECT … FOR UPDATE to the end of the transaction): writers of one
response wait for each other that long. `--profile` prints cProfile's top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from load import production_env  # bench/ is this script's folder, first on sys.path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sql", action="store_true", help="print the queries of one save")
    args = parser.parse_args()
    os.environ.update(production_env())
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "bench"))
    import django

    django.setup()
    import pages_cpu
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    from observatoire.questionnaires.models import Questionnaire, Response
    from observatoire.questionnaires.services import collection

    referent = get_user_model().objects.get(email="referent@plaisir.demo.fr")
    questionnaire = Questionnaire.objects.get(code="barometre-2024")
    response = collection.start_response(questionnaire, referent.authority, by=referent)
    Response.objects.filter(pk=response.pk).update(status="draft")  # as bench/load.py does
    form = collection.LoadedQuestionnaire.load(questionnaire)
    questions = [
        (q.code, [f"réponse {q.code} n° {n}" for n in range(1, 9)])
        for q in form.questions
        if q.type == "text" and not q.relevant and not form.section_relevant.get(q.section_id)
    ]
    store = SessionStore()
    store["_auth_user_id"] = str(referent.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = referent.get_session_auth_hash()
    store.create()
    token = secrets.token_hex(16)  # 32 characters, as a CSRF cookie holds
    url = f"/questionnaires/reponses/{response.pk}/enregistrer/"
    app = get_wsgi_application()

    queries: list[str] = []
    locked: list[float] = []
    lock_started: list[float] = []

    def count(execute, sql, *rest):
        queries.append(sql)
        if "FOR UPDATE" in sql or sql.startswith("BEGIN"):  # the row (SQLite: the file)
            lock_started.append(time.perf_counter())
        return execute(sql, *rest)

    def on_commit_or_rollback():
        if lock_started:
            locked.append(time.perf_counter() - lock_started.pop())

    original_commit = connection.commit
    counting = connection.execute_wrapper(count)
    counting.__enter__()

    def save(n: int) -> None:
        code, values = questions[n % len(questions)]
        body = urlencode({"_only": code, code: values[n % len(values)]}).encode()
        status = pages_cpu.call_environ(
            app,
            {
                "REQUEST_METHOD": "POST",
                "PATH_INFO": url,
                "CONTENT_TYPE": "application/x-www-form-urlencoded",
                "CONTENT_LENGTH": str(len(body)),
                "wsgi.input": io.BytesIO(body),
                "HTTP_COOKIE": f"sessionid={store.session_key}; csrftoken={token}",
                "HTTP_X_CSRFTOKEN": token,
                "HTTP_ORIGIN": "https://127.0.0.1",
                "HTTP_REFERER": "https://127.0.0.1/",
                "HTTP_X_FORWARDED_PROTO": "https",
            },
        )
        assert status == 200, (status, re.sub(r"<[^>]+>|\s+", " ", pages_cpu.BODY.decode())[-700:])

    # The end of the atomic block: Django commits through the connection's own commit on
    # PostgreSQL and SQLite alike (not the wrapper's execute).
    def commit():
        original_commit()
        on_commit_or_rollback()

    connection.commit = commit  # type: ignore[method-assign]
    save(0)
    queries.clear()
    locked.clear()
    if args.sql:
        save(1)
        for sql in queries:
            print("  ", sql[:240])
        return
    profile = cProfile.Profile(time.process_time) if args.profile else None
    begin = time.process_time()
    if profile:
        profile.enable()
    for n in range(1, args.saves + 1):
        save(n)
    if profile:
        profile.disable()
    cpu = (time.process_time() - begin) / args.saves
    print(
        f"{connection.vendor}: {args.saves} saves, CPU {cpu * 1000:.2f} ms per save, "
        f"{len(queries) / args.saves:.1f} queries per save, row locked "
        f"{sum(locked) / max(len(locked), 1) * 1000:.2f} ms per save (wall, {len(locked)} locks)"
    )
    if profile:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(50)
        print(out.getvalue())


if __name__ == "__main__":
    main()
