from django.db import migrations


# Frozen: the SQL of core.search's UpdateSearchIndex("registre.Entry", ["name", "summary", "body"])
# when this migration was written, so that a later change of core.search cannot change
# what it makes.
# PostgreSQL only: the per-field indexes that rank broad queries, the stored text that
# excerpts are cut from instead of `text_html` (its word index is computed when read until
# the next reindex), and the default planner cost of `@@` again.
SEARCH_LAYOUT = {
    "sqlite": (
    ),
    "postgresql": (
        "CREATE INDEX IF NOT EXISTS search_registre_entry_name ON search_registre_entry USING gin (ts_filter(document, '{a}'))",
        "CREATE INDEX IF NOT EXISTS search_registre_entry_summary ON search_registre_entry USING gin (ts_filter(document, '{b}'))",
        """DO $$ BEGIN
  IF (SELECT procost FROM pg_proc
      WHERE oid = 'pg_catalog.ts_match_vq(tsvector, tsquery)'::regprocedure) = 100 THEN
    ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) COST 1;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'ts_match_vq keeps its raised cost (only a superuser can reset it)';
END $$""",
        """DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
             AND table_name = 'search_registre_entry' AND column_name = 'text_html') THEN
    ALTER TABLE search_registre_entry ADD COLUMN text text NOT NULL DEFAULT '';
    UPDATE search_registre_entry SET text = replace(replace(replace(replace(replace(text_html,
      '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#x27;', ''''), '&amp;', '&');
    ALTER TABLE search_registre_entry DROP COLUMN text_html;
  END IF;
END $$""",
    ),
}
SEARCH_LAYOUT_BACKWARDS = {
    "sqlite": (
    ),
    "postgresql": (
        "DROP INDEX IF EXISTS search_registre_entry_name",
        "DROP INDEX IF EXISTS search_registre_entry_summary",
        "ALTER TABLE search_registre_entry ADD COLUMN text_html text NOT NULL DEFAULT ''",
        "UPDATE search_registre_entry SET text_html = replace(replace(replace(split_part(text, chr(31), 1),"
            " '&', '&amp;'), '<', '&lt;'), '>', '&gt;')",
        "ALTER TABLE search_registre_entry DROP COLUMN text",
    ),
}


def _run(statements):
    """RunPython's function that executes the connection's engine's `statements`."""

    def run(apps, schema_editor):
        for sql in statements[schema_editor.connection.vendor]:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("registre", "0001_initial")]

    operations = [
        migrations.RunPython(_run(SEARCH_LAYOUT), _run(SEARCH_LAYOUT_BACKWARDS), elidable=False)
    ]
