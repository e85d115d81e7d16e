"""French full-text search behind one small interface, on SQLite and on PostgreSQL.

    index("cas_usage.UseCase", case.pk, {"title": ..., "summary": ..., "body": ...})
    remove("cas_usage.UseCase", case.pk)
    search(UseCase.objects.all(), "cantines scolaires")
        → the matching rows, annotated with `search_rank` (higher is better) and
          `search_excerpt` (HTML-safe, matched words in <mark>), best first.

Each indexed model has a side table `search_<app>_<model>` created by the migration
operation `CreateSearchIndex(model_label, fields)`; the first field weighs most.

- SQLite: an FTS5 virtual table (tokenizer `unicode61 remove_diacritics 2`) whose columns
  hold the words already unaccented and stemmed in Python with the Snowball French
  stemmer, the same way queries are; ranked by `bm25()`. Excerpts are cut in Python from
  the stored text, for the rows read only.
- PostgreSQL: a table with a `tsvector` column under a GIN index, built with the
  `observatoire_fr` text search configuration (French Snowball stemmer after the
  `unaccent` dictionary: the same pipeline as above), and one GIN index per head field
  (title, summary); queries go through `websearch_to_tsquery`, ranked by `ts_rank_cd`;
  excerpts cut in Python from the stored text, as on SQLite.

A broad query (more than BROAD matches) ranks by the head fields that hold it instead of
by relevance over every matching document. `Paged(results, query)` reads a page of a
search in two steps (ranked ids, then rows). Both engines accept the same query syntax:
words (all required), "a phrase", -excluded, and `or`. The index is maintained by the
owning app's services (see docs/search.md).
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import snowballstemmer
from django.apps import apps
from django.db import connection as default_connection
from django.db import models, transaction
from django.db.migrations.operations.base import Operation
from django.db.models.expressions import RawSQL

from observatoire.core.thesaurus import Clause, Thesaurus

CONFIG = "observatoire_fr"
EXCERPT_WORDS = 30
_WORD = re.compile(r"\w+", re.UNICODE)
# Snowball's French stop words (PostgreSQL's french.stop), unaccented: they carry no meaning.
STOP_WORDS = frozenset(
    """au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais
    me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta
    te tes toi ton tu un une vos votre vous c d j l a m n s t y ete etee etees etes etant
    etante etants etantes suis es est sommes etes sont serai seras sera serons serez seront
    serais serait serions seriez seraient etais etait etions etiez etaient fus fut fumes
    futes furent sois soit soyons soyez soient fusse fusses fut fussions fussiez fussent
    ayant ayante ayantes ayants eu eue eues eus ai as avons avez ont aurai auras aura aurons
    aurez auront aurais aurait aurions auriez auraient avais avait avions aviez avaient eut
    eumes eutes eurent aie aies ait ayons ayez aient eusse eusses eussions eussiez eussent""".split()  # noqa: SIM905
)


# --- Words -------------------------------------------------------------------------------


def unaccent(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@functools.cache
def _stemmer() -> Any:
    return snowballstemmer.stemmer("french")


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """One word as it is indexed: lower case, no accents, French Snowball stem ("" if stop)."""
    plain = unaccent(word)
    if plain in STOP_WORDS:
        return ""
    return str(_stemmer().stemWord(plain))


def stems(text: str) -> list[str]:
    """The indexed form of a text: its meaningful words' stems, in order."""
    return [s for s in (stem(m.group()) for m in _WORD.finditer(text)) if s]


def _tokens(query: str) -> list[Clause]:
    """Parse web-search syntax into clauses (operator, [(text, stems)]): operator "+", "-"
    or "or" (which has no alternative)."""
    parsed: list[Clause] = []
    for match in re.finditer(r'(-?)"([^"]*)"?|(\S+)', query):
        if match.group(3) is not None:
            word = match.group(3)
            if word.lower() == "or":
                parsed.append(("or", []))
                continue
            negated = word.startswith("-") and len(word) > 1
            text = word[1:] if negated else word
        else:
            negated = match.group(1) == "-"
            text = match.group(2)
        words = tuple(stems(text))
        if words:
            parsed.append(("-" if negated else "+", [(text, words)]))
    return parsed


def _fts5(clauses: list[Clause]) -> str:
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


