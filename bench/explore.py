"""Benchmark (not a test) of the explorer on an edition of 20,000 respondents.

  .venv/bin/python bench/explore.py [--responses 20000] [--requests 20] [--no-r]

Builds, in a throw-away SQLite database, the 2024 universe and a published edition of
20,000 responses (the set-up of ``bench/publish.py``, with 20 indicators), then times:

* the first exploration of the edition in a process (answers read, weights calibrated,
  catalogue built: done once per weighting run and kept in memory);
* the server's answer to a cross-tabulation with its Rao–Scott test, page and API, through
  Django's test client (median and slowest of ``--requests`` different queries);
* the engine's ``crosstab`` (F and Chisq), ``quantiles`` by domain (Woodruff) and
  ``fit_model`` (logistic) against R's ``svychisq``, ``svyquantile`` and ``svyglm`` on
  the same data (``Rscript bench/explore.R``), checked equal, with the speed-ups.

Last line: ``page_median_ms=… page_max_ms=… chisq_speedup=… quantile_speedup=…
glm_speedup=… max_rel_diff=…``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small products: no thread overhead

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-r", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-explore-"))
    try:
        run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, workdir: Path) -> None:
    os.environ["DATA_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatoire.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from publish import setup

    from observatoire.barometre import explore, services

    call_command("migrate", verbosity=0)
    edition = setup(args.responses, 20)
    services.weight_edition(edition)
    services.publish_edition(edition)
    edition.refresh_from_db()

    start = time.perf_counter()
    data = explore.load(edition)
    print(
        f"première exploration (lecture, calage, catalogue) : {time.perf_counter() - start:.2f} s"
    )
    keys = [v.key for v in explore.variables_for(data, False) if v.categories]
    queries = [(keys[i % len(keys)], keys[(i * 7 + 3) % len(keys)]) for i in range(args.requests)]
    queries = [(a, b) for a, b in queries if a != b]
    client = Client()
    url = f"/barometre/{edition.code}/explorer/"
    api = f"/api/v1/barometre/editions/{edition.code}/explorer"
    client.get(url, {"lignes": queries[0][0], "colonnes": queries[0][1]}, HTTP_HOST="127.0.0.1")
    timings: dict[str, list[float]] = {"page": [], "api": [], "engine": []}
    for rows, cols in queries:
        for name, target in (("page", url), ("api", api)):
            start = time.perf_counter()
            response = client.get(target, {"lignes": rows, "colonnes": cols}, HTTP_HOST="127.0.0.1")
            timings[name].append(1000 * (time.perf_counter() - start))
            assert response.status_code == 200, (target, rows, cols, response.content[:300])
        start = time.perf_counter()
        explore.explore(edition, explore.Query(rows, cols))
        timings["engine"].append(1000 * (time.perf_counter() - start))
    for name, values in timings.items():
        print(
            f"{name:>7} : médiane {np.median(values):6.1f} ms, max {max(values):6.1f} ms "
            f"({len(values)} croisements, {data.sample.n} répondants)"
        )
    speedups = compare_with_r(data, workdir, args)
    print(
        f"page_median_ms={np.median(timings['page']):.1f} page_max_ms={max(timings['page']):.1f} "
        + " ".join(f"{k}={v}" for k, v in speedups.items())
    )


def compare_with_r(data, workdir: Path, args: argparse.Namespace) -> dict[str, str]:
    """The engine and R on the same data: a stratified design with the edition's weights."""
    from observatoire import stats

    sample = data.sample
    strate = np.asarray(data.design.strata_labels, dtype=object)[data.design.strata_codes]
    fpc = data.design.pop_psu[data.design.strata_codes]
    w = np.asarray(data.design.weights)
    rows = np.array([str(v) for v in sample.columns["type"]], dtype=object)
    cols = np.asarray(data.columns["q:q001"])  # category codes "00".."03" of question 2
    y = (np.asarray(data.columns["q:q000"]) == "00").astype(float)  # question 1 answered "a"
    habitants = sample.columns["habitants"]
    taille = sample.columns["taille"]
    with (workdir / "sample.csv").open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["strate", "fpc", "w", "rows", "cols", "y", "habitants", "taille"])
        for row in zip(strate, fpc, w, rows, cols, y, habitants, taille, strict=True):
            writer.writerow(
                [
                    row[0],
                    repr(float(row[1])),
                    repr(float(row[2])),
                    *row[3:5],
                    int(row[5]),
                    repr(float(row[6])),
                    row[7],
                ]
            )

    def best(fn):
        times, value = [], None
        for _ in range(args.repeat):
            start = time.perf_counter()
            value = fn()
            times.append(time.perf_counter() - start)
        return min(times), value

    def design():
        return stats.Design(w, strata=strate, fpc=fpc)

    t_chisq, table = best(lambda: stats.crosstab(design(), rows, cols))
    t_quant, quants = best(
        lambda: stats.quantiles(
            design(),
            {"habitants": habitants},
            (0.25, 0.5, 0.75),
            by={"taille": taille},
            overall=False,
        )
    )
    t_glm, model = best(
        lambda: stats.fit_model(
            design(),
            "y ~ factor(strate) + factor(cols)",
            {"y": y, "strate": strate, "cols": cols},
            family="quasibinomial",
        )
    )
    print(
        f"moteur : crosstab {1000 * t_chisq:.1f} ms, quantiles {1000 * t_quant:.1f} ms, modèle logistique {1000 * t_glm:.1f} ms"
    )
    if args.no_r or shutil.which("Rscript") is None:
        print("R : non mesuré (Rscript absent ou --no-r)")
        return {}
    proc = subprocess.run(
        ["Rscript", str(HERE / "explore.R"), str(workdir), str(args.repeat)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    r_times = dict(item.split("=") for item in proc.stdout.split()[-3:])
    with (workdir / "r_results.csv").open() as fh:
        ref = {r["key"]: float(r["value"]) for r in csv.DictReader(fh)}
    # R orders svyby's quantiles by probability, then domain.
    order = sorted(
        range(len(quants)), key=lambda i: (quants.probability[i], quants.domain_level[i])
    )
    ours = {
        "chisq.F": table.tests["F"].statistic,
        "chisq.F.p": table.tests["F"].p_value,
        "chisq.Chisq.p": table.tests["Chisq"].p_value,
        **{f"quantile.{k + 1}": quants.estimate[i] for k, i in enumerate(order)},
        **{f"glm.coef.{k + 1}": v for k, v in enumerate(model.coef)},
        **{f"glm.se.{k + 1}": v for k, v in enumerate(model.se)},
    }
    diff = max(abs(ours[k] - ref[k]) / max(abs(ref[k]), 1e-300) for k in ours)
    speed = {
        "chisq_speedup": float(r_times["r_chisq_s"]) / t_chisq,
        "quantile_speedup": float(r_times["r_quantile_s"]) / t_quant,
        "glm_speedup": float(r_times["r_glm_s"]) / t_glm,
    }
    print(
        f"R : svychisq {1000 * float(r_times['r_chisq_s']):.0f} ms, svyquantile {1000 * float(r_times['r_quantile_s']):.0f} ms, "
        f"svyglm {1000 * float(r_times['r_glm_s']):.0f} ms ; écart relatif max {diff:.1e}"
    )
    return {**{k: f"{v:.1f}" for k, v in speed.items()}, "max_rel_diff": f"{diff:.1e}"}


if __name__ == "__main__":
    main()
