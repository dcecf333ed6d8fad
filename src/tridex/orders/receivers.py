"""Orders tell the customer what happened: each order event queues its email.

The emails go through the worker so that a slow or unreachable mail server never holds up a
checkout, a payment webhook or a staff action; the events are delivered after their
transaction commits, so no email announces a change that was rolled back.
"""

from __future__ import annotations

from tridex.core.events import Event, subscribe
from tridex.orders.emails import (
    CONFIRMATION,
    PAYMENT_RECEIVED,
    REFUNDED,
    SHIPPED,
    order_refunds_unannounced,
)
from tridex.orders.models import OrderStatus
from tridex.orders.tasks import send_order_email


@subscribe("orders.order_placed")
def _order_placed(event: Event) -> None:
    send_order_email.delay(event.payload["order_id"], CONFIRMATION)


@subscribe("orders.order_paid")
def _order_paid(event: Event) -> None:
    send_order_email.delay(event.payload["order_id"], PAYMENT_RECEIVED)


@subscribe("orders.order_shipped")
def _order_shipped(event: Event) -> None:
    send_order_email.delay(event.payload["order_id"], SHIPPED, str(event.payload["shipment_id"]))


@subscribe("orders.order_refunded")
def _order_refunded(event: Event) -> None:
    payload = event.payload
    send_order_email.delay(payload["order_id"], REFUNDED, str(payload["event_id"]))


@subscribe("orders.status_changed")
def _status_changed(event: Event) -> None:
    # A refund that is part of cancelling the order is announced once the order is cancelled.
    if event.payload["status"] != OrderStatus.CANCELLED:
        return
    order_id = event.payload["order_id"]
    for key in order_refunds_unannounced(order_id=order_id):
        send_order_email.delay(order_id, REFUNDED, key)
