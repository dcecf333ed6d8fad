"""Stock writes. Every change locks the stock row, validates, and records a movement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Case, F, Sum, Value, When
from django.utils.translation import gettext

from tridex.catalog.models import Variant
from tridex.core import events
from tridex.core.errors import Conflict, Forbidden, ValidationFailed
from tridex.core.locking import lock_rows
from tridex.inventory.models import (
    Reservation,
    Stock,
    StockMovement,
    Warehouse,
    WarehouseAssignment,
)
from tridex.inventory.selectors import warehouse_scope
from tridex.markets.models import Market

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


def _apply(
    stock: Stock,
    after: int,
    delta: int,
    reason: str,
    note: str,
    actor: str,
    reference: str = "",
) -> Stock:
    if delta:
        Stock.objects.filter(pk=stock.pk).update(quantity=after)
        stock.quantity = after
    StockMovement.objects.create(
        stock=stock,
        delta=delta,
        quantity_after=after,
        reason=reason,
        note=note,
        actor=actor,
        reference=reference,
    )
    _announce(stock)
    return stock


# --- Reservations: units held for a checkout ---------------------------------------------------


def stock_reserve(
    *, reference: str, items: Sequence[tuple[int, int]], market: Market, expires_at: datetime
) -> list[Reservation]:
    """Hold ``(variant_id, quantity)`` units for ``reference`` in ``market``'s warehouses.

    All or nothing: if any variant lacks units the whole call raises ``Conflict`` (code
    ``out_of_stock``, naming the variant) and nothing is held. Stock rows are locked in primary
    key order, so two checkouts wanting the same variants queue instead of deadlocking.
    """
    held: list[Reservation] = []
    with transaction.atomic():
        plan = _allocate(reference, items, market)
        for stock, take in plan:
            stock.reserved += take
            held.append(
                Reservation(stock=stock, reference=reference, quantity=take, expires_at=expires_at)
            )
        _write_counts([stock for stock, _take in plan], "reserved")
        # One hold per stock row and reference (a unique constraint): a second reservation
        # for a reference that still holds units is refused rather than merged.
        Reservation.objects.bulk_create(held)
    return held


def stock_sell(
    *, reference: str, items: Sequence[tuple[int, int]], market: Market, actor: str = ""
) -> dict[int, int]:
    """Sell units at once, without a hold first (an order paid on delivery); all or nothing.

    The same allocation and locking as ``stock_reserve``; the units leave ``quantity``
    and each change is a ``sold`` movement under ``reference``, so returns find them.
    """
    sold: dict[int, int] = defaultdict(int)
    with transaction.atomic():
        plan = _allocate(reference, items, market)
        movements = []
        for stock, take in plan:
            stock.quantity -= take
            sold[stock.variant_id] += take
            movements.append(
                StockMovement(
                    stock=stock,
                    delta=-take,
                    quantity_after=stock.quantity,
                    reason=StockMovement.Reason.SOLD,
                    reference=reference,
                    actor=actor,
                )
            )
        _write_counts([stock for stock, _take in plan], "quantity")
        StockMovement.objects.bulk_create(movements)
    return dict(sold)


def _write_counts(stocks: list[Stock], field: str) -> None:
    """Store ``field`` of rows locked by ``_allocate`` in one UPDATE, and announce them."""
    if not stocks:
        return
    value = Case(*(When(pk=stock.pk, then=Value(getattr(stock, field))) for stock in stocks))
    Stock.objects.filter(pk__in=[stock.pk for stock in stocks]).update(**{field: value})
    for stock in stocks:
        _announce(stock)


def _allocate(
    reference: str, items: Sequence[tuple[int, int]], market: Market
) -> list[tuple[Stock, int]]:
    """Lock the stock rows of the wanted variants and say how many units to take from each."""
    wanted = _merge_items(items)
    if not reference:
        raise ValidationFailed("Stock changes need a reference.", field="reference")
    stocks = list(
        lock_rows(
            Stock.objects.filter(
                variant_id__in=wanted, warehouse__is_active=True, warehouse__markets=market
            )
        ).order_by("pk")
    )
    by_variant: dict[int, list[Stock]] = defaultdict(list)
    for stock in stocks:
        by_variant[stock.variant_id].append(stock)
    plan: list[tuple[Stock, int]] = []
    for variant_id, quantity in wanted.items():
        plan.extend(_split(by_variant[variant_id], variant_id, quantity))
    return plan


def _merge_items(items: Sequence[tuple[int, int]]) -> dict[int, int]:
    wanted: dict[int, int] = defaultdict(int)
    for variant_id, quantity in items:
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
            raise ValidationFailed("Quantities must be whole numbers above 0.", field="quantity")
        wanted[variant_id] += quantity
    if not wanted:
        raise ValidationFailed("There is nothing to reserve.", field="items")
    return dict(sorted(wanted.items()))


def _split(stocks: list[Stock], variant_id: int, quantity: int) -> list[tuple[Stock, int]]:
    available = sum(stock.available for stock in stocks)
    if available < quantity:
        raise Conflict(
            _out_of_stock_message(variant_id, available),
            code="out_of_stock",
            field="quantity",
            variant_id=variant_id,
            available=max(available, 0),
        )
    plan = []
    # The warehouse with the most units first: fewer parcels per order.
    for stock in sorted(stocks, key=lambda s: (-s.available, s.pk)):
        take = min(stock.available, quantity)
        if take > 0:
            plan.append((stock, take))
            quantity -= take
        if quantity == 0:
            break
    return plan


def _out_of_stock_message(variant_id: int, available: int) -> str:
    """What the shopper is told, naming the product (read only now: refusals are rare)."""
    variant = Variant.objects.select_related("product").filter(pk=variant_id).first()
    name = variant.product.name if variant else ""
    if available <= 0:
        return gettext("%(name)s is out of stock.") % {"name": name}
    return gettext("Only %(n)d of %(name)s left.") % {"n": available, "name": name}


def _locked_reservations(reference: str) -> list[Reservation]:
    """The reference's reservations with their stock rows locked (stock first, in pk order)."""
    stock_ids = list(
        Reservation.objects.filter(reference=reference).values_list("stock_id", flat=True)
    )
    if not stock_ids:
        return []
    stocks = {s.pk: s for s in lock_rows(Stock.objects.filter(pk__in=stock_ids)).order_by("pk")}
    reservations = list(Reservation.objects.filter(reference=reference, stock_id__in=stocks))
    for reservation in reservations:
        reservation.stock = stocks[reservation.stock_id]
    return reservations


