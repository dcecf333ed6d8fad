"""Placing orders through the checkout service: totals, stock, payments, and bad input."""

from decimal import Decimal

import pytest

from tests.checkout.conftest import details
from tests.conftest import US_ADDRESS, stock_of
from tridex.cart.models import Cart
from tridex.checkout.services import checkout_place_order, checkout_quote
from tridex.core.errors import Conflict, DomainError, ValidationFailed
from tridex.inventory.models import Reservation
from tridex.orders.models import Order, OrderStatus
from tridex.payments.models import Payment


def test_promptpay_order_holds_stock_and_keeps_a_snapshot_with_vat_included(
    make_product, cart_with, market_th
):
    variant = make_product(price="1290", stock=5).variants.get()
    cart = cart_with(variant, quantity=2)

    placed = checkout_place_order(cart=cart, market=market_th, details=details())

    order = placed.order
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.number == str(100000 + order.pk)
    # 2 × 1,290 = 2,580 ships free (above 1,500); 7% VAT is inside the price.
    assert (order.subtotal, order.shipping_price, order.total) == (
        Decimal("2580"),
        Decimal("0"),
        Decimal("2580"),
    )
    assert order.tax_total == Decimal("168.79")
    assert order.tax_breakdown[0]["rate"] == "7.00" or order.tax_breakdown[0]["rate"] == "7"
    line = order.lines.get()
    assert (line.sku, line.quantity, line.unit_price, line.tax_amount) == (
        variant.sku,
        2,
        Decimal("1290"),
        Decimal("168.79"),
    )
    assert stock_of(variant) == (5, 2)
    assert Cart.objects.get(pk=cart.pk).status == Cart.Status.ORDERED
    payment = placed.payment
    assert payment.method == "promptpay" and payment.amount == Decimal("2580")
    assert payment.qr_payload.startswith("000201") and "54072580.00" in payment.qr_payload
    assert payment.expires_at is not None


def test_cash_on_delivery_sells_the_stock_at_once_and_charges_shipping(
    make_product, cart_with, market_th
):
    variant = make_product(price="990", stock=3).variants.get()
    cart = cart_with(variant)

    order = checkout_place_order(
        cart=cart, market=market_th, details=details(payment_method="cod")
    ).order

    assert order.status == OrderStatus.PROCESSING
    assert order.total == Decimal("1040")  # 990 + 50 standard shipping
    assert order.tax_total == Decimal("68.04")  # 1,040 × 7/107
    assert stock_of(variant) == (2, 0)
    assert not Reservation.objects.exists()


def test_international_order_adds_tax_of_the_destination(make_product, cart_with, market_intl):
    from tridex.pricing.services import price_set

    variant = make_product(stock=4).variants.get()
    price_set(variant=variant, market=market_intl, amount=Decimal("40"))
    cart = cart_with(variant, market=market_intl)
    quote = checkout_quote(cart=cart, market=market_intl, country="US", region="CA")
    assert quote.summary.subtotal.amount == Decimal("40")
    assert quote.tax.total.amount > 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"shipping_address": {}}, "shipping_address.full_name"),
        (
            {"shipping_address": {**details().shipping_address, "postcode": "123"}},
            "shipping_address.postcode",
        ),
        (
            {"shipping_address": {**details().shipping_address, "province": ""}},
            "shipping_address.province",
        ),
        ({"shipping_address": "Bangkok"}, "shipping_address"),
        ({"billing_address": {"country": "US", "full_name": "x"}}, "billing_address.line1"),
        ({"shipping_method": "teleport"}, "shipping_method"),
        ({"payment_method": "bitcoin"}, "payment_method"),
        ({"payment_method": "stripe"}, "payment_method"),  # not configured here
        ({"currency": "USD"}, "currency"),
        ({"expected_total": "1.00"}, "expected_total"),
        ({"expected_total": "abc"}, "expected_total"),
        ({"customer_note": "x" * 2000}, "customer_note"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    make_product, cart_with, market_th, overrides, field
):
    variant = make_product(price="1290", stock=5).variants.get()
    cart = cart_with(variant)

    with pytest.raises(DomainError) as caught:
        checkout_place_order(cart=cart, market=market_th, details=details(**overrides))

    assert caught.value.field == field
    assert 400 <= caught.value.status < 500
    assert not Order.objects.exists() and not Payment.objects.exists()
    assert stock_of(variant) == (5, 0)
    assert Cart.objects.get(pk=cart.pk).status == Cart.Status.OPEN


def test_the_total_the_page_showed_is_accepted_when_right(make_product, cart_with, market_th):
    variant = make_product(price="1290", stock=5).variants.get()
    cart = cart_with(variant)
    order = checkout_place_order(
        cart=cart, market=market_th, details=details(expected_total="1340.00", currency="THB")
    ).order
    assert order.total == Decimal("1340")


def test_a_variant_that_sold_out_meanwhile_refuses_the_order(make_product, cart_with, market_th):
    from tridex.inventory.services import stock_set

    product = make_product(stock=2)
    variant = product.variants.get()
    cart = cart_with(variant, quantity=2)
    stock_set(variant=variant, warehouse=variant.stocks.get().warehouse, quantity=1)

    with pytest.raises(Conflict) as caught:
        checkout_place_order(cart=cart, market=market_th, details=details())
    assert caught.value.field == "lines"
    assert not Order.objects.exists()


def test_a_cart_cannot_be_ordered_twice(make_product, cart_with, market_th):
    variant = make_product(stock=5).variants.get()
    cart = cart_with(variant)
    checkout_place_order(cart=cart, market=market_th, details=details())
    with pytest.raises(Conflict) as caught:
        checkout_place_order(cart=cart, market=market_th, details=details())
    assert caught.value.code == "cart_closed"
    assert Order.objects.count() == 1


def test_empty_cart_is_refused(commerce, market_th):
    from tridex.cart.services import cart_get_or_create

    cart = cart_get_or_create(market=market_th)
    with pytest.raises(ValidationFailed) as caught:
        checkout_place_order(cart=cart, market=market_th, details=details())
    assert caught.value.field == "lines"


def test_international_address_is_validated_in_its_own_format(make_product, cart_with, market_th):
    variant = make_product(stock=5).variants.get()
    cart = cart_with(variant)
    with pytest.raises(ValidationFailed) as caught:
        checkout_place_order(
            cart=cart,
            market=market_th,
            details=details(shipping_address={**US_ADDRESS, "postcode": "ABC"}),
        )
    assert caught.value.field == "shipping_address.postcode"
