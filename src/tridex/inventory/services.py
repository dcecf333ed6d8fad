"""Stock writes. Every change locks the stock row, validates, and records a movement."""

from __future__ import annotations

from django.db import transaction

from tridex.catalog.models import Variant
from tridex.core import events
from tridex.core.errors import Conflict, ValidationFailed
from tridex.core.locking import lock_rows
from tridex.inventory.models import Stock, StockMovement, Warehouse

MAX_QUANTITY = 10_000_000


def _locked_stock(*, variant: Variant, warehouse: Warehouse) -> Stock:
    stock, _ = Stock.objects.get_or_create(variant=variant, warehouse=warehouse)
    return lock_rows(Stock.objects.filter(pk=stock.pk)).get()


def stock_adjust(
    *,
    variant: Variant,
    warehouse: Warehouse,
    delta: int,
    reason: str = StockMovement.Reason.ADJUSTED,
    note: str = "",
    actor: str = "",
) -> Stock:
    """Add (or with a negative ``delta``, remove) units on hand."""
    if not isinstance(delta, int) or isinstance(delta, bool):
        raise ValidationFailed("The change must be a whole number.", field="delta")
    if reason not in StockMovement.Reason.values:
        raise ValidationFailed(f"Unknown reason {reason!r}.", field="reason")
    with transaction.atomic():
        stock = _locked_stock(variant=variant, warehouse=warehouse)
        after = stock.quantity + delta
        if after < 0:
            raise Conflict(
                f"Only {stock.quantity} units of {variant.sku} are on hand.",
                code="insufficient_stock",
                field="delta",
            )
        if after < stock.reserved:
            raise Conflict(
                f"{stock.reserved} units of {variant.sku} are reserved for checkouts.",
                code="stock_reserved",
                field="delta",
            )
        if after > MAX_QUANTITY:
            raise ValidationFailed("That quantity is too large.", field="delta")
        return _apply(stock, after, delta, reason, note, actor)


def stock_set(
    *,
    variant: Variant,
    warehouse: Warehouse,
    quantity: int,
    reason: str = StockMovement.Reason.COUNTED,
    note: str = "",
    actor: str = "",
) -> Stock:
    """Set units on hand to a counted ``quantity``."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
        raise ValidationFailed("The quantity must be a whole number, 0 or more.", field="quantity")
    if quantity > MAX_QUANTITY:
        raise ValidationFailed("That quantity is too large.", field="quantity")
    with transaction.atomic():
        stock = _locked_stock(variant=variant, warehouse=warehouse)
        if quantity < stock.reserved:
            raise Conflict(
                f"{stock.reserved} units of {variant.sku} are reserved for checkouts.",
                code="stock_reserved",
                field="quantity",
            )
        return _apply(stock, quantity, quantity - stock.quantity, reason, note, actor)


def _apply(stock: Stock, after: int, delta: int, reason: str, note: str, actor: str) -> Stock:
    if delta:
        Stock.objects.filter(pk=stock.pk).update(quantity=after)
        stock.quantity = after
    StockMovement.objects.create(
        stock=stock, delta=delta, quantity_after=after, reason=reason, note=note, actor=actor
    )
    events.emit(
        "inventory.stock_changed",
        variant_id=stock.variant_id,
        warehouse_id=stock.warehouse_id,
        available=stock.available,
    )
    return stock
