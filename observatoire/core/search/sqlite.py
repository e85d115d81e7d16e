"""The SQLite backend: an FTS5 virtual table per indexed model (tokenizer `unicode61
remove_diacritics 2`) whose columns hold the words already unaccented and stemmed in Python
(french.stems), the same way queries are; ranked by `bm25()`. A search runs its MATCH once
into a temporary table of hits (obj_id, rank, filter fields) that counts, facets and pages
then read alone. The filter fields are copied to a narrow table `<search table>_filters`
(FTS5 takes no new column), looked up once for each hit, as the hits are written."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db import connection as default_connection
from django.db import models
from django.db.models.expressions import RawSQL

from observatoire.core.search import tables
from observatoire.core.search.excerpts import Excerpt, stored_text
from observatoire.core.search.french import Clause, Query, stems
from observatoire.core.search.tables import (
    EXACT_BONUS,
    check_fields,
    field_weight,
    filter_copy,
    table_name,
    tier_fields,
)

NO_LIMIT = "-1"
KEPT_SEARCHES = 16  # match sets a SQLite connection keeps, one temporary table each


def fts5(clauses: list[Clause]) -> str:
    """An FTS5 MATCH expression over stemmed columns: each clause's alternatives OR-ed."""
    positive: list[str] = []
    negative: list[str] = []
    pending_or = False
    for op, alternatives in clauses:
        if op == "or":
            pending_or = bool(positive)
            continue
        terms = ['"' + " ".join(words) + '"' for _text, words in alternatives]
        term = terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"
        if op == "-":
            negative.append(term)
        elif pending_or:
            positive[-1] = f"({positive[-1]} OR {term})"
            pending_or = False
        else:
            positive.append(term)
    if not positive:
        return ""
    expression = " AND ".join(positive)
    for term in negative:
        expression = f"({expression}) NOT {term}"
    return expression


def create_index_sql(model_label: str, fields: list[str]) -> list[str]:
    """The statement that creates a model's search table (for a migration to freeze)."""
    columns = ", ".join([*check_fields(fields), "_text UNINDEXED"])
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {table_name(model_label)} USING fts5("
        f"{columns}, tokenize = 'unicode61 remove_diacritics 2')"
    ]


def filters_table(model_label: str) -> str:
    """Where the filter fields of a search table are kept."""
    return f"{table_name(model_label)}_filters"


@functools.lru_cache(maxsize=64)
def columns(model_label: str) -> tuple[str, ...]:
    """The declared fields of a model's FTS5 table (without `_text`)."""
    with default_connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table_name(model_label)} LIMIT 0")
        return tuple(column[0] for column in cursor.description[:-1])


@functools.lru_cache(maxsize=64)
def filter_columns(model_label: str) -> tuple[str, ...]:
    """The filter columns kept for a model's search, in order (none: no such table)."""
    with default_connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pragma_table_info(%s)", [filters_table(model_label)])
        return tuple(name for (name,) in cursor.fetchall() if name != "obj_id")


def _weights(model_label: str) -> str:
    """bm25 weights for the FTS5 columns: 10 for the first field, 4 the second, then 1."""
    count = len(columns(model_label))
    return ", ".join([*(f"{field_weight(i)}.0" for i in range(count)), "0.0"])


def index(connection: Any, model_label: str, pk: int, fields: dict[str, str], shown: str) -> None:
    table, names = table_name(model_label), list(fields)
    filters = filter_columns(model_label)
    copied, source, params = filter_copy(model_label, filters, pk)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE rowid = %s", [pk])
        marks = ", ".join(["%s"] * (len(names) + 2))
        cursor.execute(
            f"INSERT INTO {table} (rowid, {', '.join([*names, '_text'])}) VALUES ({marks})",
            [pk, *(" ".join(stems(fields[name])) for name in names), stored_text(shown)],
        )
        if filters:
            cursor.execute(
                f"INSERT OR REPLACE INTO {filters_table(model_label)} SELECT %s{copied}{source}",
                [pk, *params],
            )


