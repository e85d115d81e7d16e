"""Command line: ``observatoire stats estimate DATA.csv --design DESIGN.yaml [--out OUT.csv]``.

Runs the engine on any microdata file without the web application.  The output has the
columns ``variable, category, domain, domain_level, estimate, se, ci_low, ci_high, n,
deff`` (``domain`` and ``domain_level`` are empty for the whole population).  Errors are
reported in French with exit code 2.
"""

from __future__ import annotations

import argparse
import csv
import sys
from typing import TYPE_CHECKING, TextIO

from .errors import StatsError

if TYPE_CHECKING:
    from .estimators import Estimates

#: Above this many estimate requests a progress bar is shown on stderr.
PROGRESS_THRESHOLD = 20


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"observatoire stats : erreur : {message}\n")
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="observatoire stats", description="Moteur d'estimation d'enquête.")
    sub = parser.add_subparsers(dest="command", required=True)
    est = sub.add_parser(
        "estimate",
        help="estime totaux, moyennes et proportions selon un fichier de plan YAML",
        description="Estime totaux, moyennes et proportions selon un fichier de plan YAML.",
    )
    est.add_argument("data", help="fichier CSV des microdonnées")
    est.add_argument("--design", required=True, help="fichier YAML du plan de sondage")
    est.add_argument("--out", help="fichier CSV de résultats (sortie standard par défaut)")
    return parser


def _fmt(value: float) -> str:
    return "" if value != value else repr(float(value))


def write_results(results: Estimates, stream: TextIO) -> None:
    """Write the results in the CLI's CSV format."""
    from .estimators import Estimates

    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(Estimates.OUTPUT_COLUMNS)
    for i in range(len(results)):
        writer.writerow(
            [
                results.variable[i],
                results.category[i],
                results.domain[i],
                results.domain_level[i],
                _fmt(results.estimate[i]),
                _fmt(results.se[i]),
                _fmt(results.ci_low[i]),
                _fmt(results.ci_high[i]),
                int(results.n[i]),
                _fmt(results.deff[i]),
            ]
        )


def main(argv: list[str]) -> int:
    """Entry point called by ``observatoire stats``; returns the exit code."""
    args = _parser().parse_args(argv)
    from .design_file import load_design_file, run_estimates
    from .sections import has_sections, write_sections

    try:
        loaded = load_design_file(args.data, args.design)
        if has_sections(loaded.spec) and not args.out:
            raise StatsError(
                "Les tableaux, modèles et quantiles s'écrivent dans des fichiers à côté des "
                "estimations : donnez --out."
            )
        n_requests = len(loaded.spec["estimates"])
        if n_requests >= PROGRESS_THRESHOLD:
            from tqdm import tqdm

            with tqdm(total=n_requests, unit="estimation", file=sys.stderr) as bar:
                results = run_estimates(loaded, progress=lambda done: bar.update(done - bar.n))
        else:
            results = run_estimates(loaded)
        written = (
            write_sections(
                loaded.design,
                loaded.spec,
                loaded.data,
                args.out,
                loaded.file,
                replicated=loaded.replicates,
            )
            if args.out and has_sections(loaded.spec)
            else []
        )
    except StatsError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    for path in written:
        sys.stderr.write(f"{path.name} écrit\n")
    if args.out:
        try:
            with open(args.out, "w", newline="", encoding="utf-8") as fh:
                write_results(results, fh)
        except OSError as exc:
            sys.stderr.write(f"{args.out} : écriture impossible ({exc.strerror}).\n")
            return 2
        sys.stderr.write(f"{len(results)} estimations écrites dans {args.out}\n")
    else:
        try:
            write_results(results, sys.stdout)
        except BrokenPipeError:  # e.g. piped into `head`
            return 0
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
