"""Cart, wishlist, checkout, orders and payment webhooks.

Who is asking: a signed-in customer sends the ``X-Session-Token`` that django-allauth's headless
API (``/_allauth/app/v1/auth/login``) gave their app; a guest sends the ``X-Cart-Token`` (and
``X-Wishlist-Token``) that the first write returned. A customer only ever reaches their own cart
and orders: anyone else's ids answer 404, exactly like ids that do not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from allauth.headless.internal.sessionkit import authenticate_by_x_session_token
from django.contrib.auth.models import AnonymousUser
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.security.base import AuthBase

from tridex.api.commerce_schemas import (
    CartLineIn,
    CartLineOut,
    CartOut,
    OrderLineOut,
    OrderOut,
    OrderPageOut,
    OrderSummaryOut,
    PaymentOptionOut,
    PaymentOut,
    PlaceOrderIn,
    QuantityIn,
    QuoteIn,
    QuoteOut,
    ShipmentOut,
    ShippingOptionOut,
    TaxLineOut,
    TimelineOut,
    WebhookOut,
    WishlistItemIn,
    WishlistItemOut,
    WishlistOut,
)
from tridex.api.context import image_out, language_for, market_for, money_out
from tridex.api.schemas import ErrorOut, LocaleParams, ValidationErrorOut
from tridex.cart.models import Cart, Wishlist
from tridex.cart.selectors import (
    CartSummary,
    cart_find,
    cart_summary,
    wishlist_find,
    wishlist_items,
)
from tridex.cart.services import (
    cart_add_for_shopper,
    cart_get_or_create,
    cart_remove,
    cart_set_quantity,
    wishlist_add,
    wishlist_get_or_create,
    wishlist_move_to_cart,
    wishlist_remove,
)
from tridex.checkout.services import CheckoutDetails, checkout_place_order, checkout_quote
from tridex.core.errors import DomainError, NotFound
from tridex.core.money import Money
from tridex.orders.models import Order, OrderEvent, OrderLine, Shipment
from tridex.orders.selectors import order_for_customer, order_for_token, order_list_for_customer
from tridex.payments.gateways.promptpay import promptpay_qr_svg
from tridex.payments.gateways.stripe import stripe_publishable_key
from tridex.payments.models import Payment
from tridex.payments.selectors import payment_current
from tridex.payments.services import payment_handle_webhook
from tridex.payments.timeline import event_sentence
from tridex.search.selectors import product_thumbnails
from tridex.shipping.selectors import ShippingQuote
from tridex.tax.selectors import TaxBreakdown

router = Router(tags=["shopping"])
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
    502: ErrorOut,
}


class Unauthorized(DomainError):
    code = "unauthorized"
    status = 401


class ShopperAuth(AuthBase):
    """A customer by their ``X-Session-Token``, or a guest when no token is sent.

    A token that is sent but not valid (expired, signed out) is refused with 401 rather than
    silently treated as a guest, so an app notices it must sign in again.
    """

    openapi_type = "apiKey"
    param_name = "X-Session-Token"

    def __call__(self, request: HttpRequest) -> Any:
        token = request.headers.get("X-Session-Token")
        if not token:
            request.user = AnonymousUser()
            return request.user
        found = authenticate_by_x_session_token(token)
        if found is None or found.user is None:
            return None
        request.user = found.user
        return request.user


shopper = ShopperAuth()


def _customer(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


# --- Cart -----------------------------------------------------------------------------------


def _cart(request: HttpRequest, market_code: str | None, *, create: bool) -> Cart | None:
    market = market_for(market_code)
    user, token = _customer(request), request.headers.get("X-Cart-Token")
    if create:
        return cart_get_or_create(market=market, user=user, token=token)
    cart = cart_find(user=user, token=token)
    if token and user is None and cart is None:
        raise NotFound(_("There is no such cart."), code="cart_not_found")
    return cart


def _tax_out(tax: TaxBreakdown, language: str) -> list[TaxLineOut]:
    return [
        TaxLineOut(
            name=line.name,
            rate=format(line.rate, "f"),
            taxable=money_out(line.taxable, language),  # type: ignore[arg-type]
            tax=money_out(line.tax, language),  # type: ignore[arg-type]
        )
        for line in tax.lines
    ]


def _cart_out(request: HttpRequest, summary: CartSummary, language: str) -> CartOut:
    images = product_thumbnails(product_ids=[line.product_id for line in summary.lines])
    cart = summary.cart
    return CartOut(
        token=str(cart.token) if cart is not None and cart.user_id is None else None,
        market=summary.market.code,
        lines=[
            CartLineOut(
                id=line.id,
                variant_id=line.variant_id,
                product_id=line.product_id,
                product_name=line.product_name,
                variant_label=line.variant_label,
                sku=line.sku,
                quantity=line.quantity,
                available=line.available,
                unit_price=money_out(line.unit_price, language),
                line_total=money_out(line.line_total, language),
                previous_price=money_out(line.previous_price, language),
                problem=line.problem,
                message=line.message,
                image=image_out(request, images.get(line.product_id)),
            )
            for line in summary.lines
        ],
        item_count=summary.item_count,
        subtotal=money_out(summary.subtotal, language),  # type: ignore[arg-type]
        tax=_tax_out(summary.tax, language),
        prices_include_tax=summary.tax.prices_include_tax,
        total=money_out(summary.total, language),  # type: ignore[arg-type]
        can_check_out=summary.can_check_out,
    )


def _render_cart(request: HttpRequest, cart: Cart | None, params: LocaleParams) -> CartOut:
    market = cart.market if cart is not None else market_for(params.market)
    language = language_for(request, params.lang)
    with translation.override(language):
        return _cart_out(request, cart_summary(cart=cart, market=market), language)


@router.get(
    "/cart",
    response={200: CartOut, **ERRORS},
    auth=shopper,
    operation_id="cart_get",
    summary="The shopper's cart, priced now",
)
def cart_get(request: HttpRequest, params: Query[LocaleParams]) -> CartOut:
    return _render_cart(request, _cart(request, params.market, create=False), params)


@router.post(
    "/cart/lines",
    response={200: CartOut, **ERRORS},
    auth=shopper,
    operation_id="cart_add",
    summary="Add a variant to the cart (creates a guest cart when needed)",
)
def cart_lines_add(
    request: HttpRequest, body: CartLineIn, params: Query[LocaleParams], response: HttpResponse
) -> CartOut:
    language = language_for(request, params.lang)
    with translation.override(language):
        summary = cart_add_for_shopper(
            market=market_for(params.market),
            user=_customer(request),
            token=request.headers.get("X-Cart-Token"),
            variant_id=body.variant_id,
            quantity=body.quantity,
        )
        if summary.cart is not None and summary.cart.user_id is None:
            response["X-Cart-Token"] = str(summary.cart.token)
        return _cart_out(request, summary, language)


def _own_cart(request: HttpRequest, params: LocaleParams) -> Cart:
    cart = _cart(request, params.market, create=False)
    if cart is None:
        raise NotFound(_("There is no such cart."), code="cart_not_found")
    return cart


@router.patch(
    "/cart/lines/{line_id}",
    response={200: CartOut, **ERRORS},
    auth=shopper,
    operation_id="cart_line_update",
    summary="Change a line's quantity (0 removes it)",
)
def cart_lines_update(
    request: HttpRequest, line_id: int, body: QuantityIn, params: Query[LocaleParams]
) -> CartOut:
    cart = _own_cart(request, params)
    cart_set_quantity(cart=cart, line_id=line_id, quantity=body.quantity)
    return _render_cart(request, cart, params)


@router.delete(
    "/cart/lines/{line_id}",
    response={200: CartOut, **ERRORS},
    auth=shopper,
    operation_id="cart_line_remove",
    summary="Remove a line",
)
def cart_lines_remove(request: HttpRequest, line_id: int, params: Query[LocaleParams]) -> CartOut:
    cart = _own_cart(request, params)
    cart_remove(cart=cart, line_id=line_id)
    return _render_cart(request, cart, params)


# --- Wishlist -------------------------------------------------------------------------------


def _wishlist(request: HttpRequest, *, create: bool) -> Wishlist | None:
    user, token = _customer(request), request.headers.get("X-Wishlist-Token")
    if create:
        return wishlist_get_or_create(user=user, token=token)
    wishlist = wishlist_find(user=user, token=token)
    if token and user is None and wishlist is None:
        raise NotFound(_("There is no such wishlist."), code="wishlist_not_found")
    return wishlist


def _wishlist_out(
    request: HttpRequest, wishlist: Wishlist | None, params: LocaleParams
) -> WishlistOut:
    language = language_for(request, params.lang)
    items = wishlist_items(wishlist=wishlist, market=market_for(params.market))
    images = product_thumbnails(product_ids=[item.product_id for item in items])
    return WishlistOut(
        token=str(wishlist.token) if wishlist is not None and wishlist.user_id is None else None,
        share_token=str(wishlist.share_token) if wishlist is not None else "",
        items=[
            WishlistItemOut(
                variant_id=item.variant_id,
                product_id=item.product_id,
                product_name=item.product_name,
                variant_label=item.variant_label,
                sku=item.sku,
                price=money_out(item.price, language),
                available=item.available,
                image=image_out(request, images.get(item.product_id)),
            )
            for item in items
        ],
    )


@router.get(
    "/wishlist",
    response={200: WishlistOut, **ERRORS},
    auth=shopper,
    operation_id="wishlist_get",
    summary="The shopper's wishlist",
)
def wishlist_get(request: HttpRequest, params: Query[LocaleParams]) -> WishlistOut:
    return _wishlist_out(request, _wishlist(request, create=False), params)


@router.post(
    "/wishlist/items",
    response={200: WishlistOut, **ERRORS},
    auth=shopper,
    operation_id="wishlist_add",
    summary="Save a variant to the wishlist",
)
def wishlist_items_add(
    request: HttpRequest, body: WishlistItemIn, params: Query[LocaleParams]
) -> WishlistOut:
    wishlist = _wishlist(request, create=True)
    assert wishlist is not None
    wishlist_add(wishlist=wishlist, variant_id=body.variant_id, market=market_for(params.market))
    return _wishlist_out(request, wishlist, params)


@router.delete(
    "/wishlist/items/{variant_id}",
    response={200: WishlistOut, **ERRORS},
    auth=shopper,
    operation_id="wishlist_remove",
    summary="Take a variant off the wishlist",
)
def wishlist_items_remove(
    request: HttpRequest, variant_id: int, params: Query[LocaleParams]
) -> WishlistOut:
    wishlist = _wishlist(request, create=False)
    if wishlist is None:
        raise NotFound(_("This item is not in your wishlist."), code="wishlist_item_not_found")
    wishlist_remove(wishlist=wishlist, variant_id=variant_id)
    return _wishlist_out(request, wishlist, params)


@router.post(
    "/wishlist/items/{variant_id}/move-to-cart",
    response={200: CartOut, **ERRORS},
    auth=shopper,
    operation_id="wishlist_move_to_cart",
    summary="Move a wishlist item into the cart",
)
def wishlist_items_move(
    request: HttpRequest, variant_id: int, params: Query[LocaleParams], response: HttpResponse
) -> CartOut:
    wishlist = _wishlist(request, create=False)
    if wishlist is None:
        raise NotFound(_("This item is not in your wishlist."), code="wishlist_item_not_found")
    cart = _cart(request, params.market, create=True)
    assert cart is not None
    language = language_for(request, params.lang)
    with translation.override(language):
        summary = wishlist_move_to_cart(wishlist=wishlist, variant_id=variant_id, cart=cart)
        if cart.user_id is None:
            response["X-Cart-Token"] = str(cart.token)
        return _cart_out(request, summary, language)


# --- Checkout -------------------------------------------------------------------------------


def _shipping_out(quote: ShippingQuote, language: str) -> ShippingOptionOut:
    return ShippingOptionOut(
        code=quote.code,
        name=quote.name,
        description=quote.description,
        price=money_out(quote.price, language),  # type: ignore[arg-type]
        estimate=quote.estimate(),
        is_free=quote.is_free,
    )


@router.post(
    "/checkout/quote",
    response={200: QuoteOut, **ERRORS},
    auth=shopper,
    operation_id="checkout_quote",
    summary="Delivery options, tax and total for the cart to an address",
)
def checkout_quote_view(
    request: HttpRequest, body: QuoteIn, params: Query[LocaleParams]
) -> QuoteOut:
    cart = _own_cart(request, params)
    language = language_for(request, params.lang)
    with translation.override(language):
        quote = checkout_quote(
            cart=cart,
            market=cart.market,
            country=body.country,
            region=body.region,
            postcode=body.postcode,
            shipping_method=body.shipping_method,
        )
        return QuoteOut(
            cart=_cart_out(request, quote.summary, language),
            country=quote.country,
            shipping_options=[_shipping_out(q, language) for q in quote.shipping_options],
            shipping=_shipping_out(quote.shipping, language) if quote.shipping else None,
            tax=_tax_out(quote.tax, language),
            total=money_out(quote.total, language),  # type: ignore[arg-type]
            payment_options=[
                PaymentOptionOut(method=o.method, label=o.label) for o in quote.payment_options
            ],
        )


@router.post(
    "/checkout/orders",
    response={201: OrderOut, **ERRORS},
    auth=shopper,
    operation_id="checkout_place_order",
    summary="Place the order: holds the stock and starts the payment",
)
def checkout_place(request: HttpRequest, body: PlaceOrderIn, params: Query[LocaleParams]) -> Status:
    cart = _own_cart(request, params)
    language = language_for(request, params.lang)
    details = CheckoutDetails(
        email=body.email,
        shipping_address=body.shipping_address.dict(),
        billing_address=body.billing_address.dict() if body.billing_address else None,
        shipping_method=body.shipping_method,
        payment_method=body.payment_method,
        expected_total=body.expected_total,
        currency=body.currency,
        customer_note=body.customer_note,
        language=language,
    )
    with translation.override(language):
        placed = checkout_place_order(
            cart=cart, market=cart.market, details=details, user=_customer(request)
        )
        written = OrderRows(lines=placed.lines, shipments=[], events=placed.events)
        return Status(201, _order_out(placed.order, language, placed.payment, written))


# --- Orders ---------------------------------------------------------------------------------


def _payment_out(payment: Payment, language: str) -> PaymentOut:
    pending = payment.status == "pending"
    return PaymentOut(
        reference=payment.reference,
        method=payment.method,
        status=payment.status,
        amount=money_out(payment.money(payment.amount), language),  # type: ignore[arg-type]
        expires_at=payment.expires_at,
        promptpay_payload=payment.qr_payload if pending else "",
        promptpay_qr_svg=promptpay_qr_svg(payment.qr_payload)
        if pending and payment.qr_payload
        else "",
        stripe_client_secret=payment.client_secret if pending else "",
        stripe_publishable_key=stripe_publishable_key() if payment.method == "stripe" else "",
    )


@dataclass(frozen=True)
class OrderRows:
    """An order's lines, shipments and timeline, when the caller has them already."""

    lines: Iterable[OrderLine]
    shipments: Iterable[Shipment]
    events: Iterable[OrderEvent]


