"""Each search document also holds its pairs of consecutive words as lexemes, and a phrase
is matched as the AND of its pairs: a tsquery without phrase operators is answered by the
GIN index alone, where a phrase made it recheck every candidate against its document
(issue 18: a widened query is an OR of phrases). With no document read to match, the
documents go back to TOAST (STORAGE EXTENDED, undoing 0010): the table's pages then hold
the filter columns alone, which a count of a broad query's matches reads. Nothing changes
on SQLite. The registre's migration 0004 rewrites its own documents with these functions."""

from django.db import migrations

# Frozen: core.search.postgres.PAIRS and PHRASE as of this migration.
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
TABLE = "search_cas_usage_usecase"


def pairs_added(table):
    """The statements that give `table`'s documents their pairs, out of the row, then
    rewrite the table without the rows' earlier versions (CLUSTER): the table of 50,000
    cases is 7 MB instead of 98, and counting a broad query reads most of its pages."""
    return (
        f"ALTER TABLE {table} ALTER COLUMN document SET STORAGE EXTENDED",
        f"UPDATE {table} SET document = observatoire_pairs(document)",
        f"CLUSTER {table} USING {table}_pkey",
    )


def pairs_removed(table):
    """Backwards: the documents without their pairs, in the row again (as 0010 left them)."""
    return (
        f"UPDATE {table} SET document = ts_delete(document, ARRAY(SELECT lexeme"
        " FROM unnest(document) WHERE strpos(lexeme, ' ') > 0))",
        f"ALTER TABLE {table} ALTER COLUMN document SET STORAGE MAIN",
    )


def run(statements):
    """RunPython's function that executes `statements` on PostgreSQL (nothing on SQLite)."""

    def execute(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return execute


class Migration(migrations.Migration):
    dependencies = [("cas_usage", "0011_french_field_labels")]

    operations = [
        migrations.RunPython(
            run((PAIRS, PHRASE, *pairs_added(TABLE))), run(pairs_removed(TABLE)), elidable=False
        ),
    ]