class Terms:
    """A query as both engines run it, widened by `thesaurus` (core.thesaurus) when given:
    the FTS5 expression, the tsquery, the stems to highlight, and, when synonyms were
    added, the user's own words alone (the objects that hold them rank first)."""

    def __init__(self, query: str, thesaurus: Thesaurus | None = None):
        self.text = query
        parsed = _tokens(query)
        self.clauses = thesaurus.expand(parsed) if thesaurus is not None else parsed
        self.expanded = self.clauses != parsed
        self.fts5 = _fts5(self.clauses)
        self.exact_fts5 = _fts5(parsed) if self.expanded else ""
        self._pg_texts: dict[bool, str] = {}
        self.broad: dict[str, bool] = {}  # by search table, once known (see _pg_is_broad)

    def __bool__(self) -> bool:
        return bool(self.fts5)

    def stems(self) -> list[str]:
        """The stems the query looks for (exclusions aside): those excerpts highlight."""
        return [s for op, alts in self.clauses if op == "+" for _t, words in alts for s in words]

    def tsquery(self, match: bool = True, exact: bool = False) -> tuple[str, list[str]]:
        """The PostgreSQL tsquery and its parameter: as the WHERE clause matches it (see
        MATCH_TSQUERY), or as a constant that ranks use; `exact`: the user's words alone."""
        text = self.pg_text(exact)
        return (MATCH_TSQUERY if match else "%s::tsquery"), [text]

    def pg_text(self, exact: bool = False) -> str:
        """The tsquery as text, computed by PostgreSQL once for this query (widened, one
        websearch_to_tsquery per alternative): the statements of a search take it as a
        constant instead of computing it again for every row they check."""
        exact = exact or not self.expanded
        if exact not in self._pg_texts:
            expression, params = self._pg_expression(exact)
            with default_connection.cursor() as cursor:
                cursor.execute(f"SELECT ({expression})::text", params)
                self._pg_texts[exact] = cursor.fetchone()[0]
        return self._pg_texts[exact]

    def _pg_expression(self, exact: bool) -> tuple[str, list[str]]:
        """The SQL that makes the tsquery of the user's words (`exact`) or of the clauses."""
        config = f"'{CONFIG}'"
        if exact:
            return f"websearch_to_tsquery({config}, %s)", [self.text]
        parts: list[str] = []
        params: list[str] = []
        pending_or = False
        for op, alternatives in self.clauses:
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


def _as_terms(query: str | Terms) -> Terms:
    return query if isinstance(query, Terms) else Terms(query)


def query_stems(query: str | Terms) -> list[str]:
    """The stems a query looks for (excluded words aside): those the excerpts highlight."""
    return _as_terms(query).stems()


def fts5_query(query: str | Terms) -> str:
    """Translate a web-search query into an FTS5 MATCH expression over stemmed columns."""
    return _as_terms(query).fts5


# --- Excerpts ---------------------------------------------------------------------------


# Between the shown text, its word stems and their offsets in the stored text (`_text` on
# SQLite, `text` on PostgreSQL, which refuses NUL: tables indexed before used "\x00").
SEPARATOR = "\x1f"


def word_index(text: str) -> str:
    """One stem per word of `text` ("-" for a stop word), then each word's start offset,
    kept beside the text so that cutting an excerpt needs no stemming at query time."""
    found = list(_WORD.finditer(text))
    stems_ = " ".join(stem(m.group()) or "-" for m in found)
    return stems_ + SEPARATOR + " ".join(str(m.start()) for m in found)


