"""Emails to the customer about their order: confirmation, payment received, shipped, refunded.

Each email is sent at most once per ``(order, kind, key)``. The ``OrderEmail`` row that records
it is written in the same transaction as the send: a duplicate task finds the row (the unique
constraint answers, even for two workers racing) and sends nothing, while a send that raises
rolls the row back so that the retry sends it. A crash between the SMTP hand-off and the commit
can still send twice; that is the price of never losing an email.

Every email is written in the order's language, with amounts, dates and addresses formatted
for it, as HTML (in the house look of ``account/email/``) with a plain-text alternative.

The presentation helpers at the bottom (address lines, line rows, payment method names) are
shared with ``tridex.orders.invoice``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tridex.core.errors import NotFound, ValidationFailed
from tridex.core.money import Money
from tridex.orders.models import Order, OrderEmail, OrderEvent, OrderStatus, Shipment
from tridex.orders.selectors import order_address_lines
from tridex.orders.services import order_note_event
from tridex.shipping.selectors import ShippingQuote

CONFIRMATION = "confirmation"
PAYMENT_RECEIVED = "payment_received"
SHIPPED = "shipped"
REFUNDED = "refunded"

SUBJECTS = {
    CONFIRMATION: gettext_lazy("Order %(number)s: thank you for your order"),
    PAYMENT_RECEIVED: gettext_lazy("Order %(number)s: payment received"),
    SHIPPED: gettext_lazy("Order %(number)s is on its way"),
    REFUNDED: gettext_lazy("Order %(number)s: refund issued"),
}
KINDS = tuple(SUBJECTS)

# The checkout's payment methods (``payments.models.Method``), named for the customer. They are
# spelled out here because ``orders`` sits below ``payments`` and may not import it.
PAYMENT_METHODS = {
    "promptpay": gettext_lazy("PromptPay QR"),
    "cod": gettext_lazy("Cash on delivery"),
    "stripe": gettext_lazy("Credit or debit card"),
}


def order_email_send(*, order_id: int, kind: str, key: str = "") -> bool:
    """Send the ``kind`` email about the order once; return False if it was already sent.

    ``key`` tells repeatable kinds apart: the shipment id for ``shipped``, the refund event id
    for ``refunded``. Raises ``ValidationFailed`` for an unknown kind and ``NotFound`` for an
    order, shipment or refund that does not exist; a failing mail backend's error propagates
    (and nothing is recorded) so the caller can retry.
    """
    order = _order(order_id)
    message = order_email_render(order=order, kind=kind, key=key)
    # The row stays uncommitted while the mail server answers: a duplicate running meanwhile
    # waits on it, then finds it and sends nothing.
    with transaction.atomic():
        if not _claim(order, kind, key):
            return False
        message.send()
        order_note_event(order=order, kind=OrderEvent.Kind.EMAIL, code=f"email_{kind}", key=key)
    return True


def _order(order_id: int) -> Order:
    order = Order.objects.select_related("market").filter(pk=order_id).first()
    if order is None:
        raise NotFound(_("There is no such order."), code="order_not_found")
    return order


def _claim(order: Order, kind: str, key: str) -> bool:
    """Record the email as sent (inside the caller's transaction); False if it already was."""
    try:
        with transaction.atomic():
            OrderEmail.objects.create(order=order, kind=kind, key=key)
    except IntegrityError:
        return False
    return True


def order_email_render(*, order: Order, kind: str, key: str = "") -> EmailMultiAlternatives:
    """Build the email (subject, plain text and HTML) in the order's language, unsent."""
    if kind not in SUBJECTS:
        raise ValidationFailed(_("Unknown email."), code="invalid_email_kind", field="kind")
    with translation.override(order.language):
        context = {**_common_context(order), **_KIND_CONTEXT[kind](order, key)}
        subject = str(SUBJECTS[kind]) % {"number": order.number}
        context["subject"] = subject
        text = render_to_string(f"orders/email/{kind}_message.txt", context)
        html = render_to_string(f"orders/email/{kind}_message.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[order.email]
    )
    message.attach_alternative(html, "text/html")
    return message


def order_refunds_unannounced(*, order_id: int) -> list[str]:
    """The ids (as email keys) of the order's refunds that no email has announced yet."""
    sent = OrderEmail.objects.filter(order_id=order_id, kind=REFUNDED).values_list("key", flat=True)
    refunds = OrderEvent.objects.filter(order_id=order_id, kind=OrderEvent.Kind.REFUND)
    announced = set(sent)
    return [str(pk) for pk in refunds.values_list("pk", flat=True) if str(pk) not in announced]


# --- What each email shows ------------------------------------------------------------------


def _common_context(order: Order) -> dict[str, Any]:
    language = order.language
    recipient = order.shipping_address.get("full_name") or order.billing_address.get("full_name")
    return {
        "order": order,
        "order_url": order_page_url(order),
        "current_site": Site.objects.get_current(),
        # The house greeting (account/email/base_message.*) reads ``user.first_name``.
        "user": {"first_name": recipient or ""},
        "lines": order_line_rows(order, language),
        "totals": _total_rows(order, language),
    }


def _confirmation(order: Order, key: str) -> dict[str, Any]:
    return {
        "payment_method": payment_method_label(order.payment_method),
        "payment_instructions": _payment_instructions(order),
        "shipping_method": order.shipping_method_name,
        "delivery_estimate": delivery_estimate(order),
        "address": order_address_lines(order.shipping_address),
    }


def _payment_received(order: Order, key: str) -> dict[str, Any]:
    return {"paid": order.money(order.paid_amount).format(order.language)}


def _shipped(order: Order, key: str) -> dict[str, Any]:
    shipment = Shipment.objects.filter(order=order, pk=_int_key(key)).first()
    if shipment is None:
        raise NotFound(_("There is no such shipment."), code="shipment_not_found", field="key")
    parcel = [
        {
            "name": _line_name(item.order_line.product_name, item.order_line.variant_name),
            "quantity": item.quantity,
        }
        for item in shipment.lines.select_related("order_line")
    ]
    return {
        "shipment": shipment,
        "parcel": parcel,
        "address": order_address_lines(order.shipping_address),
    }


def _refunded(order: Order, key: str) -> dict[str, Any]:
    event = OrderEvent.objects.filter(
        order=order, kind=OrderEvent.Kind.REFUND, pk=_int_key(key)
    ).first()
    if event is None:
        raise NotFound(_("There is no such refund."), code="refund_not_found", field="key")
    amount = Money(str(event.data.get("amount", "0")), order.currency)
    return {"refund": amount.format(order.language)}


_KIND_CONTEXT: dict[str, Callable[[Order, str], dict[str, Any]]] = {
    CONFIRMATION: _confirmation,
    PAYMENT_RECEIVED: _payment_received,
    SHIPPED: _shipped,
    REFUNDED: _refunded,
}


def _int_key(key: str) -> int:
    if not key.isdigit():
        raise ValidationFailed(_("This email needs the id it is about."), field="key")
    return int(key)


def _payment_instructions(order: Order) -> str:
    """What the customer still has to do to pay, or "" if nothing is left to do."""
    due = order.money(order.total - order.paid_amount)
    if due.amount <= 0 or order.status == OrderStatus.CANCELLED:
        return ""
    if order.payment_method == "cod":
        return _("Pay the courier %(amount)s in cash when your parcel arrives.") % {
            "amount": due.format(order.language)
        }
    if order.status != OrderStatus.PENDING_PAYMENT:
        return ""
    if order.payment_method == "promptpay":
        return _(
            "Scan the PromptPay QR code on your order page before %(time)s. "
            "We hold your items until then."
        ) % {"time": local_datetime(order, promptpay_deadline(order))}
    return _("We will email you as soon as your card payment is confirmed.")


def promptpay_deadline(order: Order) -> datetime:
    """When an unpaid PromptPay order's hold on its stock runs out.

    The checkout holds stock for ``TRIDEX_RESERVATION_MINUTES`` from a moment just after the
    order is written, so this is at most a few milliseconds early: the customer is never told
    a time later than the real one.
    """
    minutes = int(getattr(settings, "TRIDEX_RESERVATION_MINUTES", 15))
    return order.placed_at + timedelta(minutes=minutes)


def _total_rows(order: Order, language: str) -> list[AmountRow]:
    """Subtotal, shipping, taxes and total; a tax included in the prices follows the total.

    The shipping method is named under "Delivery", so its row only says what it cost.
    """
    money = order.money
    shipping = money(order.shipping_price).format(language) if order.shipping_price else _("Free")
    rows = [
        AmountRow(_("Subtotal"), money(order.subtotal).format(language)),
        AmountRow(_("Shipping"), shipping),
    ]
    taxes = [
        AmountRow(
            _("Includes %(tax)s") % {"tax": tax["name"]}
            if order.prices_include_tax
            else str(tax["name"]),
            money(Decimal(str(tax["tax"]))).format(language),
        )
        for tax in order.tax_breakdown
    ]
    total = AmountRow(_("Total"), money(order.total).format(language), strong=True)
    if order.prices_include_tax:
        return [*rows, total, *taxes]
    return [*rows, *taxes, total]


# --- Presentation shared with the invoice ---------------------------------------------------


@dataclass(frozen=True)
class LineRow:
    name: str
    sku: str
    quantity: int
    unit_price: str
    total: str


@dataclass(frozen=True)
class AmountRow:
    label: str
    amount: str
    strong: bool = False


def order_line_rows(order: Order, language: str) -> list[LineRow]:
    """The order's lines with amounts formatted for ``language``."""
    return [
        LineRow(
            name=_line_name(line.product_name, line.variant_name),
            sku=line.sku,
            quantity=line.quantity,
            unit_price=order.money(line.unit_price).format(language),
            total=order.money(line.total).format(language),
        )
        for line in order.lines.all()
    ]


def _line_name(product: str, option: str) -> str:
    return f"{product} – {option}" if option else product


def payment_method_label(method: str) -> str:
    return str(PAYMENT_METHODS.get(method, method))


def delivery_estimate(order: Order) -> str:
    """The delivery time promised at checkout, in the same words the checkout used."""
    promised = ShippingQuote(
        method_id=0,
        code=order.shipping_method_code,
        name=order.shipping_method_name,
        description="",
        price=order.money(order.shipping_price),
        min_days=order.shipping_min_days,
        max_days=order.shipping_max_days,
        is_free=not order.shipping_price,
    )
    return promised.estimate()


def local_datetime(order: Order, value: datetime) -> str:
    """``value`` in the market's time zone, formatted for the active language."""
    zone = ZoneInfo(order.market.time_zone or settings.TIME_ZONE)
    return date_format(timezone.localtime(value, zone), "DATETIME_FORMAT")


def order_page_url(order: Order) -> str:
    """The absolute address of the order's page in the active language.

    A guest has no account to sign in to, so their link carries the order's secret token.
    """
    if order.user_id is None:
        path = reverse("orders:guest", kwargs={"token": str(order.token)})
    else:
        path = reverse("orders:detail", kwargs={"number": order.number})
    base = getattr(settings, "TRIDEX_SITE_URL", "http://127.0.0.1:8000")
    return f"{str(base).rstrip('/')}{path}"
