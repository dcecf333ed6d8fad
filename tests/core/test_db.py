"""Bulk-loading helpers (core.db): plain-row inserts, reserved ids, foreign keys checked once."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tridex.catalog.models import Product, Variant
from tridex.core.db import copy_rows, foreign_keys_checked_at_end, insert_rows, reserve_ids


def _now() -> object:
    field = Variant._meta.get_field("created_at")
    return field.get_db_prep_save(timezone.now(), connection)


def _variant_row(product: Product, sku: str) -> dict[str, object]:
    now = _now()
    return {"created_at": now, "updated_at": now, "product_id": product.pk, "sku": sku}


def _foreign_keys(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass",
            [table],
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_insert_rows_fills_defaults_and_keeps_reserved_ids(make_product):
    product = make_product()
    ids = reserve_ids(Variant, 3)
    assert len(set(ids)) == 3 and min(ids) > max(Variant.objects.values_list("pk", flat=True))

    insert_rows(
        Variant,
        ({**_variant_row(product, f"BULK-{n}"), "id": pk} for n, pk in enumerate(ids)),
    )

    bulk = Variant.objects.filter(sku__startswith="BULK-").order_by("pk")
    assert list(bulk.values_list("pk", flat=True)) == ids
    first = bulk[0]
    assert (first.barcode, first.weight_grams, first.is_active, first.position) == ("", 0, True, 0)
    # The table's own id counter moved past the reserved ids: the ORM cannot collide with them.
    later = Variant.objects.create(product=product, sku="ORM-1")
    assert later.pk > max(ids)


@pytest.mark.django_db
def test_insert_rows_without_a_required_column_writes_nothing(make_product):
    product = make_product()
    row = _variant_row(product, "NO-PRODUCT")
    del row["product_id"]
    before = Variant.objects.count()
    with pytest.raises(KeyError, match=r"Variant\.product_id"):
        insert_rows(Variant, [row])
    assert Variant.objects.count() == before


@pytest.mark.django_db
def test_copy_rows_writes_many_rows_in_few_statements(make_product, django_assert_max_num_queries):
    product = make_product()
    now = _now()
    columns = ["created_at", "updated_at", "product_id", "sku", "barcode"]
    columns += ["weight_grams", "length_mm", "width_mm", "height_mm", "position", "is_active"]
    rows = [(now, now, product.pk, f"MANY-{n}", "", 0, 0, 0, 0, n, True) for n in range(2_500)]
    with django_assert_max_num_queries(30):
        copy_rows(Variant, columns, rows)
    assert Variant.objects.filter(sku__startswith="MANY-").count() == 2_500


@pytest.mark.django_db(transaction=True)
def test_a_dangling_reference_in_a_bulk_load_is_refused_and_writes_nothing(make_product):
    product = make_product()
    before = Variant.objects.count()
    missing = Product.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1_000
    with pytest.raises(IntegrityError), transaction.atomic():
        with foreign_keys_checked_at_end(Variant):
            insert_rows(Variant, [_variant_row(product, "GOOD"), _variant_row(product, "X")])
            insert_rows(Variant, [{**_variant_row(product, "DANGLING"), "product_id": missing}])
        if connection.vendor != "postgresql":
            # SQLite checks deferred foreign keys at commit.
            connection.check_constraints(table_names=[Variant._meta.db_table])
    assert Variant.objects.count() == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_foreign_keys_are_dropped_during_the_load_and_restored_after(make_product):
    product = make_product()
    table = Variant._meta.db_table
    constraints = _foreign_keys(table)
    assert constraints
    with transaction.atomic(), foreign_keys_checked_at_end(Variant):
        assert _foreign_keys(table) == set()
        insert_rows(Variant, [_variant_row(product, "LOADED")])
    assert _foreign_keys(table) == constraints
    assert Variant.objects.filter(sku="LOADED", product=product).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_foreign_keys_checked_at_end_needs_a_transaction():
    with pytest.raises(RuntimeError, match="transaction"), foreign_keys_checked_at_end(Variant):
        pass
