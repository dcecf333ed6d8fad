"""Order emails: what each one says in Thai and English, sent once, and queued by the events.

The Thai catalogue does not hold these emails' own sentences until the lead merges
/tmp/i18n/orders_docs.po, so Thai checks look at what is Thai without it: the product name
stored on the order, the province and month names (from their own tables and Django's
catalogue) and Thai number formatting.
"""

from __future__ import annotations

import re
import smtplib
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import translation

from tests.checkout.conftest import details
from tridex.cart.services import cart_add, cart_get_or_create
from tridex.checkout.services import checkout_place_order
from tridex.core.errors import NotFound, ValidationFailed
from tridex.core.money import Money
from tridex.orders import receivers
from tridex.orders.emails import order_email_render, order_email_send
from tridex.orders.models import Order, OrderEmail, OrderEvent
from tridex.orders.services import (
    order_cancel,
    order_mark_paid,
    order_record_refund,
    order_ship,
)

THAI_NAME = "ผ้าคลุมโซฟายืดหยุ่น"
ENGLISH_NAME = "Stretch sofa cover"
TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
THAI_MONTHS = ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน"]
THAI_MONTHS += ["กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"]


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.TRIDEX_SITE_URL = "https://shop.example/"


@pytest.fixture
def place(commerce, make_product, market_th):
    """Place an order for two covers at ฿1,290 (free shipping) through the real checkout."""

    def make(language="th", payment_method="promptpay", user=None, **overrides) -> Order:
        variant = make_product(price="1290", stock=5).variants.get()
        cart = cart_get_or_create(market=market_th, user=user)
        cart_add(cart=cart, variant_id=variant.pk, quantity=2)
        data = details(payment_method=payment_method, language=language, **overrides)
        with translation.override(language):
            placed = checkout_place_order(cart=cart, market=market_th, details=data, user=user)
        return placed.order

    return make


def paid(order: Order) -> Order:
    return order_mark_paid(order=order, amount=order.money(order.total), gateway="promptpay")


def prepared(place, kind: str, language: str) -> tuple[Order, str]:
    """An order in the state the ``kind`` email is about, and that email's key."""
    order = place(language=language)
    if kind == "confirmation":
        return order, ""
    order = paid(order)
    if kind == "payment_received":
        return order, ""
    if kind == "shipped":
        shipment = order_ship(order=order, carrier="Kerry Express", tracking_number="KEX123")
        return order, str(shipment.pk)
    order_record_refund(order=order, amount=Money("500", "THB"), reason="damaged")
    return order, str(OrderEvent.objects.get(order=order, kind=OrderEvent.Kind.REFUND).pk)


def sent_once() -> mail.EmailMultiAlternatives:
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert isinstance(message, mail.EmailMultiAlternatives)
    return message


def html_of(message: mail.EmailMultiAlternatives) -> str:
    (alternative,) = message.alternatives
    assert alternative.mimetype == "text/html"
    return str(alternative.content)


@pytest.mark.parametrize("kind", ["confirmation", "payment_received", "shipped", "refunded"])
@pytest.mark.parametrize(
    ("language", "product", "amount"),
    [("th", THAI_NAME, "฿2,580.00"), ("en", ENGLISH_NAME, "THB2,580.00")],
)
def test_each_email_is_sent_in_the_order_language_as_html_and_plain_text(
    place, kind, language, product, amount
):
    order, key = prepared(place, kind, language)

    assert order_email_send(order_id=order.pk, kind=kind, key=key) is True

    message = sent_once()
    html = html_of(message)
    assert message.to == ["somchai@example.com"]
    assert order.number in message.subject
    assert order.number in message.body and order.number in html
    assert TAG.search(message.body) is None
    assert "<html" in html and 'lang="' + language + '"' in html
    with translation.override(language):
        path = reverse("orders:guest", kwargs={"token": str(order.token)})
    assert path.startswith(f"/{language}/") and str(order.token) in path
    link = f"https://shop.example{path}"  # TRIDEX_SITE_URL, its trailing slash dropped
    assert link in message.body and f'href="{link}"' in html
    if kind != "refunded":  # the other three list what was ordered and what it cost
        assert product in message.body and product in html
    if kind in ("confirmation", "payment_received"):
        assert amount in message.body and amount in html
    assert OrderEvent.objects.filter(order=order, code=f"email_{kind}").count() == 1


def test_thai_confirmation_tells_how_to_pay_by_promptpay_and_where_it_goes(place, settings):
    order = place(language="th")

    message = order_email_render(order=order, kind="confirmation")

    hold = timedelta(minutes=settings.TRIDEX_RESERVATION_MINUTES)
    d = (order.placed_at + hold).astimezone(ZoneInfo("Asia/Bangkok"))
    assert f"{d.day} {THAI_MONTHS[d.month - 1]} {d.year}, {d.hour}:{d.minute:02d}" in message.body
    assert "กรุงเทพมหานคร 10110" in message.body  # the province in Thai, from its ISO code
    assert "คลองเตยเหนือ วัฒนา" in message.body
    assert "฿168.79" in message.body  # the VAT inside the total
    # Becomes true once the lead merges /tmp/i18n/orders_docs.po into the Thai catalogue:
    # assert "สแกนคิวอาร์โค้ดพร้อมเพย์" in message.body


def test_english_confirmation_for_cash_on_delivery_asks_to_pay_the_courier(
    place, django_user_model
):
    user = django_user_model.objects.create_user("jane@example.com", first_name="Jane")
    order = place(language="en", payment_method="cod", user=user)

    message = order_email_render(order=order, kind="confirmation")

    assert "Pay the courier THB2,580.00 in cash when your parcel arrives." in message.body
    assert "Includes VAT 7%: THB168.79" in message.body
    assert "Bangkok 10110" in message.body
    assert "1–3 business days" in message.body
    # A customer with an account gets the order page behind their login, not the guest link.
    assert f"https://shop.example/en/orders/{order.number}/" in message.body
    assert str(order.token) not in message.body


