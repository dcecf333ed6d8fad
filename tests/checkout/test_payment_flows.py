"""After the order: paying, holds expiring, late payments, refunds and cancellations."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.checkout.conftest import details
from tests.conftest import stock_of
from tridex.checkout.services import checkout_place_order
from tridex.core.errors import Conflict, ValidationFailed
from tridex.core.money import Money
from tridex.inventory.models import StockMovement
from tridex.inventory.services import stock_set
from tridex.orders.models import OrderStatus, RefundStatus
from tridex.orders.services import UnitsBack, order_mark_delivered, order_ship, order_transition
from tridex.payments.gateways.base import GatewayStatus
from tridex.payments.gateways.local import sign
from tridex.payments.models import Refund
from tridex.payments.services import (
    order_cancel_with_payments,
    payment_confirm,
    payment_handle_webhook,
    payment_refund,
    payments_release_expired,
    refund_execute,
    refund_record_sent,
)


@pytest.fixture
def promptpay_order(make_product, cart_with, market_th):
    variant = make_product(price="1290", stock=3).variants.get()
    placed = checkout_place_order(cart=cart_with(variant), market=market_th, details=details())
    return placed, variant


def test_staff_confirming_promptpay_sells_the_held_stock(promptpay_order):
    placed, variant = promptpay_order
    payment_confirm(payment=placed.payment, actor="staff@example.com")
    order = placed.order
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.paid_amount == Decimal("1340")
    assert stock_of(variant) == (2, 0)
    assert StockMovement.objects.filter(reason="sold", reference=f"order:{order.pk}").count() == 1
    with pytest.raises(Conflict):
        payment_confirm(payment=placed.payment, actor="staff@example.com")


def test_expired_hold_is_released_and_a_late_payment_holds_again(promptpay_order):
    placed, variant = promptpay_order
    assert payments_release_expired(now=timezone.now() + timedelta(minutes=16)) == 1
    assert stock_of(variant) == (3, 0)
    assert placed.order.events.filter(code="reservation_expired").exists()

    payment_confirm(payment=placed.payment, actor="staff")

    placed.order.refresh_from_db()
    assert placed.order.status == OrderStatus.PAID
    assert stock_of(variant) == (2, 0)
    assert placed.order.events.filter(code="re_reserved").exists()


def test_late_payment_for_sold_out_stock_is_refunded_and_never_oversells(
    promptpay_order, django_capture_on_commit_callbacks
):
    placed, variant = promptpay_order
    payments_release_expired(now=timezone.now() + timedelta(minutes=16))
    stock_set(variant=variant, warehouse=variant.stocks.get().warehouse, quantity=0)

    with django_capture_on_commit_callbacks(execute=False):
        payment_confirm(payment=placed.payment, actor="staff")
    refund = Refund.objects.get()
    # PromptPay goes back by hand: the refund waits for staff, and the worker leaves it.
    assert (refund.status, refund.amount, refund.reason) == (
        "to_send",
        Decimal("1340"),
        "out_of_stock",
    )
    assert refund_execute(refund_id=refund.pk).status == "to_send"
    refund_record_sent(refund_id=refund.pk, actor="staff")
    refund_execute(refund_id=refund.pk)  # a rerun changes nothing
    with pytest.raises(Conflict):
        refund_record_sent(refund_id=refund.pk, actor="staff")

    order = placed.order
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert (order.paid_amount, order.refunded_amount) == (Decimal("1340"), Decimal("1340"))
    assert stock_of(variant) == (0, 0)


def test_partial_then_full_refund_with_stock_returned(promptpay_order):
    placed, variant = promptpay_order
    payment_confirm(payment=placed.payment, actor="staff")
    order = placed.order
    line = order.lines.get()

    payment_refund(order=order, amount=Money("340", "THB"), actor="staff", reason="late")
    order.refresh_from_db()
    assert (order.status, order.refund_status) == (OrderStatus.PAID, RefundStatus.PARTIAL)
    with pytest.raises(ValidationFailed) as caught:
        payment_refund(order=order, amount=Money("1001", "THB"), actor="staff")
    assert caught.value.field == "amount"

    payment_refund(
        order=order,
        amount=Money("1000", "THB"),
        units=UnitsBack(cancelled={line.pk: 1}),
        actor="staff",
    )
    order.refresh_from_db()
    assert (order.status, order.refund_status) == (OrderStatus.REFUNDED, RefundStatus.FULL)
    assert order.refunded_amount == Decimal("1340")
    assert stock_of(variant) == (3, 0)


def test_cancelling_an_unpaid_order_releases_its_hold(promptpay_order):
    placed, variant = promptpay_order
    order_cancel_with_payments(order=placed.order, actor="staff", reason="customer asked")
    placed.order.refresh_from_db()
    assert placed.order.status == OrderStatus.CANCELLED
    assert stock_of(variant) == (3, 0)
    placed.payment.refresh_from_db()
    assert placed.payment.status == GatewayStatus.CANCELLED


def test_cancelling_a_paid_order_refunds_it_and_returns_the_stock(promptpay_order):
    placed, variant = promptpay_order
    payment_confirm(payment=placed.payment, actor="staff")
    order_cancel_with_payments(order=placed.order, actor="staff")
    placed.order.refresh_from_db()
    assert placed.order.status == OrderStatus.CANCELLED
    assert placed.order.refunded_amount == Decimal("1340")
    assert stock_of(variant) == (3, 0)


def test_fulfilment_and_illegal_transitions(promptpay_order):
    placed, _variant = promptpay_order
    order = placed.order
    with pytest.raises(Conflict):
        order_ship(order=order, carrier="Kerry")  # not paid yet
    with pytest.raises(Conflict):
        order_transition(order=order, to=OrderStatus.DELIVERED)
    payment_confirm(payment=placed.payment, actor="staff")
    with pytest.raises(ValidationFailed):
        order_ship(order=order, carrier="  ")
    shipment = order_ship(order=order, carrier="Kerry Express", tracking_number="KEX123")
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert shipment.lines.get().quantity == 1
    order_mark_delivered(order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    with pytest.raises(Conflict):
        order_transition(order=order, to=OrderStatus.PENDING_PAYMENT)
    with pytest.raises(Conflict):
        order_cancel_with_payments(order=order, actor="staff")
    codes = list(order.events.values_list("code", flat=True))
    assert codes[0] == "placed" and "shipped" in codes and codes[-1] == "delivered"


def test_promptpay_provider_callback_confirms_once(promptpay_order, settings):
    settings.TRIDEX_PROMPTPAY_CALLBACK_SECRET = "s3cret"
    placed, _variant = promptpay_order
    body = json.dumps(
        {
            "id": "txn-1",
            "reference": placed.payment.reference,
            "amount": "1340.00",
            "currency": "THB",
        }
    ).encode()
    headers = {"X-Tridex-Signature": sign(body, "s3cret")}
    assert payment_handle_webhook(method="promptpay", body=body, headers=headers) == "applied"
    assert payment_handle_webhook(method="promptpay", body=body, headers=headers) == "duplicate"
    placed.order.refresh_from_db()
    assert placed.order.status == OrderStatus.PAID
    assert placed.order.paid_amount == Decimal("1340")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda body, sig: (body.replace(b"1340.00", b"1.00"), sig),
        lambda body, sig: (body, sig.replace("v1=", "v1=0")),
        lambda body, sig: (body, ""),
    ],
)
def test_promptpay_callback_with_a_bad_signature_or_amount_changes_nothing(
    promptpay_order, settings, tamper
):
    from tridex.payments.gateways.base import InvalidWebhook

    settings.TRIDEX_PROMPTPAY_CALLBACK_SECRET = "s3cret"
    placed, _variant = promptpay_order
    body = json.dumps(
        {
            "id": "txn-2",
            "reference": placed.payment.reference,
            "amount": "1340.00",
            "currency": "THB",
        }
    ).encode()
    body, signature = tamper(body, sign(body, "s3cret"))
    with pytest.raises(InvalidWebhook):
        payment_handle_webhook(
            method="promptpay", body=body, headers={"X-Tridex-Signature": signature}
        )
    placed.order.refresh_from_db()
    assert placed.order.status == OrderStatus.PENDING_PAYMENT


def test_cash_on_delivery_is_paid_when_staff_record_the_cash(make_product, cart_with, market_th):
    variant = make_product(price="990", stock=3).variants.get()
    placed = checkout_place_order(
        cart=cart_with(variant), market=market_th, details=details(payment_method="cod")
    )
    order_ship(order=placed.order, carrier="Flash")
    order_mark_delivered(order=placed.order)
    payment_confirm(payment=placed.payment, actor="courier")
    placed.order.refresh_from_db()
    assert placed.order.status == OrderStatus.DELIVERED
    assert placed.order.paid_amount == Decimal("1040")
    assert stock_of(variant) == (2, 0)
