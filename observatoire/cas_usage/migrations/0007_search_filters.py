"""The search keeps each case's status and facet fields beside its index, so that it counts
its facets and ranks its page without looking each match up in the cases' wide table. On
SQLite the index on (status, id, facets) that served those lookups (0006) goes."""

from django.db import migrations


# Frozen: the SQL of core.search's AddSearchFilters("cas_usage.UseCase", ["status", "scope", "domain", "technology", "stage", "country"])
# when this migration was written, so that a later change of core.search cannot change
# what it makes.
# The copy of the filter fields (PostgreSQL: columns of the search table; SQLite: a narrow
# table) and the triggers that keep it. 0008 drops them and makes them again.
SEARCH_FILTERS = {
    "sqlite": (
        "CREATE TABLE search_cas_usage_usecase_filters (obj_id INTEGER PRIMARY KEY, status TEXT NOT NULL DEFAULT '', scope TEXT NOT NULL DEFAULT '', domain TEXT NOT NULL DEFAULT '', technology TEXT NOT NULL DEFAULT '', stage TEXT NOT NULL DEFAULT '', country TEXT NOT NULL DEFAULT '')",
        "INSERT INTO search_cas_usage_usecase_filters SELECT m.id, COALESCE(CAST(m.status AS TEXT), ''), COALESCE(CAST(m.scope AS TEXT), ''), COALESCE(CAST(m.domain AS TEXT), ''), COALESCE(CAST(m.technology AS TEXT), ''), COALESCE(CAST(m.stage AS TEXT), ''), COALESCE(CAST(m.country AS TEXT), '') FROM cas_usage_usecase AS m WHERE m.id IN (SELECT rowid FROM search_cas_usage_usecase)",
        "CREATE TRIGGER search_cas_usage_usecase_filters AFTER UPDATE OF status, scope, domain, technology, stage, country ON cas_usage_usecase FOR EACH ROW WHEN (OLD.status IS NOT NEW.status OR OLD.scope IS NOT NEW.scope OR OLD.domain IS NOT NEW.domain OR OLD.technology IS NOT NEW.technology OR OLD.stage IS NOT NEW.stage OR OLD.country IS NOT NEW.country) BEGIN UPDATE search_cas_usage_usecase_filters SET status = COALESCE(CAST(NEW.status AS TEXT), ''), scope = COALESCE(CAST(NEW.scope AS TEXT), ''), domain = COALESCE(CAST(NEW.domain AS TEXT), ''), technology = COALESCE(CAST(NEW.technology AS TEXT), ''), stage = COALESCE(CAST(NEW.stage AS TEXT), ''), country = COALESCE(CAST(NEW.country AS TEXT), '') WHERE obj_id = NEW.id; END",
        "CREATE TRIGGER search_cas_usage_usecase_filters_forget AFTER DELETE ON cas_usage_usecase FOR EACH ROW BEGIN DELETE FROM search_cas_usage_usecase_filters WHERE obj_id = OLD.id; DELETE FROM search_cas_usage_usecase WHERE rowid = OLD.id; END",
    ),
    "postgresql": (
        "ALTER TABLE search_cas_usage_usecase ADD COLUMN IF NOT EXISTS status text NOT NULL DEFAULT ''",
        "ALTER TABLE search_cas_usage_usecase ADD COLUMN IF NOT EXISTS scope text NOT NULL DEFAULT ''",
        "ALTER TABLE search_cas_usage_usecase ADD COLUMN IF NOT EXISTS domain text NOT NULL DEFAULT ''",
        "ALTER TABLE search_cas_usage_usecase ADD COLUMN IF NOT EXISTS technology text NOT NULL DEFAULT ''",
        "ALTER TABLE search_cas_usage_usecase ADD COLUMN IF NOT EXISTS stage text NOT NULL DEFAULT ''",
        "ALTER TABLE search_cas_usage_usecase ADD COLUMN IF NOT EXISTS country text NOT NULL DEFAULT ''",
        "UPDATE search_cas_usage_usecase AS s SET (status, scope, domain, technology, stage, country) = ROW(COALESCE(CAST(m.status AS TEXT), ''), COALESCE(CAST(m.scope AS TEXT), ''), COALESCE(CAST(m.domain AS TEXT), ''), COALESCE(CAST(m.technology AS TEXT), ''), COALESCE(CAST(m.stage AS TEXT), ''), COALESCE(CAST(m.country AS TEXT), '')) FROM cas_usage_usecase AS m WHERE m.id = s.obj_id",
        """CREATE OR REPLACE FUNCTION search_cas_usage_usecase_filters() RETURNS trigger
                LANGUAGE plpgsql AS $$ BEGIN
                  IF TG_OP = 'UPDATE' THEN
                    UPDATE search_cas_usage_usecase SET status = COALESCE(CAST(NEW.status AS TEXT), ''), scope = COALESCE(CAST(NEW.scope AS TEXT), ''), domain = COALESCE(CAST(NEW.domain AS TEXT), ''), technology = COALESCE(CAST(NEW.technology AS TEXT), ''), stage = COALESCE(CAST(NEW.stage AS TEXT), ''), country = COALESCE(CAST(NEW.country AS TEXT), '') WHERE obj_id = NEW.id;
                  ELSIF TG_OP = 'DELETE' THEN
                    DELETE FROM search_cas_usage_usecase WHERE obj_id = OLD.id;
                  ELSE
                    TRUNCATE search_cas_usage_usecase;
                  END IF;
                  RETURN NULL;
                END $$""",
        "CREATE TRIGGER search_cas_usage_usecase_filters AFTER UPDATE OF status, scope, domain, technology, stage, country ON cas_usage_usecase FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.scope IS DISTINCT FROM NEW.scope OR OLD.domain IS DISTINCT FROM NEW.domain OR OLD.technology IS DISTINCT FROM NEW.technology OR OLD.stage IS DISTINCT FROM NEW.stage OR OLD.country IS DISTINCT FROM NEW.country) EXECUTE FUNCTION search_cas_usage_usecase_filters()",
        "CREATE TRIGGER search_cas_usage_usecase_forget AFTER DELETE ON cas_usage_usecase FOR EACH ROW EXECUTE FUNCTION search_cas_usage_usecase_filters()",
        "CREATE TRIGGER search_cas_usage_usecase_clear AFTER TRUNCATE ON cas_usage_usecase FOR EACH STATEMENT EXECUTE FUNCTION search_cas_usage_usecase_filters()",
    ),
}
SEARCH_FILTERS_BACKWARDS = {
    "sqlite": (
        "DROP TRIGGER IF EXISTS search_cas_usage_usecase_filters",
        "DROP TRIGGER IF EXISTS search_cas_usage_usecase_filters_forget",
        "DROP TABLE IF EXISTS search_cas_usage_usecase_filters",
    ),
    "postgresql": (
        "DROP TRIGGER IF EXISTS search_cas_usage_usecase_filters ON cas_usage_usecase",
        "DROP TRIGGER IF EXISTS search_cas_usage_usecase_forget ON cas_usage_usecase",
        "DROP TRIGGER IF EXISTS search_cas_usage_usecase_clear ON cas_usage_usecase",
        "DROP FUNCTION IF EXISTS search_cas_usage_usecase_filters()",
        "ALTER TABLE search_cas_usage_usecase DROP COLUMN IF EXISTS status",
        "ALTER TABLE search_cas_usage_usecase DROP COLUMN IF EXISTS scope",
        "ALTER TABLE search_cas_usage_usecase DROP COLUMN IF EXISTS domain",
        "ALTER TABLE search_cas_usage_usecase DROP COLUMN IF EXISTS technology",
        "ALTER TABLE search_cas_usage_usecase DROP COLUMN IF EXISTS stage",
        "ALTER TABLE search_cas_usage_usecase DROP COLUMN IF EXISTS country",
    ),
}


# Frozen copy of 0006's index (SQLite only), which this migration drops.
FACETS_BY_ID = {
    "sqlite": (
        "CREATE INDEX IF NOT EXISTS use_case_facets_by_id ON cas_usage_usecase"
        " (status, id, scope, domain, technology, stage, country)",
    ),
    "postgresql": (),
}
FACETS_BY_ID_BACKWARDS = {"sqlite": ("DROP INDEX IF EXISTS use_case_facets_by_id",), "postgresql": ()}


def _run(statements):
    """RunPython's function that executes the connection's engine's `statements`."""

    def run(apps, schema_editor):
        for sql in statements[schema_editor.connection.vendor]:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("cas_usage", "0006_facets_by_id")]

    operations = [
        migrations.RunPython(_run(SEARCH_FILTERS), _run(SEARCH_FILTERS_BACKWARDS), elidable=False),
        migrations.RunPython(_run(FACETS_BY_ID_BACKWARDS), _run(FACETS_BY_ID), elidable=False),
    ]
