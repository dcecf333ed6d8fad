"""Refunds beside fulfilment: units taken off before shipping versus units sent back, and a
refund status that sits next to the order's status instead of replacing it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from tests.checkout.conftest import details
from tests.conftest import stock_of
from tridex.checkout.services import checkout_place_order
from tridex.core.errors import NotFound, ValidationFailed
from tridex.core.money import Money
from tridex.orders.models import OrderStatus, RefundStatus
from tridex.orders.services import UnitsBack, order_mark_delivered, order_ship
from tridex.payments.models import Refund
from tridex.payments.services import order_cancel_with_payments, payment_confirm, payment_refund

S = OrderStatus


@pytest.fixture
def two_covers(make_product, cart_with, market_th):
    """A paid PromptPay order of two covers at ฿1,290 (free delivery above the threshold)."""
    variant = make_product(price="1290", stock=5).variants.get()
    placed = checkout_place_order(
        cart=cart_with(variant, quantity=2), market=market_th, details=details()
    )
    payment_confirm(payment=placed.payment, actor="staff")
    placed.order.refresh_from_db()
    return placed.order, placed.order.lines.get(), variant


def refund(order, amount, **units):
    with translation.override("en"):
        payment_refund(
            order=order, amount=Money(amount, "THB"), units=UnitsBack(**units), actor="s"
        )
    order.refresh_from_db()
    return order


def test_a_returned_unit_does_not_block_shipping_the_other(two_covers):
    order, line, variant = two_covers
    order_ship(order=order, carrier="Kerry", lines={line.pk: 1})
    refund(order, "1290", returned={line.pk: 1})
    line.refresh_from_db()
    assert (line.quantity_shipped, line.quantity_returned, line.quantity_to_ship) == (1, 1, 1)
    assert stock_of(variant) == (4, 0)  # the returned cover is on sale again

    order_ship(order=order, carrier="Kerry")  # the second cover still goes out
    order.refresh_from_db()
    line.refresh_from_db()
    assert line.quantity_shipped == 2
    assert (order.status, order.refund_status) == (S.SHIPPED, RefundStatus.PARTIAL)


def test_a_damaged_return_is_counted_but_not_put_back_on_sale(two_covers):
    order, line, variant = two_covers
    order_ship(order=order, carrier="Kerry")
    refund(order, "1290", returned={line.pk: 1}, restock_returned=False)
    line.refresh_from_db()
    assert line.quantity_returned == 1
    assert stock_of(variant) == (3, 0)


def test_cancelling_the_unshipped_rest_completes_the_shipment(two_covers):
    order, line, variant = two_covers
    order_ship(order=order, carrier="Kerry", lines={line.pk: 1})
    refund(order, "1290", cancelled={line.pk: 1})
    line.refresh_from_db()
    assert (line.quantity_cancelled, line.quantity_to_ship) == (1, 0)
    assert stock_of(variant) == (4, 0)
    assert (order.status, order.refund_status) == (S.SHIPPED, RefundStatus.PARTIAL)
    order_mark_delivered(order=order)


@pytest.mark.parametrize(
    ("units", "message"),
    [
        ({"returned": {0: 1}}, "return between 0 and 0"),  # nothing shipped yet
        ({"cancelled": {0: 3}}, "cancel between 0 and 2"),
        ({"cancelled": {0: -1}}, "cancel between 0 and 2"),
        ({"cancelled": {0: True}}, "cancel between 0 and 2"),
    ],
)
def test_impossible_units_are_refused_before_money_moves(two_covers, units, message):
    order, line, variant = two_covers
    units = {kind: {line.pk: n for n in wanted.values()} for kind, wanted in units.items()}
    with pytest.raises(ValidationFailed, match=message) as caught:
        refund(order, "100", **units)
    assert caught.value.field == "units"
    order.refresh_from_db()
    line.refresh_from_db()
    assert not Refund.objects.exists()
    assert (order.refunded_amount, order.refund_status) == (0, RefundStatus.NONE)
    assert (line.quantity_cancelled, line.quantity_returned) == (0, 0)
    assert stock_of(variant) == (3, 0)


def test_a_line_of_another_order_is_not_found(two_covers, make_product, cart_with, market_th):
    order, _line, _variant = two_covers
    other = make_product(price="990", stock=2).variants.get()
    foreign = checkout_place_order(
        cart=cart_with(other), market=market_th, details=details()
    ).order.lines.get()
    with pytest.raises(NotFound):
        refund(order, "100", cancelled={foreign.pk: 1})
    assert not Refund.objects.exists()


def test_a_partial_refund_keeps_the_fulfilment_status(two_covers):
    order, _line, _variant = two_covers
    refund(order, "100")
    assert (order.status, order.refund_status) == (S.PAID, RefundStatus.PARTIAL)
    with translation.override("en"):
        assert order.status_text == "Paid · partially refunded"
    with translation.override("th"):
        assert order.status_text == "ชำระเงินแล้ว · คืนเงินบางส่วนแล้ว"
    order_ship(order=order, carrier="Kerry")
    order.refresh_from_db()
    assert (order.status, order.refund_status) == (S.SHIPPED, RefundStatus.PARTIAL)
    order_mark_delivered(order=order)
    refund(order, "2480")  # the rest
    assert (order.status, order.refund_status) == (S.REFUNDED, RefundStatus.FULL)
    assert order.refunded_amount == order.paid_amount == Decimal("2580")


def test_a_cancelled_order_is_refunded_in_full(two_covers):
    order, line, variant = two_covers
    order_cancel_with_payments(order=order, actor="staff")
    order.refresh_from_db()
    line.refresh_from_db()
    assert (order.status, order.refund_status) == (S.CANCELLED, RefundStatus.FULL)
    assert (line.quantity_cancelled, line.quantity_to_ship) == (2, 0)
    assert stock_of(variant) == (5, 0)


def test_the_customer_and_the_api_see_the_partial_refund(two_covers, client):
    order, line, _variant = two_covers
    order_ship(order=order, carrier="Kerry", lines={line.pk: 1})
    refund(order, "1290", returned={line.pk: 1})
    page = client.get(f"/en/orders/t/{order.token}/").content.decode()
    assert "Processing · partially refunded" in page
    api = client.get(f"/api/v1/orders/by-token/{order.token}?lang=en").json()
    assert (api["status"], api["refund_status"]) == ("processing", "partial")
    assert api["status_label"] == "Processing · partially refunded"
    assert (api["lines"][0]["quantity_returned"], api["lines"][0]["quantity_cancelled"]) == (1, 0)
