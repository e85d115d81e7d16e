"""The search table keeps each document in its row (STORAGE MAIN) instead of TOAST: a
widened query's phrases make PostgreSQL read every candidate's document, and fetching it
from TOAST cost twice the check itself (issue 18: server CPU p95 of bench/search.py at
50,000 cases, 68 ms before, 48 ms after). The documents already stored are rewritten in
their rows. Nothing changes on SQLite."""

from django.db import migrations

# Frozen: what core.search.postgres.create_index_sql adds for this, and the rewrite.
DOCUMENT_IN_ROW = {
    "sqlite": (),
    "postgresql": (
        "ALTER TABLE search_registre_entry ALTER COLUMN document SET STORAGE MAIN",
        "UPDATE search_registre_entry SET document = document || ''::tsvector",
    ),
}
DOCUMENT_IN_ROW_BACKWARDS = {
    "sqlite": (),
    "postgresql": ("ALTER TABLE search_registre_entry ALTER COLUMN document SET STORAGE EXTENDED",),
}


def _run(statements):
    """RunPython's function that executes the connection's engine's `statements`."""

    def run(apps, schema_editor):
        for sql in statements[schema_editor.connection.vendor]:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("registre", "0002_update_search_index")]

    operations = [
        migrations.RunPython(
            _run(DOCUMENT_IN_ROW), _run(DOCUMENT_IN_ROW_BACKWARDS), elidable=False
        ),
    ]
