"""What every export shares: the exporter's shape, the error, and small value helpers.

A required field of a standard that the entry leaves empty is exported as "Non renseigné"
rather than invented.
"""

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.functional import Promise

# Each standard's specification file, read by its module so that the exports are checked
# against the specification itself, not against our reading of it.
STANDARDS = Path(__file__).resolve().parent.parent / "standards"
MISSING = "Non renseigné"
LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ExportError(Exception):
    """An export that does not conform to its standard; the message names entry and field."""


@dataclass(frozen=True)
class Exporter:
    """One export format: what the command, the pages and the API need to serve it."""

    code: str
    label: str | Promise  # French, for the download links of the pages
    media_type: str
    extension: str
    record: Callable[[Any], dict]  # one entry in this format
    write: Callable[[Sequence[Any]], str]  # the file of a list of entries, validated
    hreflang: str = ""  # the language of the standard's vocabulary, for the links


def url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def or_missing(text: Any) -> str:
    return str(text).strip() if text not in (None, "") and str(text).strip() else MISSING


def date(value) -> str:
    return value.isoformat() if value else ""


def first_published(entry):
    """When the entry was first published (uses prefetched versions when there are some)."""
    dates = [v.published_at for v in entry.versions.all()]
    return min(dates) if dates else entry.published_at


def dumps(data: Any) -> str:
    """The JSON files of the exports: UTF-8 text, indented."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def check_each(entries, records: list, errors: Callable[[dict], list[str]], standard: str):
    """Raise on the first entry whose record breaks its standard, naming entry and fields."""
    for entry, record in zip(entries, records, strict=True):
        problems = errors(record)
        if problems:
            raise ExportError(f"{standard}, fiche {entry.pk} : " + "; ".join(problems))
