"""French full-text search behind one small interface, on SQLite and on PostgreSQL.

    index("cas_usage.UseCase", case.pk, {"title": ..., "summary": ..., "body": ...})
    remove("cas_usage.UseCase", case.pk)
    search(UseCase.objects.all(), "cantines scolaires")
        → the matching rows, annotated with `search_rank` (higher is better) and
          `search_excerpt` (HTML-safe, matched words in <mark>), best first.

Each indexed model has a side table `search_<app>_<model>` made by its app's migration
(with SQL frozen there: see docs/search.md); the first field weighs most. The engine's
backend is chosen from the connection's vendor: `sqlite` (FTS5) or `postgres` (tsvector);
`french` turns texts and queries into words the same way for both, and widens queries with
a thesaurus; `excerpts` cuts the highlighted excerpts from the stored text.

A broad query (more than tables.BROAD matches) ranks by the head fields that hold it
instead of by relevance over every matching document. `Paged(results, query)` reads a page
of a search in two steps (ranked ids, then rows). Both engines accept the same query
syntax: words (all required), "a phrase", -excluded, and `or`. The index is maintained by
the owning app's services (see docs/search.md).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from types import ModuleType
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection as default_connection
from django.db import models, transaction
from django.db.models.expressions import RawSQL

from observatoire.core.search import postgres, sqlite, tables
from observatoire.core.search.excerpts import EXCERPT_WORDS, Excerpt, excerpt
from observatoire.core.search.french import Query, Thesaurus, stems
from observatoire.core.search.tables import table_name

__all__ = [
    "EXCERPT_WORDS",
    "Matches",
    "Paged",
    "Query",
    "Thesaurus",
    "analyze",
    "clear",
    "create_index_sql",
    "excerpt",
    "fts5_query",
    "index",
    "index_many",
    "query_stems",
    "rebuild",
    "reindex",
    "remove",
    "search",
    "stems",
    "table_name",
]

BACKENDS: dict[str, ModuleType] = {"sqlite": sqlite, "postgresql": postgres}


def backend(connection: Any = None) -> Any:
    """The module that runs searches on `connection`'s engine."""
    vendor = (connection or default_connection).vendor
    try:
        return BACKENDS[vendor]
    except KeyError:
        raise NotImplementedError(
            f"Recherche plein texte non prise en charge sur {vendor}"
        ) from None


def forget_layout(**kwargs: Any) -> None:
    """Forget the search tables' layout read so far (after migrations changed it)."""
    for cached in (sqlite.columns, sqlite.filter_columns, postgres.filter_columns, postgres.tiers):
        cached.cache_clear()


def create_index_sql(vendor: str, model_label: str, fields: Iterable[str]) -> list[str]:
    """The statements that create a model's search table on `vendor`: a migration freezes
    them (copies them as literal SQL), so that it keeps making the same table."""
    if vendor not in BACKENDS:
        raise NotImplementedError(f"Recherche plein texte non prise en charge sur {vendor}")
    return BACKENDS[vendor].create_index_sql(model_label, list(fields))


def query_stems(query: str | Query) -> list[str]:
    """The stems a query looks for (excluded words aside): those the excerpts highlight."""
    return (query if isinstance(query, Query) else Query(query)).stems()


def fts5_query(query: str | Query) -> str:
    """Translate a web-search query into an FTS5 MATCH expression over stemmed columns."""
    return sqlite.fts5((query if isinstance(query, Query) else Query(query)).clauses)


def index(model_label: str, pk: int, fields: dict[str, str], connection: Any = None) -> None:
    """(Re)index one object: `fields` maps each declared field to its text, most weighty first.

    The excerpt is cut from all fields but the first (the title, shown apart).
    """
    connection = connection or default_connection
    backend(connection).index(connection, model_label, pk, *_texts(fields))


def _texts(fields: dict[str, str]) -> tuple[dict[str, str], str]:
    """The declared fields' texts, and the text excerpts are cut from (all but the title)."""
    texts = {name: fields[name] or "" for name in tables.check_fields(fields)}
    return texts, "\n".join(t for t in list(texts.values())[1:] if t)


BATCH = 500  # objects written by one statement of index_many


