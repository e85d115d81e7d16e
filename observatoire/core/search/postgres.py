"""The PostgreSQL backend: a table per indexed model with a `tsvector` column under a GIN
index, built with the `observatoire_fr` text search configuration (French Snowball stemmer
after the `unaccent` dictionary: the same pipeline as french.stems), and one GIN index per
head field (title, summary); ranked by `ts_rank_cd`. The filter fields are columns of the
search table itself, whose rows a search reads anyway.

Phrases are matched without word positions: each document also holds its pairs of
consecutive words as lexemes of their own ('agent conversationnel': see PAIRS), and a
phrase is the AND of its pairs. A tsquery with a phrase operator (<->) makes GIN recheck
every candidate against its document; one of lexemes alone is answered by the index."""

from __future__ import annotations

import functools
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
# A document with its pairs of consecutive words added as lexemes (stop words skipped, as
# a phrase skips them), each at its first word's position and weight: none across fields
# of different weights, and no pair of pairs (their lexemes hold a space, a word's never
# does), so that indexing twice changes nothing. A hyphenated word is paired by its parts
# (its whole lexeme, 'video-surveil', is left out), as SQLite's words split it: « vidéo-
# surveillance » and « vidéo surveillance » have the same pair. `observatoire_phrase` makes
# the tsquery of a phrase from the same pairs: their AND (a single word: that word).
PAIRS = (
    "CREATE OR REPLACE FUNCTION observatoire_pairs(document tsvector) RETURNS tsvector"
    " LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$"
    " SELECT (document::text || ' ' || coalesce(string_agg("
    "   '''' || replace(replace(word || ' ' || next, '\\', '\\\\'), '''', '''''')"
    "   || ''':' || position || weight, ' '), ''))::tsvector"
    " FROM (SELECT w.lexeme AS word, p.position, p.weight,"
    "   lead(w.lexeme) OVER (ORDER BY p.position) AS next,"
    "   lead(p.weight) OVER (ORDER BY p.position) AS next_weight"
    "   FROM unnest(document) AS w, unnest(w.positions, w.weights) AS p(position, weight)"
    "   WHERE strpos(w.lexeme, ' ') = 0 AND strpos(w.lexeme, '-') = 0) AS words"
    " WHERE next_weight = weight $$"
)
PHRASE = (
    "CREATE OR REPLACE FUNCTION observatoire_phrase(config regconfig, phrase text)"
    " RETURNS tsquery LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$"
    " SELECT coalesce(string_agg("
    "   '''' || replace(replace(lexeme, '\\', '\\\\'), '''', '''''') || '''', ' & ')::tsquery,"
    "   plainto_tsquery(config, phrase))"
    " FROM unnest(observatoire_pairs(to_tsvector(config, phrase)))"
    " WHERE strpos(lexeme, ' ') > 0 $$"
)
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

    The texts and documents go to TOAST (toast_tuple_target): the table's pages hold the
    filter columns, so that counting a broad query's matches by their filter values reads
    a few hundred pages, not every document (13–17 ms instead of 34–40 for 15,700 matches
    of 50,000 cases). With word pairs, matching reads no document at all. One GIN index per
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
        PAIRS,
        PHRASE,
        f"CREATE TABLE IF NOT EXISTS {table} (obj_id bigint PRIMARY KEY,"
        " document tsvector NOT NULL, text text NOT NULL DEFAULT '')"
        " WITH (toast_tuple_target = 128)",
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
    vector = f"observatoire_pairs({vector})"
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
    vector = f"observatoire_pairs({vector})"
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
    observatoire_phrase per alternative; `exact`: the user's words alone; `ranking`: with
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
    """The SQL that makes the tsquery of the user's words (`exact`) or of the widened
    clauses: to match, each word or phrase as its word or the AND of its pairs (no
    positions: the GIN index answers alone); to rank (`ranking`), phrases as phrases,
    which ts_rank_cd weighs by the distance between their words and the rest of the query
    (ranked by pairs instead, bench/search_quality.py lost 0.004 of recall at 10)."""
    parts: list[str] = []
    params: list[str] = []
    pending_or = False
    clauses = terms.parsed if exact else terms.widened if ranking else terms.clauses
    for op, alternatives in clauses:
        if op == "or":
            pending_or = bool(parts)
            continue
        if ranking:
            pieces = [f"websearch_to_tsquery('{CONFIG}', %s)"] * len(alternatives)
            params += ['"' + text.replace('"', " ") + '"' for text, _words in alternatives]
        else:
            pieces = [f"observatoire_phrase('{CONFIG}', %s)"] * len(alternatives)
            params += [text for text, _words in alternatives]
        term = "(" + " || ".join(pieces) + ")"
        if op == "-":
            parts.append(f"!! {term}")
        elif pending_or:
            parts[-1] = f"({parts[-1]} || {term})"
            pending_or = False
        else:
            parts.append(term)
    return "(" + " && ".join(parts) + ")", params


