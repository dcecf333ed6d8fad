"""Defects found in review, each pinned by a test: late money on a cancelled order, refused
and unanswered refunds, a card processor down at checkout, PromptPay bill numbers, staff moves,
htmx cart updates, out-of-range ids and a cart that follows the shopper's market."""

import json
from decimal import Decimal

import pytest

from tests.checkout.conftest import details
from tests.checkout.test_pages import checkout_form
from tridex.cart.models import Cart, CartLine
from tridex.checkout.services import checkout_place_order
from tridex.core.errors import Conflict, ValidationFailed
from tridex.core.money import Money
from tridex.orders.models import Order, OrderStatus, RefundStatus
from tridex.orders.services import UnitsBack, order_transition
from tridex.payments.gateways.base import GatewayError
from tridex.payments.gateways.local import sign
from tridex.payments.models import Refund
from tridex.payments.services import (
    order_cancel_with_payments,
    payment_confirm,
    payment_handle_webhook,
    payment_refund,
    refund_execute,
    refund_record_sent,
)


@pytest.fixture
def promptpay_order(make_product, cart_with, market_th):
    variant = make_product(price="1290", stock=3).variants.get()
    return checkout_place_order(cart=cart_with(variant), market=market_th, details=details())


def test_the_qr_bill_number_is_the_payment_reference(promptpay_order, settings):
    settings.TRIDEX_PROMPTPAY_CALLBACK_SECRET = "s3cret"
    payment = promptpay_order.payment
    assert payment.reference.isalnum() and len(payment.reference) == 25
    assert f"05{len(payment.reference):02d}{payment.reference}" in payment.qr_payload
    body = json.dumps(
        {"id": "t-9", "reference": payment.reference, "amount": "1340.00", "currency": "THB"}
    ).encode()
    result = payment_handle_webhook(
        method="promptpay", body=body, headers={"X-Tridex-Signature": sign(body, "s3cret")}
    )
    assert result == "applied"


def test_money_for_a_cancelled_order_is_recorded_and_refunded(
    promptpay_order, settings, django_capture_on_commit_callbacks
):
    settings.TRIDEX_PROMPTPAY_CALLBACK_SECRET = "s3cret"
    order = promptpay_order.order
    order_cancel_with_payments(order=order, actor="staff")
    body = json.dumps(
        {
            "id": "t-10",
            "reference": promptpay_order.payment.reference,
            "amount": "1340.00",
            "currency": "THB",
        }
    ).encode()
    with django_capture_on_commit_callbacks(execute=False):
        payment_handle_webhook(
            method="promptpay", body=body, headers={"X-Tridex-Signature": sign(body, "s3cret")}
        )
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.TO_SEND
    refund_record_sent(refund_id=refund.pk, actor="staff")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.paid_amount == order.refunded_amount == Decimal("1340")


def test_staff_can_only_make_moves_without_consequences(promptpay_order):
    order = promptpay_order.order
    with pytest.raises(Conflict):
        order_transition(order=order, to=OrderStatus.PROCESSING)  # unpaid: stock only held
    payment_confirm(payment=promptpay_order.payment, actor="staff")
    order.refresh_from_db()
    with pytest.raises(Conflict):
        order_transition(order=order, to=OrderStatus.SHIPPED)  # needs a shipment
    assert order_transition(order=order, to=OrderStatus.PROCESSING).status == "processing"


def test_a_bad_restock_is_refused_before_any_money_moves(promptpay_order):
    order = promptpay_order.order
    payment_confirm(payment=promptpay_order.payment, actor="staff")
    line = order.lines.get()
    with pytest.raises(ValidationFailed) as caught:
        payment_refund(
            order=order,
            amount=Money("100", "THB"),
            units=UnitsBack(cancelled={line.pk: 5}),
            actor="s",
        )
    assert caught.value.field == "units"
    assert not Refund.objects.exists()
    order.refresh_from_db()
    assert order.refunded_amount == 0


def test_page_errors_other_than_not_found_are_shown_not_500(client, commerce, make_product):
    variant = make_product(stock=2).variants.get()
    client.post("/en/cart/add/", {"variant": variant.pk, "quantity": "1"})
    huge = 10**25
    response = client.post("/en/wishlist/change/", {"variant": str(huge), "action": "remove"})
    assert response.status_code == 302
    api = client.delete(f"/api/v1/wishlist/items/{huge}")
    assert api.status_code in (404, 422)