def excerpt(
    text: str, wanted: Iterable[str], words: int = EXCERPT_WORDS, index: str | None = None
) -> str:
    """About `words` words of `text` around the first match, escaped, matches in <mark>.

    `index` is `word_index(text)` when the caller stored it; otherwise it is computed.
    """
    wanted = set(wanted)
    stems_, _sep, offsets = (index if index is not None else word_index(text)).partition(SEPARATOR)
    if not stems_:
        return html.escape(text)
    word_list = stems_.split(" ")
    padded = f" {stems_} "
    hits = [padded.find(f" {w} ") for w in wanted]
    first_hit = min((h for h in hits if h >= 0), default=-1)
    first = padded.count(" ", 0, first_hit + 1) - 1 if first_hit >= 0 else 0
    start = max(0, min(first - 8, len(word_list) - words))
    spans = []
    for i, offset in enumerate(offsets.split(" ")[start : start + words], start):
        match = _WORD.match(text, int(offset))
        end_ = match.end() if match else int(offset)
        spans.append((int(offset), end_, word_list[i] in wanted))
    begin = 0 if start == 0 else spans[0][0]
    end = len(text) if start + words >= len(word_list) else spans[-1][1]
    parts = ["… " if begin else ""]
    cursor = begin
    for s, e, hit in spans:
        if hit:
            parts += [html.escape(text[cursor:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
            cursor = e
    parts.append(html.escape(text[cursor:end]))
    parts.append(" …" if end < len(text) else "")
    return "".join(parts).strip()


def stored_text(text: str) -> str:
    """What the index keeps of the shown text: the text, then its word_index()."""
    return text + SEPARATOR + word_index(text)


def _stored_excerpt(stored: str | None, wanted: str | None) -> str:
    text, _sep, index = (stored or "").replace("\x00", SEPARATOR).partition(SEPARATOR)
    return excerpt(text, (wanted or "").split(), index=index if SEPARATOR in index else None)


# --- Tables ------------------------------------------------------------------------------


def table_name(model_label: str) -> str:
    app_label, model_name = model_label.lower().split(".")
    return f"search_{app_label}_{model_name}"


def _check_fields(fields: Iterable[str]) -> list[str]:
    names = list(fields)
    for name in names:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or name in {"rank", "rowid", "content"}:
            raise ValueError(f"Nom de champ de recherche invalide : {name!r}")
    return names


WEIGHTS = (10, 4, 1)  # of the first, second, then every other field (bm25; tiers of broad queries)


def _weight_letter(position: int) -> str:
    """PostgreSQL weight of the field at `position`: A for the first, then B, C, and D."""
    return "ABCD"[min(position, 3)]


def tier_fields(fields: list[str]) -> list[str]:
    """The fields that rank broad queries: all but the last one (the body), three at most
    (PostgreSQL tells fields apart by weight: A, B, C; the rest share D)."""
    return fields[:-1][:3]


def _pg_field_vector(position: int, alias: str = "") -> str:
    """The words of one field, from the document (indexed expression; see tier_index_sql)."""
    column = f"{alias}.document" if alias else "document"
    return f"ts_filter({column}, '{{{_weight_letter(position).lower()}}}')"


def create_index_sql(vendor: str, model_label: str, fields: Iterable[str]) -> list[str]:
    """The statements that create a model's search table (used by CreateSearchIndex)."""
    table, names = table_name(model_label), _check_fields(fields)
    if vendor == "sqlite":
        columns = ", ".join([*names, "_text UNINDEXED"])
        return [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5("
            f"{columns}, tokenize = 'unicode61 remove_diacritics 2')"
        ]
    if vendor == "postgresql":
        return [
            "CREATE EXTENSION IF NOT EXISTS unaccent",
            f"""DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{CONFIG}') THEN
                CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.french);
                ALTER TEXT SEARCH CONFIGURATION {CONFIG}
                  ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
              END IF;
            END $$""",
            # Long values go to TOAST (toast_tuple_target): the table's own pages stay thin,
            # so a GIN bitmap scan over many matches reads a few hundred pages, not the texts.
            f"CREATE TABLE IF NOT EXISTS {table} (obj_id bigint PRIMARY KEY,"
            " document tsvector NOT NULL, text text NOT NULL DEFAULT '')"
            " WITH (toast_tuple_target = 128)",
            f"CREATE INDEX IF NOT EXISTS {table}_document ON {table} USING gin (document)",
            *tier_index_sql(vendor, model_label, names),
        ]
    raise NotImplementedError(f"Recherche plein texte non prise en charge sur {vendor}")


def tier_index_sql(vendor: str, model_label: str, fields: Iterable[str]) -> list[str]:
    """PostgreSQL: one GIN index per tier field, on that field's words (taken from the
    document by weight), so a broad query finds the objects that have it in their title or
    summary without reading any document. SQLite's FTS5 columns already do that."""
    if vendor != "postgresql":
        return []
    table, names = table_name(model_label), _check_fields(fields)
    return [
        f"CREATE INDEX IF NOT EXISTS {table}_{name} ON {table}"
        f" USING gin ({_pg_field_vector(position)})"
        for position, name in enumerate(tier_fields(names))
    ]


# The first version of CreateSearchIndex raised the planner's cost of `@@` to 100 for the
# whole database (a superuser-only change) so that broad queries kept to the GIN index;
# MATCH_TSQUERY now gets those plans query by query, so UpdateSearchIndex undoes it.
RESET_MATCH_COST_SQL = """DO $$ BEGIN
  IF (SELECT procost FROM pg_proc
      WHERE oid = 'pg_catalog.ts_match_vq(tsvector, tsquery)'::regprocedure) = 100 THEN
    ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) COST 1;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'ts_match_vq keeps its raised cost (only a superuser can reset it)';
END $$"""


class _SearchOperation(Operation):
    """A migration operation on the search table of `model_label`, declared with `fields`
    (the index's fields, or the filter fields); it changes no model state."""

    reversible = True

    def __init__(self, model_label: str, fields: list[str]):
        self.model_label = model_label
        self.fields = _check_fields(fields)

    def deconstruct(self):
        path = f"{__name__}.{type(self).__name__}"
        return (path, [self.model_label, self.fields], {})

    def state_forwards(self, app_label, state):
        pass


class CreateSearchIndex(_SearchOperation):
    """Migration operation: create the search table of `model_label` for `fields`."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        for sql in create_index_sql(vendor, self.model_label, self.fields):
            schema_editor.execute(sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        schema_editor.execute(f"DROP TABLE IF EXISTS {table_name(self.model_label)}")

    def describe(self) -> str:
        return f"Create the full-text search table of {self.model_label}"


class UpdateSearchIndex(_SearchOperation):
    """Migration operation: bring a search table made by an earlier CreateSearchIndex to the
    current layout. PostgreSQL only (SQLite's FTS5 table is unchanged): the per-field
    indexes that rank broad queries, the stored words that excerpts are cut from (instead
    of `text_html` for ts_headline), and the default planner cost of `@@` again."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in tier_index_sql("postgresql", self.model_label, self.fields):
            schema_editor.execute(sql)
        table = table_name(self.model_label)
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()"
                " AND table_name = %s AND column_name = 'text_html'",
                [table],
            )
            if cursor.fetchone():
                cursor.execute(f"ALTER TABLE {table} ADD COLUMN text text NOT NULL DEFAULT ''")
                cursor.execute(f"SELECT obj_id, text_html FROM {table}")
                rows = [(stored_text(html.unescape(shown)), pk) for pk, shown in cursor.fetchall()]
                cursor.executemany(f"UPDATE {table} SET text = %s WHERE obj_id = %s", rows)
                cursor.execute(f"ALTER TABLE {table} DROP COLUMN text_html")
        schema_editor.execute(RESET_MATCH_COST_SQL)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = table_name(self.model_label)
        for name in tier_fields(self.fields):
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{name}")
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} ADD COLUMN text_html text NOT NULL DEFAULT ''")
            cursor.execute(f"SELECT obj_id, text FROM {table}")
            rows = [
                (html.escape(stored.partition(SEPARATOR)[0], quote=False), pk)
                for pk, stored in cursor.fetchall()
            ]
            cursor.executemany(f"UPDATE {table} SET text_html = %s WHERE obj_id = %s", rows)
            cursor.execute(f"ALTER TABLE {table} DROP COLUMN text")

    def describe(self) -> str:
        return f"Update the full-text search table of {self.model_label}"


def filters_table(model_label: str, vendor: str) -> str:
    """Where the filter fields of a search table are kept (see AddSearchFilters)."""
    table = table_name(model_label)
    return table if vendor == "postgresql" else f"{table}_filters"


def _as_text(row: str, columns: Iterable[str]) -> list[str]:
    """The filter columns of `row` as they are kept: text, '' for NULL."""
    return [f"COALESCE(CAST({row}.{c} AS TEXT), '')" for c in columns]


class AddSearchFilters(_SearchOperation):
    """Migration operation: keep a copy of some of the model's fields (the filter fields)
    beside its search table, so that a search filtered and counted by them reads its
    matches and that copy, never the model's wide table.

    PostgreSQL: columns of the search table, whose rows a search reads anyway (joining the
    matches to the cases' table cost a lookup per match: 15 ms for 3,000). SQLite (whose
    FTS5 table takes no new column): a narrow table by id, `<search table>_filters`, looked
    up for each hit (10 ms for 8,000 hits, against 21 through the model's indexes).
    Triggers copy the fields whenever the model's row changes and drop the copy (and the
    object's index entry) when it is deleted, whatever the path (save, update(), delete,
    flush, SQL); index() copies them when it writes an object.
    """

    def _names(self, apps: Any, vendor: str) -> tuple[str, str, str, list[str]]:
        meta = apps.get_model(self.model_label)._meta
        columns = [meta.get_field(name).column for name in self.fields]
        return filters_table(self.model_label, vendor), meta.db_table, meta.pk.column, columns

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        table, model_table, pk, columns = self._names(to_state.apps, vendor)
        copied = ", ".join(_as_text("m", columns))
        from_new = ", ".join(
            f"{c} = {v}" for c, v in zip(columns, _as_text("NEW", columns), strict=True)
        )
        index = table_name(self.model_label)
        differs = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"  # NULL-safe
        changed = " OR ".join(f"OLD.{c} {differs} NEW.{c}" for c in columns)
        on_update = (
            f"AFTER UPDATE OF {', '.join(columns)} ON {model_table} FOR EACH ROW WHEN ({changed})"
        )
        on_delete = f"AFTER DELETE ON {model_table} FOR EACH ROW"
        if vendor == "postgresql":
            for column in columns:
                schema_editor.execute(
                    f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} text NOT NULL DEFAULT ''"
                )
            schema_editor.execute(
                f"UPDATE {table} AS s SET ({', '.join(columns)}) = ROW({copied})"
                f" FROM {model_table} AS m WHERE m.{pk} = s.obj_id"
            )
            # Deleted (or truncated: Django's flush) objects leave the index with them.
            schema_editor.execute(
                f"""CREATE OR REPLACE FUNCTION {table}_filters() RETURNS trigger
                LANGUAGE plpgsql AS $$ BEGIN
                  IF TG_OP = 'UPDATE' THEN
                    UPDATE {table} SET {from_new} WHERE obj_id = NEW.{pk};
                  ELSIF TG_OP = 'DELETE' THEN
                    DELETE FROM {table} WHERE obj_id = OLD.{pk};
                  ELSE
                    TRUNCATE {table};
                  END IF;
                  RETURN NULL;
                END $$"""
            )
            for name, when in [
                ("filters", on_update),
                ("forget", on_delete),
                ("clear", f"AFTER TRUNCATE ON {model_table} FOR EACH STATEMENT"),
            ]:
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_{name} {when} EXECUTE FUNCTION {table}_filters()"
                )
        else:
            declared = ", ".join(f"{c} TEXT NOT NULL DEFAULT ''" for c in columns)
            schema_editor.execute(f"CREATE TABLE {table} (obj_id INTEGER PRIMARY KEY, {declared})")
            schema_editor.execute(
                f"INSERT INTO {table} SELECT m.{pk}, {copied} FROM {model_table} AS m"
                f" WHERE m.{pk} IN (SELECT rowid FROM {index})"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table} {on_update}"
                f" BEGIN UPDATE {table} SET {from_new} WHERE obj_id = NEW.{pk}; END"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_forget {on_delete} BEGIN"
                f" DELETE FROM {table} WHERE obj_id = OLD.{pk};"
                f" DELETE FROM {index} WHERE rowid = OLD.{pk}; END"
            )
        _filter_columns.cache_clear()

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        table, model_table, _pk, columns = self._names(from_state.apps, vendor)
        if vendor == "postgresql":
            for name in ["filters", "forget", "clear"]:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{name} ON {model_table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_filters()")
            for column in columns:
                schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {column}")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_forget")
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}")
        _filter_columns.cache_clear()

    def describe(self) -> str:
        return f"Keep filter fields beside the full-text search table of {self.model_label}"


