"""Benchmark: observatoire.stats against R's survey package and the Python package svy.

Not a test.  Generates a deterministic national workload — a universe of 200,000
authorities in 8 strata, 13 régions and 3 zones; a stratified sample of 20,000
respondents; 50 binary indicators — then, in the same run:

* our engine: design, raking to the 3 margins (``calibrate(calfun="raking")`` and
  ``rake()``), all 50 indicators for the whole population and each of the 8 strata, with
  calibration-aware standard errors;
* R's survey (``Rscript bench/stats_vs_r.R``) on the same data written to disk, through its
  ``calibrate(calfun="raking")`` path and its ``rake()`` path;
* svy (PyPI), one variable at a time (its multi-variable call returns fixed-weight SEs).

It checks that our estimates and SEs equal R's (both paths) and prints the times, then a
second size (300 indicators, 36,000 respondents) for our engine, and ends with

    ours_s=… r_s=… svy_s=… speedup_vs_r=… speedup_vs_svy=… max_rel_diff=…

where ``ours_s`` and ``r_s`` are the calibrate paths (R's fastest) and ``max_rel_diff``
the largest relative difference of an estimate or SE between us and R over both paths.

Usage: python bench/stats_vs_r.py [--repeat 5] [--no-r] [--no-svy] [--r-large]
"""

from __future__ import annotations

import os

# Our matrix products are small (n x ~25); on a shared 2-core machine OpenBLAS threads only
# add synchronisation cost, so the benchmark runs single-threaded like R's reference BLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import csv
import math
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing

from observatoire.stats import Design, IndicatorMatrix, calibrate, estimate, rake  # noqa: E402
from observatoire.stats.estimators import Estimates  # noqa: E402

Workload = dict[str, Any]


def generate(n_universe: int, n_sample: int, n_indicators: int, seed: int = 2026) -> Workload:
    """A deterministic universe, its margins and a stratified random sample."""
    rng = np.random.default_rng(seed)
    strata = np.array([f"S{h}" for h in range(1, 9)])
    share = np.array([0.52, 0.2, 0.1, 0.06, 0.05, 0.04, 0.02, 0.01])
    stratum = rng.choice(8, size=n_universe, p=share)
    region = (rng.integers(0, 13, size=n_universe) + stratum) % 13
    zone = np.where(rng.random(n_universe) < 0.25 + 0.08 * (stratum % 3), 0, 1 + (region % 2))
    pop_h = np.bincount(stratum, minlength=8)
    alloc = np.sqrt(pop_h) / np.sqrt(pop_h).sum() * n_sample
    n_h = np.minimum(np.maximum(np.round(alloc).astype(int), 2), pop_h)
    n_h[0] += n_sample - n_h.sum()
    chosen = np.concatenate(
        [rng.choice(np.flatnonzero(stratum == h), size=n_h[h], replace=False) for h in range(8)]
    )
    s, r, z = stratum[chosen], region[chosen], zone[chosen]
    logit = (
        rng.normal(0, 1, size=(1, n_indicators))
        + 0.3 * s[:, None] / 8
        + 0.2 * (r[:, None] % 5)
        - 0.4 * z[:, None]
        + rng.normal(0, 0.1, size=(n_sample, 1))
    )
    y = (rng.random((n_sample, n_indicators)) < 1 / (1 + np.exp(-logit))).astype(np.float64)
    regions = np.array([f"R{j:02d}" for j in range(1, 14)])
    zones = np.array(["rural", "periurbain", "urbain"])
    return {
        "stratum": strata[s],
        "region": regions[r],
        "zone": zones[z],
        "N_h": pop_h[s].astype(np.float64),
        "w": (pop_h / n_h)[s],
        "y": y,
        "names": [f"y{k + 1}" for k in range(n_indicators)],
        "margins": {
            "stratum": {strata[h]: int(pop_h[h]) for h in range(8)},
            "region": {regions[j]: int(c) for j, c in enumerate(np.bincount(region, minlength=13))},
            "zone": {zones[j]: int(c) for j, c in enumerate(np.bincount(zone, minlength=3))},
        },
    }


def ours(work: Workload, path: str) -> Estimates:
    """Design, weighting and every estimate with our engine."""
    design = Design(work["w"], strata=work["stratum"], fpc=work["N_h"])
    margins = {name: (work[name], pop) for name, pop in work["margins"].items()}
    if path == "calibrate":
        weighted = calibrate(design, margins=margins, calfun="raking", tol=1e-13)
    else:
        weighted = rake(design, margins, tol=1e-12)
    indicators = IndicatorMatrix(work["names"], work["y"])
    return estimate(weighted, indicators, by={"stratum": work["stratum"]})