def _is_broad(table: str, terms: Query) -> bool:
    """Whether `terms` match more than tables.BROAD objects, stopping at BROAD + 1 (the GIN
    index answers alone)."""
    key = ("broad", table)
    if key not in terms.cache:
        with default_connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE document @@ {MATCH_TSQUERY}"
                f" LIMIT {tables.BROAD + 1}) AS matches",
                [tsquery_text(terms)],
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


def _has(table: str, base: str, vector: str, weight: int | str) -> str:
    """`weight` when the object `base` has the words of a tsquery (its parameter) in
    `vector` (a field's or its whole document), else 0: a hashed set of ids read from a GIN
    index, once a query, instead of a document read for each row."""
    return (
        f"CASE WHEN {base} IN (SELECT f.obj_id FROM {table} AS f"
        f" WHERE {vector} @@ {MATCH_TSQUERY}) THEN {weight} ELSE 0 END"
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
        ranks = [_has(table, base, field_vector(p, "f"), field_weight(p)) for p in indexed]
        rank, params = " + ".join(ranks) or "0", [tsquery_text(terms)] * len(indexed)
    else:
        params = [tsquery_text(terms, ranking=True)]
        if document:
            rank = f"ts_rank_cd({document}, %s::tsquery, 1)"
        else:
            found = f"SELECT ts_rank_cd(s.document, %s::tsquery, 1) FROM {table} AS s"
            rank = f"({found} WHERE s.obj_id = {base})"
    if terms.expanded and exact_known:
        rank = f"{rank} + {EXACT_BONUS}"
    elif terms.expanded:
        exact = _has(table, base, "f.document", EXACT_BONUS)
        rank, params = f"{rank} + {exact}", [*params, tsquery_text(terms, exact=True)]
    return rank, params


class Search:
    """One query over one model's index: its tsquery computed once, then used by every read."""

    def __init__(self, model: type[models.Model], terms: Query):
        self.model, self.terms = model, terms
        self.table = table_name(model._meta.label)

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

    def source(self) -> tuple[str, list[str], list[Any]]:
        """The matches as `m`, rows of the search table (which holds the filter columns)."""
        return f"{self.table} AS m", [f"m.document @@ {MATCH_TSQUERY}"], [tsquery_text(self.terms)]

    def counted(self, count: int) -> None:
        """How many objects the search matches, counted by its caller (Matches.count_by,
        under its filters): whether it is broad, without counting again (6 ms)."""
        self.terms.cache.setdefault(("broad", self.table), count > tables.BROAD)

    def rank(self) -> tuple[str, list[Any]]:
        """The rank of a row of source()."""
        return _rank(self.table, self.terms, "m.obj_id", "m.document")

    def exact_rank(self) -> tuple[str, list[Any], str, list[Any]] | None:
        """For a widened query, the rank of a row of source() that holds the user's own
        words, and the condition that keeps those rows: a page among them ranks them alone,
        not every match of the synonyms (ts_rank_cd reads each document: 0.14 ms a row)."""
        if not self.terms.expanded:
            return None
        rank, params = _rank(self.table, self.terms, "m.obj_id", "m.document", exact_known=True)
        exact = [tsquery_text(self.terms, exact=True)]
        return rank, params, f"m.document @@ {MATCH_TSQUERY}", exact
