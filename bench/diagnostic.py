"""Benchmark (not a test) of the diagnostic's work done on request, on a large edition.

  .venv/bin/python bench/diagnostic.py [--responses 20000]

Builds, in a throw-away SQLite database, the 2024 universe, the built-in 2024 barometer
questionnaire and a published edition of N responses (answers drawn from each question's
choices, deterministic), then times what a référent's first result page after a new
edition or grid triggers: the peers' axis scores (load, weight, score every response,
estimate by stratum and size band), then the result page's context and the PDF.
Last line: ``peers_s=… page_s=… pdf_s=… scores_per_s=…``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=20_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-diagnostic-"))
    os.environ["DATA_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatoire.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        run(args.responses)
    finally:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


def run(n_responses: int) -> None:
    from observatoire.barometre.demo import AUTHORITY_PLAN
    from observatoire.barometre.models import Edition
    from observatoire.diagnostic import peers, queries, reports, scoring, services
    from observatoire.diagnostic.choices import RulesKind
    from observatoire.diagnostic.models import Run
    from observatoire.questionnaires.choices import Population, ResponseStatus
    from observatoire.questionnaires.models import Response
    from observatoire.questionnaires.services import load_builtin
    from observatoire.questionnaires.services.collection import LoadedQuestionnaire
    from observatoire.territoires import services as territoires
    from observatoire.territoires.models import Authority

    territoires.import_vintage(2024)
    questionnaire = load_builtin(2024, Population.AUTHORITIES)
    form = LoadedQuestionnaire.load(questionnaire)
    rng = random.Random(13)
    authorities = list(
        Authority.objects.filter(is_active=True)
        .exclude(region="")
        .order_by("code")
        .values_list("pk", flat=True)
    )
    chosen = rng.sample(authorities, min(n_responses, len(authorities)))
    responses = []
    for pk in chosen:
        answers = {}
        for question in form.questions:
            values = [v for v, _label in form.choices.get(question.choice_list, [])]
            if values and question.type != "select_multiple":
                answers[question.code] = rng.choice(values)
            elif values:
                answers[question.code] = rng.sample(values, rng.randint(0, len(values)))
        responses.append(Response(questionnaire=questionnaire, questionnaire_version=1, authority_id=pk,
                                  status=ResponseStatus.SUBMITTED, answers=answers, source="bench"))  # fmt: skip
    Response.objects.bulk_create(responses, batch_size=2000)
    edition = Edition.objects.create(
        code="bench-2024", title="Bench", year=2024, questionnaire=questionnaire, vintage=2024,
        status="published", plan=AUTHORITY_PLAN, published_version=1,
    )  # fmt: skip
    grid_version = services.current_rules(RulesKind.GRID)
    duties_version = services.current_rules(RulesKind.DUTIES)

    start = time.perf_counter()
    rows = peers.peer_scores(edition, grid_version)
    peers_s = time.perf_counter() - start
    grid = scoring.grid_of(grid_version.text)
    start = time.perf_counter()
    scoring.score_matrix(grid, [r.answers for r in responses])
    scoring_s = time.perf_counter() - start

    sample = responses[0]
    run_ = Run.objects.create(authority_id=sample.authority_id, questionnaire=questionnaire,
                              answers=sample.answers, status="scored", grid=grid_version,
                              duties=duties_version)  # fmt: skip
    from django.utils import timezone

    Run.objects.filter(pk=run_.pk).update(scored_at=timezone.now())
    run_.refresh_from_db()
    queries.result_context(run_)  # the first call also imports the URLconf and parses files
    start = time.perf_counter()
    queries.result_context(run_)
    page_s = time.perf_counter() - start
    start = time.perf_counter()
    pdf = reports.build_pdf(run_)
    pdf_s = time.perf_counter() - start
    print(f"{len(responses)} réponses, {len(rows)} scores de pairs, PDF de {len(pdf) // 1024} Kio")
    print(
        f"peers_s={peers_s:.2f} page_s={page_s:.2f} pdf_s={pdf_s:.2f} "
        f"scores_per_s={len(responses) * len(grid.axes) / scoring_s:,.0f}"
    )


if __name__ == "__main__":
    main()
