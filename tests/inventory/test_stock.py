import threading

import pytest
from django.db import connection, connections

from tridex.core.errors import Conflict, ValidationFailed
from tridex.inventory.models import Stock, StockMovement, Warehouse
from tridex.inventory.selectors import product_availability, variant_availability
from tridex.inventory.services import stock_adjust, stock_set


def test_every_change_records_a_movement(make_product, warehouse):
    variant = make_product(stock=5).variants.get()
    stock_adjust(variant=variant, warehouse=warehouse, delta=3, reason="received", actor="ops")
    stock = Stock.objects.get(variant=variant, warehouse=warehouse)
    assert stock.quantity == 8
    movement = stock.movements.first()
    assert (movement.delta, movement.quantity_after, movement.reason) == (3, 8, "received")


@pytest.mark.parametrize(
    ("call", "error"),
    [
        ({"delta": -6}, Conflict),
        ({"delta": 1.5}, ValidationFailed),
        ({"delta": True}, ValidationFailed),
        ({"delta": 1, "reason": "stolen"}, ValidationFailed),
        ({"delta": 10**9}, ValidationFailed),
    ],
)
def test_bad_adjustments_change_nothing(make_product, warehouse, call, error):
    variant = make_product(stock=5).variants.get()
    before = StockMovement.objects.count()
    with pytest.raises(error):
        stock_adjust(variant=variant, warehouse=warehouse, **call)
    assert Stock.objects.get(variant=variant).quantity == 5
    assert StockMovement.objects.count() == before


def test_reserved_units_cannot_be_counted_away(make_product, warehouse):
    variant = make_product(stock=5).variants.get()
    Stock.objects.filter(variant=variant).update(reserved=3)
    with pytest.raises(Conflict) as exc:
        stock_set(variant=variant, warehouse=warehouse, quantity=2)
    assert exc.value.code == "stock_reserved"
    with pytest.raises(ValidationFailed):
        stock_set(variant=variant, warehouse=warehouse, quantity=-1)


def test_availability_counts_only_warehouses_serving_the_market(
    make_product, warehouse, market_th, market_intl
):
    product = make_product(colours=("grey", "navy"), stock=4)
    grey, navy = product.variants.order_by("position")
    local = Warehouse.objects.create(code="cnx", name="Chiang Mai")
    local.markets.set([market_th])
    stock_set(variant=grey, warehouse=local, quantity=10)
    Stock.objects.filter(variant=navy, warehouse=warehouse).update(reserved=1)
    assert variant_availability(variant_ids=[grey.pk, navy.pk], market=market_th) == {
        grey.pk: 14,
        navy.pk: 3,
    }
    assert variant_availability(variant_ids=[grey.pk, navy.pk], market=market_intl) == {
        grey.pk: 4,
        navy.pk: 3,
    }
    assert product_availability(product_ids=[product.pk], market=market_th) == {product.pk: 17}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_decrements_never_oversell_on_postgresql(make_product, warehouse):
    variant = make_product(stock=10).variants.get()
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(20)

    def take_one() -> None:
        try:
            barrier.wait()
            stock_adjust(variant=variant, warehouse=warehouse, delta=-1)
            result = "ok"
        except Conflict:
            result = "out"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=take_one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert connection.vendor == "postgresql"
    assert outcomes.count("ok") == 10
    assert outcomes.count("out") == 10
    stock = Stock.objects.get(variant=variant, warehouse=warehouse)
    assert stock.quantity == 0
    assert stock.movements.count() == 11  # the initial count + ten sales


def test_holds_and_sales_are_all_or_nothing(make_product, market_th):
    from django.utils import timezone

    from tridex.inventory.models import Reservation
    from tridex.inventory.services import stock_release, stock_reserve, stock_sell

    plenty = make_product(stock=5).variants.get()
    scarce = make_product(stock=1).variants.get()
    items = [(plenty.pk, 2), (scarce.pk, 2)]
    for call in (
        lambda: stock_reserve(
            reference="order:1", items=items, market=market_th, expires_at=timezone.now()
        ),
        lambda: stock_sell(reference="order:1", items=items, market=market_th),
    ):
        with pytest.raises(Conflict) as caught:
            call()
        assert caught.value.code == "out_of_stock" and caught.value.extra["available"] == 1
    assert [(s.quantity, s.reserved) for s in Stock.objects.order_by("variant_id")] == [
        (5, 0),
        (1, 0),
    ]
    assert not Reservation.objects.exists()

    assert stock_sell(reference="order:2", items=[(plenty.pk, 2)], market=market_th) == {
        plenty.pk: 2
    }
    stock = Stock.objects.get(variant=plenty)
    assert (stock.quantity, stock.reserved) == (3, 0)
    assert stock.movements.filter(reason="sold", reference="order:2", delta=-2).exists()
    stock_reserve(
        reference="order:3", items=[(plenty.pk, 3)], market=market_th, expires_at=timezone.now()
    )
    assert Stock.objects.get(variant=plenty).available == 0
    assert stock_release(reference="order:3") == 3
    assert stock_release(reference="order:3") == 0  # a repeat changes nothing
