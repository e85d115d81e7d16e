"""The search keeps each case's status and facet fields beside its index, so that it counts
its facets and ranks its page without looking each match up in the cases' wide table. On
SQLite the index on (status, id, facets) that served those lookups (0006) goes."""

from importlib import import_module

from django.db import migrations

from observatoire.core.search import AddSearchFilters

facets_by_id = import_module("observatoire.cas_usage.migrations.0006_facets_by_id")


class Migration(migrations.Migration):
    dependencies = [("cas_usage", "0006_facets_by_id")]

    operations = [
        AddSearchFilters(
            "cas_usage.UseCase", ["status", "scope", "domain", "technology", "stage", "country"]
        ),
        migrations.RunPython(facets_by_id.drop, facets_by_id.create, elidable=False),
    ]