def _order_rows(order: Order) -> OrderRows:
    prefetch_related_objects([order], "lines", "shipments", "events")
    return OrderRows(
        lines=order.lines.all(), shipments=order.shipments.all(), events=order.events.all()
    )


def _order_out(
    order: Order, language: str, payment: Payment | None = None, rows: OrderRows | None = None
) -> OrderOut:
    def money(amount: Any) -> Any:
        return money_out(Money(amount, order.currency), language)

    rows = rows or _order_rows(order)
    payment = payment if payment is not None else payment_current(order=order)
    return OrderOut(
        number=order.number,
        token=str(order.token),
        status=order.status,
        status_label=order.status_text,
        refund_status=order.refund_status,
        placed_at=order.placed_at,
        email=order.email,
        currency=order.currency,
        lines=[
            OrderLineOut(
                product_name=line.product_name,
                variant_name=line.variant_name,
                sku=line.sku,
                quantity=line.quantity,
                unit_price=money(line.unit_price),
                total=money(line.total),
                tax=money(line.tax_amount),
                quantity_shipped=line.quantity_shipped,
                quantity_cancelled=line.quantity_cancelled,
                quantity_returned=line.quantity_returned,
            )
            for line in rows.lines
        ],
        subtotal=money(order.subtotal),
        shipping=money(order.shipping_price),
        shipping_method=order.shipping_method_name,
        tax=money(order.tax_total),
        total=money(order.total),
        paid=money(order.paid_amount),
        refunded=money(order.refunded_amount),
        prices_include_tax=order.prices_include_tax,
        shipping_address={k: str(v) for k, v in order.shipping_address.items()},
        billing_address={k: str(v) for k, v in order.billing_address.items()},
        shipments=[
            ShipmentOut(
                carrier=s.carrier,
                tracking_number=s.tracking_number,
                tracking_url=s.tracking_url,
                shipped_at=s.shipped_at,
            )
            for s in rows.shipments
        ],
        timeline=[
            TimelineOut(at=e.created_at, text=event_sentence(e)) for e in rows.events if e.is_public
        ],
        payment=_payment_out(payment, language) if payment is not None else None,
    )