def test_htmx_quantity_change_returns_the_cart(client, commerce, make_product):
    variant = make_product(stock=5).variants.get()
    client.post("/en/cart/add/", {"variant": variant.pk, "quantity": "1"})
    line = CartLine.objects.get()
    response = client.post(f"/en/cart/lines/{line.pk}/", {"quantity": "2"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="cart"' in response.content.decode() and 'value="2"' in response.content.decode()


def test_the_cart_follows_the_shopper_into_another_market(
    client, commerce, make_product, market_intl
):
    variant = make_product(stock=5).variants.get()
    client.post("/en/cart/add/", {"variant": variant.pk, "quantity": "1"})
    client.post("/en/market/", {"market": "intl", "next": "/en/checkout/"})
    assert client.get("/en/checkout/").status_code == 200
    assert Cart.objects.get().market == market_intl


@pytest.mark.usefixtures("stripe_settings")
def test_card_processor_down_at_checkout_keeps_the_order_and_offers_a_retry(
    client, commerce, make_product, stripe_server
):
    variant = make_product(stock=5).variants.get()
    client.post("/en/cart/add/", {"variant": variant.pk, "quantity": "1"})
    stripe_server.fail_next("api_error", times=5)
    response = client.post("/en/checkout/", checkout_form(payment_method="stripe"))
    order = Order.objects.get()
    assert response.status_code == 302 and order.status == OrderStatus.PENDING_PAYMENT
    page = client.get(response["Location"]).content.decode()
    assert "Try the card payment again" in page
    client.post(f"/en/orders/t/{order.token}/pay/")
    assert order.payments.get().external_id.startswith("pi_")


@pytest.mark.usefixtures("stripe_settings")
def test_an_unanswered_refund_stays_pending_and_is_retried(
    commerce, make_product, cart_with, market_th, stripe_server, client
):
    variant = make_product(stock=5).variants.get()
    placed = checkout_place_order(
        cart=cart_with(variant), market=market_th, details=details(payment_method="stripe")
    )
    stripe_server.succeed(placed.payment.external_id)
    body, headers = stripe_server.make_event("payment_intent.succeeded", placed.payment.external_id)
    client.post(
        "/api/v1/payments/webhooks/stripe",
        data=body,
        content_type="application/json",
        headers=headers,
    )
    stripe_server.fail_next("api_error", times=5)
    with pytest.raises(GatewayError) as caught:
        payment_refund(order=placed.order, amount=Money("100", "THB"), actor="staff")
    assert caught.value.code == "refund_retrying"
    refund = Refund.objects.get()
    assert refund.status == "pending"
    refund_execute(refund_id=refund.pk)  # what the retried task does
    refund.refresh_from_db()
    assert refund.status == "succeeded"


def test_a_resubmitted_refund_form_refunds_once(promptpay_order):
    order = promptpay_order.order
    payment_confirm(payment=promptpay_order.payment, actor="staff")
    first = payment_refund(order=order, amount=Money("100", "THB"), actor="s", request_key="k1")
    again = payment_refund(order=order, amount=Money("100", "THB"), actor="s", request_key="k1")
    assert first.pk == again.pk and Refund.objects.count() == 1
    order.refresh_from_db()
    assert order.refunded_amount == Decimal("100")


def test_a_partly_refunded_order_keeps_what_it_shipped(promptpay_order):
    from tridex.orders.services import order_mark_delivered, order_ship

    order = promptpay_order.order
    payment_confirm(payment=promptpay_order.payment, actor="staff")
    payment_refund(order=order, amount=Money("40", "THB"), actor="staff")
    with pytest.raises(Conflict):
        order_mark_delivered(order=order)  # never shipped
    order_ship(order=order, carrier="Kerry")
    payment_refund(order=order, amount=Money("40", "THB"), actor="staff")
    order.refresh_from_db()
    assert (order.status, order.refund_status) == (OrderStatus.SHIPPED, RefundStatus.PARTIAL)
    with pytest.raises(Conflict):
        order_cancel_with_payments(order=order, actor="staff")
    order.refresh_from_db()
    assert order.refunded_amount == Decimal("80")  # no money moved by the refused cancel
