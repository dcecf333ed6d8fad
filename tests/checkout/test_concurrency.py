"""Fifty shoppers check out the last ten units at once: ten orders, never oversold."""

import threading

import pytest
from django.db import connection, connections

from tests.checkout.conftest import details
from tridex.cart.services import cart_add, cart_get_or_create
from tridex.checkout.services import checkout_place_order
from tridex.core.errors import Conflict
from tridex.inventory.models import Stock
from tridex.orders.models import Order

BUYERS = 50
UNITS = 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("method", ["promptpay", "cod"])
def test_fifty_concurrent_checkouts_for_ten_units(commerce, make_product, market_th, method):
    variant = make_product(price="1290", stock=UNITS).variants.get()
    carts = []
    for _ in range(BUYERS):
        cart = cart_get_or_create(market=market_th)
        cart_add(cart=cart, variant_id=variant.pk, quantity=1)
        carts.append(cart)
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(BUYERS)

    def buy(cart) -> None:
        try:
            barrier.wait()
            checkout_place_order(
                cart=cart, market=market_th, details=details(payment_method=method)
            )
            result = "ordered"
        except Conflict as error:
            result = f"{error.code}:{error.field}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=buy, args=(cart,)) for cart in carts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert connection.vendor == "postgresql"
    assert outcomes.count("ordered") == UNITS
    assert outcomes.count("out_of_stock:lines") == BUYERS - UNITS
    assert Order.objects.count() == UNITS
    stock = Stock.objects.get(variant=variant)
    assert stock.quantity - stock.reserved == 0
    assert stock.quantity >= 0 and stock.reserved >= 0
    if method == "cod":
        assert (stock.quantity, stock.reserved) == (0, 0)
    else:
        assert (stock.quantity, stock.reserved) == (UNITS, UNITS)
