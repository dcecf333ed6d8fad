"""Personal data of orders, for the privacy registry (``tridex.privacy``).

Thai tax law (Revenue Code s.87/3) requires orders, receipts and tax invoices to be kept for at
least five years, so an erased customer's orders stay with their personal fields anonymised:
amounts, lines, tax and dates remain for the books; who bought and where it went do not.
"""

from __future__ import annotations

from typing import Any

from tridex.orders.models import Order, OrderEvent
from tridex.privacy.registry import Erasure, registry

# Who on the staff did it: the staff member's data, not the customer's.
STAFF = ("actor",)
TAX_RECORD = "Tax record: kept 5+ years (Thai Revenue Code s.87/3); personal fields anonymised."


def country_only(address: Any) -> dict[str, Any]:
    """What an anonymised address keeps: the country, which the tax report needs."""
    if isinstance(address, dict) and address.get("country"):
        return {"country": address["country"]}
    return {}


def _order(row: Any) -> Order:
    return row  # type: ignore[no-any-return]


def _event_data_without_notes(row: Any) -> Any:
    event: OrderEvent = row
    return {} if event.kind == OrderEvent.Kind.NOTE else event.data


registry.register(
    "orders.Order",
    owner="user",
    fields=("user", "email", "phone", "shipping_address", "billing_address", "customer_note"),
    erasure=Erasure.ANONYMISE,
    anonymised={
        "user": None,
        "email": "",
        "phone": "",
        "shipping_address": lambda order: country_only(_order(order).shipping_address),
        "billing_address": lambda order: country_only(_order(order).billing_address),
        "customer_note": "",
    },
    not_exported=("token",),
    reason=TAX_RECORD,
)
registry.register(
    "orders.OrderLine",
    owner="order__user",
    fields=(),
    erasure=Erasure.KEEP,
    reason=TAX_RECORD,
)
registry.register(
    "orders.OrderEvent",
    owner="order__user",
    fields=("data",),
    erasure=Erasure.ANONYMISE,
    # Staff notes may quote the customer; the rest of the timeline says only what happened.
    anonymised={"data": _event_data_without_notes},
    not_exported=STAFF,
    reason=TAX_RECORD,
)
registry.register(
    "orders.Shipment",
    owner="order__user",
    fields=("tracking_number", "tracking_url"),
    erasure=Erasure.KEEP,
    not_exported=STAFF,
    reason="Proof of delivery for the kept order; the carrier's number names no one by itself.",
)
