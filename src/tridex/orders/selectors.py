"""Order reads for customers: only ever their own orders, found by number or by the secret
token in their confirmation email. Anything else is "not found", never "forbidden", so order
numbers cannot be probed."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from tridex.accounts.models import Address
from tridex.accounts.services import ADDRESS_FIELDS
from tridex.core.errors import NotFound
from tridex.orders.models import Order, OrderEvent, OrderLine, OrderStatus, Shipment


def _detail_queryset() -> QuerySet[Order]:
    return Order.objects.select_related("market").prefetch_related(
        "lines",
        Prefetch("shipments", queryset=Shipment.objects.order_by("shipped_at")),
        Prefetch("events", queryset=OrderEvent.objects.filter(is_public=True)),
    )


def order_for_customer(*, user: Any, number: str) -> Order:
    if user is None or not user.is_authenticated:
        raise NotFound(_("There is no such order."), code="order_not_found")
    order = _detail_queryset().filter(user=user, number=str(number)[:20]).first()
    if order is None:
        raise NotFound(_("There is no such order."), code="order_not_found")
    return order


def order_for_token(*, token: str) -> Order:
    try:
        parsed = uuid.UUID(str(token))
    except ValueError:
        raise NotFound(_("There is no such order."), code="order_not_found") from None
    order = _detail_queryset().filter(token=parsed).first()
    if order is None:
        raise NotFound(_("There is no such order."), code="order_not_found")
    return order


def order_address_lines(address: Mapping[str, Any]) -> list[str]:
    """An order's stored address (a JSON snapshot) as printed on a parcel, in the active
    language: the address book's own formatting, Thai or international."""
    return Address(
        **{name: value for name in ADDRESS_FIELDS if (value := address.get(name))}
    ).lines()


def order_list_for_customer(*, user: Any) -> QuerySet[Order]:
    """The customer's orders, newest first (paginate the result)."""
    return Order.objects.filter(user=user).select_related("market").order_by("-placed_at", "-id")


# A customer "bought" a product once an order with it was paid; cancelled and refunded orders
# do not count.
_BOUGHT_STATUSES = (
    OrderStatus.PAID,
    OrderStatus.PROCESSING,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
)


def customer_bought_product(*, user: Any, product_id: int) -> bool:
    """Whether the customer has a paid order containing the product."""
    if user is None or not user.is_authenticated:
        return False
    return OrderLine.objects.filter(
        Q(product_id_snapshot=product_id) | Q(variant__product_id=product_id),
        order__user=user,
        order__status__in=_BOUGHT_STATUSES,
    ).exists()
