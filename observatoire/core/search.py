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
  stemmer, the same way queries are; ranked by `bm25()`. Excerpts are cut from the
  original text by a small SQL function registered on the connection.
- PostgreSQL: a table with a `tsvector` column under a GIN index, built with the
  `observatoire_fr` text search configuration (French Snowball stemmer after the
  `unaccent` dictionary: the same pipeline as above); queries go through
  `websearch_to_tsquery`, ranked by `ts_rank_cd`, excerpts by `ts_headline`.

Both engines accept the same query syntax: words (all required), "a phrase", -excluded,
and `or`. The index is maintained by the owning app's services (see docs/search.md).
"""

from __future__ import annotations

import collections
import functools
import html
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import snowballstemmer
from django.db import connection as default_connection
from django.db import models
from django.db.migrations.operations.base import Operation
from django.db.models.expressions import RawSQL

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


def _tokens(query: str) -> list[tuple[str, list[str]]]:
    """Parse web-search syntax into (operator, stems): operator is "+", "-" or "or"."""
    parsed: list[tuple[str, list[str]]] = []
    for match in re.finditer(r'(-?)"([^"]*)"?|(\S+)', query):
        if match.group(3) is not None:
            word = match.group(3)
            if word.lower() == "or":
                parsed.append(("or", []))
                continue
            negated = word.startswith("-") and len(word) > 1
            words = stems(word[1:] if negated else word)
        else:
            negated = match.group(1) == "-"
            words = stems(match.group(2))
        if words:
            parsed.append(("-" if negated else "+", words))
    return parsed


def query_stems(query: str) -> list[str]:
    """The stems a query looks for (excluded words aside): those the excerpts highlight."""
    return [s for op, words in _tokens(query) if op == "+" for s in words]


def fts5_query(query: str) -> str:
    """Translate a web-search query into an FTS5 MATCH expression over stemmed columns."""
    positive: list[str] = []
    negative: list[str] = []
    pending_or = False
    for op, words in _tokens(query):
        if op == "or":
            pending_or = bool(positive)
            continue
        term = '"' + " ".join(words) + '"'
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


# --- Excerpts (SQLite; PostgreSQL uses ts_headline) --------------------------------------


SEPARATOR = "\x00"  # between the shown text, its word stems and their offsets in `_text`


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


def _sqlite_excerpt(stored: str | None, wanted: str | None) -> str:
    text, _sep, index = (stored or "").partition(SEPARATOR)
    return excerpt(text, (wanted or "").split(), index=index if SEPARATOR in index else None)


def _register_sqlite_function(connection: Any) -> None:
    """Give each SQLite connection, once, the SQL function that cuts excerpts."""
    connection.ensure_connection()
    raw = connection.connection
    if getattr(connection, "_search_excerpt_on", None) is not raw:
        raw.create_function("obs_search_excerpt", 2, _sqlite_excerpt, deterministic=True)
        connection._search_excerpt_on = raw


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
            " document tsvector NOT NULL, text_html text NOT NULL DEFAULT '')"
            " WITH (toast_tuple_target = 128)",
            f"CREATE INDEX IF NOT EXISTS {table}_document ON {table} USING gin (document)",
            # Matching a tsvector means reading it (often from TOAST): cost it so, or the
            # planner prefers scanning every document to the GIN index for broad queries.
            """DO $$ BEGIN
              ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) COST 100;
            EXCEPTION WHEN insufficient_privilege THEN
              RAISE NOTICE 'ts_match_vq cost unchanged (needs a superuser)';
            END $$""",
        ]
    raise NotImplementedError(f"Recherche plein texte non prise en charge sur {vendor}")


class CreateSearchIndex(Operation):
    """Migration operation: create the search table of `model_label` for `fields`."""

    reversible = True

    def __init__(self, model_label: str, fields: list[str]):
        self.model_label = model_label
        self.fields = _check_fields(fields)

    def deconstruct(self):
        return ("observatoire.core.search.CreateSearchIndex", [self.model_label, self.fields], {})

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        for sql in create_index_sql(vendor, self.model_label, self.fields):
            schema_editor.execute(sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        schema_editor.execute(f"DROP TABLE IF EXISTS {table_name(self.model_label)}")

    def describe(self) -> str:
        return f"Create the full-text search table of {self.model_label}"


# --- Interface ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _sqlite_weights(model_label: str) -> str:
    """bm25 weights for the FTS5 columns: 10 for the first field, 4 the second, then 1."""
    with default_connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table_name(model_label)} LIMIT 0")
        count = len(cursor.description) - 1
    return ", ".join([*["10.0", "4.0", *(["1.0"] * count)][:count], "0.0"])


def index(model_label: str, pk: int, fields: dict[str, str], connection: Any = None) -> None:
    """(Re)index one object: `fields` maps each declared field to its text, most weighty first.

    The excerpt is cut from all fields but the first (the title, shown apart).
    """
    connection = connection or default_connection
    table = table_name(model_label)
    names = _check_fields(fields)
    texts = [fields[name] or "" for name in names]
    shown = "\n".join(t for t in texts[1:] if t)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DELETE FROM {table} WHERE rowid = %s", [pk])
            columns = ", ".join([*names, "_text"])
            marks = ", ".join(["%s"] * (len(names) + 2))
            cursor.execute(
                f"INSERT INTO {table} (rowid, {columns}) VALUES ({marks})",
                [pk, *(" ".join(stems(t)) for t in texts), shown + SEPARATOR + word_index(shown)],
            )
        else:
            vector = " || ".join(
                f"setweight(to_tsvector('{CONFIG}', %s), '{'ABCD'[min(i, 3)]}')"
                for i in range(len(names))
            )
            cursor.execute(
                f"INSERT INTO {table} (obj_id, document, text_html) VALUES (%s, {vector}, %s)"
                " ON CONFLICT (obj_id) DO UPDATE"
                " SET document = EXCLUDED.document, text_html = EXCLUDED.text_html",
                [pk, *texts, html.escape(shown, quote=False)],
            )


def remove(model_label: str, pk: int, connection: Any = None) -> None:
    """Take one object out of the index."""
    connection = connection or default_connection
    table = table_name(model_label)
    column = "rowid" if connection.vendor == "sqlite" else "obj_id"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [pk])


def clear(model_label: str, connection: Any = None) -> None:
    """Empty a model's index (before a full rebuild)."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table_name(model_label)}")


