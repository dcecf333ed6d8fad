"""Row-locking helpers (after Saleor's ``lock_objects``).

On PostgreSQL ``select_for_update`` takes row locks. Only the queried model's own rows are
locked (``FOR UPDATE OF <table>``), never the rows ``select_related`` joins in: locking a cart
must not lock its market, which every other cart points at too, and locking stock must not lock
the variant that new order lines reference (their foreign-key checks would wait on it, and wait
for each other: a deadlock).

SQLite has no row locks; Tridex opens its SQLite transactions IMMEDIATE (see settings), so a
writer holds the database write lock from the start of its transaction and writers are
serialized instead.
"""

from django.db import connection
from django.db.models import QuerySet


def lock_rows[T: QuerySet](queryset: T) -> T:  # type: ignore[type-arg]
    if not connection.features.has_select_for_update:
        return queryset
    if connection.features.has_select_for_update_of:
        return queryset.select_for_update(of=("self",))
    return queryset.select_for_update()
