"""PostgreSQL: the search table keeps each case's status and facet fields, so that a search
counts its facets and ranks its page without looking each match up in the cases' table."""

from django.db import migrations

from observatoire.core.search import AddSearchFilters


class Migration(migrations.Migration):
    dependencies = [("cas_usage", "0006_facets_by_id")]

    operations = [
        AddSearchFilters(
            "cas_usage.UseCase", ["status", "scope", "domain", "technology", "stage", "country"]
        )
    ]
