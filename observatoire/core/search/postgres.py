"""The PostgreSQL backend: a table per indexed model with a `tsvector` column under a GIN
index, built with the `observatoire_fr` text search configuration (French Snowball stemmer
after the `unaccent` dictionary: the same pipeline as french.stems), and one GIN index per
head field (title, summary); queries go through `websearch_to_tsquery`, ranked by
`ts_rank_cd`. The filter fields are columns of the search table itself, whose rows a
search reads anyway."""

from __future__ import annotations

import functools
import operator
import re
from typing import Any

from django.db import connection as default_connection
from django.db import models
from django.db.models.expressions import RawSQL

from observatoire.core.search import tables
from observatoire.core.search.excerpts import Excerpt, stored_text
from observatoire.core.search.french import Query
from observatoire.core.search.tables import EXACT_BONUS, field_weight, table_name

CONFIG = "observatoire_fr"
NO_LIMIT = "ALL"
# The tsquery as the WHERE clause matches it: a constant (tsquery_text) read through a
# scalar subquery, which PostgreSQL computes once but cannot see when it plans, so it prices
# a scan that evaluates `@@` row by row (reading each document from TOAST) at what it really
# costs, and keeps to the GIN index even for broad queries. The rank uses the constant.
MATCH_TSQUERY = "(SELECT %s::tsquery)"


def weight_letter(position: int) -> str:
    """PostgreSQL weight of the field at `position`: A for the first, then B, C, and D."""
    return "ABCD"[min(position, 3)]


def field_vector(position: int, alias: str = "") -> str:
    """The words of one field, from the document (indexed expression; see create_index_sql)."""
    column = f"{alias}.document" if alias else "document"
    return f"ts_filter({column}, '{{{weight_letter(position).lower()}}}')"


def create_index_sql(model_label: str, fields: list[str]) -> list[str]:
    """The statements that create a model's search table (for a migration to freeze).

    The stored text goes to TOAST (toast_tuple_target): the table's pages hold the rows'
    documents (compressed) and filter columns, not the texts. The document stays in the row
    (STORAGE MAIN): checking a phrase (a widened query is an OR of phrases) reads each
    candidate's document, and fetching it from TOAST cost twice the check (server CPU p95 of
    the search benchmark at 50,000 cases: 68 ms out of line, 48 ms in the row). One GIN index per
    tier field, on that field's words, finds the objects that have a broad query in their
    title or summary without reading any document."""
    table, names = table_name(model_label), tables.check_fields(fields)
    return [
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        f"""DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{CONFIG}') THEN
                CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.french);
                ALTER TEXT SEARCH CONFIGURATION {CONFIG}
                  ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
              END IF;
            END $$""",
        f"CREATE TABLE IF NOT EXISTS {table} (obj_id bigint PRIMARY KEY,"
        " document tsvector NOT NULL, text text NOT NULL DEFAULT '')"
        " WITH (toast_tuple_target = 128)",
        f"ALTER TABLE {table} ALTER COLUMN document SET STORAGE MAIN",
        f"CREATE INDEX IF NOT EXISTS {table}_document ON {table} USING gin (document)",
        *(
            f"CREATE INDEX IF NOT EXISTS {table}_{name} ON {table}"
            f" USING gin ({field_vector(position)})"
            for position, name in enumerate(tables.tier_fields(names))
        ),
    ]


def filters_table(model_label: str) -> str:
    """Where the filter fields of a search table are kept: the search table itself."""
    return table_name(model_label)


@functools.lru_cache(maxsize=64)
def filter_columns(model_label: str) -> tuple[str, ...]:
    """The filter columns kept for a model's search, in order."""
    with default_connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = %s"
            " ORDER BY ordinal_position",
            [table_name(model_label)],
        )
        names = [name for (name,) in cursor.fetchall()]
    return tuple(n for n in names if n not in ("obj_id", "document", "text"))


def index(connection: Any, model_label: str, pk: int, fields: dict[str, str], shown: str) -> None:
    """One statement: no second version of the row to vacuum."""
    table = table_name(model_label)
    filters = filter_columns(model_label)
    copied, source, params = tables.filter_copy(model_label, filters, pk)
    vector = " || ".join(
        f"setweight(to_tsvector('{CONFIG}', %s), '{weight_letter(i)}')" for i in range(len(fields))
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (obj_id, document, text{''.join(f', {c}' for c in filters)})"
            f" SELECT %s, {vector}, %s{copied}{source} ON CONFLICT (obj_id) DO UPDATE"
            " SET document = EXCLUDED.document, text = EXCLUDED.text"
            + "".join(f", {c} = EXCLUDED.{c}" for c in filters),
            [pk, *fields.values(), stored_text(shown), *params],
        )


