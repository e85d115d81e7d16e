"""Database upkeep shared by the loading commands."""

from django.db import connection


def analyze() -> None:
    """Fresh planner statistics for every table, after a bulk load or import: without them
    a fresh PostgreSQL database plans each query blind until autovacuum comes by (the
    register's search served 7 pages a second), and SQLite never gathers them itself."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 1000")
        cursor.execute("ANALYZE")