def best_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Best wall time over ``repeat`` runs and the last result."""
    best, result = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def write_inputs(work: Workload, folder: Path) -> None:
    """The sample and the margins as CSV files for R."""
    with (folder / "sample.csv").open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["stratum", "region", "zone", "N_h", "w", *work["names"]])
        for i in range(work["y"].shape[0]):
            out.writerow(
                [
                    work["stratum"][i],
                    work["region"][i],
                    work["zone"][i],
                    repr(float(work["N_h"][i])),
                    repr(float(work["w"][i])),
                    *(str(int(v)) for v in work["y"][i]),
                ]
            )
    for name, pop in work["margins"].items():
        with (folder / f"margins_{name}.csv").open("w", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(["level", "Freq"])
            for level, count in pop.items():
                out.writerow([level, count])


def run_r(
    folder: Path,
    reps: int = 3,
) -> tuple[dict[str, float], dict[str, dict[tuple[str, str, str], tuple[float, float]]]]:
    """Run the R script; its times and its results keyed by (domain, level, variable)."""
    proc = subprocess.run(
        ["Rscript", str(HERE / "stats_vs_r.R"), str(folder), str(reps)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("r_calibrate_s=")][-1]
    times = {k: float(v) for k, v in (part.split("=") for part in line.split())}
    results = {}
    for path in ("calibrate", "rake"):
        with (folder / f"r_{path}.csv").open(newline="") as fh:
            results[path] = {
                (row["domain"], row["level"], row["variable"]): (
                    float(row["est"]),
                    float(row["se"]),
                )
                for row in csv.DictReader(fh)
            }
    return times, results


def max_rel_diff(res: Estimates, ref: dict[tuple[str, str, str], tuple[float, float]]) -> float:
    """Largest relative difference of an estimate or an SE against R."""
    worst = 0.0
    for i in range(len(res)):
        est, se = ref[(res.domain[i], res.domain_level[i], res.variable[i])]
        for ours_v, r_v in ((res.estimate[i], est), (res.se[i], se)):
            worst = max(worst, abs(ours_v - r_v) / max(abs(r_v), 1e-300))
    return worst


SvyResults = dict[tuple[str, str, str], tuple[float, float]]


def run_svy(work: Workload) -> tuple[float, str, SvyResults]:
    """svy: raking then one variable at a time (mean, overall and by stratum).

    Returns the time (raking plus the 100 calls), a reason if it could not run, and its
    estimates and SEs keyed like R's (collected after the timing).
    """
    try:
        import polars as pl
        import svy
    except ImportError as exc:  # pragma: no cover - depends on the machine
        return math.nan, f"svy is not installed ({exc})", {}
    frame = pl.DataFrame(
        {
            "stratum": work["stratum"],
            "region": work["region"],
            "zone": work["zone"],
            "N_h": work["N_h"],
            "w": work["w"],
            **{name: work["y"][:, k] for k, name in enumerate(work["names"])},
        }
    )
    outputs: list[tuple[str, Any, Any]] = []
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sample = svy.Sample(frame, svy.Design(stratum="stratum", wgt="w", pop_size="N_h"))
        sample = sample.weighting.rake(
            controls={k: dict(v) for k, v in work["margins"].items()}, tol=1e-10, max_iter=200
        )
        for name in work["names"]:
            overall = sample.estimation.mean(name)
            by_stratum = sample.estimation.mean(name, by="stratum")
            outputs.append((name, overall, by_stratum))
    elapsed = time.perf_counter() - start
    results: SvyResults = {}
    for name, overall, by_stratum in outputs:
        row = overall.to_polars().row(0, named=True)
        results[("", "", name)] = (float(row["est"]), float(row["se"]))
        for row in by_stratum.to_polars().iter_rows(named=True):
            results[("stratum", str(row["stratum"]), name)] = (float(row["est"]), float(row["se"]))
    return elapsed, "", results


def compare_to_r(
    results: SvyResults, ref: dict[tuple[str, str, str], tuple[float, float]]
) -> tuple[float, float]:
    """Largest relative differences (estimates, SEs) of another engine's results against R."""
    worst_est = worst_se = 0.0
    for key, (est, se) in results.items():
        r_est, r_se = ref[key]
        worst_est = max(worst_est, abs(est - r_est) / abs(r_est))
        worst_se = max(worst_se, abs(se - r_se) / abs(r_se))
    return worst_est, worst_se


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="runs per timing (best kept)")
    parser.add_argument("--no-r", action="store_true", help="skip R")
    parser.add_argument("--no-svy", action="store_true", help="skip svy")
    parser.add_argument("--r-large", action="store_true", help="also run R on the large size")
    args = parser.parse_args(argv)

    work = generate(200_000, 20_000, 50)
    n_est = len(work["names"]) * 9
    print(f"workload: 20000 respondents, 50 indicators x 9 domains = {n_est} estimates")
    ours_cal, res_cal = best_time(lambda: ours(work, "calibrate"), args.repeat)
    ours_rake, res_rake = best_time(lambda: ours(work, "rake"), args.repeat)
    print(f"ours  calibrate(raking) path: {ours_cal:.4f} s   rake() path: {ours_rake:.4f} s")

    r_s = math.nan
    diff = math.nan
    r_results: dict[str, dict[tuple[str, str, str], tuple[float, float]]] = {}
    if args.no_r or shutil.which("Rscript") is None:
        print("R: skipped (Rscript not found or --no-r)")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            write_inputs(work, folder)
            times, r_results = run_r(folder)
        r_s = times["r_calibrate_s"]
        d_cal = max_rel_diff(res_cal, r_results["calibrate"])
        d_rake = max_rel_diff(res_rake, r_results["rake"])
        diff = max(d_cal, d_rake)
        print(f"R     calibrate(raking) path: {r_s:.3f} s   rake() path: {times['r_rake_s']:.3f} s")
        print(f"max relative difference vs R: calibrate {d_cal:.2e}, rake {d_rake:.2e}")
        print(
            f"speed-up: calibrate path {r_s / ours_cal:.1f}x, "
            f"rake path {times['r_rake_s'] / ours_rake:.1f}x"
        )
        status = "OK" if diff <= 1e-8 else "MISMATCH"
        print(f"agreement with R to 1e-8: {status}")

    svy_s = math.nan
    if args.no_svy:
        print("svy: skipped (--no-svy)")
    else:
        svy_results: SvyResults = {}
        try:
            svy_s, reason, svy_results = run_svy(work)
        except Exception as exc:  # svy's API changes between versions
            svy_s, reason = math.nan, f"{type(exc).__name__}: {exc}"
        if reason:
            print(f"svy: not measured: {reason}")
        else:
            print(f"svy   rake + 100 single-variable calls: {svy_s:.3f} s")
            if r_results:
                for path in ("rake", "calibrate"):
                    d_est, d_se = compare_to_r(svy_results, r_results[path])
                    print(
                        f"svy vs R {path}() path: max rel diff estimates {d_est:.1e}, "
                        f"SEs {d_se:.1e}"
                    )

    large = generate(400_000, 36_000, 300, seed=2027)
    big_cal, _ = best_time(lambda: ours(large, "calibrate"), max(1, args.repeat // 2))
    big_rake, _ = best_time(lambda: ours(large, "rake"), max(1, args.repeat // 2))
    scale = (36_000 * 300) / (20_000 * 50)
    print(
        f"large: 36000 respondents, 300 indicators x 9 domains = 2700 estimates: "
        f"ours calibrate {big_cal:.3f} s, rake {big_rake:.3f} s "
        f"({big_cal / ours_cal:.1f}x the time for {scale:.1f}x the cells)"
    )
    if args.r_large and not args.no_r and shutil.which("Rscript"):
        with tempfile.TemporaryDirectory() as tmp:
            write_inputs(large, Path(tmp))
            times, r_large = run_r(Path(tmp), reps=1)
        res_big = ours(large, "calibrate")
        print(
            f"large: R calibrate {times['r_calibrate_s']:.2f} s, rake {times['r_rake_s']:.2f} s; "
            f"max rel diff {max_rel_diff(res_big, r_large['calibrate']):.2e}"
        )

    print(
        f"ours_s={ours_cal:.4f} r_s={r_s:.3f} svy_s={svy_s:.3f} "
        f"speedup_vs_r={r_s / ours_cal:.1f} speedup_vs_svy={svy_s / ours_cal:.1f} "
        f"max_rel_diff={diff:.2e}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["NDArray", "generate", "main"]
