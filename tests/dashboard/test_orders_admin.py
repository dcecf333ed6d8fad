"""The order back office: the list finds orders and stays at a fixed number of queries, the
order page tells the story of the order, and every action button goes through the services,
refusing what the order's state does not allow without changing anything."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tests.checkout.conftest import details
from tests.conftest import stock_of
from tridex.cart.services import cart_add, cart_get_or_create
from tridex.checkout.services import checkout_place_order
from tridex.core.money import Money
from tridex.orders.models import OrderEvent, OrderStatus, RefundStatus, Shipment
from tridex.orders.services import order_ship
from tridex.payments.gateways.base import GatewayStatus
from tridex.payments.models import Method, PaymentOption, Refund
from tridex.payments.services import payment_confirm, payment_refund
from tridex.payments.timeline import event_sentence

CHANGELIST = "admin:orders_order_changelist"


def change_url(order):
    return reverse("admin:orders_order_change", args=[order.pk])


def action_url(order, action):
    return reverse("admin:orders_order_action", args=[order.pk, action])


def flashed(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def place(commerce, market_th):
    """Place a guest order in Thailand through the real checkout."""

    def make(variant, quantity=1, **overrides):
        cart = cart_get_or_create(market=market_th)
        cart_add(cart=cart, variant_id=variant.pk, quantity=quantity)
        return checkout_place_order(cart=cart, market=market_th, details=details(**overrides))

    return make


@pytest.fixture
def variant(make_product):
    return make_product(price="1290", stock=3).variants.get()


@pytest.fixture
def placed(place, variant):
    """A PromptPay order of one unit: 1,290 + 50 delivery = 1,340 THB, waiting for payment."""
    return place(variant)


@pytest.fixture
def paid(placed):
    payment_confirm(payment=placed.payment, actor="staff@example.com")
    placed.order.refresh_from_db()
    return placed.order


# --- the list ---------------------------------------------------------------------------------


def listed(client, query=""):
    response = client.get(reverse(CHANGELIST) + query)
    assert response.status_code == 200
    return {order.number for order in response.context["cl"].result_list}


def test_changelist_searches_and_filters(admin_client, place, make_product, paid):
    other = place(
        make_product(price="990", stock=5).variants.get(),
        email="jane@example.com",
        payment_method="cod",
        shipping_address={**details().shipping_address, "full_name": "Jane Doe"},
    ).order
    order_ship(order=paid, carrier="Kerry Express")
    both, first, second = {paid.number, other.number}, {paid.number}, {other.number}

    assert listed(admin_client) == both
    assert listed(admin_client, f"?q={paid.number}") == first
    assert listed(admin_client, "?q=jane@") == second
    assert listed(admin_client, "?q=สมชาย") == first  # the name on the shipping address
    assert listed(admin_client, f"?q={other.lines.get().sku}") == second
    assert listed(admin_client, "?status__exact=shipped") == first
    assert listed(admin_client, "?status__exact=processing") == second
    assert listed(admin_client, "?payment_method=cod") == second
    assert listed(admin_client, "?shipped=yes") == first
    assert listed(admin_client, "?shipped=no") == second
    assert listed(admin_client, f"?market__id__exact={paid.market_id}") == both
    assert listed(admin_client, f"?placed_at__year={timezone.now().year + 1}") == set()


def test_changelist_shows_status_badge_and_formatted_money(admin_client, paid):
    page = admin_client.get(reverse(CHANGELIST)).content.decode()
    assert '<span class="order-status order-status-paid">Paid</span>' in page
    assert "THB1,340.00" in page
    assert "PromptPay QR" in page


def _changelist_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse(CHANGELIST)).status_code == 200
    return len(ctx.captured_queries)


def test_changelist_queries_do_not_grow_with_orders(
    admin_client, place, make_product, django_assert_max_num_queries
):
    variant = make_product(stock=50).variants.get()
    place(variant)
    _changelist_queries(admin_client)  # warm the session and content-type caches first
    with_one = _changelist_queries(admin_client)
    for _n in range(19):
        place(variant)
    with django_assert_max_num_queries(with_one):
        response = admin_client.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == 20


# --- the order page -----------------------------------------------------------------------------


def test_order_page_tells_the_story_in_sentences(admin_client, paid):
    order_ship(
        order=paid,
        carrier="Kerry Express",
        tracking_number="KEX123",
        tracking_url="https://th.kerryexpress.com/track/?track=KEX123",
    )
    page = admin_client.get(change_url(paid)).content.decode()
    for sentence in (
        "Order placed, total THB1,340.00",
        "PromptPay QR payment of THB1,340.00 received",
        "Paid THB1,340.00 by PromptPay QR",
        "Status changed from Pending payment to Paid",
        "Shipped with Kerry Express, tracking KEX123",
        "Status changed from Paid to Shipped",
    ):
        assert sentence in page, sentence
    assert 'href="https://th.kerryexpress.com/track/?track=KEX123"' in page
    assert "สมชาย ใจดี" in page  # the printed shipping address
    assert "1 × SKU-" in page  # what the parcel carried


def test_event_sentences_cover_reasons_and_unknown_codes(paid):
    cancelled = OrderEvent(
        order=paid,
        kind=OrderEvent.Kind.STATUS,
        code="cancelled",
        data={"previous": "pending_payment", "reason": "payment_cancelled"},
    )
    assert event_sentence(cancelled) == (
        "Status changed from Pending payment to Cancelled (the payment was cancelled)"
    )
    expired = OrderEvent(order=paid, kind="stock", code="reservation_expired", data={"units": 2})
    assert event_sentence(expired) == "The hold on 2 units expired; they went back to stock"
    email = OrderEvent(order=paid, kind=OrderEvent.Kind.EMAIL, code="order_confirmation")
    assert event_sentence(email) == "Email: order confirmation"


def test_event_sentence_formats_money_in_the_active_language(paid):
    event = paid.events.get(kind="payment", code="paid")
    with translation.override("th"):
        assert "฿1,340.00" in event_sentence(event)


def test_order_page_reads_in_the_staff_members_language(admin_client, paid):
    page = admin_client.get(change_url(paid), HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert 'lang="th"' in page
    assert "฿1,340.00" in page
    assert "THB1,340.00" not in page


def test_order_page_offers_only_what_the_status_allows(admin_client, placed, variant):
    def offered(order):
        page = admin_client.get(change_url(order)).content.decode()
        names = ("confirm_payment", "mark_processing", "ship", "mark_delivered", "refund", "cancel")
        return {name for name in names if f'id="order-action-{name}"' in page}

    order = placed.order
    assert offered(order) == {"confirm_payment", "cancel"}
    payment_confirm(payment=placed.payment, actor="staff")
    assert offered(order) == {"mark_processing", "ship", "refund", "cancel"}
    order_ship(order=order, carrier="Kerry Express")
    assert offered(order) == {"mark_delivered", "refund"}


def test_order_form_cannot_be_saved(admin_client, paid):
    response = admin_client.post(change_url(paid), {"total": "1", "status": "delivered"})
    assert response.status_code == 405
    paid.refresh_from_db()
    assert (paid.total, paid.status) == (Decimal("1340"), OrderStatus.PAID)


# --- actions ------------------------------------------------------------------------------------


def test_confirming_a_promptpay_transfer_marks_the_order_paid(admin_client, superuser, placed):
    response = admin_client.post(action_url(placed.order, "confirm_payment"), follow=True)
    assert response.redirect_chain == [(change_url(placed.order), 302)]
    assert f"Payment {placed.payment.reference} confirmed." in flashed(response)
    order = placed.order
    order.refresh_from_db()
    assert (order.status, order.paid_amount) == (OrderStatus.PAID, Decimal("1340"))
    assert order.events.get(kind="payment", code="paid").actor == superuser.email


def test_shipping_records_the_tracking(admin_client, paid, superuser):
    response = admin_client.post(
        action_url(paid, "ship"),
        {
            "carrier": "Kerry Express",
            "tracking_number": "KEX123",
            "tracking_url": "https://th.kerryexpress.com/track/?track=KEX123",
        },
        follow=True,
    )
    assert "Shipment with Kerry Express recorded." in flashed(response)
    paid.refresh_from_db()
    assert paid.status == OrderStatus.SHIPPED
    shipment = Shipment.objects.get(order=paid)
    assert (shipment.tracking_number, shipment.actor) == ("KEX123", superuser.email)
    assert paid.lines.get().quantity_shipped == 1


def test_shipping_part_of_an_order(admin_client, place, variant):
    placed = place(variant, quantity=2)
    payment_confirm(payment=placed.payment, actor="staff")
    line = placed.order.lines.get()
    admin_client.post(
        action_url(placed.order, "ship"), {"carrier": "Flash", f"line_{line.pk}": "1"}
    )
    placed.order.refresh_from_db()
    line.refresh_from_db()
    assert (placed.order.status, line.quantity_shipped) == (OrderStatus.PROCESSING, 1)


def test_marking_processing_and_delivered(admin_client, paid):
    admin_client.post(action_url(paid, "mark_processing"))
    paid.refresh_from_db()
    assert paid.status == OrderStatus.PROCESSING
    order_ship(order=paid, carrier="Kerry Express")
    response = admin_client.post(action_url(paid, "mark_delivered"), follow=True)
    assert "The order is marked as delivered." in flashed(response)
    paid.refresh_from_db()
    assert paid.status == OrderStatus.DELIVERED
    assert paid.shipments.get().delivered_at is not None


def test_partial_refund_with_restock(admin_client, paid, variant):
    line = paid.lines.get()
    response = admin_client.post(
        action_url(paid, "refund"),
        {"amount": "340", "reason": "damaged in transit", f"cancel_{line.pk}": "1"},
        follow=True,
    )
    assert "Refunded THB340.00." in flashed(response)
    paid.refresh_from_db()
    assert (paid.status, paid.refund_status) == (OrderStatus.PAID, RefundStatus.PARTIAL)
    assert paid.lines.get().quantity_cancelled == 1
    assert paid.refunded_amount == Decimal("340")
    assert stock_of(variant) == (3, 0)
    assert Refund.objects.get().reason == "damaged in transit"
    page = response.content.decode()
    assert "Refunded THB340.00 (damaged in transit); 1 unit taken off before shipping" in page
    assert "Paid · partially refunded" in page


def test_cancelling_an_unpaid_order_releases_its_stock(admin_client, placed, variant):
    assert stock_of(variant) == (3, 1)
    response = admin_client.post(
        action_url(placed.order, "cancel"), {"reason": "customer asked"}, follow=True
    )
    assert f"Order {placed.order.number} cancelled." in flashed(response)
    placed.order.refresh_from_db()
    placed.payment.refresh_from_db()
    assert placed.order.status == OrderStatus.CANCELLED
    assert placed.payment.status == GatewayStatus.CANCELLED
    assert stock_of(variant) == (3, 0)
    assert "Status changed from Pending payment to Cancelled (customer asked)" in (
        response.content.decode()
    )


# --- refusals -----------------------------------------------------------------------------------


def test_shipping_an_unpaid_order_is_refused_and_changes_nothing(admin_client, placed):
    response = admin_client.post(
        action_url(placed.order, "ship"), {"carrier": "Kerry Express"}, follow=True
    )
    assert response.status_code == 200
    assert "Only a paid or confirmed order can be shipped." in flashed(response)
    placed.order.refresh_from_db()
    assert placed.order.status == OrderStatus.PENDING_PAYMENT
    assert not Shipment.objects.exists()


def test_refunding_more_than_was_paid_is_refused(admin_client, paid):
    response = admin_client.post(action_url(paid, "refund"), {"amount": "2000"}, follow=True)
    # the service words the limit in the order's language (Thai), whatever the page's language
    assert "At most ฿1,340.00 can be refunded." in flashed(response)
    paid.refresh_from_db()
    assert (paid.status, paid.refunded_amount) == (OrderStatus.PAID, Decimal("0"))
    assert not Refund.objects.exists()


def test_invalid_input_is_reported_by_field(admin_client, paid):
    response = admin_client.post(action_url(paid, "ship"), {"carrier": ""}, follow=True)
    assert "Carrier: This field is required." in flashed(response)
    line = paid.lines.get()
    response = admin_client.post(
        action_url(paid, "refund"), {"amount": "10", f"cancel_{line.pk}": "5"}, follow=True
    )
    assert any(message.startswith("Units of SKU-") for message in flashed(response))
    assert not Refund.objects.exists()


def test_unpaid_order_cannot_be_pushed_to_processing(admin_client, placed):
    response = admin_client.post(action_url(placed.order, "mark_processing"), follow=True)
    assert "Confirm the payment first" in flashed(response)[0]
    placed.order.refresh_from_db()
    assert placed.order.status == OrderStatus.PENDING_PAYMENT


def test_confirming_twice_is_refused(admin_client, paid):
    response = admin_client.post(action_url(paid, "confirm_payment"), follow=True)
    assert "No payment is waiting to be confirmed." in flashed(response)
    paid.refresh_from_db()
    assert paid.paid_amount == Decimal("1340")


def test_cash_collected_after_delivery_of_a_cod_order(admin_client, place, variant):
    placed = place(variant, payment_method="cod")
    order_ship(order=placed.order, carrier="Flash")
    admin_client.post(action_url(placed.order, "confirm_payment"))
    placed.order.refresh_from_db()
    assert (placed.order.status, placed.order.paid_amount) == (OrderStatus.SHIPPED, Decimal("1340"))


def test_actions_are_post_only_and_unknown_ones_404(admin_client, placed):
    assert admin_client.get(action_url(placed.order, "cancel")).status_code == 405
    assert admin_client.post(action_url(placed.order, "explode")).status_code == 404


def test_actions_need_a_csrf_token(superuser, placed):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    assert client.post(action_url(placed.order, "cancel"), {"reason": "x"}).status_code == 403
    placed.order.refresh_from_db()
    assert placed.order.status == OrderStatus.PENDING_PAYMENT


# --- permissions --------------------------------------------------------------------------------


def test_staff_without_change_permission_sees_the_order_but_cannot_act(client, make_staff, placed):
    client.force_login(make_staff("view_order"))
    page = client.get(change_url(placed.order))
    assert page.status_code == 200
    assert 'id="order-action-' not in page.content.decode()
    assert "SKU-" in page.content.decode()  # the lines are visible to whoever sees the order
    response = client.post(action_url(placed.order, "cancel"), {"reason": "x"})
    assert response.status_code == 403
    placed.order.refresh_from_db()
    assert placed.order.status == OrderStatus.PENDING_PAYMENT


def test_staff_with_change_permission_can_act(client, make_staff, placed):
    staff = make_staff("view_order", "change_order")
    client.force_login(staff)
    client.post(action_url(placed.order, "confirm_payment"))
    placed.order.refresh_from_db()
    assert placed.order.status == OrderStatus.PAID
    assert placed.order.events.get(kind="payment", code="paid").actor == staff.email


# --- payment options and payments ---------------------------------------------------------------


def _option_post(market, **fields):
    data = {"market": market.pk, "method": "promptpay", "is_active": "on", "position": "0"}
    data.update(fields)
    return data


def test_payment_option_form_explains_its_refusals(admin_client, market_th, market_intl):
    add = reverse("admin:payments_paymentoption_add")
    response = admin_client.post(add, _option_post(market_th, account="12345"))
    assert "A PromptPay ID is a mobile number" in response.content.decode()
    response = admin_client.post(add, _option_post(market_intl, account="0812345678"))
    assert "PromptPay accepts Thai baht only." in response.content.decode()
    response = admin_client.post(
        add, _option_post(market_th, method="cod", min_total="500", max_total="100")
    )
    assert "The maximum must not be below the minimum." in response.content.decode()
    assert not PaymentOption.objects.exists()

    response = admin_client.post(add, _option_post(market_th, account="081-234-5678"))
    assert response.status_code == 302
    assert PaymentOption.objects.get().method == Method.PROMPTPAY


def test_payments_are_read_only(admin_client, paid):
    payment = paid.payments.get()
    assert admin_client.get(reverse("admin:payments_payment_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:payments_payment_change", args=[payment.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert (
        admin_client.post(
            reverse("admin:payments_payment_change", args=[payment.pk]), {"amount": "1"}
        ).status_code
        == 403
    )
    payment_refund(order=paid, amount=Money("40", "THB"), actor="staff")
    page = admin_client.get(reverse("admin:payments_payment_change", args=[payment.pk]))
    assert "THB40.00" in page.content.decode()


def test_a_return_after_shipping_and_the_refund_filter(admin_client, paid, variant):
    order_ship(order=paid, carrier="Kerry Express")
    line = paid.lines.get()
    form = admin_client.get(reverse("admin:orders_order_change", args=[paid.pk])).content.decode()
    assert f'name="return_{line.pk}"' in form
    assert f'name="cancel_{line.pk}"' not in form  # nothing is left to take off before shipping
    response = admin_client.post(
        action_url(paid, "refund"),
        {"amount": "1290", "reason": "torn", f"return_{line.pk}": "1"},  # box left unticked
        follow=True,
    )
    assert "Refunded THB1,290.00." in flashed(response)
    line.refresh_from_db()
    assert line.quantity_returned == 1
    assert stock_of(variant) == (2, 0)  # a damaged return stays off sale
    assert listed(admin_client, "?refund_status=partial") == {paid.number}
    assert listed(admin_client, "?refund_status=none") == set()
    assert "Shipped · partially refunded" in admin_client.get(reverse(CHANGELIST)).content.decode()