class OrderListParams(LocaleParams):
    page: int = 1


@router.get(
    "/orders",
    response={200: OrderPageOut, **ERRORS},
    auth=shopper,
    operation_id="orders_list",
    summary="The signed-in customer's orders, newest first",
)
def orders_list(request: HttpRequest, params: Query[OrderListParams]) -> OrderPageOut:
    user = _customer(request)
    if user is None:
        raise Unauthorized(_("Sign in to see your orders."))
    language = language_for(request, params.lang)
    page = max(1, min(params.page, 10_000))
    orders = order_list_for_customer(user=user)
    rows = list(orders[(page - 1) * 20 : page * 20])
    return OrderPageOut(
        count=orders.count(),
        page=page,
        results=[
            OrderSummaryOut(
                number=o.number,
                status=o.status,
                status_label=o.status_text,
                refund_status=o.refund_status,
                placed_at=o.placed_at,
                total=money_out(Money(o.total, o.currency), language),  # type: ignore[arg-type]
            )
            for o in rows
        ],
    )


@router.get(
    "/orders/{number}",
    response={200: OrderOut, **ERRORS},
    auth=shopper,
    operation_id="orders_get",
    summary="One of the signed-in customer's orders",
)
def orders_get(request: HttpRequest, number: str, params: Query[LocaleParams]) -> OrderOut:
    language = language_for(request, params.lang)
    with translation.override(language):
        return _order_out(order_for_customer(user=_customer(request), number=number), language)


@router.get(
    "/orders/by-token/{token}",
    response={200: OrderOut, **ERRORS},
    operation_id="orders_get_by_token",
    summary="An order by the secret token from its confirmation (guests)",
)
def orders_get_by_token(request: HttpRequest, token: str, params: Query[LocaleParams]) -> OrderOut:
    language = language_for(request, params.lang)
    with translation.override(language):
        return _order_out(order_for_token(token=token), language)


# --- Payment webhooks -----------------------------------------------------------------------


@router.post(
    "/payments/webhooks/{gateway}",
    response={200: WebhookOut, 400: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    operation_id="payments_webhook",
    summary="Payment provider events (Stripe; PromptPay confirmations), verified by signature",
)
def payments_webhook(request: HttpRequest, gateway: str) -> WebhookOut:
    headers = dict(request.headers.items())
    result = payment_handle_webhook(method=gateway, body=request.body, headers=headers)
    return WebhookOut(result=result)
