"""Every CSV the site writes goes through here, so that no cell runs as a formula.

A text beginning with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel and
LibreOffice as a formula (OWASP "CSV injection"): a référent's text could then run in the
spreadsheet of whoever opens the open data. Such a cell gets a leading apostrophe, which
the spreadsheet shows as text; numbers written as text (`-3.5`, `+12`) stay as they are.
"""

import csv
import re
from collections.abc import Iterable, Mapping
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def neutralize(value: Any) -> Any:
    """`=HYPERLINK(…)` → `'=HYPERLINK(…)`; anything else unchanged."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


class Writer:
    """csv.writer with every cell neutralized."""

    def __init__(self, stream: Any, **options: Any):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralize(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class DictWriter(csv.DictWriter):
    """csv.DictWriter with every cell neutralized."""

    def writerow(self, rowdict: Mapping[Any, Any]) -> Any:
        return super().writerow({key: neutralize(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[Any, Any]]) -> None:
        for rowdict in rowdicts:
            self.writerow(rowdict)


def neutralize_frame(frame: Any) -> Any:
    """A polars frame's text columns neutralized, before `write_csv`."""
    import polars as pl

    return frame.with_columns(
        pl.col(pl.Utf8).map_elements(neutralize, return_dtype=pl.Utf8, skip_nulls=True)
    )
