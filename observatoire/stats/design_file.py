"""The design file (YAML) read by ``observatoire stats estimate``.

It uses R's ``svydesign`` argument names; every key is optional except ``estimates``::

    ids: dnum              # PSU column (omit, or "1", for an element sample)
    strata: stype          # stratum column
    weights: pw            # sampling weights column (or probs: column of probabilities)
    fpc: fpc               # population size (or sampling fraction) column
    lonely_psu: fail       # fail | certainty | remove | adjust
    calibration:           # applied in order
      - postStratify: {variable: stype, population: {E: 4421, H: 755, M: 1018}}
      - rake:
          margins:
            stype: {E: 4421, H: 755, M: 1018}
            sch.wide: {"No": 1072, "Yes": 5122}
      - calibrate:
          calfun: linear   # linear | raking
          population: 6194
          margins: {stype: {E: 4421, H: 755, M: 1018}}
          totals: {api99: 3914069}
          bounds: [0.5, 3]  # optional, on g = w / d
    estimates:
      - {variable: api00, kind: mean, by: [stype]}
      - {variable: sch.wide, kind: proportion, ci: beta, by: [stype, [stype, sch.wide]]}

``by`` lists domain columns; an inner list crosses columns.  ``ci`` is logit, beta, mean
(t) or wald; ``na_rm: true`` estimates among respondents to the variable.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray

from .design import Design
from .errors import StatsError
from .estimators import Estimates, estimate_many
from .weighting import calibrate, post_stratify, rake

DESIGN_KEYS = {"ids", "strata", "weights", "probs", "fpc", "lonely_psu", "calibration", "estimates"}
ESTIMATE_KEYS = {"variable", "kind", "by", "ci", "na_rm", "level", "overall"}


class DesignFileError(StatsError):
    """An error in the design file; the message starts with the file name."""


def read_design_file(path: str | Path) -> dict[str, Any]:
    """Parse and check the YAML design file (structure only; columns are checked later)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise DesignFileError(f"{p.name} : fichier illisible ({exc.strerror}).") from exc
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (ligne {mark.line + 1})" if mark is not None else ""
        raise DesignFileError(f"{p.name} : YAML invalide{where}.") from exc
    if not isinstance(spec, dict):
        raise DesignFileError(f"{p.name} : le fichier doit décrire un dictionnaire de clés.")
    unknown = sorted(set(spec) - DESIGN_KEYS)
    if unknown:
        raise DesignFileError(
            f"{p.name} : clé inconnue « {unknown[0]} » (clés possibles : "
            + ", ".join(sorted(DESIGN_KEYS))
            + ")."
        )
    estimates = spec.get("estimates")
    if not isinstance(estimates, list) or not estimates:
        raise DesignFileError(f"{p.name} : la clé « estimates » doit être une liste non vide.")
    for i, req in enumerate(estimates, start=1):
        if not isinstance(req, dict) or "variable" not in req:
            raise DesignFileError(
                f"{p.name} : l'estimation n° {i} doit avoir une clé « variable »."
            )
        bad = sorted(set(req) - ESTIMATE_KEYS)
        if bad:
            raise DesignFileError(f"{p.name} : estimation n° {i} : clé inconnue « {bad[0]} ».")
        if "by" in req and not isinstance(req["by"], list):
            req["by"] = [req["by"]]
    return spec


def _column(data: Mapping[str, NDArray[Any]], file: str, key: str, name: Any) -> NDArray[Any]:
    if not isinstance(name, str) or name not in data:
        raise DesignFileError(f'{file} : la clé "{key}" désigne une colonne absente : "{name}"')
    return data[name]


def build_design(spec: Mapping[str, Any], data: Mapping[str, NDArray[Any]], file: str) -> Design:
    """The design (with its calibration steps) described by ``spec`` on ``data``."""

    def col(key: str) -> NDArray[Any] | None:
        value = spec.get(key)
        if isinstance(value, str):
            value = value.strip().removeprefix("~").strip()  # R's formula style: ~dnum
        if value is None or (key == "ids" and str(value) in ("1", "0")):
            return None
        return _column(data, file, key, value)

    n = len(next(iter(data.values())))
    try:
        design = Design(
            col("weights"),
            strata=col("strata"),
            ids=col("ids"),
            fpc=col("fpc"),
            probs=col("probs"),
            lonely_psu=spec.get("lonely_psu", "fail"),
            n=n,
        )
        for i, step in enumerate(spec.get("calibration") or [], start=1):
            design = _apply_step(design, step, data, file, i)
    except DesignFileError:
        raise
    except StatsError as exc:
        raise DesignFileError(f"{file} : {exc}") from exc
    return design