def index_many(
    model_label: str, rows: Iterable[tuple[int, dict[str, str]]], connection: Any = None
) -> int:
    """(Re)index many objects, `rows` of (pk, fields) as index() takes them, BATCH per
    statement: a bulk import's way (one statement per object kept 50,000 cases indexing
    for over twenty minutes on PostgreSQL). Returns how many."""
    connection = connection or default_connection
    engine = backend(connection)
    count = 0
    batch: dict[int, tuple[dict[str, str], str]] = {}  # by pk: an object once a statement
    for pk, fields in rows:
        batch[pk] = _texts(fields)
        if len(batch) == BATCH:
            engine.index_many(connection, model_label, batch)
            count, batch = count + len(batch), {}
    if batch:
        engine.index_many(connection, model_label, batch)
        count += len(batch)
    return count


def remove(model_label: str, pk: int, connection: Any = None) -> None:
    """Take one object out of the index."""
    connection = connection or default_connection
    backend(connection).remove(connection, model_label, pk)


def clear(model_label: str, connection: Any = None) -> None:
    """Empty a model's index (before a full rebuild)."""
    connection = connection or default_connection
    backend(connection).remove(connection, model_label)


def analyze(model: type[models.Model]) -> None:
    """Refresh the query planner's statistics after a bulk change of `model` (an import, a
    full reindex): without them SQLite counts a search's facets by reading every row of the
    facet index instead of looking up the matches."""
    backend().analyze(model)


def _excerpt(model: type[models.Model], query: str | Query) -> RawSQL:
    """The `search_excerpt` annotation: the stored text, cut around the query's words once
    read (ts_headline took 0.2 ms a row on PostgreSQL; the stored word stems, 20 µs)."""
    base = f"{model._meta.db_table}.{model._meta.pk.column}"
    stored = backend().stored_text_sql(table_name(model._meta.label), base)
    return RawSQL(stored, [], output_field=Excerpt(" ".join(query_stems(query))))


def search(
    queryset: models.QuerySet, query: str, thesaurus: Thesaurus | None = None
) -> models.QuerySet:
    """The objects of `queryset` matching `query`, best first, with rank and excerpt.

    An empty query (or one made only of stop words or exclusions) matches nothing. A broad
    query (more than BROAD matches in the whole index) ranks by where its words are. With a
    `thesaurus`, the query's terms also match their synonyms, ranked below the objects
    that hold the query's own words.
    """
    terms = Query(query, thesaurus)
    if not terms:
        return queryset.none()
    return backend().Search(queryset.model, terms).ranked(queryset)


class Paged:
    """A ranked queryset read a page at a time, in two steps: the page's primary keys (with
    their rank) in order, by a narrow query that reads no long text and cuts no excerpt;
    then those rows by primary key, with the excerpt of `query`. In one step, the database
    reads every candidate's columns to keep twenty (30–45 ms instead of 10–17 on PostgreSQL
    for a broad search of 50,000 cases; 5–20 ms instead of 2–5 on SQLite). Django's
    Paginator and django-ninja's pagination take it like a queryset. `count`, when the
    caller knows it, saves counting again.
    """

    ordered = True

    def __init__(
        self, queryset: models.QuerySet, query: str | Query = "", count: int | None = None
    ):
        self.queryset = queryset
        self.query = query if "search_rank" in queryset.query.annotations else ""
        self.known_count = count
        self.model = queryset.model

    def ranks(self, index: slice) -> dict[Any, float]:
        """The primary keys of `index` (a slice of the ranking), best first, with their rank."""
        return dict(self.queryset.values_list("pk", "search_rank")[index])

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, int):
            return self[index : index + 1][0]
        if not self.query:
            keys = list(self.queryset.values_list("pk", flat=True)[index])
            rows = self.queryset.in_bulk(keys)
            return [rows[key] for key in keys]
        ranks = self.ranks(index)
        model = self.model
        found = model._default_manager.filter(pk__in=list(ranks))
        rows = found.annotate(search_excerpt=_excerpt(model, self.query)).in_bulk()
        for key, rank in ranks.items():
            if key in rows:  # else deleted since its rank was read
                rows[key].search_rank = rank
        return [rows[key] for key in ranks if key in rows]

    def __iter__(self):
        return iter(self[0 : self.count()])

    def __len__(self) -> int:
        return self.count()

    def count(self) -> int:
        if self.known_count is None:
            self.known_count = self.queryset.count()
        return self.known_count

    def all(self) -> Paged:
        return self

    def first(self) -> Any:
        return next(iter(self[:1]), None)


