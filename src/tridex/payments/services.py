"""Payment writes: start a payment, apply what the provider says, capture, refund, cancel.

Two rules keep money and stock right under retries and races:

* **Provider calls happen outside database transactions** and carry idempotency keys built from
  Tridex's ids, so a timeout or a killed worker can repeat a call without charging or refunding
  twice. The database records intent first (a pending ``Refund``), then the outcome.
* **Every outcome goes through ``payment_apply``**, which locks the payment and refuses to move
  a status backwards. A webhook delivered twice is recognised by its event id (recorded in the
  same transaction), and one delivered late cannot undo a later state.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tridex.core.errors import Conflict, NotFound, ValidationFailed
from tridex.core.locking import lock_rows
from tridex.core.money import Money
from tridex.inventory.selectors import stock_sold
from tridex.inventory.services import stock_held, stock_reservation_expiring, stock_reserve
from tridex.orders.models import Order, OrderEvent, OrderStatus
from tridex.orders.services import (
    UnitsBack,
    order_cancel,
    order_check_cancellable,
    order_check_units,
    order_locked,
    order_mark_paid,
    order_note_event,
    order_record_extra_payment,
    order_record_refund,
    order_record_unfulfillable_payment,
    order_release_stock,
)
from tridex.payments.gateways import gateway_for, refunds_by_hand
from tridex.payments.gateways.base import (
    GatewayError,
    GatewayStatus,
    InvalidWebhook,
    PaymentRequest,
    WebhookEvent,
)
from tridex.payments.models import Method, Payment, PaymentOption, Refund, WebhookReceipt
from tridex.payments.selectors import payment_account

logger = logging.getLogger(__name__)
G = GatewayStatus

# A status only moves forward. Pending and failed sit level: a failed card can be retried.
_RANK = {G.PENDING: 0, G.FAILED: 0, G.AUTHORIZED: 1, G.CAPTURED: 2, G.CANCELLED: 2}


def reservation_minutes() -> int:
    return int(getattr(settings, "TRIDEX_RESERVATION_MINUTES", 15))


def reservation_expiry(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(minutes=reservation_minutes())


def payment_create(*, order: Order, method: str, expires_at: datetime | None = None) -> Payment:
    """Record a payment attempt for the order's total (inside the order's transaction).

    PromptPay gets its QR payload here (no provider is called); Stripe is opened at the
    provider by ``payment_open`` once the order is committed.
    """
    if method not in Method.values:
        raise ValidationFailed(_("Choose a payment method."), field="payment_method")
    # Letters and digits only, 25 long: PromptPay carries it whole as the QR's bill number,
    # so a bank's confirmation names the same reference.
    reference = f"pay{secrets.token_hex(11)}"
    payment = Payment(
        order=order,
        method=method,
        reference=reference,
        # Cash is matched by our own reference; providers give theirs when the payment opens.
        external_id=reference if method == Method.COD else "",
        currency=order.currency,
        amount=order.total,
        expires_at=expires_at if method == Method.PROMPTPAY else None,
    )
    if method == Method.PROMPTPAY:  # the QR is made here, from our reference: no provider call
        gateway = gateway_for(
            method, account=payment_account(market_id=order.market_id, method=method)
        )
        result = gateway.create(_request(payment, order))
        payment.qr_payload = str(result.raw.get("qr_payload", ""))
        payment.external_id = result.external_id
    payment.save(force_insert=True)
    return payment


def _request(payment: Payment, order: Order) -> PaymentRequest:
    return PaymentRequest(
        reference=payment.reference,
        amount=payment.money(payment.amount),
        description=_("Order %(number)s") % {"number": order.number},
        email=order.email,
        metadata={"order": order.number, "payment": payment.reference},
    )


def payment_open(*, payment: Payment) -> Payment:
    """Open a Stripe payment at the provider (after the order committed); safe to repeat."""
    if payment.method != Method.STRIPE or payment.external_id:
        return payment
    result = gateway_for(payment.method).create(_request(payment, payment.order))
    Payment.objects.filter(pk=payment.pk).update(
        external_id=result.external_id, client_secret=result.client_secret
    )
    payment.external_id, payment.client_secret = result.external_id, result.client_secret
    return payment


def payment_apply(
    *,
    payment: Payment,
    status: GatewayStatus,
    captured: Money | None = None,
    actor: str = "",
    source: str = "",
    failure_message: str = "",
    cancels_order: bool = True,
    event_id: str = "",
) -> Payment:
    """Apply a status the provider (or staff) reported. Backward moves are ignored.

    A payment cancelled at the provider cancels its unpaid order, unless the order's own
    cancellation is what cancels the payment (``cancels_order=False``). ``event_id`` is the
    provider's id of the transfer that paid, when a provider reported it.
    """
    with transaction.atomic():
        locked = lock_rows(Payment.objects.filter(pk=payment.pk)).select_related("order").get()
        current = G(locked.status)
        if status == current == G.CAPTURED and event_id and refunds_by_hand(locked.method):
            _another_transfer(locked, captured or locked.money(locked.amount), event_id, source)
            return locked
        # Money that arrives for a payment cancelled meanwhile (a QR paid after the order was
        # cancelled) is still money: it is recorded, and refunded because the order is gone.
        late_money = status == G.CAPTURED and current == G.CANCELLED
        if not late_money and not _moves_forward(current, status):
            return locked
        locked.status = status
        fields = ["status", "updated_at"]
        if status == G.FAILED:
            locked.failure_message = failure_message[:255]
            fields.append("failure_message")
        if status == G.CAPTURED:
            locked.captured_amount = (captured or locked.money(locked.amount)).amount
            locked.capture_event_id = event_id
            fields += ["captured_amount", "capture_event_id"]
        locked.save(update_fields=fields)
        order_note_event(
            order=locked.order,
            kind=OrderEvent.Kind.PAYMENT,
            code=f"payment_{status}",
            actor=actor,
            method=locked.method,
            source=source,
            amount=str(locked.captured_amount if status == G.CAPTURED else locked.amount),
            message=failure_message[:255],
        )
        if status == G.CAPTURED:
            _money_arrived(locked, actor)
        elif (
            status == G.CANCELLED
            and cancels_order
            and locked.order.status == OrderStatus.PENDING_PAYMENT
        ):
            order_cancel(order=locked.order, actor=actor or source, reason="payment_cancelled")
    return locked


def _moves_forward(current: GatewayStatus, new: GatewayStatus) -> bool:
    """Captured and cancelled are final; otherwise a status never goes back (failed and
    pending sit level, so a declined card can be retried)."""
    if new == current or current in (G.CAPTURED, G.CANCELLED):
        return False
    return _RANK[new] >= _RANK[current]


def _money_arrived(payment: Payment, actor: str) -> None:
    """Captured money: sell the held stock, or hold it again if the hold expired meanwhile.

    If the units are gone by then, the order is cancelled and the money goes back by itself
    (a refund task, retried until it succeeds): a late payment never oversells.
    """
    order = order_locked(order_id=payment.order_id)
    amount = payment.money(payment.captured_amount)
    if order.status == OrderStatus.CANCELLED:
        order_record_unfulfillable_payment(order=order, amount=amount, actor=actor or "payments")
        _refund_automatically(payment, order, amount, reason="order_cancelled", cancels_order=True)
        return
    if not _stock_still_held(order):
        order_record_unfulfillable_payment(order=order, amount=amount, actor=actor or "payments")
        _refund_automatically(payment, order, amount, reason="out_of_stock", cancels_order=True)
        return
    order_mark_paid(order=order, amount=amount, actor=actor, gateway=payment.method)


def _stock_still_held(order: Order) -> bool:
    """True if the order's units are held or sold; if the hold expired, try to hold them again."""
    reference = order.reservation_reference
    if order.status != OrderStatus.PENDING_PAYMENT or stock_held(reference=reference):
        return True
    if stock_sold(reference=reference):
        return True
    items = [(line.variant_id, line.quantity) for line in order.lines.all() if line.variant_id]
    try:
        stock_reserve(
            reference=reference, items=items, market=order.market, expires_at=reservation_expiry()
        )
    except Conflict:
        return False
    order_note_event(order=order, kind=OrderEvent.Kind.STOCK, code="re_reserved")
    return True


