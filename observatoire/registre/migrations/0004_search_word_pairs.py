"""The register's search documents get their pairs of consecutive words, out of the row:
the statements of cas_usage 0012, which creates the functions they call."""

import importlib

from django.db import migrations

pairs = importlib.import_module("observatoire.cas_usage.migrations.0012_search_word_pairs")
TABLE = "search_registre_entry"


class Migration(migrations.Migration):
    dependencies = [
        ("registre", "0003_search_document_in_row"),
        ("cas_usage", "0012_search_word_pairs"),
    ]

    operations = [
        migrations.RunPython(
            pairs.run(pairs.pairs_added(TABLE)),
            pairs.run(pairs.pairs_removed(TABLE)),
            elidable=False,
        ),
    ]