def index_many(
    connection: Any, model_label: str, batch: dict[int, tuple[dict[str, str], str]]
) -> None:
    """index() for many objects (pk → fields, shown text): three statements."""
    table, filters = table_name(model_label), filter_columns(model_label)
    names = list(next(iter(batch.values()))[0])
    pks = list(batch)
    keys = ", ".join(["%s"] * len(pks))
    marks = ", ".join(["%s"] * (len(names) + 2))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE rowid IN ({keys})", pks)
        cursor.executemany(
            f"INSERT INTO {table} (rowid, {', '.join([*names, '_text'])}) VALUES ({marks})",
            [
                [pk, *(" ".join(stems(fields[name])) for name in names), stored_text(shown)]
                for pk, (fields, shown) in batch.items()
            ],
        )
        if filters:
            rows, key = tables.model_table(model_label)
            cursor.execute(
                f"INSERT OR REPLACE INTO {filters_table(model_label)} SELECT m.{key},"
                f" {', '.join(tables.as_text('m', filters))} FROM {rows} AS m"
                f" WHERE m.{key} IN ({keys})",
                pks,
            )


def remove(connection: Any, model_label: str, pk: int | None = None) -> None:
    """Take one object (`pk`), or every object, out of the index."""
    where, params = ("WHERE rowid = %s", [pk]) if pk is not None else ("", [])
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table_name(model_label)} {where}", params)
        if filter_columns(model_label):
            where = where.replace("rowid", "obj_id")
            cursor.execute(f"DELETE FROM {filters_table(model_label)} {where}", params)


def analyze(model: type[models.Model]) -> None:
    """SQLite never refreshes the planner's statistics on its own: the whole database,
    sampled (a fraction of a second)."""
    with default_connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit = 1000")
        cursor.execute("ANALYZE")


def stored_text_sql(table: str, base: str) -> str:
    """The stored text of the object whose id is `base` (excerpts are cut from it)."""
    return f"SELECT _text FROM {table} WHERE rowid = {base}"


class Search:
    """One query over one model's index: its hits, made once, then read by every count and
    page."""

    def __init__(self, model: type[models.Model], terms: Query):
        self.model, self.terms = model, terms
        self.label = model._meta.label

    @functools.cached_property
    def _made(self) -> tuple[str, Callable[[str], tuple[str, list[Any]]] | None]:
        return _hits(default_connection, self.label, self.terms)

    @property
    def hits(self) -> str:
        return self._made[0]

    def _rank(self, alias: str) -> tuple[str, list[Any]]:
        """The rank of the hit `alias`: kept in the hits, or for a broad query, tested
        when read (see _hits)."""
        broad = self._made[1]
        return broad(alias) if broad else (f"{alias}.rank", [])

    def ranked(self, queryset: models.QuerySet) -> models.QuerySet:
        """The objects of `queryset` among the hits, best first, with rank and excerpt."""
        hits, model = self.hits, self.model
        base = f"{model._meta.db_table}.{model._meta.pk.column}"
        rank, params = self._rank(hits)
        return (
            queryset.extra(tables=[hits], where=[f"{hits}.obj_id = {base}"])
            .annotate(
                search_rank=RawSQL(rank, params, output_field=models.FloatField()),
                search_excerpt=RawSQL(
                    stored_text_sql(table_name(self.label), base),
                    [],
                    output_field=Excerpt(" ".join(self.terms.stems())),
                ),
            )
            .order_by("-search_rank", "pk")
        )

    def source(self) -> tuple[str, list[str], list[Any]]:
        """The hits as `m`: they hold their filter columns (no lookup per hit and read)."""
        return f"{self.hits} AS m", [], []

    def counted(self, count: int) -> None:
        """Nothing to learn: the hits were counted as they were written."""

    def rank(self) -> tuple[str, list[Any]]:
        """The rank of a row of source()."""
        return self._rank("m")

    def exact_rank(self) -> None:
        """None: the user's own words weigh in the rank itself (see postgres)."""
        return None