def _another_transfer(payment: Payment, amount: Money, event_id: str, source: str) -> None:
    """A provider reports a transfer for a payment already received.

    If staff confirmed the payment by hand, this is the provider confirming that same transfer:
    it is noted and nothing else changes. If a provider had reported the first transfer, the
    customer paid twice: the money is recorded and a refund of it waits for staff to send.
    """
    order = payment.order
    if not payment.capture_event_id:
        Payment.objects.filter(pk=payment.pk).update(capture_event_id=event_id)
        order_note_event(
            order=order,
            kind=OrderEvent.Kind.PAYMENT,
            code="payment_confirmed_by_provider",
            source=source,
            method=payment.method,
            amount=str(amount.amount),
        )
        return
    payment.captured_amount += amount.amount
    Payment.objects.filter(pk=payment.pk).update(captured_amount=payment.captured_amount)
    order_record_extra_payment(order=order, amount=amount, actor=source, reason="paid_twice")
    _refund_automatically(payment, order, amount, reason="paid_twice", key=event_id)


def _refund_automatically(
    payment: Payment,
    order: Order,
    amount: Money,
    reason: str,
    *,
    cancels_order: bool = False,
    key: str = "auto",
) -> None:
    """Give back money the shop must not keep. A card refund is sent by the worker; PromptPay
    and cash go back by hand, so the refund waits on the order page for staff to send it."""
    by_hand = refunds_by_hand(payment.method)
    refund = Refund.objects.create(
        payment=payment,
        amount=amount.amount,
        status=Refund.Status.TO_SEND if by_hand else Refund.Status.PENDING,
        idempotency_key=f"tridex-refund-{payment.reference}-{key}"[:100],
        reason=reason,
        actor="tridex",
        cancels_order=cancels_order,
    )
    if not by_hand:
        _schedule_refund(refund)