def stock_release(*, reference: str) -> int:
    """Give back every unit held for ``reference``; return how many. Safe to repeat."""
    released = 0
    with transaction.atomic():
        for reservation in _locked_reservations(reference):
            stock = reservation.stock
            Stock.objects.filter(pk=stock.pk).update(reserved=F("reserved") - reservation.quantity)
            stock.reserved -= reservation.quantity
            released += reservation.quantity
            reservation.delete()
            _announce(stock)
    return released


def stock_commit(*, reference: str, actor: str = "") -> dict[int, int]:
    """Turn the units held for ``reference`` into sold stock; return units per variant.

    An empty result means nothing was held (never reserved, already committed, or released
    when the hold expired): the caller decides whether to reserve again.
    """
    sold: dict[int, int] = defaultdict(int)
    with transaction.atomic():
        for reservation in _locked_reservations(reference):
            stock = reservation.stock
            after = stock.quantity - reservation.quantity
            Stock.objects.filter(pk=stock.pk).update(
                quantity=after, reserved=F("reserved") - reservation.quantity
            )
            stock.reserved -= reservation.quantity
            StockMovement.objects.create(
                stock=stock,
                delta=-reservation.quantity,
                quantity_after=after,
                reason=StockMovement.Reason.SOLD,
                reference=reference,
                actor=actor,
            )
            stock.quantity = after
            sold[stock.variant_id] += reservation.quantity
            reservation.delete()
            _announce(stock)
    return dict(sold)