KEPT_SEARCHES = 16  # match sets a SQLite connection keeps in its temporary table


def _sqlite_hits(connection: Any, model_label: str, match: str) -> int:
    """Run the full-text query once and keep (id, bm25 rank) in a temporary table.

    Ranking through a correlated `bm25()` subquery would re-run the MATCH for every row
    (seconds on 50,000 cases); a keyed lookup in this table costs microseconds. The match
    set is therefore taken when search() is called. Each call gets a token; a connection
    keeps its last KEPT_SEARCHES sets.
    """
    table = table_name(model_label)
    weights = _sqlite_weights(model_label)
    tokens = getattr(connection, "_search_tokens", None)
    if tokens is None:  # one deque per database wrapper (the proxy forwards to it)
        tokens = connection._search_tokens = collections.deque()
    token = (tokens[-1] + 1) if tokens else 1
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS search_hits (token INTEGER, id INTEGER,"
            " rank REAL, PRIMARY KEY (token, id)) WITHOUT ROWID"
        )
        cursor.execute("DELETE FROM temp.search_hits WHERE token = %s", [token])
        cursor.execute(
            f"INSERT INTO temp.search_hits SELECT %s, rowid, -bm25({table}, {weights})"
            f" FROM {table} WHERE {table} MATCH %s",
            [token, match],
        )
        tokens.append(token)
        while len(tokens) > KEPT_SEARCHES:
            cursor.execute("DELETE FROM temp.search_hits WHERE token = %s", [tokens.popleft()])
    return token


def search(queryset: models.QuerySet, query: str) -> models.QuerySet:
    """The objects of `queryset` matching `query`, best first, with rank and excerpt.

    An empty query (or one made only of stop words or exclusions) matches nothing.
    """
    model = queryset.model
    table = table_name(model._meta.label)
    base = f"{model._meta.db_table}.{model._meta.pk.column}"
    connection = default_connection
    if connection.vendor == "sqlite":
        match = fts5_query(query)
        if not match:
            return queryset.none()
        _register_sqlite_function(connection)
        hits = _sqlite_hits(connection, model._meta.label, match)
        cut = f"SELECT obs_search_excerpt(_text, %s) FROM {table} WHERE rowid = {base}"
        rank = f"SELECT rank FROM temp.search_hits WHERE token = %s AND id = {base}"
        return (
            queryset.filter(
                pk__in=RawSQL("SELECT id FROM temp.search_hits WHERE token = %s", [hits])
            )
            .annotate(
                search_rank=RawSQL(rank, [hits], output_field=models.FloatField()),
                search_excerpt=RawSQL(
                    cut, [" ".join(query_stems(query))], output_field=models.TextField()
                ),
            )
            .order_by("-search_rank", "pk")
        )
    if not fts5_query(query):
        return queryset.none()
    tsquery = f"websearch_to_tsquery('{CONFIG}', %s)"
    options = "StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=12, MaxFragments=2"
    return queryset.extra(
        select={
            "search_rank": f"ts_rank_cd({table}.document, {tsquery}, 1)",
            "search_excerpt": f"ts_headline('{CONFIG}', {table}.text_html, {tsquery}, %s)",
        },
        select_params=[query, query, options],
        tables=[table],
        where=[f"{table}.obj_id = {base}", f"{table}.document @@ {tsquery}"],
        params=[query],
    ).order_by("-search_rank", "pk")


def rebuild(model_label: str, rows: Iterable[tuple[int, dict[str, str]]]) -> int:
    """Replace a model's whole index with `rows` of (pk, fields); returns how many."""
    clear(model_label)
    count = 0
    for pk, fields in rows:
        index(model_label, pk, fields)
        count += 1
    return count