def _schedule_refund(refund: Refund) -> None:
    # tasks.py wraps this module, so it is imported when needed rather than at the top.
    from tridex.payments.tasks import execute_refund

    transaction.on_commit(lambda: execute_refund.delay(refund.pk))


def payment_handle_webhook(*, method: str, body: bytes, headers: dict[str, str]) -> str:
    """Verify and apply a provider event exactly once; return what happened.

    The receipt row and the payment change commit together: if applying fails, the receipt
    rolls back too and the provider's retry applies it later.
    """
    if method not in (Method.STRIPE, Method.PROMPTPAY):
        raise NotFound(_("Unknown payment provider."), code="unknown_gateway")
    account = ""
    event = gateway_for(method, account=account).parse_webhook(body, headers)
    try:
        with transaction.atomic():
            WebhookReceipt.objects.create(
                gateway=method, event_id=event.event_id, type=event.type, created=event.created
            )
            return _apply_event(method, event)
    except IntegrityError:
        return "duplicate"


def _apply_event(method: str, event: WebhookEvent) -> str:
    if event.status is None:
        return "ignored"
    payment = Payment.objects.filter(method=method, external_id=event.external_id).first()
    if payment is None:
        return "unknown_payment"
    if event.amount is not None and event.amount.currency != payment.currency:
        raise InvalidWebhook(_("The payment currency does not match."))
    if method == Method.PROMPTPAY and event.amount != payment.money(payment.amount):
        raise InvalidWebhook(_("The amount paid does not match the order."))
    failure = str(event.raw.get("failure_message", "")) if event.raw else ""
    payment_apply(
        payment=payment,
        status=event.status,
        captured=event.captured,
        source=f"webhook:{event.type}",
        failure_message=failure,
        event_id=event.event_id,
    )
    return "applied"


def payment_confirm(*, payment: Payment, actor: str) -> Payment:
    """Staff: the PromptPay transfer arrived / the courier collected the cash / capture a card."""
    payment.refresh_from_db()
    if payment.status == G.CAPTURED:
        raise Conflict(_("This payment has already been received."), code="already_paid")
    if payment.status == G.CANCELLED:
        raise Conflict(_("This payment was cancelled."), code="payment_cancelled")
    amount = payment.money(payment.amount)
    if payment.method == Method.STRIPE:
        if payment.status != G.AUTHORIZED:
            raise Conflict(
                _("Only an authorized card payment can be captured."), code="not_capturable"
            )
        result = gateway_for(payment.method).capture(
            payment.external_id,
            amount=amount,
            idempotency_key=f"tridex-capture-{payment.reference}",
        )
        return payment_apply(
            payment=payment,
            status=result.status,
            captured=result.captured,
            actor=actor,
            source="staff",
        )
    return payment_apply(
        payment=payment, status=G.CAPTURED, captured=amount, actor=actor, source="staff"
    )