class RemoveSearchFilters(AddSearchFilters):
    """Migration operation: the inverse of AddSearchFilters (drop the copy and its triggers).

    SQLite adds most columns (and foreign keys) by rebuilding the model's table, which drops
    its triggers: a migration that changes the table so puts its operations between
    RemoveSearchFilters and AddSearchFilters with the same fields (cas_usage 0008)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        super().database_backwards(app_label, schema_editor, to_state, from_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        super().database_forwards(app_label, schema_editor, to_state, from_state)

    def describe(self) -> str:
        return f"Drop the filter fields kept beside the search table of {self.model_label}"


# --- Interface ---------------------------------------------------------------------------

# A query matching more objects than this is "broad". Ranking every match by its whole text
# reads every matching document (bm25, ts_rank_cd: 40 ms for 12,000 matches on PostgreSQL),
# so broad queries rank by where the words are, read from indexes alone: in the title (10),
# the summary (4), both (14), or only further down (0); ties by primary key. Narrower
# queries rank every match by relevance over its whole text (a few milliseconds at most).
BROAD = 1000
# Added to the rank of the objects that hold the user's own words when synonyms were added:
# above any relevance score or tier, so they come first.
EXACT_BONUS = 1000


@functools.lru_cache(maxsize=64)
def _sqlite_columns(model_label: str) -> tuple[str, ...]:
    """The declared fields of a model's FTS5 table (without `_text`)."""
    with default_connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table_name(model_label)} LIMIT 0")
        return tuple(column[0] for column in cursor.description[:-1])


