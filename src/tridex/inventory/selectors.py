"""Stock reads: units available to sell in a market (on hand minus reserved)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Sum

from tridex.inventory.models import Stock, StockMovement
from tridex.markets.models import Market


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