def payment_refund(
    *,
    order: Order,
    amount: Money,
    units: UnitsBack | None = None,
    actor: str,
    reason: str = "",
    cancels_order: bool = False,
    request_key: str = "",
) -> Refund:
    """Refund ``amount`` of an order to the payment it was paid with.

    The refund is recorded as pending first, then sent to the provider with an idempotency key
    made from its id, then recorded on the order. Run again after a crash, it finishes the same
    refund instead of starting another.
    """
    if amount.currency != order.currency:
        raise ValidationFailed(_("The refund must be in the order's currency."), field="currency")
    if amount.amount <= 0:
        raise ValidationFailed(_("Enter an amount above zero."), field="amount")
    with transaction.atomic():
        locked = order_locked(order_id=order.pk)
        key = request_key[:40] or secrets.token_hex(6)
        earlier = Refund.objects.filter(
            payment__order=locked, idempotency_key__endswith=f"-{key}"
        ).first()
        if request_key and earlier is not None:  # the same form sent twice: one refund
            return earlier
        order_check_units(order=locked, units=units or UnitsBack())
        left = locked.money(locked.paid_amount - locked.refunded_amount - _pending_total(locked))
        if amount > left:
            raise ValidationFailed(
                _("At most %(amount)s can be refunded.") % {"amount": left.format(locked.language)},
                code="refund_too_large",
                field="amount",
            )
        payment = (
            lock_rows(locked.payments.filter(status=G.CAPTURED))
            .order_by("-captured_amount")
            .first()
        )
        if payment is None:
            raise Conflict(_("This order has no payment to refund."), code="nothing_to_refund")
        refund = Refund.objects.create(
            payment=payment,
            amount=amount.amount,
            idempotency_key=f"tridex-refund-{payment.reference}-{key}",
            reason=reason[:255],
            units=(units or UnitsBack()).as_json(),
            actor=actor,
            cancels_order=cancels_order,
        )
    try:
        return refund_execute(refund_id=refund.pk)
    except GatewayError as error:
        if refund_is_pending(refund_id=refund.pk):  # unreachable provider: retry in the background
            _schedule_refund(refund)
            raise GatewayError(
                _("The payment provider did not answer; the refund will be retried automatically."),
                code="refund_retrying",
            ) from error
        raise


def refund_is_pending(*, refund_id: int) -> bool:
    return Refund.objects.filter(pk=refund_id, status=Refund.Status.PENDING).exists()


def _pending_total(order: Order) -> Decimal:
    """Refunds recorded but not yet confirmed by the provider, or not yet sent by staff, still
    count as given back."""
    pending = Refund.objects.filter(
        payment__order=order, status__in=[Refund.Status.PENDING, Refund.Status.TO_SEND]
    )
    return pending.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def refund_record_sent(*, refund_id: int, actor: str) -> Refund:
    """Staff sent back by hand (bank transfer, cash) a refund that was waiting for them."""
    refund = Refund.objects.filter(pk=refund_id).first()
    if refund is None or refund.status != Refund.Status.TO_SEND:
        raise Conflict(_("This refund is not waiting to be sent."), code="refund_not_to_send")
    return refund_execute(refund_id=refund_id, sent_by=actor)