def _apply_step(
    design: Design, step: Any, data: Mapping[str, NDArray[Any]], file: str, i: int
) -> Design:
    if not isinstance(step, dict) or len(step) != 1:
        raise DesignFileError(
            f"{file} : l'étape de calage n° {i} doit être postStratify, rake ou calibrate."
        )
    ((kind, args),) = step.items()
    if not isinstance(args, dict):
        raise DesignFileError(f"{file} : l'étape « {kind} » doit avoir des paramètres.")
    if kind == "postStratify":
        var = args.get("variable")
        return post_stratify(
            design,
            _column(data, file, "postStratify.variable", var),
            dict(args.get("population") or {}),
            name=str(var),
        )
    if kind == "rake":
        margins = args.get("margins")
        if not isinstance(margins, dict) or not margins:
            raise DesignFileError(f"{file} : « rake » demande une clé « margins ».")
        return rake(
            design,
            {
                name: (_column(data, file, "rake.margins", name), dict(pop))
                for name, pop in margins.items()
            },
            tol=float(args.get("tol", 1e-10)),
            max_iter=int(args.get("max_iter", 200)),
        )
    if kind == "calibrate":
        margins = args.get("margins") or {}
        totals = args.get("totals") or {}
        bounds = args.get("bounds")
        return calibrate(
            design,
            margins={
                name: (_column(data, file, "calibrate.margins", name), dict(pop))
                for name, pop in margins.items()
            },
            totals={
                name: (_column(data, file, "calibrate.totals", name), float(total))
                for name, total in totals.items()
            },
            population=args.get("population"),
            calfun=args.get("calfun", "linear"),
            bounds=(float(bounds[0]), float(bounds[1])) if bounds else None,
            tol=float(args.get("tol", 1e-10)),
        )
    raise DesignFileError(
        f"{file} : étape de calage inconnue « {kind} » (postStratify, rake ou calibrate)."
    )


def read_data(path: str | Path) -> dict[str, NDArray[Any]]:
    """Read a CSV file into NumPy columns (numbers as float with NaN, text as objects).

    Comma-separated files use a decimal point; semicolon-separated files (the French
    spreadsheet export) use a decimal comma.
    """
    import polars as pl

    p = Path(path)
    try:
        with p.open(encoding="utf-8-sig") as fh:
            header = fh.readline()
        french = header.count(";") > header.count(",")
        frame = pl.read_csv(
            p,
            infer_schema_length=None,
            null_values=["", "NA"],
            separator=";" if french else ",",
            decimal_comma=french,
        )
    except FileNotFoundError as exc:
        raise StatsError(f"{p.name} : fichier introuvable.") from exc
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        raise StatsError(f"{p.name} : fichier CSV illisible ({exc}).") from exc
    if frame.height == 0:
        raise StatsError(f"{p.name} : le fichier ne contient aucune ligne de données.")
    out: dict[str, NDArray[Any]] = {}
    for name in frame.columns:
        series = frame[name]
        if series.dtype.is_numeric():
            out[name] = series.cast(pl.Float64).fill_null(np.nan).to_numpy()
        else:
            out[name] = np.array(series.cast(pl.String).to_list(), dtype=object)
    return out


def run_design_file(
    data_path: str | Path, design_path: str | Path, progress: Any = None
) -> Estimates:
    """Read the data and the design file, build the design and run every estimate."""
    spec = read_design_file(design_path)
    data = read_data(data_path)
    file = Path(design_path).name
    design = build_design(spec, data, file)
    requests = spec["estimates"]
    for i, req in enumerate(requests, start=1):
        if req["variable"] not in data:
            raise DesignFileError(
                f'{file} : estimation n° {i} : la clé "variable" désigne une colonne absente : '
                f'"{req["variable"]}"'
            )
        for entry in req.get("by") or []:
            for name in [entry] if isinstance(entry, str) else entry:
                if name not in data:
                    raise DesignFileError(
                        f'{file} : estimation n° {i} : la clé "by" désigne une colonne absente : '
                        f'"{name}"'
                    )
    try:
        return estimate_many(design, requests, data, progress=progress)
    except DesignFileError:
        raise
    except StatsError as exc:
        raise DesignFileError(f"{file} : {exc}") from exc
