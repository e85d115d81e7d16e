"""The design file (YAML) read by ``observatoire stats estimate``.

It uses R's ``svydesign`` argument names; every key is optional except ``estimates``::

    ids: dnum              # PSU column (omit, or "1", for an element sample);
                           # [dnum, snum] for two stages (then fpc: [fpc1, fpc2])
    strata: stype          # stratum column
    weights: pw            # sampling weights column (or probs: column of probabilities)
    fpc: fpc               # population size (or sampling fraction) column
    repweights: {columns: "rw_*", type: bootstrap}   # or replicates: {type: JKn}
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

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray

from .design import Design
from .errors import StatsError
from .estimators import Estimates, estimate_many
from .replicate import Replicated, replicate_many, replicated_design
from .schema import MAX_BYTES, Located, SchemaError, validate
from .weighting import calibrate, post_stratify, rake


class DesignFileError(StatsError):
    """An error in the design file; the message starts with the file name (and line)."""


class _Loader(yaml.SafeLoader):
    """YAML's safe loader, keeping each key's line and refusing duplicated keys."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> Located:
    out = Located()
    out.line = node.start_mark.line + 1
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in out.lines:
            raise SchemaError(
                f"la clé « {key} » apparaît deux fois (lignes {out.lines[key]} et {line}).", line
            )
        out.lines[key] = line
        out[key] = loader.construct_object(value_node, deep=True)
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _decode(raw: bytes, name: str) -> str:
    """The file's text; anything but UTF-8 is refused with the line of the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DesignFileError(
            f"{name}, ligne {line} : le fichier n'est pas encodé en UTF-8 (octet "
            f"0x{raw[exc.start]:02x}) ; enregistrez-le en UTF-8 (par exemple « Enregistrer "
            "sous… », codage UTF-8)."
        ) from None


def read_design_file(path: str | Path) -> dict[str, Any]:
    """Read the YAML design file and check it against :mod:`.schema` (columns are checked
    later, against the data); returns it normalised."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise DesignFileError(
                f"{p.name} : fichier trop gros pour un plan de sondage ({size} octets ; "
                f"au plus {MAX_BYTES})."
            )
        text = _decode(p.read_bytes(), p.name)
    except OSError as exc:
        raise DesignFileError(f"{p.name} : fichier illisible ({exc.strerror}).") from exc
    try:
        return validate(yaml.load(text, Loader=_Loader))  # a SafeLoader subclass
    except SchemaError as exc:
        where = f", ligne {exc.line}" if exc.line is not None else ""
        raise DesignFileError(f"{p.name}{where} : {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (ligne {mark.line + 1})" if mark is not None else ""
        raise DesignFileError(f"{p.name} : YAML invalide{where}.") from None


def _column(data: Mapping[str, NDArray[Any]], file: str, key: str, name: Any) -> NDArray[Any]:
    if not isinstance(name, str) or name not in data:
        raise DesignFileError(f'{file} : la clé "{key}" désigne une colonne absente : "{name}"')
    return data[name]


def build_design(spec: Mapping[str, Any], data: Mapping[str, NDArray[Any]], file: str) -> Design:
    """The design (with its calibration steps) described by the checked ``spec`` on ``data``."""

    def col(key: str) -> Any:
        value = spec.get(key)
        if isinstance(value, list):  # one column per sampling stage
            return [_column(data, file, key, name) for name in value]
        return None if value is None else _column(data, file, key, value)

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
        for kind, args in spec.get("calibration") or []:
            design = STEP_BUILDERS[kind](design, args, data, file)
    except DesignFileError:
        raise
    except StatsError as exc:
        raise DesignFileError(f"{file} : {exc}") from exc
    return design


Data = Mapping[str, NDArray[Any]]


def _post_stratify(design: Design, args: Mapping[str, Any], data: Data, file: str) -> Design:
    var = args["variable"]
    return post_stratify(
        design, _column(data, file, "postStratify.variable", var), args["population"], name=var
    )


def _rake(design: Design, args: Mapping[str, Any], data: Data, file: str) -> Design:
    return rake(
        design,
        {
            name: (_column(data, file, "rake.margins", name), pop)
            for name, pop in args["margins"].items()
        },
        **{k: args[k] for k in ("tol", "max_iter") if k in args},
    )


def _calibrate(design: Design, args: Mapping[str, Any], data: Data, file: str) -> Design:
    return calibrate(
        design,
        margins={
            name: (_column(data, file, "calibrate.margins", name), pop)
            for name, pop in args.get("margins", {}).items()
        },
        totals={
            name: (_column(data, file, "calibrate.totals", name), total)
            for name, total in args.get("totals", {}).items()
        },
        **{k: args[k] for k in ("population", "calfun", "bounds", "tol", "max_iter") if k in args},
    )


#: How each calibration step of :data:`.schema.STEPS` is applied.
STEP_BUILDERS: dict[str, Callable[[Design, Mapping[str, Any], Data, str], Design]] = {
    "postStratify": _post_stratify,
    "rake": _rake,
    "calibrate": _calibrate,
}


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
    return run_estimates(load_design_file(data_path, design_path), progress)


@dataclass
class Loaded:
    """A checked design file, its data and its design (calibrated)."""

    spec: dict[str, Any]
    data: dict[str, NDArray[Any]]
    design: Design
    file: str
    replicates: Replicated | None = None


def load_design_file(data_path: str | Path, design_path: str | Path) -> Loaded:
    """Read and check the design file and the data (every column it names), build the design."""
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
    from .sections import check_columns

    check_columns(spec, data, file)
    replicated = replicated_design(spec, data, design, file)
    return Loaded(spec, data, design, file, replicated)


def run_estimates(loaded: Loaded, progress: Any = None) -> Estimates:
    """The estimates of a loaded design file (quantiles apart: see :mod:`.sections`)."""
    requests = [r for r in loaded.spec["estimates"] if r["kind"] != "quantile"]
    try:
        if loaded.replicates is not None:
            return replicate_many(loaded.replicates, requests, loaded.data, progress=progress)
        return estimate_many(loaded.design, requests, loaded.data, progress=progress)
    except DesignFileError:
        raise
    except StatsError as exc:
        raise DesignFileError(f"{loaded.file} : {exc}") from exc
