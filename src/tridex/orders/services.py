"""Order writes: placing, the state machine, shipments, cancellations and refunds.

Every change of status goes through ``_move``, which refuses a transition the state machine does
not allow and writes the timeline entry in the same transaction. Money movements at a payment
provider are ``payments``' business; this module records their outcome on the order.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tridex.core import events
from tridex.core.errors import Conflict, NotFound, ValidationFailed
from tridex.core.locking import lock_rows
from tridex.core.money import Money
from tridex.inventory.selectors import stock_sold
from tridex.inventory.services import stock_commit, stock_release, stock_return
from tridex.orders.models import (
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    RefundStatus,
    Shipment,
    ShipmentLine,
)

S = OrderStatus
# What each status may become. Anything else is refused.
TRANSITIONS: dict[str, frozenset[str]] = {
    # → processing straight away: cash on delivery is paid when the parcel arrives.
    S.PENDING_PAYMENT: frozenset({S.PAID, S.PROCESSING, S.CANCELLED}),
    S.PAID: frozenset({S.PROCESSING, S.SHIPPED, S.CANCELLED, S.REFUNDED}),
    S.PROCESSING: frozenset({S.SHIPPED, S.CANCELLED, S.REFUNDED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.REFUNDED}),
    S.DELIVERED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}
STAFF_MOVES = frozenset({(S.PAID, S.PROCESSING), (S.SHIPPED, S.DELIVERED)})
CANCELLABLE = frozenset({S.PENDING_PAYMENT, S.PAID, S.PROCESSING})
SHIPPABLE = frozenset({S.PAID, S.PROCESSING})


@dataclass(frozen=True)
class UnitsBack:
    """The units a refund takes off an order, each a map of order line id to units.

    ``cancelled`` units were never shipped and now will not be: they are still on the shelf,
    so they always go back to stock. ``returned`` units were shipped and the customer sent them
    back; they go back on sale only if ``restock_returned`` (a damaged return does not).
    """

    cancelled: Mapping[int, int] = field(default_factory=dict)
    returned: Mapping[int, int] = field(default_factory=dict)
    restock_returned: bool = True

    def __bool__(self) -> bool:
        return any(self.cancelled.values()) or any(self.returned.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "cancelled": {str(k): v for k, v in self.cancelled.items() if v},
            "returned": {str(k): v for k, v in self.returned.items() if v},
            "restock_returned": self.restock_returned,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UnitsBack:
        return cls(
            cancelled={int(k): int(v) for k, v in (data.get("cancelled") or {}).items()},
            returned={int(k): int(v) for k, v in (data.get("returned") or {}).items()},
            restock_returned=bool(data.get("restock_returned", True)),
        )


@dataclass(frozen=True)
class LineSnapshot:
    variant_id: int
    product_id: int
    product_name: str
    variant_name: str
    sku: str
    quantity: int
    unit_price: Money
    total: Money
    tax_rate: Decimal
    tax_amount: Money


@dataclass(frozen=True)
class OrderDraft:
    """Everything an order is made of, worked out and validated by the checkout."""

    market_id: int
    currency: str
    email: str
    phone: str
    language: str
    user_id: int | None
    shipping_address: Mapping[str, str]
    billing_address: Mapping[str, str]
    shipping_method_code: str
    shipping_method_name: str
    shipping_min_days: int
    shipping_max_days: int
    payment_method: str
    prices_include_tax: bool
    lines: Sequence[LineSnapshot]
    subtotal: Money
    shipping_price: Money
    tax_total: Money
    total: Money
    tax_breakdown: Sequence[Mapping[str, str]]
    customer_note: str = ""


@dataclass(frozen=True)
class NewOrder:
    """A just-placed order with the lines and timeline entries written for it, so whoever
    placed it can show it without reading it back."""

    order: Order
    lines: list[OrderLine]
    events: list[OrderEvent]


def order_create(*, draft: OrderDraft, confirmed: bool = False) -> NewOrder:
    """Write the order and its lines (inside the caller's transaction) and give it a number.

    A ``confirmed`` order is accepted without payment up front (cash on delivery, its stock sold
    by the caller) and starts in processing; any other order waits for its payment.
    """
    order = Order.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:16]}",
        user_id=draft.user_id,
        email=draft.email,
        phone=draft.phone,
        language=draft.language,
        market_id=draft.market_id,
        currency=draft.currency,
        status=S.PROCESSING if confirmed else S.PENDING_PAYMENT,
        shipping_address=dict(draft.shipping_address),
        billing_address=dict(draft.billing_address),
        shipping_method_code=draft.shipping_method_code,
        shipping_method_name=draft.shipping_method_name,
        shipping_min_days=draft.shipping_min_days,
        shipping_max_days=draft.shipping_max_days,
        payment_method=draft.payment_method,
        prices_include_tax=draft.prices_include_tax,
        subtotal=draft.subtotal.amount,
        shipping_price=draft.shipping_price.amount,
        tax_total=draft.tax_total.amount,
        total=draft.total.amount,
        tax_breakdown=list(draft.tax_breakdown),
        customer_note=draft.customer_note,
        placed_at=timezone.now(),
    )
    order.number = order_number(order.pk)
    Order.objects.filter(pk=order.pk).update(number=order.number)
    lines = OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                variant_id=line.variant_id,
                product_id_snapshot=line.product_id,
                product_name=line.product_name,
                variant_name=line.variant_name,
                sku=line.sku,
                quantity=line.quantity,
                unit_price=line.unit_price.amount,
                total=line.total.amount,
                tax_rate=line.tax_rate,
                tax_amount=line.tax_amount.amount,
            )
            for line in draft.lines
        ]
    )
    timeline = [
        OrderEvent(
            order=order,
            kind=OrderEvent.Kind.PLACED,
            code="placed",
            data={"total": str(draft.total.amount)},
            is_public=True,
        )
    ]
    if confirmed:
        timeline.append(_status_event(order, S.PENDING_PAYMENT, actor="checkout"))
    timeline = OrderEvent.objects.bulk_create(timeline)
    events.emit("orders.order_placed", order_id=order.pk)
    if confirmed:
        _announce_status(order, previous=S.PENDING_PAYMENT)
    return NewOrder(order=order, lines=lines, events=timeline)


def order_number(pk: int) -> str:
    """Readable, sequential and never reused: 100001, 100002, …"""
    return str(100000 + pk)


def _event(
    order: Order, kind: str, code: str, *, actor: str = "", public: bool = False, **data: Any
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order, kind=kind, code=code, data=data, actor=actor, is_public=public
    )


def order_locked(*, order_id: int) -> Order:
    """The order with its row locked for the rest of the transaction."""
    order = lock_rows(Order.objects.filter(pk=order_id)).first()
    if order is None:
        raise NotFound(_("There is no such order."), code="order_not_found")
    return order


def _move(order: Order, to: str, *, actor: str = "", **data: Any) -> None:
    if to not in TRANSITIONS[order.status]:
        raise Conflict(
            _("An order that is %(current)s cannot become %(new)s.")
            % {"current": S(order.status).label.lower(), "new": S(to).label.lower()},
            code="illegal_transition",
            field="status",
        )
    previous = order.status
    order.status = to
    Order.objects.filter(pk=order.pk).update(status=to, updated_at=timezone.now())
    _status_event(order, previous, actor=actor, **data).save()
    _announce_status(order, previous=previous)


def _status_event(order: Order, previous: str, *, actor: str, **data: Any) -> OrderEvent:
    """The timeline entry (unsaved) for ``order`` having just become ``order.status``."""
    return OrderEvent(
        order=order,
        kind=OrderEvent.Kind.STATUS,
        code=order.status,
        data={"previous": previous, **data},
        actor=actor,
        is_public=True,
    )


def _announce_status(order: Order, *, previous: str) -> None:
    events.emit("orders.status_changed", order_id=order.pk, status=order.status, previous=previous)


def order_transition(*, order: Order, to: str, actor: str = "") -> Order:
    """Staff moves that carry no money or stock: paid → processing, shipped → delivered.

    Every other status follows from an action with consequences (payment, shipment, refund,
    cancellation), and only that action's service may set it.
    """
    if to not in S.values:
        raise ValidationFailed(_("Unknown status."), code="invalid_status", field="status")
    if (order.status, to) not in STAFF_MOVES:
        raise Conflict(
            _("Use the order's actions (payment, shipment, refund, cancel) for this change."),
            code="illegal_transition",
            field="status",
        )
    with transaction.atomic():
        locked = order_locked(order_id=order.pk)
        _move(locked, to, actor=actor)
    return locked


def order_mark_paid(*, order: Order, amount: Money, actor: str = "", gateway: str = "") -> Order:
    """Record money received. Stock held for the order becomes sold stock.

    Paying a pending order moves it to paid; cash collected for a cash-on-delivery order that
    is already on its way only adds to what was paid. The caller has made sure stock is held
    (``stock_commit`` of nothing is harmless for an order whose stock is already sold).
    """
    with transaction.atomic():
        locked = order_locked(order_id=order.pk)
        if amount.currency != locked.currency:
            raise ValidationFailed(_("The payment is in another currency."), field="currency")
        locked.paid_amount += amount.amount
        Order.objects.filter(pk=locked.pk).update(paid_amount=locked.paid_amount)
        _event(
            locked,
            OrderEvent.Kind.PAYMENT,
            "paid",
            actor=actor,
            public=True,
            amount=str(amount.amount),
            gateway=gateway,
        )
        stock_commit(reference=locked.reservation_reference, actor=actor or "checkout")
        if locked.status == S.PENDING_PAYMENT:
            _move(locked, S.PAID, actor=actor)
        events.emit("orders.order_paid", order_id=locked.pk)
    return locked


def order_record_unfulfillable_payment(*, order: Order, amount: Money, actor: str = "") -> Order:
    """Money arrived for an order that can no longer be fulfilled (cancelled, or its hold
    expired and the units sold out): record it and cancel; ``payments`` refunds it."""
    with transaction.atomic():
        locked = _add_payment(order, amount, "paid_unfulfillable", actor=actor)
        if locked.status != S.CANCELLED:
            stock_release(reference=locked.reservation_reference)
            _cancel_open_units(locked)
            _move(locked, S.CANCELLED, actor=actor, reason="out_of_stock_after_payment")
    return locked


def order_record_extra_payment(*, order: Order, amount: Money, actor: str, reason: str) -> Order:
    """Money arrived beyond what the order costs (the customer paid twice): record it, leave the
    order as it is; ``payments`` gives it back."""
    return _add_payment(order, amount, "paid_extra", actor=actor, reason=reason)


def _add_payment(order: Order, amount: Money, code: str, *, actor: str, **data: Any) -> Order:
    """Lock the order, add ``amount`` to what was paid and note it on the timeline."""
    with transaction.atomic():
        locked = order_locked(order_id=order.pk)
        locked.paid_amount += amount.amount
        Order.objects.filter(pk=locked.pk).update(paid_amount=locked.paid_amount)
        _event(
            locked, OrderEvent.Kind.PAYMENT, code, actor=actor, amount=str(amount.amount), **data
        )
    return locked


def order_note_event(
    *, order: Order, kind: str, code: str, actor: str = "", public: bool = False, **data: Any
) -> OrderEvent:
    """Add an entry to the timeline (payments, emails and stock report here)."""
    return _event(order, kind, code, actor=actor, public=public, **data)


def order_release_stock(*, order: Order, actor: str = "") -> int:
    """The hold of an unpaid order expired: give its units back, note it on the timeline.

    The order row is locked first, as ``payments`` does when money arrives: a payment being
    applied either finishes (its units are sold, nothing is left to release) or waits and then
    finds the hold gone and holds again.
    """
    with transaction.atomic():
        locked = order_locked(order_id=order.pk)
        released = stock_release(reference=locked.reservation_reference)
        if released:
            _event(
                locked, OrderEvent.Kind.STOCK, "reservation_expired", actor=actor, units=released
            )
    return released


def order_check_cancellable(*, order: Order) -> None:
    """A shipped unit cannot be cancelled, only returned and refunded: a partly refunded order
    that has shipped keeps what it shipped."""
    shipped = any(line.quantity_shipped for line in order.lines.all())
    if order.status not in CANCELLABLE or shipped:
        raise Conflict(
            _("This order can no longer be cancelled."), code="not_cancellable", field="status"
        )


def order_cancel(*, order: Order, actor: str = "", reason: str = "") -> Order:
    """Cancel an order: held units go back, sold units return to their warehouse.

    The money side (voiding or refunding a payment) is done first by ``payments``.
    """
    with transaction.atomic():
        locked = order_locked(order_id=order.pk)
        order_check_cancellable(order=locked)
        if locked.paid_amount > locked.refunded_amount:
            raise Conflict(
                _("Refund the payment before cancelling the order."),
                code="refund_first",
                field="status",
            )
        stock_release(reference=locked.reservation_reference)
        _restock_unshipped(locked, actor)
        _move(locked, S.CANCELLED, actor=actor, reason=reason)
    return locked


def _restock_unshipped(order: Order, actor: str) -> None:
    """Take every unshipped unit off the cancelled order; what was sold goes back to stock."""
    items = [
        (line.variant_id, units) for line, units in _cancel_open_units(order) if line.variant_id
    ]
    sold = _sold_items(order, items)
    if sold:
        stock_return(reference=order.reservation_reference, items=sold, actor=actor)


def _cancel_open_units(order: Order) -> list[tuple[OrderLine, int]]:
    """Mark every unit still to ship as cancelled; return the lines and the units taken off."""
    taken = [(line, line.quantity_to_ship) for line in order.lines.all() if line.quantity_to_ship]
    for line, units in taken:
        OrderLine.objects.filter(pk=line.pk).update(
            quantity_cancelled=line.quantity_cancelled + units
        )
    return taken


def _sold_items(order: Order, items: list[tuple[int, int]]) -> list[tuple[int, int]]:
    sold = stock_sold(reference=order.reservation_reference)
    return [(v, min(q, sold.get(v, 0))) for v, q in items if min(q, sold.get(v, 0)) > 0]


def order_ship(
    *,
    order: Order,
    carrier: str,
    tracking_number: str = "",
    tracking_url: str = "",
    lines: Mapping[int, int] | None = None,
    actor: str = "",
) -> Shipment:
    """Record a parcel. Without ``lines`` it carries everything not yet shipped."""
    carrier = " ".join((carrier or "").split())
    if not carrier:
        raise ValidationFailed(_("Enter the carrier."), code="required", field="carrier")
    if tracking_url and not tracking_url.startswith(("https://", "http://")):
        raise ValidationFailed(_("Enter a web address."), field="tracking_url")
    with transaction.atomic():
        locked = order_locked(order_id=order.pk)
        if locked.status not in SHIPPABLE:
            raise Conflict(
                _("Only a paid or confirmed order can be shipped."),
                code="not_shippable",
                field="status",
            )
        parcel = _parcel(locked, lines)
        shipment = Shipment.objects.create(
            order=locked,
            carrier=carrier[:100],
            tracking_number=(tracking_number or "").strip()[:100],
            tracking_url=tracking_url,
            actor=actor,
        )
        for line, quantity in parcel:
            ShipmentLine.objects.create(shipment=shipment, order_line=line, quantity=quantity)
            OrderLine.objects.filter(pk=line.pk).update(
                quantity_shipped=line.quantity_shipped + quantity
            )
        _event(
            locked,
            OrderEvent.Kind.SHIPMENT,
            "shipped",
            actor=actor,
            public=True,
            carrier=shipment.carrier,
            tracking_number=shipment.tracking_number,
            tracking_url=tracking_url,
        )
        _follow_fulfilment(locked, actor)
        events.emit("orders.order_shipped", order_id=locked.pk, shipment_id=shipment.pk)
    return shipment


def _follow_fulfilment(order: Order, actor: str) -> None:
    """After a parcel, or units taken off before shipping: shipped once nothing is left to
    ship and something went out, processing while part of it is still to come."""
    lines = list(order.lines.all())
    if order.status not in SHIPPABLE or not any(line.quantity_shipped for line in lines):
        return
    if not any(line.quantity_to_ship for line in lines):
        _move(order, S.SHIPPED, actor=actor)
    elif order.status == S.PAID:
        _move(order, S.PROCESSING, actor=actor)


def _parcel(order: Order, lines: Mapping[int, int] | None) -> list[tuple[OrderLine, int]]:
    order_lines = {line.pk: line for line in order.lines.all()}
    wanted = lines or {pk: line.quantity_to_ship for pk, line in order_lines.items()}
    parcel = []
    for pk, quantity in wanted.items():
        line = order_lines.get(pk)
        if line is None:
            raise NotFound(_("This line is not part of the order."), field="lines")
        open_units = line.quantity_to_ship
        if not isinstance(quantity, int) or quantity < 0 or quantity > open_units:
            raise ValidationFailed(
                _("%(sku)s: ship between 0 and %(n)d.") % {"sku": line.sku, "n": open_units},
                field="lines",
            )
        if quantity:
            parcel.append((line, quantity))
    if not parcel:
        raise ValidationFailed(_("There is nothing left to ship."), field="lines")
    return parcel


def order_mark_delivered(*, order: Order, actor: str = "") -> Order:
    with transaction.atomic():
        locked = order_locked(order_id=order.pk)
        if not locked.shipments.exists():  # e.g. a partly refunded order that never shipped
            raise Conflict(_("Nothing has been shipped yet."), code="not_shipped", field="status")
        _move(locked, S.DELIVERED, actor=actor)
        locked.shipments.filter(delivered_at__isnull=True).update(delivered_at=timezone.now())
    return locked


def order_record_refund(
    *,
    order: Order,
    amount: Money,
    units: UnitsBack | None = None,
    actor: str = "",
    reason: str = "",
    change_status: bool = True,
) -> Order:
    """Record money returned (by ``payments``) and the units it takes off the order.

    The refund status follows the money: partial until everything paid has gone back, then
    full. A full refund also makes the order refunded, unless the refund is part of cancelling
    it (``change_status=False``); a partial one leaves the fulfilment status as it is.
    """
    units = units or UnitsBack()
    with transaction.atomic():
        locked = order_locked(order_id=order.pk)
        if amount.currency != locked.currency or amount.amount <= 0:
            raise ValidationFailed(_("Enter an amount above zero."), field="amount")
        if amount.amount > locked.paid_amount - locked.refunded_amount:
            raise ValidationFailed(
                _("At most %(amount)s can be refunded.")
                % {"amount": locked.refundable.format(locked.language)},
                code="refund_too_large",
                field="amount",
            )
        locked.refunded_amount += amount.amount
        full = locked.refunded_amount >= locked.paid_amount
        locked.refund_status = _refund_status(locked)
        Order.objects.filter(pk=locked.pk).update(
            refunded_amount=locked.refunded_amount, refund_status=locked.refund_status
        )
        _take_units_back(locked, units, actor)
        refund = _event(
            locked,
            OrderEvent.Kind.REFUND,
            "refunded",
            actor=actor,
            public=True,
            amount=str(amount.amount),
            reason=reason,
            cancelled=sum(units.cancelled.values()),
            returned=sum(units.returned.values()),
        )
        if change_status:
            if full:
                _move(locked, S.REFUNDED, actor=actor)
            elif units.cancelled:
                _follow_fulfilment(locked, actor)
            # Part of a cancellation, the refund is announced once the order is cancelled.
            events.emit("orders.order_refunded", order_id=locked.pk, event_id=refund.pk)
    return locked


def _refund_status(order: Order) -> str:
    """Full once everything paid went back; partial while the order keeps less than its total.
    Giving back only what was paid beyond the total (a payment made twice) refunds nothing of
    the order itself."""
    if order.refunded_amount >= order.paid_amount:
        return RefundStatus.FULL
    if order.paid_amount - order.refunded_amount < order.total:
        return RefundStatus.PARTIAL
    return RefundStatus.NONE


def order_check_units(*, order: Order, units: UnitsBack) -> None:
    """Check the units a refund takes off, before any money moves.

    Only units still waiting to ship can be cancelled, and only shipped units not yet returned
    can come back.
    """
    lines = {line.pk: line for line in order.lines.all()}
    for wanted, most, message in (
        (
            units.cancelled,
            attrgetter("quantity_to_ship"),
            _("%(sku)s: cancel between 0 and %(n)d."),
        ),
        (
            units.returned,
            attrgetter("quantity_returnable"),
            _("%(sku)s: return between 0 and %(n)d."),
        ),
    ):
        for pk, quantity in wanted.items():
            line = lines.get(pk)
            if line is None:
                raise NotFound(_("This line is not part of the order."), field="units")
            left = most(line)
            whole = isinstance(quantity, int) and not isinstance(quantity, bool)
            if not whole or not 0 <= quantity <= left:
                raise ValidationFailed(message % {"sku": line.sku, "n": left}, field="units")


def _take_units_back(order: Order, units: UnitsBack, actor: str) -> None:
    order_check_units(order=order, units=units)
    lines = {line.pk: line for line in order.lines.all()}
    back_to_stock: dict[int, int] = {}
    for pk, quantity in units.cancelled.items():
        line = lines[pk]
        if quantity:
            line.quantity_cancelled += quantity
            OrderLine.objects.filter(pk=pk).update(quantity_cancelled=line.quantity_cancelled)
            if line.variant_id:
                back_to_stock[line.variant_id] = back_to_stock.get(line.variant_id, 0) + quantity
    for pk, quantity in units.returned.items():
        line = lines[pk]
        if quantity:
            line.quantity_returned += quantity
            OrderLine.objects.filter(pk=pk).update(quantity_returned=line.quantity_returned)
            if line.variant_id and units.restock_returned:
                back_to_stock[line.variant_id] = back_to_stock.get(line.variant_id, 0) + quantity
    if back_to_stock:
        stock_return(
            reference=order.reservation_reference, items=list(back_to_stock.items()), actor=actor
        )
