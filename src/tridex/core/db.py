"""Database chores shared by bulk writers: fast row loading, id reservation, statistics.

The ORM's ``bulk_create`` builds a model instance and compiles every value of every row; for
the millions of rows of a benchmark catalog or a search-index rebuild that costs more than the
database's own work. These helpers write plain tuples instead: ``COPY`` on PostgreSQL,
multi-row ``INSERT`` on SQLite. They trust their caller: values must already be what the
driver expects (``Field.get_db_prep_save`` output), which is why only bulk loaders use them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import chain
from typing import Any, cast

from django.db import connection
from django.db.models import Field, Model
from django.db.models.fields import NOT_PROVIDED


def analyze_database() -> None:
    """Refresh the query planner's statistics after a bulk load.

    Until PostgreSQL's autovacuum (or, on SQLite, nobody) gets to it, the planner believes the
    freshly filled tables are empty and picks plans that scan them: a listing's stock lookup
    took 60 ms instead of 1 ms at 10,000 products. Both databases spell it ``ANALYZE``.

    On PostgreSQL, outside a transaction, it VACUUMs too: that marks the new pages all-visible,
    without which an index-only scan (the search's postings) still visits the table.
    """
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if vacuum else "ANALYZE")


def copy_rows(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Append ``rows`` (tuples in ``columns`` order) to ``model``'s table."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(column) for column in columns)
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,  # psycopg's cursor
        ):
            for row in rows:
                copy.write_row(row)
        return
    # Multi-row INSERTs as wide as the parameter limit allows: far fewer statements than
    # executemany, which matters for the narrow tables with millions of rows.
    limit = connection.features.max_query_params or 999
    per_statement = max(1, min(1_000, limit // len(columns)))
    head = f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608  (quoted model metadata)  # nosec B608
    placeholder = "({})".format(", ".join(["%s"] * len(columns)))
    with connection.cursor() as cursor:
        for batch in _batches(rows, per_statement):
            cursor.execute(
                head + ", ".join([placeholder] * len(batch)), [v for r in batch for v in r]
            )


def insert_rows(model: type[Model], rows: Iterable[Mapping[str, Any]]) -> None:
    """Append rows given as ``{attname: value}``; an omitted column takes its field's default.

    A row that gives ``id`` (from ``reserve_ids``) keeps it. Omitting a column that has no
    default and is not nullable is a ``KeyError``, not a silent NULL.
    """
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in first]
    defaults = {f.attname: _db_default(f) for f in fields if f.attname not in first}
    names = [f.attname for f in fields]

    def values(row: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(row[n] if n in row else defaults[n] for n in names)

    copy_rows(
        model,
        [str(f.column) for f in fields],
        (values(row) for row in chain([first], iterator)),
    )


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """``count`` fresh primary keys for rows a bulk loader will insert with their ids given.

    PostgreSQL hands them out from the table's sequence, so concurrent writers never collide.
    SQLite has one writer at a time; ids above the current maximum are free, and its
    AUTOINCREMENT counter moves past explicitly inserted ids by itself.
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    column = str(cast(Field, model._meta.pk).column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({quote(column)}), 0) FROM {quote(table)}")  # noqa: S608  # nosec B608  # quoted model metadata
        start = int(cursor.fetchone()[0]) + 1
    return list(range(start, start + count))


@contextmanager
def foreign_keys_checked_at_end(*models: type[Model]) -> Iterator[None]:
    """Check the foreign keys of ``models``' tables once, at the end of a bulk load.

    Django's PostgreSQL foreign keys are deferred constraint triggers: each inserted row queues
    a lookup that runs at commit, which for millions of rows took longer than the inserts. On
    PostgreSQL this drops the tables' foreign keys and adds them back afterwards, when each is
    validated by one join over the whole table. It must run inside a transaction (DDL is
    transactional there, so a failure restores them) and locks the tables until commit: for
    loaders that own the database for a while (seeding), not for a live shop. Elsewhere it
    does nothing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("foreign_keys_checked_at_end() needs a transaction to restore them")
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [tables],
        )
        constraints = cursor.fetchall()
        quote = connection.ops.quote_name
        for table, name, _definition in constraints:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in constraints:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")


def _db_default(field: Field) -> Any:
    if field.default is NOT_PROVIDED and not field.null:
        raise KeyError(f"{field.model.__name__}.{field.attname} has no default: give it")
    return field.get_db_prep_save(field.get_default(), connection)


def _batches(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
