"""The design file's ``tables:``, ``models:`` and quantile estimates, and their CSV files.

``observatoire stats estimate DATA.csv --design DESIGN.yaml --out RESULTS.csv`` writes the
estimates to ``RESULTS.csv`` and, when the design file asks for them, beside it:

* ``RESULTS.quantiles.csv``: ``variable, domain, domain_level, probability, estimate, se,
  ci_low, ci_high, n`` (``kind: quantile`` estimates, R's ``svyquantile``);
* ``RESULTS.tables.csv``: one row per cell of each table (``table, layer, row, column, n,
  total`` and the share of the whole, by row and by column with SE and interval);
* ``RESULTS.models.csv``: one row per coefficient (``model, formula, family, coefficient,
  term, estimate, se, t, p_value, ci_low, ci_high, odds_ratio, or_low, or_high, df``);
* ``RESULTS.tests.csv``: the Rao–Scott tests of each table (``F`` and ``Chisq``) and the
  Wald test of each term of each model (``source, name, layer, test, statistic, ndf, ddf,
  p_value``).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .design import Design
from .errors import StatsError
from .models import fit_model, term_test
from .quantile import Quantiles, quantiles, replicate_quantiles
from .tables import CrossTable, crosstab, crosstabs, table_rows

if TYPE_CHECKING:
    from .replicate import Replicated

Rows = list[dict[str, Any]]
TEST_COLUMNS = ("source", "name", "layer", "test", "statistic", "ndf", "ddf", "p_value")
MODEL_COLUMNS = (
    "model", "formula", "family", "coefficient", "term", "estimate", "se", "t", "p_value",
    "ci_low", "ci_high", "odds_ratio", "or_low", "or_high", "df",
)  # fmt: skip


def check_columns(spec: Mapping[str, Any], data: Mapping[str, Any], file: str) -> None:
    """Every column a table or a model names is in the data (a French error otherwise)."""
    from .models import Formula

    named: list[tuple[str, str, str]] = []
    for i, table in enumerate(spec.get("tables") or [], start=1):
        named += [
            (f"tableau n° {i}", key, table[key])
            for key in ("rows", "columns", "layer")
            if table.get(key)
        ]
    for i, model in enumerate(spec.get("models") or [], start=1):
        named += [
            (f"modèle n° {i}", "formula", name)
            for name in Formula.parse(model["formula"]).variables
        ]
    for where, key, name in named:
        if name not in data:
            raise StatsError(
                f'{file} : {where} : la clé "{key}" désigne une colonne absente : "{name}"'
            )


def has_sections(spec: Mapping[str, Any]) -> bool:
    """True when the design file asks for tables, models or quantiles (files beside --out)."""
    quantile = any(r["kind"] == "quantile" for r in spec["estimates"])
    return bool(spec.get("tables") or spec.get("models") or quantile)


def write_sections(
    design: Design,
    spec: Mapping[str, Any],
    data: Mapping[str, NDArray[Any]],
    out: str | Path,
    file: str,
    *,
    replicated: Replicated | None = None,
) -> list[Path]:
    """Compute the quantiles, tables and models of the design file and write their CSV files
    beside ``out``; returns the files written (all computed before any is written).  With
    ``replicated`` their variances are the replicate weights'."""
    files: list[tuple[Path, Sequence[str], Rows]] = []
    tests: Rows = []
    try:
        requests = [r for r in spec["estimates"] if r["kind"] == "quantile"]
        if requests:
            rows = quantile_rows(run_quantiles(design, requests, data, replicated))
            files.append((sibling(out, "quantiles"), Quantiles.OUTPUT_COLUMNS, rows))
        if spec.get("tables"):
            cells, table_tests = run_tables(design, spec["tables"], data, replicated)
            files.append((sibling(out, "tables"), TABLE_COLUMNS, cells))
            tests += table_tests
        if spec.get("models"):
            coefficients, model_tests = run_models(design, spec["models"], data, replicated)
            files.append((sibling(out, "models"), MODEL_COLUMNS, coefficients))
            tests += model_tests
    except StatsError as exc:
        raise StatsError(f"{file} : {exc}") from exc
    if tests:
        files.append((sibling(out, "tests"), TEST_COLUMNS, tests))
    for path, columns, rows in files:
        write_rows(path, columns, rows)
    return [path for path, _c, _r in files]