def _field_weight(position: int) -> int:
    return WEIGHTS[min(position, len(WEIGHTS) - 1)]


def _sqlite_weights(model_label: str) -> str:
    """bm25 weights for the FTS5 columns: 10 for the first field, 4 the second, then 1."""
    count = len(_sqlite_columns(model_label))
    return ", ".join([*(f"{_field_weight(i)}.0" for i in range(count)), "0.0"])


def index(model_label: str, pk: int, fields: dict[str, str], connection: Any = None) -> None:
    """(Re)index one object: `fields` maps each declared field to its text, most weighty first.

    The excerpt is cut from all fields but the first (the title, shown apart).
    """
    connection = connection or default_connection
    table = table_name(model_label)
    names = _check_fields(fields)
    texts = [fields[name] or "" for name in names]
    shown = "\n".join(t for t in texts[1:] if t)
    filters = _filter_columns(model_label, connection.vendor)  # see AddSearchFilters
    copied, source, params = _filter_copy(model_label, filters, pk)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DELETE FROM {table} WHERE rowid = %s", [pk])
            columns = ", ".join([*names, "_text"])
            marks = ", ".join(["%s"] * (len(names) + 2))
            cursor.execute(
                f"INSERT INTO {table} (rowid, {columns}) VALUES ({marks})",
                [pk, *(" ".join(stems(t)) for t in texts), stored_text(shown)],
            )
            if filters:
                cursor.execute(
                    f"INSERT OR REPLACE INTO {table}_filters SELECT %s{copied}{source}",
                    [pk, *params],
                )
        else:  # one statement: no second version of the row to vacuum
            vector = " || ".join(
                f"setweight(to_tsvector('{CONFIG}', %s), '{_weight_letter(i)}')"
                for i in range(len(names))
            )
            cursor.execute(
                f"INSERT INTO {table} (obj_id, document, text{''.join(f', {c}' for c in filters)})"
                f" SELECT %s, {vector}, %s{copied}{source} ON CONFLICT (obj_id) DO UPDATE"
                " SET document = EXCLUDED.document, text = EXCLUDED.text"
                + "".join(f", {c} = EXCLUDED.{c}" for c in filters),
                [pk, *texts, stored_text(shown), *params],
            )


def _filter_copy(model_label: str, columns: Iterable[str], pk: int) -> tuple[str, str, list[int]]:
    """`, <values>` and ` FROM <row>` that read an object's filter fields from its row
    (nothing when the model has none), and the parameters of the latter."""
    columns = list(columns)
    if not columns:
        return "", "", []
    meta = apps.get_model(model_label)._meta
    copied = "".join(f", {value}" for value in _as_text("m", columns))
    return copied, f" FROM {meta.db_table} AS m WHERE m.{meta.pk.column} = %s", [pk]


def remove(model_label: str, pk: int, connection: Any = None) -> None:
    """Take one object out of the index."""
    connection = connection or default_connection
    table = table_name(model_label)
    column = "rowid" if connection.vendor == "sqlite" else "obj_id"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [pk])
        if connection.vendor == "sqlite" and _filter_columns(model_label, "sqlite"):
            cursor.execute(f"DELETE FROM {table}_filters WHERE obj_id = %s", [pk])


