"""Checkout: from a cart, an address and a choice of delivery and payment to a payable order.

``checkout_quote`` shows what the order would be; ``checkout_place_order`` places it. Both work
the prices, tax and shipping out on the server from the catalog; what a client sends is only
what it wants (and, optionally, the total it showed, which must still be right). Placing an
order is one transaction: the order, its lines, the stock held for it, the payment record and
the closing of the cart commit together or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tridex.accounts.services import address_clean
from tridex.cart.models import Cart
from tridex.cart.selectors import CartSummary, cart_summary
from tridex.cart.services import cart_mark_ordered
from tridex.core.errors import Conflict, DomainError, ValidationFailed
from tridex.core.money import Money
from tridex.inventory.services import stock_reserve, stock_sell
from tridex.markets.models import Market
from tridex.orders.models import Order, OrderEvent, OrderLine
from tridex.orders.services import LineSnapshot, OrderDraft, order_create
from tridex.payments.gateways.base import GatewayError
from tridex.payments.models import Method, Payment
from tridex.payments.selectors import PaymentOptionView, payment_options
from tridex.payments.services import payment_create, payment_open, reservation_expiry
from tridex.shipping.selectors import ShippingQuote, shipping_quote, shipping_quotes
from tridex.tax.selectors import TaxBreakdown, tax_compute

MAX_NOTE = 1000
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckoutQuote:
    summary: CartSummary
    country: str
    shipping_options: list[ShippingQuote]
    shipping: ShippingQuote | None
    tax: TaxBreakdown
    total: Money
    payment_options: list[PaymentOptionView]

    @property
    def subtotal(self) -> Money:
        return self.summary.subtotal


@dataclass
class CheckoutDetails:
    """What the shopper filled in. Addresses are dicts of ``accounts`` address fields."""

    email: str = ""
    shipping_address: Mapping[str, Any] = field(default_factory=dict)
    billing_address: Mapping[str, Any] | None = None  # None: same as shipping
    shipping_method: str = ""
    payment_method: str = ""
    expected_total: Any = None  # the total the page showed; a mismatch refuses the order
    currency: str = ""  # the currency the page showed; must be the market's
    customer_note: str = ""
    language: str = ""


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    payment: Payment
    lines: list[OrderLine]  # as written, so the order can be shown without reading it back
    events: list[OrderEvent]


def checkout_quote(
    *,
    cart: Cart | None,
    market: Market,
    country: str = "",
    region: str = "",
    postcode: str = "",
    shipping_method: str = "",
) -> CheckoutQuote:
    """The order the cart would make, delivered to ``country``: shipping choices, tax, total."""
    country = (country or market.home_country).upper()
    summary = cart_summary(cart=cart, market=market, with_tax=not country)
    options = (
        shipping_quotes(
            market=market,
            country=country,
            postcode=postcode,
            weight_grams=summary.weight_grams,
            subtotal=summary.subtotal,
        )
        if country
        else []
    )
    chosen = next(
        (q for q in options if q.code == shipping_method), options[0] if options else None
    )
    return _priced(summary, market, country, region, options, chosen)


def _priced(
    summary: CartSummary,
    market: Market,
    country: str,
    region: str,
    options: list[ShippingQuote],
    chosen: ShippingQuote | None,
) -> CheckoutQuote:
    amounts = [line.line_total for line in summary.sellable_lines if line.line_total is not None]
    if chosen is not None and chosen.price:
        amounts.append(chosen.price)
    if country:
        tax = tax_compute(market=market, country=country, region=region, amounts=amounts)
    else:
        tax = summary.tax
    total = tax.gross(amounts) if amounts else Money.zero(market.currency)
    return CheckoutQuote(
        summary=summary,
        country=country,
        shipping_options=options,
        shipping=chosen,
        tax=tax,
        total=total,
        payment_options=payment_options(market=market, total=total),
    )


def checkout_place_order(
    *, cart: Cart, market: Market, details: CheckoutDetails, user: Any = None
) -> PlacedOrder:
    """Validate everything, then place the order, hold its stock and record its payment.

    Raises a ``DomainError`` naming the field for any bad input; nothing is written then. A
    variant that sold out meanwhile raises ``Conflict`` (``out_of_stock``) the same way.
    """
    email = _email(details, user)
    shipping = _address(details.shipping_address, "shipping_address")
    billing = (
        _address(details.billing_address, "billing_address")
        if details.billing_address
        else dict(shipping)
    )
    _check_currency(details.currency, market)
    note = " ".join(str(details.customer_note or "").split())
    if len(note) > MAX_NOTE:
        raise ValidationFailed(
            _("Use at most %(limit)d characters.") % {"limit": MAX_NOTE}, field="customer_note"
        )
    if cart.market_id != market.pk:
        raise Conflict(
            _("Your cart belongs to another market."), code="market_mismatch", field="market"
        )
    # Stock is not read here: the units are taken under row locks below, and a variant that
    # sold out is refused there (``out_of_stock``, naming the product) with nothing written.
    summary = cart_summary(cart=cart, market=market, with_tax=False, with_stock=False)
    _check_lines(summary)
    quote = shipping_quote(
        market=market,
        method_code=str(details.shipping_method or ""),
        country=shipping["country"],
        postcode=shipping["postcode"],
        weight_grams=summary.weight_grams,
        subtotal=summary.subtotal,
    )
    priced = _priced(summary, market, shipping["country"], shipping["region"], [quote], quote)
    _check_expected_total(details.expected_total, priced.total)
    method = str(details.payment_method or "")
    if not any(option.method == method for option in priced.payment_options):
        raise ValidationFailed(
            _("This payment method is not available for this order."),
            code="payment_method_unavailable",
            field="payment_method",
        )
    draft = _draft(priced, market, email, shipping, billing, quote, method, note, details, user)
    placed = _place(cart, draft, market)
    if method == Method.STRIPE:
        try:
            payment_open(payment=placed.payment)
        except GatewayError:
            # The order stands and its units are held; its page offers to try the card again.
            logger.warning("Stripe unreachable for order %s", placed.order.number, exc_info=True)
    return placed


def _place(cart: Cart, draft: OrderDraft, market: Market) -> PlacedOrder:
    items = [(line.variant_id, line.quantity) for line in draft.lines]
    cash = draft.payment_method == Method.COD
    with transaction.atomic():
        # Closing the cart first (a conditional UPDATE) locks it: a double submit or a
        # parallel "add to cart" waits here and then finds the cart already ordered.
        cart_mark_ordered(cart=cart)
        # Cash on delivery is accepted at once (its units are sold now, not held).
        created = order_create(draft=draft, confirmed=cash)
        expires_at = reservation_expiry()
        reference = created.order.reservation_reference
        try:
            if cash:
                stock_sell(reference=reference, items=items, market=market, actor="checkout")
            else:
                stock_reserve(
                    reference=reference, items=items, market=market, expires_at=expires_at
                )
        except Conflict as error:
            raise Conflict(error.message, code=error.code, field="lines", **error.extra) from error
        payment = payment_create(
            order=created.order, method=draft.payment_method, expires_at=expires_at
        )
    return PlacedOrder(
        order=created.order, payment=payment, lines=created.lines, events=created.events
    )


def _email(details: CheckoutDetails, user: Any) -> str:
    email = str(details.email or "").strip().lower()
    if not email and user is not None and user.is_authenticated:
        email = user.email
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed(
            _("Enter a valid email address."), code="invalid_email", field="email"
        ) from None
    return email


def _address(raw: Any, name: str) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise ValidationFailed(_("Enter the address."), code="required", field=name)
    try:
        return address_clean(fields={k: v for k, v in raw.items() if v is not None})
    except DomainError as error:
        raise type(error)(error.message, code=error.code, field=f"{name}.{error.field}") from error


def _check_currency(currency: str, market: Market) -> None:
    if currency and str(currency).upper() != market.currency:
        raise ValidationFailed(
            _("Prices in this shop are in %(currency)s.") % {"currency": market.currency},
            code="currency_mismatch",
            field="currency",
        )


def _check_lines(summary: CartSummary) -> None:
    if summary.is_empty:
        raise ValidationFailed(_("Your cart is empty."), code="cart_empty", field="lines")
    blocking = [line for line in summary.lines if line.blocks_checkout]
    if blocking:
        raise Conflict(blocking[0].message, code=blocking[0].problem, field="lines")


def _check_expected_total(expected: Any, total: Money) -> None:
    if expected in (None, ""):
        return
    try:
        value = Decimal(str(expected))
    except InvalidOperation:
        raise ValidationFailed(_("The total is not a number."), field="expected_total") from None
    if not value.is_finite() or value != total.amount:
        raise Conflict(
            _("The total changed to %(total)s. Check your order and place it again.")
            % {"total": total.format()},
            code="total_changed",
            field="expected_total",
            total=str(total.amount),
        )


def _draft(
    priced: CheckoutQuote,
    market: Market,
    email: str,
    shipping: dict[str, Any],
    billing: dict[str, Any],
    quote: ShippingQuote,
    method: str,
    note: str,
    details: CheckoutDetails,
    user: Any,
) -> OrderDraft:
    lines = priced.summary.sellable_lines
    taxes = priced.tax.per_amount
    rate = priced.tax.lines[0].rate if priced.tax.lines else Decimal(0)
    snapshots = [
        LineSnapshot(
            variant_id=line.variant_id,
            product_id=line.product_id,
            product_name=line.product_name,
            variant_name=line.variant_label,
            sku=line.sku,
            quantity=line.quantity,
            unit_price=line.unit_price,  # type: ignore[arg-type]
            total=line.line_total,  # type: ignore[arg-type]
            tax_rate=rate,
            tax_amount=taxes[i],
        )
        for i, line in enumerate(lines)
    ]
    shipping_tax = taxes[len(lines)] if len(taxes) > len(lines) else Money.zero(market.currency)
    return OrderDraft(
        market_id=market.pk,
        currency=market.currency,
        email=email,
        phone=shipping.get("phone", ""),
        language=(details.language or get_language() or market.default_language)[:8],
        user_id=user.pk if user is not None and user.is_authenticated else None,
        shipping_address=shipping,
        billing_address=billing,
        shipping_method_code=quote.code,
        shipping_method_name=quote.name,
        shipping_min_days=quote.min_days,
        shipping_max_days=quote.max_days,
        payment_method=method,
        prices_include_tax=priced.tax.prices_include_tax,
        lines=snapshots,
        subtotal=priced.subtotal,
        shipping_price=quote.price,
        tax_total=priced.tax.total,
        total=priced.total,
        tax_breakdown=[
            {
                "name": line.name,
                "rate": str(line.rate),
                "taxable": str(line.taxable.amount),
                "tax": str(line.tax.amount),
                "shipping_tax": str(shipping_tax.amount),
            }
            for line in priced.tax.lines
        ],
        customer_note=note,
    )
