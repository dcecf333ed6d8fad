"""The one-page checkout and the customer's order pages.

The page posts everything in one form. Changing the country re-prices delivery and tax
(htmx re-renders the page; without JavaScript an "Update" button does the same). Placing the
order hands the raw values to ``checkout_place_order``; an error comes back naming its field,
and the page shows it next to that field with a 4xx status.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tridex.accounts.forms import AddressForm
from tridex.accounts.selectors import address_list
from tridex.accounts.services import ADDRESS_FIELDS
from tridex.cart.services import cart_add_lines
from tridex.checkout.services import CheckoutDetails, checkout_place_order, checkout_quote
from tridex.core.errors import DomainError, NotFound
from tridex.orders.invoice import order_invoice_pdf
from tridex.orders.models import Order, OrderStatus
from tridex.orders.selectors import (
    order_address_lines,
    order_for_customer,
    order_for_token,
    order_list_for_customer,
)
from tridex.payments.gateways.promptpay import promptpay_qr_svg
from tridex.payments.gateways.stripe import stripe_publishable_key
from tridex.payments.selectors import payment_current
from tridex.payments.services import payment_open
from tridex.search.selectors import product_thumbnails
from tridex.storefront.shopper import cart_for_update, current_cart, remember_count
from tridex.storefront.views import shop_view

SESSION_GUEST_ORDERS = "tridex_guest_orders"


def _address_from(data: Any, prefix: str) -> dict[str, str]:
    return {key: str(data.get(f"{prefix}-{key}", "")).strip() for key in ADDRESS_FIELDS}


def _initial_address(request: HttpRequest) -> dict[str, str]:
    user = request.user
    home = request.market.home_country  # type: ignore[attr-defined]
    if not user.is_authenticated:
        return {"country": home}
    addresses = address_list(user=user)
    default = next(
        (a for a in addresses if a.is_default_shipping), addresses[0] if addresses else None
    )
    if default is None:
        return {
            "country": home,
            "full_name": user.get_full_name(),
            "phone": getattr(user, "phone", ""),
        }
    return {key: getattr(default, key) for key in ADDRESS_FIELDS}


def _forms(request: HttpRequest, data: Any | None) -> dict[str, Any]:
    ship = AddressForm(data, prefix="ship", initial=None if data else _initial_address(request))
    for name in ("country", "region", "postcode"):  # these change the delivery price and tax
        ship.fields[name].widget.attrs["data-reprice"] = ""
    home = request.market.home_country  # type: ignore[attr-defined]
    bill = AddressForm(data, prefix="bill", initial=None if data else {"country": home})
    return {"ship_form": ship, "bill_form": bill}


def _context(request: HttpRequest, cart: Any, data: Any | None) -> dict[str, Any]:
    source = data or {}
    forms = _forms(request, data)
    address = _address_from(source, "ship") if data else _initial_address(request)
    market = request.market  # type: ignore[attr-defined]
    shipping_method = str(source.get("shipping_method", ""))
    problem = None
    try:
        quote = checkout_quote(
            cart=cart,
            market=market,
            country=address.get("country", ""),
            region=address.get("region", ""),
            postcode=address.get("postcode", ""),
            shipping_method=shipping_method,
        )
    except DomainError as error:  # an address the shop cannot price: say so, show no options
        problem = error
        quote = checkout_quote(cart=cart, market=market, country="", shipping_method="")
    chosen_payment = str(source.get("payment_method", ""))
    if not any(option.method == chosen_payment for option in quote.payment_options):
        chosen_payment = quote.payment_options[0].method if quote.payment_options else ""
    user = request.user
    return {
        **forms,
        "quote": quote,
        "email": source.get("email", user.email if user.is_authenticated else ""),
        "billing_same": not data or bool(source.get("billing_same")),
        "chosen_payment": chosen_payment,
        "note": source.get("customer_note", ""),
        "thumbnails": product_thumbnails(
            product_ids=[line.product_id for line in quote.summary.lines]
        ),
        "errors": {},
        "error": problem,
        "noindex": True,
    }


def _place(request: HttpRequest, cart: Any) -> CheckoutDetails:
    data = request.POST
    return CheckoutDetails(
        email=data.get("email", ""),
        shipping_address=_address_from(data, "ship"),
        billing_address=None if data.get("billing_same") else _address_from(data, "bill"),
        shipping_method=data.get("shipping_method", ""),
        payment_method=data.get("payment_method", ""),
        expected_total=data.get("expected_total") or None,
        currency=data.get("currency", ""),
        customer_note=data.get("customer_note", ""),
        language=get_language() or "",
    )


def _show_error(context: dict[str, Any], error: DomainError) -> None:
    """Put the message next to its field: ``shipping_address.postcode`` → the ship form."""
    field = error.field or ""
    prefix, _dot, name = field.partition(".")
    forms = {"shipping_address": context["ship_form"], "billing_address": context["bill_form"]}
    form = forms.get(prefix)
    if form is not None and name in form.fields:
        form.is_valid()  # bound forms need cleaning before errors can be added
        form.add_error(name, error.message)
    context["errors"][field or "__all__"] = error.message
    context["error"] = error


@require_http_methods(["GET", "POST"])
@shop_view
def checkout(request: HttpRequest) -> HttpResponse:
    cart = current_cart(request)
    if cart is None or not cart.lines.exists():
        messages.info(request, _("Your cart is empty."))
        return HttpResponseRedirect(reverse("storefront:cart"))
    if cart.market_id != request.market.pk:  # type: ignore[attr-defined]
        cart = cart_for_update(request)  # the shopper switched market: the cart follows
    # Only the "Place order" button places; anything else (htmx re-pricing, a script's plain
    # form submission) just shows the page again with fresh prices.
    if request.method == "GET" or request.POST.get("action") != "place":
        context = _context(request, cart, request.POST or None)
        template = (
            "storefront/_checkout.html"
            if request.headers.get("HX-Request")
            else "storefront/checkout.html"
        )
        return render(request, template, context)
    try:
        placed = checkout_place_order(
            cart=cart,
            market=request.market,  # type: ignore[attr-defined]
            details=_place(request, cart),
            user=request.user,
        )
    except DomainError as error:
        context = _context(request, cart, request.POST)
        _show_error(context, error)
        return render(request, "storefront/checkout.html", context, status=error.status)
    return remember_count(HttpResponseRedirect(_order_url(request, placed.order)), None)


def _order_url(request: HttpRequest, order: Order) -> str:
    if order.user_id and request.user.is_authenticated:
        return reverse("orders:detail", kwargs={"number": order.number})
    guest = request.session.get(SESSION_GUEST_ORDERS, [])
    request.session[SESSION_GUEST_ORDERS] = [*guest[-9:], str(order.token)]
    return reverse("orders:guest", kwargs={"token": str(order.token)})


def _with_stripe(policy: dict[str, Any]) -> dict[str, Any]:
    """Widen ``policy`` by the origins Stripe's Payment Element loads from and talks to.

    Only the order page, where a card is paid, gets it: every other page keeps Stripe out.
    """
    stripe = {
        "script-src": ["https://js.stripe.com", "https://*.js.stripe.com"],
        "frame-src": [
            "https://js.stripe.com",
            "https://*.js.stripe.com",
            "https://hooks.stripe.com",
        ],
        "connect-src": ["https://api.stripe.com"],
        "img-src": ["https://*.stripe.com"],
    }
    widened = dict(policy)
    for directive, origins in stripe.items():
        kept = [value for value in policy.get(directive, []) if value != "'none'"]
        widened[directive] = [*kept, *origins]
    return widened


ORDER_PAGE_CSP = _with_stripe(settings.SECURE_CSP)


def _order_context(request: HttpRequest, order: Order) -> dict[str, Any]:
    payment = payment_current(order=order)
    context: dict[str, Any] = {
        "order": order,
        "payment": payment,
        "lines": list(order.lines.all()),
        "ship_lines": order_address_lines(order.shipping_address),
        "bill_lines": order_address_lines(order.billing_address),
        "events": list(order.events.all()),
        "shipments": list(order.shipments.all()),
        "is_pending": order.status == OrderStatus.PENDING_PAYMENT,
        "noindex": True,
    }
    if payment is not None and order.status == OrderStatus.PENDING_PAYMENT:
        if payment.method == "promptpay" and payment.qr_payload:
            context["qr_svg"] = promptpay_qr_svg(payment.qr_payload)
            context["qr_expired"] = bool(payment.expires_at and payment.expires_at < timezone.now())
        if payment.method == "stripe" and payment.client_secret:
            context["stripe_key"] = stripe_publishable_key()
            # Back from Stripe (3-D Secure, a wallet): the webhook confirms in a moment.
            context["confirming"] = request.GET.get("redirect_status") in {
                "succeeded",
                "processing",
            }
    return context


@require_GET
@login_required
@shop_view
def order_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(order_list_for_customer(user=request.user), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "storefront/order_list.html", {"page": page, "noindex": True})


@require_GET
@login_required
@shop_view
@csp_override(ORDER_PAGE_CSP)
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = order_for_customer(user=request.user, number=number)
    return render(request, "storefront/order_detail.html", _order_context(request, order))


@require_GET
@shop_view
@csp_override(ORDER_PAGE_CSP)
def order_guest(request: HttpRequest, token: str) -> HttpResponse:
    order = order_for_token(token=token)
    return render(request, "storefront/order_detail.html", _order_context(request, order))


def _owned(request: HttpRequest, number: str, token: str | None) -> Order:
    if token:
        return order_for_token(token=token)
    return order_for_customer(user=request.user, number=number)


@require_GET
@shop_view
def order_invoice(request: HttpRequest, number: str) -> HttpResponse:
    order = _owned(request, number, request.GET.get("token"))
    if order.number != number or order.paid_amount < order.total:
        # A receipt certifies money received: there is none to download before payment.
        raise NotFound(_("There is no receipt for this order yet."))
    pdf = order_invoice_pdf(order=order, language=get_language())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="invoice-{order.number}.pdf"'
    return response


@require_POST
@shop_view
def order_retry_payment(request: HttpRequest, token: str) -> HttpResponse:
    """Open the card payment again when the provider could not be reached at checkout."""
    order = order_for_token(token=token)
    payment = payment_current(order=order)
    if payment is not None and order.status == OrderStatus.PENDING_PAYMENT:
        try:
            payment_open(payment=payment)
        except DomainError as error:
            messages.error(request, error.message)
    return HttpResponseRedirect(_order_url(request, order))


@require_POST
@login_required
@shop_view
def order_reorder(request: HttpRequest, number: str) -> HttpResponse:
    order = order_for_customer(user=request.user, number=number)
    cart = cart_for_update(request)
    items = [(line.variant_id, line.quantity) for line in order.lines.all() if line.variant_id]
    problems = cart_add_lines(cart=cart, items=items)
    for problem in problems:
        messages.warning(request, problem)
    if len(problems) < len(items):
        messages.success(
            request, _("The items of order %(number)s are in your cart.") % {"number": order.number}
        )
    return remember_count(HttpResponseRedirect(reverse("storefront:cart")), cart)
