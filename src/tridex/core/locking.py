"""Row-locking helpers (after Saleor's ``lock_objects``).

On PostgreSQL ``select_for_update`` takes row locks. SQLite has no row locks; Tridex opens its
SQLite transactions IMMEDIATE (see settings), so a writer holds the database write lock from the
start of its transaction and writers are serialized instead.
"""

from django.db import connection
from django.db.models import QuerySet


def lock_rows[T: QuerySet](queryset: T) -> T:  # type: ignore[type-arg]
    if connection.features.has_select_for_update:
        return queryset.select_for_update()
    return queryset