def test_shipped_email_names_the_carrier_and_links_the_tracking_page(place):
    order = paid(place(language="en"))
    url = "https://th.kerryexpress.com/en/track/?track=KEX123"
    shipment = order_ship(
        order=order, carrier="Kerry Express", tracking_number="KEX123", tracking_url=url
    )

    message = order_email_render(order=order, kind="shipped", key=str(shipment.pk))

    assert "Kerry Express" in message.body and "KEX123" in message.body
    assert url in message.body
    assert f'href="{url}"' in html_of(message)
    assert f"2 × {ENGLISH_NAME} – Grey" in message.body


def test_refund_email_gives_the_amount_of_that_refund(place):
    order = paid(place(language="th"))
    order_record_refund(order=order, amount=Money("500", "THB"))
    order_record_refund(order=order, amount=Money("80.5", "THB"))
    _first, second = OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.REFUND)

    message = order_email_render(order=order, kind="refunded", key=str(second.pk))

    assert "฿80.50" in message.body and "฿500.00" not in message.body


def test_sending_twice_sends_once(place):
    order = place()

    assert order_email_send(order_id=order.pk, kind="confirmation") is True
    assert order_email_send(order_id=order.pk, kind="confirmation") is False

    assert len(mail.outbox) == 1
    assert OrderEmail.objects.filter(order=order, kind="confirmation").count() == 1
    assert OrderEvent.objects.filter(order=order, code="email_confirmation").count() == 1


def test_emails_about_two_shipments_are_two_emails(place):
    order = paid(place())
    line = order.lines.get()
    first = order_ship(order=order, carrier="Flash", lines={line.pk: 1})
    second = order_ship(order=order, carrier="Flash", lines={line.pk: 1})

    assert order_email_send(order_id=order.pk, kind="shipped", key=str(first.pk))
    assert order_email_send(order_id=order.pk, kind="shipped", key=str(second.pk))

    assert len(mail.outbox) == 2


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("the mail server went away")


def test_a_failed_send_records_nothing_so_a_retry_sends_it(place, settings):
    order = place()
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingBackend"}}

    with pytest.raises(smtplib.SMTPServerDisconnected):
        order_email_send(order_id=order.pk, kind="confirmation")

    assert not OrderEmail.objects.filter(order=order).exists()
    assert not OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.EMAIL).exists()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert order_email_send(order_id=order.pk, kind="confirmation") is True
    assert len(mail.outbox) == 1


def test_bad_requests_are_refused_before_anything_is_sent(place):
    order = place()

    with pytest.raises(ValidationFailed):
        order_email_send(order_id=order.pk, kind="newsletter")
    with pytest.raises(NotFound):
        order_email_send(order_id=order.pk + 1000, kind="confirmation")
    with pytest.raises(NotFound):
        order_email_send(order_id=order.pk, kind="shipped", key="999999")
    with pytest.raises(ValidationFailed):
        order_email_send(order_id=order.pk, kind="refunded", key="")

    assert not mail.outbox and not OrderEmail.objects.exists()


# --- Receivers ------------------------------------------------------------------------------


class Queue:
    """Stands in for ``send_order_email`` and records what would have been queued."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def delay(self, *args) -> None:
        self.calls.append(args)

    def take(self) -> list[tuple]:
        calls, self.calls = self.calls, []
        return calls


@pytest.fixture
def queue(monkeypatch) -> Queue:
    fake = Queue()
    monkeypatch.setattr(receivers, "send_order_email", fake)
    return fake


def test_each_order_event_queues_its_email_once_committed(
    place, queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place()
    assert queue.take() == [(order.pk, "confirmation")]

    with django_capture_on_commit_callbacks(execute=False) as uncommitted:
        paid(order)
    assert queue.take() == []  # nothing is queued before the commit
    for callback in uncommitted:  # what the commit runs
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        shipment = order_ship(order=order, carrier="Flash")
    assert queue.take() == [(order.pk, "payment_received"), (order.pk, "shipped", str(shipment.pk))]


def test_each_refund_is_announced_once(place, queue, django_capture_on_commit_callbacks):
    order = paid(place())
    refunds = OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.REFUND)

    with django_capture_on_commit_callbacks(execute=True):
        order_record_refund(order=order, amount=Money("500", "THB"))
    first = refunds.get()
    assert queue.take() == [(order.pk, "refunded", str(first.pk))]
    order_email_send(order_id=order.pk, kind="refunded", key=str(first.pk))

    with django_capture_on_commit_callbacks(execute=True):
        order_record_refund(order=order, amount=Money("2080", "THB"))
    second = refunds.exclude(pk=first.pk).get()
    assert queue.take() == [(order.pk, "refunded", str(second.pk))]


def test_a_refund_that_cancels_the_order_is_announced(
    place, queue, django_capture_on_commit_callbacks
):
    order = paid(place())

    with django_capture_on_commit_callbacks(execute=True):
        order_record_refund(order=order, amount=order.money(order.total), change_status=False)
        order_cancel(order=order, reason="customer asked")

    refund = OrderEvent.objects.get(order=order, kind=OrderEvent.Kind.REFUND)
    assert queue.take() == [(order.pk, "refunded", str(refund.pk))]


def test_placing_and_paying_an_order_emails_the_customer_twice(
    place, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        paid(order)

    assert [message.subject for message in mail.outbox] == [
        f"Order {order.number}: thank you for your order",
        f"Order {order.number}: payment received",
    ]
