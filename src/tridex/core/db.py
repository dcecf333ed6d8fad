"""Database chores shared by bulk writers."""

from django.db import connection


def analyze_database() -> None:
    """Refresh the query planner's statistics after a bulk load.

    Until PostgreSQL's autovacuum (or, on SQLite, nobody) gets to it, the planner believes the
    freshly filled tables are empty and picks plans that scan them: a listing's stock lookup
    took 60 ms instead of 1 ms at 10,000 products. Both databases spell it ``ANALYZE``.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