def index_many(
    connection: Any, model_label: str, batch: dict[int, tuple[dict[str, str], str]]
) -> None:
    """index() for many objects (pk → fields, shown text): one statement, the texts passed
    as arrays, their filter fields read by a join."""
    table, filters = table_name(model_label), filter_columns(model_label)
    names = list(next(iter(batch.values()))[0])
    vector = " || ".join(
        f"setweight(to_tsvector('{CONFIG}', v.f{i}), '{weight_letter(i)}')"
        for i in range(len(names))
    )
    arrays = ", ".join(["%s::bigint[]", *["%s::text[]"] * (len(names) + 1)])
    aliases = ", ".join(["id", *(f"f{i}" for i in range(len(names))), "shown"])
    copied, join = "", ""
    if filters:
        rows, key = tables.model_table(model_label)
        copied = "".join(f", {value}" for value in tables.as_text("m", filters))
        join = f" JOIN {rows} AS m ON m.{key} = v.id"
    params = [
        list(batch),
        *([fields[name] for fields, _shown in batch.values()] for name in names),
        [stored_text(shown) for _fields, shown in batch.values()],
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (obj_id, document, text{''.join(f', {c}' for c in filters)})"
            f" SELECT v.id, {vector}, v.shown{copied} FROM unnest({arrays}) AS v({aliases})"
            f"{join} ON CONFLICT (obj_id) DO UPDATE"
            " SET document = EXCLUDED.document, text = EXCLUDED.text"
            + "".join(f", {c} = EXCLUDED.{c}" for c in filters),
            params,
        )


def remove(connection: Any, model_label: str, pk: int | None = None) -> None:
    """Take one object (`pk`), or every object, out of the index."""
    where, params = ("WHERE obj_id = %s", [pk]) if pk is not None else ("", [])
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table_name(model_label)} {where}", params)


def analyze(model: type[models.Model]) -> None:
    """Autovacuum does it on its own, later: the model's table and its search table."""
    tables = [model._meta.db_table, table_name(model._meta.label)]
    with default_connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(map(default_connection.ops.quote_name, tables)))


def stored_text_sql(table: str, base: str) -> str:
    """The stored text of the object whose id is `base` (excerpts are cut from it)."""
    return f"SELECT s.text FROM {table} AS s WHERE s.obj_id = {base}"


def tsquery_text(terms: Query, exact: bool = False, ranking: bool = False) -> str:
    """The tsquery as text, computed by PostgreSQL once for this query (widened, one
    websearch_to_tsquery per alternative; `exact`: the user's words alone; `ranking`: with
    every alternative, which ts_rank_cd weighs): the statements of a search take it as a
    constant instead of computing it again for every row."""
    exact = exact or not terms.expanded
    key = ("tsquery", exact, ranking and not exact)
    if key not in terms.cache:
        expression, params = _tsquery_sql(terms, exact, ranking)
        with default_connection.cursor() as cursor:
            cursor.execute(f"SELECT ({expression})::text", params)
            terms.cache[key] = cursor.fetchone()[0]
    return terms.cache[key]


def _tsquery_sql(terms: Query, exact: bool, ranking: bool = False) -> tuple[str, list[str]]:
    """The SQL that makes the tsquery of the user's words (`exact`) or of the clauses."""
    config = f"'{CONFIG}'"
    if exact:
        return f"websearch_to_tsquery({config}, %s)", [terms.text]
    parts: list[str] = []
    params: list[str] = []
    pending_or = False
    for op, alternatives in terms.widened if ranking else terms.clauses:
        if op == "or":
            pending_or = bool(parts)
            continue
        pieces = [f"websearch_to_tsquery({config}, %s)"] * len(alternatives)
        params += ['"' + text.replace('"', " ") + '"' for text, _words in alternatives]
        term = "(" + " || ".join(pieces) + ")"
        if op == "-":
            parts.append(f"!! {term}")
        elif pending_or:
            parts[-1] = f"({parts[-1]} || {term})"
            pending_or = False
        else:
            parts.append(term)
    return "(" + " && ".join(parts) + ")", params


def words_only(tsquery: str) -> str:
    """`tsquery` with its phrases taken as plain AND: the GIN index answers it alone,
    without reading each candidate's document to check the words' positions (10 µs a
    candidate). For what only ranks or estimates: whether a query is broad, and the tiers
    that rank a broad query (words of a phrase apart in a title still rank it there)."""
    return re.sub(r"<(-|[0-9]+)>", "&", tsquery)


