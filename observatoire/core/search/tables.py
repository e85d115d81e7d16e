"""What both backends agree on: the name of a model's search table, its fields and their
weights, when a query is broad, and how filter fields are copied beside the index."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.apps import apps

WEIGHTS = (10, 4, 1)  # of the first, second, then every other field (bm25; tiers of broad queries)

# A query matching more objects than this is "broad". Ranking every match by its whole text
# reads every matching document (bm25, ts_rank_cd: 40 ms for 12,000 matches on PostgreSQL),
# so broad queries rank by where the words are, read from indexes alone: in the title (10),
# the summary (4), both (14), or only further down (0); ties by primary key. Narrower
# queries rank every match by relevance over its whole text (a few milliseconds at most).
BROAD = 1000
# Added to the rank of the objects that hold the user's own words when synonyms were added:
# above any relevance score or tier, so they come first.
EXACT_BONUS = 1000


def table_name(model_label: str) -> str:
    app_label, model_name = model_label.lower().split(".")
    return f"search_{app_label}_{model_name}"


def check_fields(fields: Iterable[str]) -> list[str]:
    names = list(fields)
    for name in names:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or name in {"rank", "rowid", "content"}:
            raise ValueError(f"Nom de champ de recherche invalide : {name!r}")
    return names


def field_weight(position: int) -> int:
    return WEIGHTS[min(position, len(WEIGHTS) - 1)]


def tier_fields(fields: list[str]) -> list[str]:
    """The fields that rank broad queries: all but the last one (the body), three at most
    (PostgreSQL tells fields apart by weight: A, B, C; the rest share D)."""
    return fields[:-1][:3]


def as_text(row: str, columns: Iterable[str]) -> list[str]:
    """The filter columns of `row` as they are kept: text, '' for NULL."""
    return [f"COALESCE(CAST({row}.{c} AS TEXT), '')" for c in columns]


def filter_copy(model_label: str, columns: Iterable[str], pk: int) -> tuple[str, str, list[int]]:
    """`, <values>` and ` FROM <row>` that read an object's filter fields from its row
    (nothing when the model has none), and the parameters of the latter."""
    columns = list(columns)
    if not columns:
        return "", "", []
    meta = apps.get_model(model_label)._meta
    copied = "".join(f", {value}" for value in as_text("m", columns))
    return copied, f" FROM {meta.db_table} AS m WHERE m.{meta.pk.column} = %s", [pk]


def model_table(model_label: str) -> tuple[str, str]:
    """The table of a model's rows and its primary key's column (filter fields are copied
    from there)."""
    meta = apps.get_model(model_label)._meta
    return meta.db_table, meta.pk.column