def clear(model_label: str, connection: Any = None) -> None:
    """Empty a model's index (before a full rebuild)."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table_name(model_label)}")
        if connection.vendor == "sqlite" and _filter_columns(model_label, "sqlite"):
            cursor.execute(f"DELETE FROM {table_name(model_label)}_filters")


KEPT_SEARCHES = 16  # match sets a SQLite connection keeps, one temporary table each


def _sqlite_hits(connection: Any, model_label: str, terms: Terms) -> str:
    """Run the full-text query once; keep (id, rank) in a new temporary table, named back.

    Searches join that table: filters, counts and facets read its ids, and a page of
    results walks its rank index. A connection keeps its last KEPT_SEARCHES tables; a
    queryset evaluated after that fails loudly (no such table).
    """
    table = table_name(model_label)
    match = terms.fts5
    token = getattr(connection, "_search_token", 0) + 1
    connection._search_token = token  # on the database wrapper (the proxy forwards to it)
    hits = f"search_hits_{token}"
    with connection.cursor() as cursor:
        if token > KEPT_SEARCHES:
            cursor.execute(f"DROP TABLE IF EXISTS temp.search_hits_{token - KEPT_SEARCHES}")
        cursor.execute(f"DROP TABLE IF EXISTS temp.{hits}")
        cursor.execute(f"CREATE TEMP TABLE {hits} (id INTEGER PRIMARY KEY, rank REAL NOT NULL)")
        cursor.execute(f"CREATE INDEX temp.{hits}_rank ON {hits} (rank DESC, id)")
        cursor.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH %s", [match])
        if cursor.fetchone()[0] <= BROAD:
            cursor.execute(
                f"INSERT INTO {hits} SELECT rowid, -bm25({table}, {_sqlite_weights(model_label)})"
                f" FROM {table} WHERE {table} MATCH %s",
                [match],
            )
        else:
            cursor.execute(
                f"INSERT INTO {hits} SELECT rowid, 0 FROM {table} WHERE {table} MATCH %s", [match]
            )
            for position, name in enumerate(tier_fields(list(_sqlite_columns(model_label)))):
                cursor.execute(
                    f"UPDATE {hits} SET rank = rank + {_field_weight(position)} WHERE id IN"
                    f" (SELECT rowid FROM {table} WHERE {table} MATCH %s)",
                    [f"{{{name}}} : ({match})"],
                )
        if terms.exact_fts5:  # the user's own words rank above their synonyms
            cursor.execute(
                f"UPDATE {hits} SET rank = rank + {EXACT_BONUS} WHERE id IN"
                f" (SELECT rowid FROM {table} WHERE {table} MATCH %s)",
                [terms.exact_fts5],
            )
    _sqlite_analyze(connection, hits)
    return hits


def _sqlite_analyze(connection: Any, hits: str) -> None:
    """Tell the planner how many matches there are (a fraction of a millisecond): knowing
    them few, it looks their facets up in an index instead of reading all of it."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE temp.{hits}")


class _Excerpt(models.TextField):
    """The stored text becomes an excerpt once fetched, so only the rows read are cut (the
    database may select the text of many more rows while it sorts)."""

    def __init__(self, wanted: str):
        super().__init__()
        self.wanted = wanted

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str:
        return _stored_excerpt(value, self.wanted)


# The tsquery as the WHERE clause matches it: a constant (Terms.pg_text) read through a
# scalar subquery, which PostgreSQL computes once but cannot see when it plans, so it prices
# a scan that evaluates `@@` row by row (reading each document from TOAST) at what it really
# costs, and keeps to the GIN index even for broad queries. The rank uses the constant.
MATCH_TSQUERY = "(SELECT %s::tsquery)"


def _pg_is_broad(table: str, terms: Terms) -> bool:
    """Whether `terms` match more than BROAD objects, counting those that hold its words
    (phrases taken as plain AND: the GIN index then answers alone, without reading each
    candidate's document to check word positions) and stopping at BROAD + 1."""
    if table not in terms.broad:
        words = re.sub(r"<(-|[0-9]+)>", "&", terms.pg_text())
        with default_connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE document @@ {MATCH_TSQUERY}"
                f" LIMIT {BROAD + 1}) AS matches",
                [words],
            )
            terms.broad[table] = int(cursor.fetchone()[0]) > BROAD
    return terms.broad[table]


@functools.lru_cache(maxsize=64)
def _filter_columns(model_label: str, vendor: str) -> tuple[str, ...]:
    """The filter columns kept for a model's search (see AddSearchFilters), in order."""
    table = filters_table(model_label, vendor)
    with default_connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = %s"
                " ORDER BY ordinal_position",
                [table],
            )
            names = [name for (name,) in cursor.fetchall()]
        else:
            cursor.execute("SELECT name FROM pragma_table_info(%s)", [table])
            names = [name for (name,) in cursor.fetchall()]
    return tuple(n for n in names if n not in ("obj_id", "document", "text"))


@functools.lru_cache(maxsize=64)
def _pg_tiers(table: str) -> tuple[int, ...]:
    """Positions of the fields that have their own index (see tier_index_sql): only those
    rank broad queries, so that no tier is ever tested by reading documents."""
    with default_connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()"
            " AND tablename = %s",
            [table],
        )
        letters = {m for (d,) in cursor.fetchall() for m in re.findall(r"'\{(\w)\}'", d)}
    return tuple(i for i in range(3) if _weight_letter(i).lower() in letters)