class Matches:
    """A search of `query` among the objects of `model` whose fields equal `filters`,
    counted by field values and read a page at a time, each under further conditions:
    `more` (field values) and `within` (a queryset of primary keys). An empty query
    matches every object (in `ordering`); one made only of stop words, none.

    When the fields are filter fields (copied beside the index: cas_usage 0007), counts and rankings read the
    matches and the copy of those fields kept beside the index, never the model's wide
    table: on PostgreSQL the search table alone (5 ms instead of 15–25 for a broad query),
    on SQLite its table of hits, made once, each hit looked up in the narrow copy (10 ms
    instead of 21 for 8,000 hits). Otherwise (the register) the matches' ids and ranks are
    read once, and counts and pages go through the model's table by those ids: the text
    search runs once however many counts a page makes. `more` may then follow relations
    (`authority__region`).
    """

    def __init__(
        self,
        model: type[models.Model],
        query: str,
        filters: dict[str, Any],
        ordering: Iterable[str] = ("pk",),
        thesaurus: Thesaurus | None = None,
    ):
        self.model, self.filters = model, filters
        self.query, self.terms = query, Query(query, thesaurus)
        self.ordering = tuple(ordering)
        self.backend = backend()
        self.engine = self.backend.Search(model, self.terms)

    @functools.cached_property
    def queryset(self) -> models.QuerySet:
        """The matches as a ranked queryset (as search() gives them); without a query, every
        object in `ordering`."""
        objects = self.model._default_manager.filter(**self.filters)
        if not self.query.strip():
            return objects.order_by(*self.ordering)
        if not self.terms:
            return objects.none()
        return self.engine.ranked(objects)

    @functools.cached_property
    def keys(self) -> dict[Any, float]:
        """Every match's primary key and rank, best first, read once (see the class)."""
        return dict(self.queryset.values_list("pk", "search_rank"))

    def _narrowed(self, more: dict[str, Any], within: models.QuerySet | None) -> models.QuerySet:
        if self.query.strip() and self.terms:  # the matches read once, not searched again
            queryset = self.model._default_manager.filter(pk__in=list(self.keys), **more)
        else:
            queryset = self.queryset.filter(**more)
        return queryset if within is None else queryset.filter(pk__in=within)

    def _column(self, name: str) -> str:
        if "__" in name:
            return ""  # through a relation: never a filter column
        field = self.model._meta.get_field(name)
        return getattr(field, "column", None) or ""  # "": a relation, never a filter column

    def _source(
        self,
        fields: Iterable[str],
        more: dict[str, Any],
        within: models.QuerySet | None,
    ) -> tuple[str, str, list[Any]] | None:
        """FROM and WHERE clauses (and their parameters) that read the matches meeting
        `more` and `within`, as `m` with the columns of `fields`; None when the query is
        empty or a field is not a filter field."""
        if not self.terms:
            return None
        wanted = {self._column(name): value for name, value in (self.filters | more).items()}
        needed = {*wanted, *map(self._column, fields)}
        if not needed <= set(self.backend.filter_columns(self.model._meta.label)):
            return None
        source, where, params = self.engine.source()
        where, params = list(where), list(params)
        for column, value in wanted.items():
            where.append(f"m.{column} = %s")
            params.append(str(value))
        if within is not None:
            inner, inner_params = within.query.sql_with_params()
            where.append(f"m.obj_id IN ({inner})")
            params += inner_params
        return source, " AND ".join(where) or "1 = 1", params

    def objects(self, more: dict[str, Any] | None = None) -> models.QuerySet:
        """The matches that also meet `more`, unranked: to count them through a relation."""
        more = more or {}
        found = self._source([], more, None)
        if found is None:
            return self._narrowed(more, None)
        source, where, params = found
        ids = RawSQL(f"SELECT m.obj_id FROM {source} WHERE {where}", params)
        return self.model._default_manager.filter(pk__in=ids)

    def count_by(
        self,
        fields: list[str],
        more: dict[str, Any] | None = None,
        within: models.QuerySet | None = None,
    ) -> list[tuple]:
        """How many matches have each combination of values of `fields`: rows of the
        values then the count."""
        more = more or {}
        found = self._source(fields, more, within)
        if found is None:
            if self.queryset.query.is_empty():
                return []
            queryset = self._narrowed(more, within).order_by().values_list(*fields)
            try:
                sql, params = queryset.annotate(n=models.Count("pk")).query.sql_with_params()
            except EmptyResultSet:  # narrowed to no id at all (`pk__in=[]`)
                return []
        if found is not None:
            source, where, params = found
            columns = ", ".join(f"m.{self._column(f)}" for f in fields)
            sql = f"SELECT {columns}, count(*) FROM {source} WHERE {where} GROUP BY {columns}"
        with default_connection.cursor() as cursor:  # raw rows: no conversion per row
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if found is not None and not more and within is None:  # all the matches
            self.engine.counted(sum(row[-1] for row in rows))
        return rows

    def ranked(
        self,
        more: dict[str, Any] | None = None,
        within: models.QuerySet | None = None,
        count: int | None = None,
    ) -> Paged:
        """The matches that also meet `more` and `within`, best first, a page at a time."""
        more = more or {}
        found = self._source([], more, within)
        if found is not None:
            return _SourcePaged(self, found, count)
        if self.query.strip() and self.terms:
            return _KeysPaged(self, self._narrowed(more, within) if more or within else None)
        return Paged(self._narrowed(more, within), self.terms, count)


