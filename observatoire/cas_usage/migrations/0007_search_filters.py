"""The search keeps each case's status and facet fields beside its index, so that it counts
its facets and ranks its page without looking each match up in the cases' wide table. On
SQLite the index on (status, id, facets) that served those lookups (0006) goes."""

from django.db import migrations

from observatoire.core.search import AddSearchFilters

INDEX = "use_case_facets_by_id"


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON cas_usage_usecase"
            " (status, id, scope, domain, technology, stage, country)"
        )


class Migration(migrations.Migration):
    dependencies = [("cas_usage", "0006_facets_by_id")]

    operations = [
        AddSearchFilters(
            "cas_usage.UseCase", ["status", "scope", "domain", "technology", "stage", "country"]
        ),
        migrations.RunPython(drop, create, elidable=False),
    ]