def run_quantiles(
    design: Design,
    requests: Sequence[Mapping[str, Any]],
    data: Mapping[str, NDArray[Any]],
    replicated: Replicated | None = None,
) -> Quantiles:
    """Every ``kind: quantile`` request (``variable``, ``probs``, ``by``, ``na_rm``, ``level``,
    and ``interval_type`` with replicate weights)."""
    out = Quantiles()
    for req in requests:
        by: dict[str, Any] = {}
        for entry in req.get("by") or []:
            names = [entry] if isinstance(entry, str) else list(entry)
            by[":".join(names)] = _crossed(data, names)
        common: dict[str, Any] = {
            "by": by,
            "overall": bool(req.get("overall", True)),
            "level": float(req.get("level", 0.95)),
            "na_rm": bool(req.get("na_rm", False)),
        }
        variables = {req["variable"]: data[req["variable"]]}
        probs = req.get("probs") or (0.5,)
        interval = req.get("interval_type", "mean")
        if replicated is None:
            if interval != "mean":
                raise StatsError(
                    f"quantile de « {req['variable']} » : « interval_type: quantile » "
                    "(quantiles des répliques) demande des poids répliqués (« repweights » "
                    "ou « replicates ») ; sans eux, l'intervalle est celui de Woodruff (mean)."
                )
            part = quantiles(design, variables, probs, **common)
        else:
            part = replicate_quantiles(
                replicated, variables, probs, interval_type=interval, **common
            )
        for name in Quantiles.__dataclass_fields__:
            getattr(out, name).extend(getattr(part, name))
    return out


def _crossed(data: Mapping[str, NDArray[Any]], names: list[str]) -> NDArray[Any]:
    from .estimators import cross

    return data[names[0]] if len(names) == 1 else cross(*(data[n] for n in names))


def run_tables(
    design: Design,
    specs: Sequence[Mapping[str, Any]],
    data: Mapping[str, NDArray[Any]],
    replicated: Replicated | None = None,
) -> tuple[Rows, Rows]:
    """Cells and tests of every table (``rows``, ``columns``, optional ``layer``, ``level``)."""
    cells: Rows = []
    tests: Rows = []
    for spec in specs:
        name = f"{spec['rows']} x {spec['columns']}"
        level = float(spec.get("level", 0.95))
        tables: list[CrossTable]
        if spec.get("layer"):
            tables = crosstabs(
                design,
                data[spec["rows"]],
                data[spec["columns"]],
                data[spec["layer"]],
                names=(spec["rows"], spec["columns"], spec["layer"]),
                level=level,
                replicated=replicated,
            )
        else:
            tables = [
                crosstab(
                    design,
                    data[spec["rows"]],
                    data[spec["columns"]],
                    names=(spec["rows"], spec["columns"]),
                    level=level,
                    replicated=replicated,
                )
            ]
        for table in tables:
            cells.extend({"table": name, **row} for row in table_rows(table))
            for test in table.tests.values():
                tests.append(
                    {
                        "source": "table",
                        "name": name,
                        "layer": table.layer,
                        "test": test.method,
                        "statistic": test.statistic,
                        "ndf": test.ndf,
                        "ddf": test.ddf,
                        "p_value": test.p_value,
                    }
                )
    return cells, tests


def run_models(
    design: Design,
    specs: Sequence[Mapping[str, Any]],
    data: Mapping[str, NDArray[Any]],
    replicated: Replicated | None = None,
) -> tuple[Rows, Rows]:
    """Coefficients and term tests of every model (``formula``, ``family``, ``test``, ``level``)."""
    rows: Rows = []
    tests: Rows = []
    for i, spec in enumerate(specs, start=1):
        model = fit_model(
            design,
            spec["formula"],
            data,
            family=spec.get("family", "gaussian"),
            replicated=replicated,
        )
        for row in model.rows(float(spec.get("level", 0.95))):
            rows.append(
                {
                    "model": i,
                    "formula": model.formula,
                    "family": model.family,
                    "df": model.df_residual,
                    **row,
                }
            )
        terms = spec.get("test")
        groups = [terms] if terms else [[t] for t in dict.fromkeys(model.terms) if t]
        for group in groups:
            result = term_test(model, [group] if isinstance(group, str) else list(group))
            tests.append(
                {
                    "source": "model",
                    "name": f"{i}: {model.formula}",
                    "layer": "",
                    "test": "Wald " + " + ".join(result.terms),
                    "statistic": result.f,
                    "ndf": result.ndf,
                    "ddf": result.ddf,
                    "p_value": result.p_value,
                }
            )
    return rows, tests


def sibling(out: str | Path, part: str) -> Path:
    """``results.csv`` -> ``results.<part>.csv`` (the files written beside the estimates)."""
    path = Path(out)
    return path.with_name(f"{path.stem}.{part}{path.suffix or '.csv'}")


def write_rows(path: Path, columns: Sequence[str], rows: Rows) -> None:
    """Write rows as CSV, floats at full precision, NaN and missing values empty."""

    def text(value: Any) -> Any:
        if isinstance(value, float | np.floating):
            return "" if value != value else repr(float(value))
        return "" if value is None else value

    try:
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([text(row.get(c)) for c in columns])
    except OSError as exc:
        raise StatsError(f"{path.name} : écriture impossible ({exc.strerror}).") from exc


def quantile_rows(res: Quantiles) -> Rows:
    return [
        {name: getattr(res, name)[i] for name in Quantiles.OUTPUT_COLUMNS} for i in range(len(res))
    ]


TABLE_COLUMNS = (
    "table", "layer", "row", "column", "n", "total",
    *(f"{view}_{what}" for view in ("cell", "row", "column") for what in ("estimate", "se", "ci_low", "ci_high")),
)  # fmt: skip