def refund_execute(*, refund_id: int, sent_by: str = "") -> Refund:
    """Send a pending refund to the provider and record the outcome. Idempotent.

    A refund waiting for staff to send it by hand runs only once they say so (``sent_by``).
    """
    refund = Refund.objects.select_related("payment", "payment__order").get(pk=refund_id)
    runnable = {Refund.Status.PENDING} | ({Refund.Status.TO_SEND} if sent_by else set())
    if refund.status not in runnable:
        return refund
    payment = refund.payment
    account = payment_account(market_id=payment.order.market_id, method=payment.method)
    gateway = gateway_for(payment.method, account=account)
    result = gateway.refund(
        payment.external_id,
        amount=payment.money(refund.amount),
        idempotency_key=refund.idempotency_key,
    )
    if not result.succeeded:
        # Recorded on its own (not in a transaction the error would roll back): a refused
        # refund must stop counting as pending, so staff can refund or cancel again.
        Refund.objects.filter(pk=refund.pk, status__in=runnable).update(
            status=Refund.Status.FAILED, external_id=result.external_id
        )
        raise GatewayError(_("The payment provider refused the refund."))
    with transaction.atomic():
        locked = lock_rows(Refund.objects.filter(pk=refund.pk)).get()
        if locked.status not in runnable:
            return locked
        locked.actor = sent_by or locked.actor
        Refund.objects.filter(pk=locked.pk).update(
            status=Refund.Status.SUCCEEDED, external_id=result.external_id, actor=locked.actor
        )
        Payment.objects.filter(pk=payment.pk).update(
            refunded_amount=F("refunded_amount") + locked.amount
        )
        order = payment.order
        order_record_refund(
            order=order,
            amount=payment.money(locked.amount),
            units=UnitsBack.from_json(locked.units),
            actor=locked.actor,
            reason=locked.reason,
            change_status=not locked.cancels_order and order.status != OrderStatus.CANCELLED,
        )
        locked.status = Refund.Status.SUCCEEDED
    return locked


def order_cancel_with_payments(*, order: Order, actor: str, reason: str = "") -> Order:
    """Cancel an order: void what was not captured, refund what was, then release stock.

    Whether the order may be cancelled is checked before any money moves.
    """
    order.refresh_from_db()
    order_check_cancellable(order=order)
    if Refund.objects.filter(payment__order=order, status=Refund.Status.TO_SEND).exists():
        raise Conflict(
            _("A refund on this order is waiting to be sent: send it and record it first."),
            code="refund_to_send",
            field="status",
        )
    for payment in order.payments.filter(status__in=[G.PENDING, G.AUTHORIZED, G.FAILED]):
        if payment.method == Method.STRIPE and payment.external_id:
            gateway_for(payment.method).void(
                payment.external_id, idempotency_key=f"tridex-void-{payment.reference}"
            )
        # Through payment_apply: a capture that landed meanwhile is not overwritten.
        payment_apply(
            payment=payment,
            status=G.CANCELLED,
            actor=actor,
            source="cancel",
            cancels_order=False,
        )
    order.refresh_from_db()
    refundable = order.paid_amount - order.refunded_amount - _pending_total(order)
    if refundable > 0:
        payment_refund(
            order=order,
            amount=order.money(refundable),
            actor=actor,
            reason=reason,
            cancels_order=True,
        )
        order.refresh_from_db()
    return order_cancel(order=order, actor=actor, reason=reason)


def payments_release_expired(*, now: datetime | None = None) -> int:
    """Give back the stock of unpaid orders whose hold expired; return how many orders."""
    released = 0
    for reference in stock_reservation_expiring(now=now or timezone.now()):
        order_id = _order_id(reference)
        order = Order.objects.filter(pk=order_id).first() if order_id else None
        if order is not None and order_release_stock(order=order, actor="tridex"):
            released += 1
    return released


def _order_id(reference: str) -> int | None:
    prefix, _sep, value = reference.partition(":")
    return int(value) if prefix == "order" and value.isdigit() else None


DEMO_OPTIONS = {
    "th": [
        {"method": Method.PROMPTPAY, "account": "0812345678", "position": 0},
        {"method": Method.STRIPE, "position": 1},
        {"method": Method.COD, "max_total": Decimal("20000"), "position": 2},
    ],
    "intl": [{"method": Method.STRIPE, "position": 0}],
}


def payments_seed_demo(*, markets: dict[str, Any]) -> int:
    """The reference shop's payment options (idempotent); return how many were added."""
    created = 0
    for code, specs in DEMO_OPTIONS.items():
        market = markets.get(code)
        if market is None:
            continue
        for spec in specs:
            fields = {k: v for k, v in spec.items() if k != "method"}
            _option, made = PaymentOption.objects.get_or_create(
                market=market, method=spec["method"], defaults=fields
            )
            created += made
    return created