class _KeysPaged(Paged):
    """Paged over the keys a Matches read once, those of `narrowed` alone when given."""

    def __init__(self, matches: Matches, narrowed: models.QuerySet | None):
        keys = matches.keys
        if narrowed is not None:
            kept = set(narrowed.values_list("pk", flat=True))
            keys = {pk: rank for pk, rank in keys.items() if pk in kept}
        self.keys, self.model, self.query = list(keys.items()), matches.model, matches.terms
        self.known_count = len(self.keys)

    def ranks(self, index: slice) -> dict[Any, float]:
        return dict(self.keys[index])


class _SourcePaged(Paged):
    """Paged whose ranked keys (and count) are read from a Matches source."""

    def __init__(self, matches: Matches, found: tuple[str, str, list[Any]], count: int | None):
        self.matches, self.found, self.model = matches, found, matches.model
        self.query, self.known_count = matches.terms, count

    def count(self) -> int:
        if self.known_count is None:
            source, where, params = self.found
            with default_connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM {source} WHERE {where}", params)
                self.known_count = int(cursor.fetchone()[0])
        return self.known_count

    def ranks(self, index: slice) -> dict[Any, float]:
        """The page's keys. When the user's own words rank first (a widened query) and
        enough matches hold them to fill the page, the page is among those alone: the
        backend may rank them only (`exact_rank`), not every match of the synonyms."""
        matches, (_source, where, params) = self.matches, self.found
        start = index.start or 0
        if index.stop is not None:
            limit = str(max(0, index.stop - start))
        else:
            limit = matches.backend.NO_LIMIT
        exact = matches.engine.exact_rank() if index.stop is not None else None
        if exact is not None and self.known_count is not None and self.known_count < index.stop:
            exact = None  # fewer matches than the page ends at: it cannot be filled by them
        if exact is not None:
            rank, rank_params, condition, condition_params = exact
            found = self._read(
                rank,
                rank_params,
                f"{where} AND {condition}",
                [*params, *condition_params],
                limit,
                start,
            )
            if len(found) == int(limit):
                return found
        rank, rank_params = matches.engine.rank()
        return self._read(rank, rank_params, where, params, limit, start)

    def _read(
        self, rank: str, rank_params: list, where: str, params: list, limit: str, start: int
    ) -> dict[Any, float]:
        with default_connection.cursor() as cursor:
            cursor.execute(
                f"SELECT m.obj_id, {rank} FROM {self.found[0]} WHERE {where}"
                f" ORDER BY 2 DESC, 1 LIMIT {limit} OFFSET {int(start)}",
                [*rank_params, *params],
            )
            return dict(cursor.fetchall())


def rebuild(model_label: str, rows: Iterable[tuple[int, dict[str, str]]]) -> int:
    """Replace a model's whole index with `rows` of (pk, fields); returns how many."""
    clear(model_label)
    return index_many(model_label, rows)


def reindex(
    objects: models.QuerySet,
    fields: Callable[[Any], dict[str, str]],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Rebuild the whole index of `objects`' model from `fields(object)`, in one transaction,
    then refresh the planner's statistics; returns how many objects were indexed."""

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for obj in objects.iterator(chunk_size=500):
            yield obj.pk, fields(obj)
            if progress:
                progress(1)

    with transaction.atomic():
        count = rebuild(objects.model._meta.label, rows())
    analyze(objects.model)
    return count