def _pg_has(table: str, base: str, vector: str, tsquery: str, weight: int | str) -> str:
    """`weight` when the object `base` has the words of `tsquery` in `vector` (a field's or
    its whole document), else 0: a hashed set of ids read from a GIN index, once a query."""
    return (
        f"CASE WHEN {base} IN (SELECT f.obj_id FROM {table} AS f WHERE {vector} @@ {tsquery})"
        f" THEN {weight} ELSE 0 END"
    )


def _pg_rank(table: str, terms: Terms, base: str, document: str = "") -> tuple[str, list[str]]:
    """The rank of the object whose id is `base`: by the tier fields that hold a broad
    query, else by ts_rank_cd over its document (`document` when the row is at hand); plus
    EXACT_BONUS for the objects that hold the user's own words when synonyms were added."""
    if _pg_is_broad(table, terms):
        tiers = _pg_tiers(table)
        tsquery, params = terms.tsquery()
        ranks = [
            _pg_has(table, base, _pg_field_vector(p, "f"), tsquery, _field_weight(p)) for p in tiers
        ]
        rank, params = " + ".join(ranks) or "0", params * len(tiers)
    else:
        tsquery, params = terms.tsquery(match=False)
        if document:
            rank = f"ts_rank_cd({document}, {tsquery}, 1)"
        else:
            found = f"SELECT ts_rank_cd(s.document, {tsquery}, 1) FROM {table} AS s"
            rank = f"({found} WHERE s.obj_id = {base})"
    if terms.expanded:
        exact, exact_params = terms.tsquery(exact=True)
        rank = f"{rank} + {_pg_has(table, base, 'f.document', exact, EXACT_BONUS)}"
        params = [*params, *exact_params]
    return rank, params


def _excerpt(model: type[models.Model], query: str | Terms) -> RawSQL:
    """The `search_excerpt` annotation: the stored text, cut around the query's words once
    read (ts_headline took 0.2 ms a row on PostgreSQL; the stored word stems, 20 µs)."""
    table = table_name(model._meta.label)
    base = f"{model._meta.db_table}.{model._meta.pk.column}"
    if default_connection.vendor == "sqlite":
        stored = f"SELECT _text FROM {table} WHERE rowid = {base}"
    else:
        stored = f"SELECT s.text FROM {table} AS s WHERE s.obj_id = {base}"
    return RawSQL(stored, [], output_field=_Excerpt(" ".join(_as_terms(query).stems())))


def _with_hits(queryset: models.QuerySet, query: Terms, hits: str) -> models.QuerySet:
    """SQLite: the objects of `queryset` in the table of hits `hits` (of `query`), ranked."""
    model = queryset.model
    base = f"{model._meta.db_table}.{model._meta.pk.column}"
    return (
        queryset.extra(tables=[hits], where=[f"{hits}.id = {base}"])
        .annotate(
            search_rank=RawSQL(f"{hits}.rank", [], output_field=models.FloatField()),
            search_excerpt=_excerpt(model, query),
        )
        .order_by("-search_rank", "pk")
    )


def search(
    queryset: models.QuerySet, query: str, thesaurus: Thesaurus | None = None
) -> models.QuerySet:
    """The objects of `queryset` matching `query`, best first, with rank and excerpt.

    An empty query (or one made only of stop words or exclusions) matches nothing. A broad
    query (more than BROAD matches in the whole index) ranks by where its words are. With a
    `thesaurus`, the query's terms also match their synonyms, ranked below the objects
    that hold the query's own words.
    """
    terms = Terms(query, thesaurus)
    return _search_terms(queryset, terms) if terms else queryset.none()