def in_field(tsquery: str, position: int) -> str:
    """`tsquery` (as text) matched in the field at `position` only: each of its words
    restricted to that field's weight (`'eau':A`, `'eau':*A`), as ts_filter would."""
    letter = weight_letter(position)
    return re.sub(
        r"('(?:[^']|'')*')(:\*)?", lambda m: f"{m[1]}:{'*' if m[2] else ''}{letter}", tsquery
    )


def _is_broad(table: str, terms: Query) -> bool:
    """Whether `terms` match more than tables.BROAD objects, counting those that hold its words
    (phrases taken as plain AND: the GIN index then answers alone, without reading each
    candidate's document to check word positions) and stopping at BROAD + 1."""
    key = ("broad", table)
    if key not in terms.cache:
        words = words_only(tsquery_text(terms))
        with default_connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE document @@ {MATCH_TSQUERY}"
                f" LIMIT {tables.BROAD + 1}) AS matches",
                [words],
            )
            terms.cache[key] = int(cursor.fetchone()[0]) > tables.BROAD
    return terms.cache[key]


@functools.lru_cache(maxsize=64)
def tiers(table: str) -> tuple[int, ...]:
    """Positions of the fields that have their own index (see create_index_sql): only those
    rank broad queries, so that no tier is ever tested by reading documents."""
    with default_connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()"
            " AND tablename = %s",
            [table],
        )
        letters = {m for (d,) in cursor.fetchall() for m in re.findall(r"'\{(\w)\}'", d)}
    return tuple(i for i in range(3) if weight_letter(i).lower() in letters)


def _has(table: str, base: str, vector: str, tsquery: str, weight: int | str) -> str:
    """`weight` when the object `base` has the words of `tsquery` in `vector` (a field's or
    its whole document), else 0: a hashed set of ids read from a GIN index, once a query."""
    return (
        f"CASE WHEN {base} IN (SELECT f.obj_id FROM {table} AS f WHERE {vector} @@ {tsquery})"
        f" THEN {weight} ELSE 0 END"
    )


def _rank(
    table: str, terms: Query, base: str, document: str = "", exact_known: bool = False
) -> tuple[str, list[str]]:
    """The rank of the object whose id is `base`: by the tier fields that hold a broad
    query, else by ts_rank_cd over its document (`document` when the row is at hand); plus
    EXACT_BONUS for the objects that hold the user's own words when synonyms were added
    (`exact_known`: the object is known to hold them)."""
    if _is_broad(table, terms):
        indexed = tiers(table)
        params = [words_only(tsquery_text(terms))] * len(indexed)
        if document:  # the row at hand holds its document: each field tested there, on the
            # rows a page's filters keep (10 ms instead of 18 for 2,300 of 7,800 matches), by
            # the query restricted to its weight (no copy of the field's words: 4 ms less)
            params = [in_field(params[0], p) for p in indexed]
            ranks = [
                f"CASE WHEN {document} @@ %s::tsquery THEN {field_weight(p)} ELSE 0 END"
                for p in indexed
            ]
        else:  # a hashed set of ids read from each field's GIN index
            ranks = [
                _has(table, base, field_vector(p, "f"), MATCH_TSQUERY, field_weight(p))
                for p in indexed
            ]
        rank = " + ".join(ranks) or "0"
    else:
        params = [tsquery_text(terms, ranking=True)]
        if document:
            rank = f"ts_rank_cd({document}, %s::tsquery, 1)"
        else:
            found = f"SELECT ts_rank_cd(s.document, %s::tsquery, 1) FROM {table} AS s"
            rank = f"({found} WHERE s.obj_id = {base})"
    if terms.expanded and exact_known:
        rank = f"{rank} + {EXACT_BONUS}"
    elif terms.expanded and document:  # tested on the row at hand (words only: no positions)
        rank = f"{rank} + CASE WHEN {document} @@ %s::tsquery THEN {EXACT_BONUS} ELSE 0 END"
        params = [*params, tsquery_text(terms, exact=True)]
    elif terms.expanded:
        exact = _has(table, base, "f.document", MATCH_TSQUERY, EXACT_BONUS)
        rank, params = f"{rank} + {exact}", [*params, tsquery_text(terms, exact=True)]
    return rank, params


