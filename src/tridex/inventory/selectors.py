"""Stock reads: units available to sell in a market (on hand minus reserved), and which
warehouses a staff member's scope lets them see."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F, QuerySet, Sum

from tridex.inventory.models import (
    Reservation,
    Stock,
    StockMovement,
    Warehouse,
    WarehouseAssignment,
)
from tridex.markets.models import Market

# Available units at or below which a stock line counts as low (admin filter, staff API).
LOW_STOCK_THRESHOLD = 5


def stock_by_availability(stocks: QuerySet[Stock], availability: str) -> QuerySet[Stock]:
    """Stock rows with nothing available (``out``), a few (``low``: at most
    LOW_STOCK_THRESHOLD) or some (``in``); any other value filters nothing."""
    stocks = stocks.alias(_available=F("quantity") - F("reserved"))
    if availability == "out":
        return stocks.filter(_available__lte=0)
    if availability == "low":
        return stocks.filter(_available__gt=0, _available__lte=LOW_STOCK_THRESHOLD)
    if availability == "in":
        return stocks.filter(_available__gt=0)
    return stocks


def variant_availability(*, variant_ids: Iterable[int], market: Market) -> dict[int, int]:
    """Units of each variant available in the warehouses serving ``market``, in one query."""
    ids = list(set(variant_ids))
    if not ids:
        return {}
    rows = (
        Stock.objects.filter(
            variant_id__in=ids, warehouse__is_active=True, warehouse__markets=market
        )
        .values("variant_id")
        .annotate(units=Sum(F("quantity") - F("reserved")))
        .values_list("variant_id", "units")
    )
    found = {variant_id: max(int(available or 0), 0) for variant_id, available in rows}
    return {variant_id: found.get(variant_id, 0) for variant_id in ids}


def product_availability(*, product_ids: Iterable[int], market: Market) -> dict[int, int]:
    """Units available per product (all its active variants) in ``market``, in one query."""
    ids = list(set(product_ids))
    if not ids:
        return {}
    rows = (
        Stock.objects.filter(
            variant__product_id__in=ids,
            variant__is_active=True,
            warehouse__is_active=True,
            warehouse__markets=market,
        )
        .values("variant__product_id")
        .annotate(units=Sum(F("quantity") - F("reserved")))
        .values_list("variant__product_id", "units")
    )
    found = {product_id: max(int(available or 0), 0) for product_id, available in rows}
    return {product_id: found.get(product_id, 0) for product_id in ids}


def stock_sold(*, reference: str) -> dict[int, int]:
    """Units ``reference`` has sold and not yet taken back, per variant."""
    rows = (
        StockMovement.objects.filter(
            reference=reference,
            reason__in=[StockMovement.Reason.SOLD, StockMovement.Reason.RETURNED],
        )
        .values("stock__variant_id")
        .annotate(net=Sum("delta"))
        .values_list("stock__variant_id", "net")
    )
    return {variant_id: -int(net) for variant_id, net in rows if net < 0}


# --- Staff scopes: the one place that decides which warehouses a staff member works in ------


def warehouse_scope(user: Any) -> frozenset[int] | None:
    """The ids of the warehouses ``user`` is limited to, or ``None`` when not scoped.

    Superusers and staff without an assignment are not scoped. The answer is kept on the user
    object for the rest of the request, so a page or an API list asks the database once.
    """
    if not getattr(user, "is_authenticated", False) or user.is_superuser:
        return None
    if hasattr(user, "_tridex_warehouse_scope"):
        cached: frozenset[int] | None = user._tridex_warehouse_scope
        return cached
    ids = frozenset(
        WarehouseAssignment.objects.filter(user_id=user.pk).values_list("warehouse_id", flat=True)
    )
    scope = ids or None
    user._tridex_warehouse_scope = scope
    return scope


def warehouses_for(user: Any) -> QuerySet[Warehouse]:
    """The warehouses whose stock ``user`` may see and change: their scope, or every one."""
    scope = warehouse_scope(user)
    warehouses = Warehouse.objects.all()
    return warehouses if scope is None else warehouses.filter(pk__in=scope)


def in_scope(user: Any, warehouse_id: int | None) -> bool:
    """Whether the warehouse is one ``user`` works in."""
    scope = warehouse_scope(user)
    return scope is None or warehouse_id in scope


def stock_in_scope(user: Any, stocks: QuerySet[Stock]) -> QuerySet[Stock]:
    """``stocks`` narrowed to the warehouses ``user`` works in."""
    scope = warehouse_scope(user)
    return stocks if scope is None else stocks.filter(warehouse_id__in=scope)


def movements_in_scope(user: Any, movements: QuerySet[StockMovement]) -> QuerySet[StockMovement]:
    """``movements`` narrowed to the stock of the warehouses ``user`` works in."""
    scope = warehouse_scope(user)
    return movements if scope is None else movements.filter(stock__warehouse_id__in=scope)


def fulfilment_in_scope(user: Any, reference: str) -> bool:
    """Whether ``user`` may fulfil what ``reference`` (an order's stock reference, such as
    ``order:42``) sold or holds: every warehouse it comes from is one they work in. Unscoped
    staff may fulfil anything; scoped staff nothing whose stock is unknown."""
    scope = warehouse_scope(user)
    if scope is None:
        return True
    sold = StockMovement.objects.filter(reference=reference, reason=StockMovement.Reason.SOLD)
    held = Reservation.objects.filter(reference=reference)
    warehouses = set(sold.values_list("stock__warehouse_id", flat=True)) | set(
        held.values_list("stock__warehouse_id", flat=True)
    )
    return bool(warehouses) and warehouses <= scope
