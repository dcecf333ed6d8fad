"""Card checkout end to end against the fake Stripe: the real SDK, signed webhooks delivered to
the API endpoint twice, three times and out of order, refunds with idempotency keys."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.checkout.conftest import details
from tridex.cart.services import cart_add, cart_get_or_create
from tridex.checkout.services import checkout_place_order
from tridex.core.money import Money
from tridex.inventory.models import Stock, StockMovement
from tridex.inventory.services import stock_set
from tridex.orders.models import OrderStatus, RefundStatus
from tridex.payments.models import Refund, WebhookReceipt
from tridex.payments.services import payment_refund, payments_release_expired, refund_execute

WEBHOOK = "/api/v1/payments/webhooks/stripe"


@pytest.fixture
def card_order(commerce, stripe_settings, make_product, market_th):
    variant = make_product(price="1290", stock=3).variants.get()
    cart = cart_get_or_create(market=market_th)
    cart_add(cart=cart, variant_id=variant.pk, quantity=1)
    placed = checkout_place_order(
        cart=cart, market=market_th, details=details(payment_method="stripe")
    )
    return placed, variant


def deliver(client, server, event_type, intent_id):
    body, headers = server.make_event(event_type, intent_id)
    return client.post(WEBHOOK, data=body, content_type="application/json", headers=headers)


def test_placing_a_card_order_opens_a_payment_intent_once(card_order, stripe_server):
    placed, _variant = card_order
    payment = placed.payment
    assert payment.external_id.startswith("pi_") and payment.client_secret
    creates = stripe_server.calls("POST", "/v1/payment_intents")
    assert len(creates) == 1
    assert creates[0].idempotency_key == f"tridex-create-{payment.reference}"
    assert creates[0].params["amount"] == "134000"  # 1,340.00 THB in satang
    assert creates[0].params["currency"] == "thb"


def test_the_same_webhook_three_times_and_out_of_order_changes_the_order_once(
    card_order, stripe_server, client
):
    placed, variant = card_order
    intent = placed.payment.external_id
    stripe_server.succeed(intent)
    succeeded = stripe_server.make_event("payment_intent.succeeded", intent)
    body, headers = succeeded
    for _ in range(3):
        response = client.post(WEBHOOK, data=body, content_type="application/json", headers=headers)
        assert response.status_code == 200
    # A "processing" event that Stripe sent earlier arrives last: it must not undo "paid".
    stripe_server.update_intent(intent, status="processing")
    late = deliver(client, stripe_server, "payment_intent.processing", intent)
    assert late.status_code == 200

    order = placed.order
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.paid_amount == Decimal("1340")
    assert order.events.filter(kind="payment", code="paid").count() == 1
    assert order.events.filter(kind="status", code="paid").count() == 1
    assert StockMovement.objects.filter(reason="sold").count() == 1
    assert Stock.objects.get(variant=variant).quantity == 2
    assert WebhookReceipt.objects.count() == 2
    placed.payment.refresh_from_db()
    assert placed.payment.status == "captured"


@pytest.mark.parametrize("tamper", ["body", "secret", "missing"])
def test_a_webhook_that_is_not_stripes_is_refused(card_order, stripe_server, client, tamper):
    placed, _variant = card_order
    stripe_server.succeed(placed.payment.external_id)
    body, headers = stripe_server.make_event("payment_intent.succeeded", placed.payment.external_id)
    if tamper == "body":
        body = body.replace(b"succeeded", b"succeedex", 1)
    elif tamper == "secret":
        _body, headers = stripe_server.make_event(
            "payment_intent.succeeded", placed.payment.external_id, secret="whsec_wrong"
        )
    else:
        headers = {}
    response = client.post(WEBHOOK, data=body, content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_webhook"
    placed.order.refresh_from_db()
    assert placed.order.status == OrderStatus.PENDING_PAYMENT
    assert not WebhookReceipt.objects.exists()


def test_a_failed_card_can_be_retried_and_then_pays(card_order, stripe_server, client):
    placed, _variant = card_order
    intent = placed.payment.external_id
    stripe_server.fail(intent)
    deliver(client, stripe_server, "payment_intent.payment_failed", intent)
    placed.order.refresh_from_db()
    assert placed.order.status == OrderStatus.PENDING_PAYMENT
    stripe_server.succeed(intent)
    deliver(client, stripe_server, "payment_intent.succeeded", intent)
    placed.order.refresh_from_db()
    assert placed.order.status == OrderStatus.PAID


def test_payment_after_the_hold_expired_and_stock_sold_out_is_refunded_once(
    card_order, stripe_server, client, django_capture_on_commit_callbacks
):
    placed, variant = card_order
    payments_release_expired(now=timezone.now() + timedelta(minutes=30))
    stock_set(variant=variant, warehouse=variant.stocks.get().warehouse, quantity=0)
    intent = placed.payment.external_id
    stripe_server.succeed(intent)

    with django_capture_on_commit_callbacks(execute=False):
        deliver(client, stripe_server, "payment_intent.succeeded", intent)
    refund = Refund.objects.get()
    refund_execute(refund_id=refund.pk)
    refund_execute(refund_id=refund.pk)

    refunds = stripe_server.calls("POST", "/v1/refunds")
    assert len(refunds) == 1
    assert refunds[0].idempotency_key == refund.idempotency_key
    order = placed.order
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.refunded_amount == order.paid_amount == Decimal("1340")
    stock = Stock.objects.get(variant=variant)
    assert (stock.quantity, stock.reserved) == (0, 0)


def test_payment_after_the_hold_expired_holds_again_when_stock_allows(
    card_order, stripe_server, client
):
    placed, variant = card_order
    payments_release_expired(now=timezone.now() + timedelta(minutes=30))
    stripe_server.succeed(placed.payment.external_id)
    deliver(client, stripe_server, "payment_intent.succeeded", placed.payment.external_id)
    placed.order.refresh_from_db()
    assert placed.order.status == OrderStatus.PAID
    assert Stock.objects.get(variant=variant).quantity == 2


def test_refunds_go_to_stripe_with_an_idempotency_key(card_order, stripe_server, client):
    placed, _variant = card_order
    stripe_server.succeed(placed.payment.external_id)
    deliver(client, stripe_server, "payment_intent.succeeded", placed.payment.external_id)
    refund = payment_refund(order=placed.order, amount=Money("340", "THB"), actor="staff")
    assert refund.status == "succeeded"
    calls = stripe_server.calls("POST", "/v1/refunds")
    assert len(calls) == 1 and calls[0].params["amount"] == "34000"
    assert calls[0].idempotency_key == refund.idempotency_key
    placed.order.refresh_from_db()
    assert placed.order.status == OrderStatus.PAID
    assert placed.order.refund_status == RefundStatus.PARTIAL


def test_the_order_page_mounts_the_payment_element_then_waits_for_the_webhook(card_order, client):
    placed, _variant = card_order
    page = client.get(f"/en/orders/t/{placed.order.token}/").content.decode()
    assert 'data-client-secret="' + placed.payment.client_secret in page
    assert "js.stripe.com/v3" in page and "pk_test_tridexfake" in page
    back = client.get(
        f"/en/orders/t/{placed.order.token}/?payment_intent=x&redirect_status=succeeded"
    ).content.decode()
    assert "confirming your payment" in back and 'hx-trigger="every 10s"' in back
    assert "data-client-secret" not in back
