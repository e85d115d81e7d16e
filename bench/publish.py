"""Benchmark (not a test) of the barometer's whole chain on a large edition.

  .venv/bin/python bench/publish.py [--responses 20000] [--indicators 300]

Builds, in a throw-away SQLite database, the 2024 universe and an edition of 20,000
responses (deterministic answers) with an indicator file of 300 indicators (share,
done-or-planned, ranking of a multiple choice), then times each stage of the chain:
weight → compute (stats engine) → store and publish → HTML pages → PDF → open data.
The set-up (migrations, universe, responses) is not timed.  Last line:
``total_s=… stats_s=… pdf_s=…`` (stats_s: weighting plus all estimates in the engine).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--indicators", type=int, default=300)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-publish-"))
    os.environ["DATA_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatoire.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    edition = setup(args.responses, args.indicators)
    run_chain(edition, workdir)


def setup(n_responses: int, n_indicators: int):
    import numpy as np
    import yaml

    from observatoire.barometre.models import Edition
    from observatoire.questionnaires.choices import Population, ResponseStatus
    from observatoire.questionnaires.models import (
        Choice,
        Question,
        Questionnaire,
        Response,
        Section,
    )
    from observatoire.territoires import services as territoires
    from observatoire.territoires.models import Authority

    start = time.perf_counter()
    territoires.import_vintage(2024)
    questionnaire = Questionnaire.objects.create(
        code="bench-2024", title="Banc d'essai", population=Population.AUTHORITIES, year=2024
    )
    section = Section.objects.create(questionnaire=questionnaire, code="s", title="S", order=0)
    kinds = ["share"] * (n_indicators // 2) + ["done_or_planned"] * (n_indicators // 3)
    kinds += ["ranking"] * (n_indicators - len(kinds))
    letters = ["a", "b", "c", "d", "e"]
    questions, choices, indicators = [], [], []
    themes = [{"code": f"t{k}", "title": f"Thème {k + 1}"} for k in range(6)]
    for j, kind in enumerate(kinds):
        code = f"q{j:03d}"
        qtype = {"share": "select_one", "done_or_planned": "yes_no_planned"}.get(
            kind, "select_multiple"
        )
        values = ["oui", "non", "prevu"] if kind == "done_or_planned" else letters[:4]
        questions.append(
            Question(questionnaire=questionnaire, section=section, code=code, type=qtype,
                     label=f"Question {j + 1}", choice_list=code, order=j)
        )  # fmt: skip
        choices += [
            Choice(questionnaire=questionnaire, list_name=code, value=v, label=v.upper(), order=i)
            for i, v in enumerate(values)
        ]
        spec = {"code": code, "theme": themes[j % 6]["code"], "title": f"Indicateur {j + 1}"}
        spec.update({"kind": kind, "question": code})
        if kind != "done_or_planned":
            spec["values"] = ["a"] if kind == "share" else letters[:4]
        indicators.append(spec)
    Question.objects.bulk_create(questions)
    Choice.objects.bulk_create(choices)
    edition = Edition.objects.create(
        code="bench-2024", title="Banc d'essai 2024", year=2024, questionnaire=questionnaire,
        vintage=2024, status="closed", plan={"unit": "collectivites", "margins": ["strate", "region"]},
        indicators=yaml.safe_dump({"domains": ["strate", "type", "taille"], "themes": themes, "indicators": indicators}),
    )  # fmt: skip
    rng = np.random.default_rng(2024)
    pool = list(Authority.objects.exclude(region="").values_list("pk", "stratum"))
    small = [pk for pk, s in pool if s == "commune_lt_3500"]
    others = [pk for pk, s in pool if s != "commune_lt_3500"]
    chosen = others[: n_responses // 4] + list(
        rng.choice(small, n_responses - min(len(others), n_responses // 4), replace=False)
    )
    draws = rng.random((len(chosen), len(kinds)))
    picks = rng.random((len(chosen), len(kinds), 4)) < 0.4
    rows = []
    for i, pk in enumerate(chosen):
        answers: dict[str, object] = {}
        for j, kind in enumerate(kinds):
            if kind == "share":
                answers[f"q{j:03d}"] = letters[int(draws[i, j] * 4)]
            elif kind == "done_or_planned":
                answers[f"q{j:03d}"] = ["oui", "non", "prevu"][int(draws[i, j] * 3)]
            else:
                answers[f"q{j:03d}"] = [letters[k] for k in range(4) if picks[i, j, k]]
        rows.append(
            Response(questionnaire=questionnaire, questionnaire_version=1, authority_id=int(pk),
                     status=ResponseStatus.SUBMITTED, answers=answers, source="bench")
        )  # fmt: skip
    Response.objects.bulk_create(rows, batch_size=1000)
    print(
        f"préparation : {len(rows)} réponses, {len(kinds)} indicateurs "
        f"({time.perf_counter() - start:.1f} s, non compté)"
    )
    return edition


def run_chain(edition, workdir: Path) -> None:
    from django.test import Client

    from observatoire.barometre import opendata, services
    from observatoire.barometre.services import reports

    times: dict[str, float] = {}
    total_start = time.perf_counter()

    start = time.perf_counter()
    result = services.weight_edition(edition)
    times["weight+compute+store"] = time.perf_counter() - start
    stats_s = result.timings["weight_s"] + result.timings["estimate_s"]
    print(
        f"pondération et calcul : {len(result.rows)} cellules ; chargement "
        f"{result.timings['load_s']:.2f} s, poids {result.timings['weight_s']:.3f} s, "
        f"colonnes {result.timings['columns_s']:.2f} s, "
        f"estimations {result.timings['estimate_s']:.3f} s "
        f"(dont écarts à l'ensemble {result.timings.get('gaps_s', 0.0):.3f} s), "
        f"200 poids répliqués recalés {result.timings.get('replicates_s', 0.0):.2f} s"
    )

    start = time.perf_counter()
    services.publish_edition(edition)
    times["publish"] = time.perf_counter() - start

    start = time.perf_counter()
    client = Client()
    pages = [f"/barometre/{edition.code}/", f"/barometre/{edition.code}/methode/"]
    pages += [f"/barometre/{edition.code}/theme/t{k}/" for k in range(6)]
    pages += [f"/barometre/{edition.code}/indicateur/q000/?domaine=strate"]
    size = 0
    for url in pages:
        response = client.get(url, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, url
        size += len(response.content)
    times["html"] = time.perf_counter() - start
    print(f"HTML : {len(pages)} pages, {size // 1024} Kio")

    start = time.perf_counter()
    pdf = reports.build_pdf(edition, edition.published_version)
    times["pdf"] = time.perf_counter() - start
    (workdir / "rapport.pdf").write_bytes(pdf)
    print(f"PDF : {len(pdf) // 1024} Kio")

    start = time.perf_counter()
    total_bytes = 0
    for name in opendata.EXPORTS:
        content, _type = opendata.export_file(edition, name)
        total_bytes += len(content)
    times["opendata"] = time.perf_counter() - start
    print(f"données ouvertes : {len(opendata.EXPORTS)} fichiers, {total_bytes // 1024} Kio")

    total = time.perf_counter() - total_start
    for stage, seconds in times.items():
        print(f"{stage:>22} {seconds:7.2f} s")
    print(f"total_s={total:.2f} stats_s={stats_s:.3f} pdf_s={times['pdf']:.2f}")


if __name__ == "__main__":
    main()