class Search:
    """One query over one model's index: its tsquery computed once, then used by every read."""

    def __init__(self, model: type[models.Model], terms: Query):
        self.model, self.terms = model, terms
        self.table = table_name(model._meta.label)
        # the matches' ids, as text, by group of filter values, once counted (see counted)
        self.groups: list[tuple] | None = None
        self.columns: list[str] = []

    def ranked(self, queryset: models.QuerySet) -> models.QuerySet:
        """The objects of `queryset` matching, best first, with rank and excerpt.

        The matches as a set of ids, read from the GIN index in one go (OFFSET 0 keeps the
        planner from joining the search table row by row and testing `@@` on each document,
        which reads it from TOAST: 10 µs a row, a tenth of a second for a filtered broad
        query)."""
        model, table = self.model, self.table
        base = f"{model._meta.db_table}.{model._meta.pk.column}"
        matches = f"SELECT m.obj_id FROM {table} AS m WHERE m.document @@ {MATCH_TSQUERY} OFFSET 0"
        rank, rank_params = _rank(table, self.terms, base)
        return (
            queryset.filter(pk__in=RawSQL(matches, [tsquery_text(self.terms)]))
            .annotate(
                search_rank=RawSQL(rank, rank_params, output_field=models.FloatField()),
                search_excerpt=RawSQL(
                    stored_text_sql(table, base),
                    [],
                    output_field=Excerpt(" ".join(self.terms.stems())),
                ),
            )
            .order_by("-search_rank", "pk")
        )

    def source(
        self, exact: bool = False, wanted: dict[str, Any] | None = None
    ) -> tuple[str, list[str], list[Any]]:
        """The matches as `m`, rows of the search table (which holds the filter columns);
        `exact`: those that also hold the user's own words (not implied: a run of them
        widened as a term is matched as a phrase, their own test is any order). Once
        count_by has read the matches' ids, those of the groups whose values are `wanted`
        (column → value; the caller still tests them): no text search again, and only the
        rows the filters keep are read."""
        params: list[Any]
        ids = self._ids(wanted or {})
        if ids is not None:
            where, params = ["m.obj_id = ANY(%s::bigint[])"], [ids]
        else:
            where, params = [f"m.document @@ {MATCH_TSQUERY}"], [tsquery_text(self.terms)]
        if exact:
            where.append(f"m.document @@ {MATCH_TSQUERY}")
            params.append(tsquery_text(self.terms, exact=True))
        return f"{self.table} AS m", where, params

    def _ids(self, wanted: dict[str, Any]) -> str | None:
        """The ids (an array literal) of the groups count_by read whose values are `wanted`
        (a column it did not group by is left to the caller's test); None: not read."""
        if self.groups is None:
            return None
        tested = [(i, str(wanted[c])) for i, c in enumerate(self.columns) if c in wanted]
        if not tested:
            return "{" + ",".join(row[-1] for row in self.groups if row[-1]) + "}"
        value = operator.itemgetter(*(i for i, _v in tested))
        target = tuple(v for _i, v in tested) if len(tested) > 1 else tested[0][1]
        return "{" + ",".join(r[-1] for r in self.groups if r[-1] and value(r) == target) + "}"

    # Matches.count_by passes the ids of the matches it counted: the page and the strata
    # then read those rows by id instead of testing the tsquery again (its phrases make GIN
    # check each candidate's document: 30 ms for "relation usagers", whose words are in
    # 10,000 documents and its phrases in 700; a broad widened query paid that check in the
    # count, the strata and the page).
    COLLECTS_IDS = True

    def ids_sql(self) -> str:
        """What count_by reads with each count: the ids of its matches, as text (one string
        a group, handed back as is: no Python int per match). A query with phrases (a widened
        one): all of them, checking each candidate's document again costs more than passing
        the ids back; without phrases GIN answers alone, and a broad query's ids would cost
        more to pass than to search again (NULL)."""
        ids = "string_agg(m.obj_id::text, ',')"
        if "<" in tsquery_text(self.terms):
            return ids
        return f"CASE WHEN sum(count(*)) OVER () <= {tables.BROAD} THEN {ids} END"

    def counted(
        self, count: int, rows: list[tuple] | None = None, columns: list[str] | None = None
    ) -> None:
        """How many objects the search matches, and which, counted by its caller
        (Matches.count_by, under its filters): whether it is broad, without counting again
        (6 ms), and, when read (ids_sql), the ids of each group: `rows` of the values of
        `columns`, the count and the ids, which source() reads."""
        self.terms.cache.setdefault(("broad", self.table), count > tables.BROAD)
        if rows is not None and columns is not None and all(r[-1] is not None for r in rows):
            self.groups, self.columns = rows, columns

    def rank(self) -> tuple[str, list[Any]]:
        """The rank of a row of source()."""
        return _rank(self.table, self.terms, "m.obj_id", "m.document")

    def exact_rank(self) -> tuple[str, list[Any]] | None:
        """For a widened query, the rank of a row of source(exact=True), which holds the
        user's own words: a page among those ranks them alone, not every match of the
        synonyms (ts_rank_cd reads each document: 0.14 ms a row)."""
        if not self.terms.expanded:
            return None
        return _rank(self.table, self.terms, "m.obj_id", "m.document", exact_known=True)