def stock_return(
    *, reference: str, items: Sequence[tuple[int, int]], actor: str = "", note: str = ""
) -> int:
    """Put sold units of ``(variant_id, quantity)`` back where ``reference`` took them from.

    Returns never exceed what ``reference`` sold less what it already returned.
    """
    wanted = _merge_items(items)
    returned = 0
    with transaction.atomic():
        sold = _sold_by_stock(reference, list(wanted))
        stocks = {s.pk: s for s in lock_rows(Stock.objects.filter(pk__in=sold)).order_by("pk")}
        for variant_id, quantity in wanted.items():
            for stock_id, units in sold.items():
                stock = stocks[stock_id]
                if stock.variant_id != variant_id or quantity == 0:
                    continue
                take = min(units, quantity)
                if take > 0:
                    _apply(stock, stock.quantity + take, take, "returned", note, actor, reference)
                    quantity -= take
                    returned += take
            if quantity:
                raise ValidationFailed(
                    gettext("More units would come back than were sold."), field="quantity"
                )
    return returned


def _sold_by_stock(reference: str, variant_ids: list[int]) -> dict[int, int]:
    """Net units ``reference`` took from each stock row of ``variant_ids`` (sold − returned)."""
    rows = (
        StockMovement.objects.filter(
            reference=reference,
            stock__variant_id__in=variant_ids,
            reason__in=[StockMovement.Reason.SOLD, StockMovement.Reason.RETURNED],
        )
        .values("stock_id")
        .annotate(net=Sum("delta"))
        .values_list("stock_id", "net")
    )
    return {stock_id: -int(net) for stock_id, net in rows if net < 0}


def stock_reservation_expiring(*, now: datetime) -> list[str]:
    """References with a hold that has expired by ``now``."""
    return list(
        Reservation.objects.filter(expires_at__lte=now)
        .values_list("reference", flat=True)
        .distinct()
        .order_by("reference")
    )


def stock_held(*, reference: str) -> dict[int, int]:
    """Units currently held for ``reference``, per variant."""
    rows = (
        Reservation.objects.filter(reference=reference)
        .values("stock__variant_id")
        .annotate(units=Sum("quantity"))
        .values_list("stock__variant_id", "units")
    )
    return {variant_id: int(units) for variant_id, units in rows}


def _announce(stock: Stock) -> None:
    events.emit(
        "inventory.stock_changed",
        variant_id=stock.variant_id,
        warehouse_id=stock.warehouse_id,
        available=stock.available,
    )


# --- Staff scopes ------------------------------------------------------------------------------


def warehouse_scope_check(*, granter: Any, user: Any, warehouse_ids: Iterable[int]) -> None:
    """Refuse a scope ``granter`` may not give ``user``.

    Nobody but a superuser changes their own scope; a scoped granter assigns only warehouses
    they work in themselves, may not leave someone unscoped (that is every warehouse), and may
    not touch the scope of someone who works in warehouses they do not.
    """
    if granter.is_superuser:
        return
    chosen = set(warehouse_ids)
    if granter.pk == user.pk:
        raise Forbidden(gettext("You cannot change your own warehouses."), code="own_scope")
    own = warehouse_scope(granter)
    if own is None:
        return
    current = set(
        WarehouseAssignment.objects.filter(user_id=user.pk).values_list("warehouse_id", flat=True)
    )
    if not chosen or not chosen <= own or not current <= own:
        raise Forbidden(
            gettext("You can assign only warehouses you work in yourself."),
            code="scope_beyond_own",
            field="warehouses",
        )


def warehouse_scope_set(
    *, granter: Any, user: Any, warehouse_ids: Iterable[int]
) -> list[WarehouseAssignment]:
    """Make ``warehouse_ids`` the warehouses ``user`` works in (none: every warehouse)."""
    chosen = sorted(set(warehouse_ids))
    found = set(Warehouse.objects.filter(pk__in=chosen).values_list("pk", flat=True))
    if len(found) != len(chosen):
        raise ValidationFailed(
            gettext("There is no such warehouse."), code="unknown_warehouse", field="warehouses"
        )
    with transaction.atomic():
        lock_rows(type(user).objects.filter(pk=user.pk)).get()
        warehouse_scope_check(granter=granter, user=user, warehouse_ids=chosen)
        WarehouseAssignment.objects.filter(user_id=user.pk).exclude(
            warehouse_id__in=chosen
        ).delete()
        for warehouse_id in chosen:
            WarehouseAssignment.objects.get_or_create(user_id=user.pk, warehouse_id=warehouse_id)
    if hasattr(user, "_tridex_warehouse_scope"):
        del user._tridex_warehouse_scope
    return list(WarehouseAssignment.objects.filter(user_id=user.pk).order_by("warehouse_id"))