def _hits(
    connection: Any, model_label: str, terms: Query
) -> tuple[str, Callable[[str], tuple[str, list[Any]]] | None]:
    """Run the full-text query once; keep each hit's id and filter columns (one lookup per
    hit, here only: counts then read the hits alone) in a new temporary table; returns its
    name and, for a broad query, how to rank a hit.

    When it found BROAD matches at most, they are ranked at once by bm25 (plus EXACT_BONUS
    for the user's own words when synonyms were added) in a second pass. A broad query's
    hits are ranked when a page is read, by where its words are (the tier fields, and
    EXACT_BONUS), each test a set of ids FTS5 makes once for that statement: only the hits
    that meet the page's filters are tested, and no rank is written nor indexed (a third of
    the work of a search matching 9,000 of 50,000 cases). A connection keeps its last
    KEPT_SEARCHES tables; a queryset evaluated after that fails loudly (no such table).
    """
    table = table_name(model_label)
    match = fts5(terms.clauses)
    token = getattr(connection, "_search_token", 0) + 1
    connection._search_token = token  # on the database wrapper (the proxy forwards to it)
    hits = f"search_hits_{token}"
    exact, exact_params = "", []
    if terms.expanded:  # the user's own words rank above their synonyms
        exact = f" + {EXACT_BONUS} * ({table}.rowid IN ({_matching(table)}))"
        exact_params = [fts5(terms.parsed)]
    filters = filter_columns(model_label)
    source, copied = table, "".join(f", f.{c}" for c in filters)
    if filters:  # LEFT JOIN: the FTS5 table walked first, every hit kept
        source += f" LEFT JOIN {filters_table(model_label)} AS f ON f.obj_id = {table}.rowid"
    with connection.cursor() as cursor:
        if token > KEPT_SEARCHES:
            cursor.execute(f"DROP TABLE IF EXISTS temp.search_hits_{token - KEPT_SEARCHES}")
        cursor.execute(f"DROP TABLE IF EXISTS temp.{hits}")
        cursor.execute(
            f"CREATE TEMP TABLE {hits} (obj_id INTEGER PRIMARY KEY, rank REAL NOT NULL"
            f"{''.join(f', {c} TEXT' for c in filters)})"
        )
        cursor.execute(
            f"INSERT INTO {hits} SELECT {table}.rowid, 0{copied}"
            f" FROM {source} WHERE {table} MATCH %s",
            [match],
        )
        broad = cursor.rowcount > tables.BROAD
        if not broad:
            cursor.execute(f"DELETE FROM {hits}")
            cursor.execute(
                f"INSERT INTO {hits} SELECT {table}.rowid,"
                f" -bm25({table}, {_weights(model_label)}){exact}{copied}"
                f" FROM {source} WHERE {table} MATCH %s",
                [*exact_params, match],
            )
        # The planner learns how many hits there are (a fraction of a millisecond): knowing
        # them few, it looks their participants up in an index instead of reading all of it.
        cursor.execute(f"ANALYZE temp.{hits}")
    if not broad:
        return hits, None
    tiers = [
        (field_weight(position), f"{{{name}}} : ({match})")
        for position, name in enumerate(tier_fields(list(columns(model_label))))
    ]

    def rank(alias: str) -> tuple[str, list[Any]]:
        tested = [(weight, query) for weight, query in tiers]
        if exact:
            tested.append((EXACT_BONUS, exact_params[0]))
        sql = "".join(
            f" + {weight} * ({alias}.obj_id IN ({_matching(table)}))" for weight, _q in tested
        )
        return f"(0{sql})", [query for _weight, query in tested]

    return hits, rank


def _matching(table: str) -> str:
    """The ids of the objects matching an FTS5 expression (a parameter)."""
    return f"SELECT rowid FROM {table} WHERE {table} MATCH %s"
