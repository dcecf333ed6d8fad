"""A PromptPay QR paid twice: the second transfer is recorded and given back, never kept.

PromptPay money goes back by hand, so its refund waits on the order page until staff record
that they sent it; a provider's callback for a transfer staff had already confirmed is the
same money, not a second payment."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from tests.checkout.conftest import details
from tridex.checkout.services import checkout_place_order
from tridex.core.errors import Conflict
from tridex.orders.models import OrderEmail, OrderStatus, RefundStatus
from tridex.payments.gateways.local import sign
from tridex.payments.models import Refund
from tridex.payments.services import (
    order_cancel_with_payments,
    payment_confirm,
    payment_handle_webhook,
    refund_record_sent,
)
from tridex.payments.timeline import event_sentence

SECRET = "s3cret"


@pytest.fixture
def placed(make_product, cart_with, market_th, settings):
    settings.TRIDEX_PROMPTPAY_CALLBACK_SECRET = SECRET
    variant = make_product(price="1290", stock=3).variants.get()
    return checkout_place_order(cart=cart_with(variant), market=market_th, details=details())


def transfer(placed, event_id, amount="1340.00"):
    body = json.dumps(
        {"id": event_id, "reference": placed.payment.reference, "amount": amount, "currency": "THB"}
    ).encode()
    return payment_handle_webhook(
        method="promptpay", body=body, headers={"X-Tridex-Signature": sign(body, SECRET)}
    )


def state(placed):
    order, payment = placed.order, placed.payment
    order.refresh_from_db()
    payment.refresh_from_db()
    refunds = list(Refund.objects.values_list("status", "amount", "reason"))
    return order.status, order.paid_amount, payment.captured_amount, refunds


def test_a_second_transfer_is_recorded_and_waits_to_be_sent_back(placed):
    assert transfer(placed, "bank-1") == "applied"
    assert transfer(placed, "bank-2") == "applied"
    paid_twice = (
        OrderStatus.PAID,
        Decimal("2680"),
        Decimal("2680"),
        [("to_send", Decimal("1340"), "paid_twice")],
    )
    assert state(placed) == paid_twice
    assert transfer(placed, "bank-2") == "duplicate"  # the same callback again changes nothing
    assert state(placed) == paid_twice
    with translation.override("en"):
        sentences = [event_sentence(event) for event in placed.order.events.all()]
    expected = "Received THB1,340.00 more than the order costs (the customer paid twice)"
    assert f"{expected}; it will be refunded" in sentences


def test_recording_the_refund_gives_the_money_back_and_keeps_the_order(
    placed, eager_celery, django_capture_on_commit_callbacks
):
    transfer(placed, "bank-1")
    transfer(placed, "bank-2")
    refund = Refund.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        refund_record_sent(refund_id=refund.pk, actor="staff@example.com")
    order = placed.order
    order.refresh_from_db()
    refund.refresh_from_db()
    assert (refund.status, refund.actor) == ("succeeded", "staff@example.com")
    assert (order.paid_amount, order.refunded_amount) == (Decimal("2680"), Decimal("1340"))
    # The order keeps its whole total: it is paid, not partially refunded.
    assert (order.status, order.refund_status) == (OrderStatus.PAID, RefundStatus.NONE)
    assert OrderEmail.objects.filter(order=order, kind="refunded").count() == 1
    with pytest.raises(Conflict):
        refund_record_sent(refund_id=refund.pk, actor="staff@example.com")


def test_a_callback_for_the_transfer_staff_confirmed_is_not_a_second_payment(placed):
    payment_confirm(payment=placed.payment, actor="staff")
    assert transfer(placed, "bank-1") == "applied"
    assert state(placed) == (OrderStatus.PAID, Decimal("1340"), Decimal("1340"), [])
    with translation.override("en"):
        last = event_sentence(placed.order.events.last())
    assert last == "The payment provider confirmed the transfer of THB1,340.00"
    transfer(placed, "bank-2")  # but a transfer after that one is
    assert state(placed)[3] == [("to_send", Decimal("1340"), "paid_twice")]


def test_staff_cannot_confirm_a_payment_twice(placed):
    transfer(placed, "bank-1")
    with pytest.raises(Conflict) as caught:
        payment_confirm(payment=placed.payment, actor="staff")
    assert caught.value.code == "already_paid"
    assert state(placed) == (OrderStatus.PAID, Decimal("1340"), Decimal("1340"), [])


def test_an_order_with_a_refund_to_send_is_not_cancelled_half_way(placed):
    transfer(placed, "bank-1")
    transfer(placed, "bank-2")
    with pytest.raises(Conflict) as caught:
        order_cancel_with_payments(order=placed.order, actor="staff")
    assert caught.value.code == "refund_to_send"
    assert state(placed)[0] == OrderStatus.PAID
    assert Refund.objects.count() == 1


def test_staff_find_and_record_the_refund_in_the_back_office(placed, admin_client):
    transfer(placed, "bank-1")
    order = placed.order
    changelist = reverse("admin:orders_order_changelist")
    waiting = (
        admin_client.get(changelist + "?refund_to_send=yes", HTTP_ACCEPT_LANGUAGE="en")
        .context["cl"]
        .result_list
    )
    assert list(waiting) == []
    transfer(placed, "bank-2")
    waiting = (
        admin_client.get(changelist + "?refund_to_send=yes", HTTP_ACCEPT_LANGUAGE="en")
        .context["cl"]
        .result_list
    )
    assert [o.number for o in waiting] == [order.number]

    page = admin_client.get(
        reverse("admin:orders_order_change", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content
    page = page.decode()
    assert "To be sent by staff" in page and "the customer paid twice" in page
    assert 'id="order-action-refund_sent"' in page
    url = reverse("admin:orders_order_action", args=[order.pk, "refund_sent"])
    response = admin_client.post(url, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Refund of THB1,340.00 recorded as sent." in response.content.decode()
    assert Refund.objects.get().status == "succeeded"
    again = admin_client.post(
        url, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )  # a resubmitted form records nothing more
    assert Refund.objects.get().status == "succeeded"
    assert again.status_code == 200
    order.refresh_from_db()
    assert order.refunded_amount == Decimal("1340")