def _search_terms(queryset: models.QuerySet, terms: Terms) -> models.QuerySet:
    model = queryset.model
    label = model._meta.label
    table = table_name(label)
    base = f"{model._meta.db_table}.{model._meta.pk.column}"
    connection = default_connection
    if connection.vendor == "sqlite":
        return _with_hits(queryset, terms, _sqlite_hits(connection, label, terms))
    # The matches as a set of ids, read from the GIN index in one go (OFFSET 0 keeps the
    # planner from joining the search table row by row and testing `@@` on each document,
    # which reads it from TOAST: 10 µs a row, a tenth of a second for a filtered broad query).
    tsquery, params = terms.tsquery()
    matches = f"SELECT m.obj_id FROM {table} AS m WHERE m.document @@ {tsquery} OFFSET 0"
    rank, rank_params = _pg_rank(table, terms, base)
    return (
        queryset.filter(pk__in=RawSQL(matches, params))
        .annotate(
            search_rank=RawSQL(rank, rank_params, output_field=models.FloatField()),
            search_excerpt=_excerpt(model, terms),
        )
        .order_by("-search_rank", "pk")
    )


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
        self, queryset: models.QuerySet, query: str | Terms = "", count: int | None = None
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

    When the fields are filter fields (AddSearchFilters), counts and rankings read the
    matches and the copy of those fields kept beside the index, never the model's wide
    table: on PostgreSQL the search table alone (5 ms instead of 15–25 for a broad query),
    on SQLite its table of hits, made once, each hit looked up in the narrow copy (10 ms
    instead of 21 for 8,000 hits). Otherwise they go through the model's table.
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
        self.query, self.terms = query, Terms(query, thesaurus)
        self.ordering = tuple(ordering)
        self.table = table_name(model._meta.label)
        self.vendor = default_connection.vendor

    @functools.cached_property
    def hits(self) -> str:
        """SQLite: the table of hits of the query, made once."""
        return _sqlite_hits(default_connection, self.model._meta.label, self.terms)

    @functools.cached_property
    def queryset(self) -> models.QuerySet:
        """The matches as a ranked queryset (as search() gives them); without a query, every
        object in `ordering`."""
        objects = self.model._default_manager.filter(**self.filters)
        if not self.query.strip():
            return objects.order_by(*self.ordering)
        if self.vendor == "sqlite" and self.terms:
            return _with_hits(objects, self.terms, self.hits)
        if not self.terms:
            return objects.none()
        return _search_terms(objects, self.terms)

    def _narrowed(self, more: dict[str, Any], within: models.QuerySet | None) -> models.QuerySet:
        queryset = self.queryset.filter(**more)
        return queryset if within is None else queryset.filter(pk__in=within)

    def _column(self, name: str) -> str:
        field = self.model._meta.get_field(name)
        return getattr(field, "column", None) or ""  # "": a relation, never a filter column

    def _source(
        self, fields: Iterable[str], more: dict[str, Any], within: models.QuerySet | None
    ) -> tuple[str, str, list[Any]] | None:
        """FROM and WHERE clauses (and their parameters) that read the matches meeting
        `more` and `within`, as `m` with the columns of `fields`; None when the query is
        empty or a field is not a filter field."""
        if not self.terms:
            return None
        wanted = {self._column(name): value for name, value in (self.filters | more).items()}
        needed = {*wanted, *map(self._column, fields)}
        label = self.model._meta.label
        if not needed <= set(_filter_columns(label, self.vendor)):
            return None
        if self.vendor == "postgresql":
            source = f"{self.table} AS m"
            tsquery, params = self.terms.tsquery()
            where = [f"m.document @@ {tsquery}"]
        else:  # CROSS JOIN: SQLite walks the hits, whatever its estimates
            source = f"{self.hits} CROSS JOIN {filters_table(label, 'sqlite')} AS m"
            where, params = [f"m.obj_id = {self.hits}.id"], []
        for column, value in wanted.items():
            where.append(f"m.{column} = %s")
            params.append(str(value))
        if within is not None:
            inner, inner_params = within.query.sql_with_params()
            where.append(f"m.obj_id IN ({inner})")
            params += inner_params
        return source, " AND ".join(where), params

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
            sql, params = queryset.annotate(n=models.Count("pk")).query.sql_with_params()
        else:
            source, where, params = found
            columns = ", ".join(f"m.{self._column(f)}" for f in fields)
            sql = f"SELECT {columns}, count(*) FROM {source} WHERE {where} GROUP BY {columns}"
        with default_connection.cursor() as cursor:  # raw rows: no conversion per row
            cursor.execute(sql, params)
            return cursor.fetchall()

    def ranked(
        self,
        more: dict[str, Any] | None = None,
        within: models.QuerySet | None = None,
        count: int | None = None,
    ) -> Paged:
        """The matches that also meet `more` and `within`, best first, a page at a time."""
        more = more or {}
        found = self._source([], more, within)
        if found is None:
            return Paged(self._narrowed(more, within), self.terms, count)
        return _SourcePaged(self, found, count)


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
        matches, (source, where, params) = self.matches, self.found
        if matches.vendor == "postgresql":
            rank, rank_params = _pg_rank(matches.table, matches.terms, "m.obj_id", "m.document")
        else:
            rank, rank_params = f"{matches.hits}.rank", []
        start = index.start or 0
        if index.stop is not None:
            limit = str(max(0, index.stop - start))
        else:
            limit = "ALL" if matches.vendor == "postgresql" else "-1"
        with default_connection.cursor() as cursor:
            cursor.execute(
                f"SELECT m.obj_id, {rank} FROM {source} WHERE {where}"
                f" ORDER BY 2 DESC, 1 LIMIT {limit} OFFSET {int(start)}",
                [*rank_params, *params],
            )
            return dict(cursor.fetchall())


def analyze(model: type[models.Model]) -> None:
    """Refresh the query planner's statistics after a bulk change of `model` (an import, a
    full reindex). PostgreSQL's autovacuum does it on its own (here: the model's table and
    its search table); SQLite never does (here: the whole database, sampled, a fraction of
    a second), and without them it counts a search's facets by reading every row of the
    facet index instead of looking up the matches."""
    with default_connection.cursor() as cursor:
        if default_connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute("ANALYZE")
        else:
            tables = [model._meta.db_table, table_name(model._meta.label)]
            cursor.execute("ANALYZE " + ", ".join(map(default_connection.ops.quote_name, tables)))


def rebuild(model_label: str, rows: Iterable[tuple[int, dict[str, str]]]) -> int:
    """Replace a model's whole index with `rows` of (pk, fields); returns how many."""
    clear(model_label)
    count = 0
    for pk, fields in rows:
        index(model_label, pk, fields)
        count += 1
    return count


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
