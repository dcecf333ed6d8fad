"""Back-office writes that span domains: importing and exporting the product catalog.

``products_import`` checks every row first (``importexport.plan_import``) and writes nothing if
any row is bad. A good file is applied in one transaction through the domains' own services
(catalog for products and variants, ``price_set``, ``stock_set``), so an import obeys exactly
the rules the admin and the API obey; a rule a service still refuses rolls the whole file back.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from tridex.catalog import services as catalog_services
from tridex.catalog.models import Product, Variant
from tridex.core import events
from tridex.core.errors import DomainError
from tridex.dashboard import importexport
from tridex.dashboard.importexport import (
    Group,
    ImportFileError,
    ImportReport,
    Plan,
    Row,
    final_price,
    text_columns,
)
from tridex.inventory.models import StockMovement
from tridex.inventory.services import stock_set
from tridex.pricing.services import price_ranges_refresh, price_set

logger = logging.getLogger(__name__)


class _RowFailed(Exception):
    """A service refused a row while applying: roll everything back and report that row."""

    def __init__(self, row: int, column: str, message: str) -> None:
        super().__init__(message)
        self.row, self.column, self.message = row, column, message


def products_import(*, file: IO[bytes], name: str = "", actor: str = "") -> ImportReport:
    """Import products from a CSV or XLSX file: all rows, or (with a report of why) none."""
    report = ImportReport()
    try:
        plan = importexport.plan_import(file, name=name, report=report)
    except ImportFileError as exc:
        report.add(1 if exc.field != "file" else 0, exc.field, exc.message)
        return report
    if plan is None:
        return report
    try:
        with transaction.atomic():
            touched = _apply(plan, report, actor=actor)
            price_ranges_refresh(product_ids=touched)
            events.emit("catalog.product_changed", product_ids=sorted(touched))
    except _RowFailed as exc:
        fresh = ImportReport(rows=report.rows)
        fresh.add(exc.row, exc.column, exc.message)
        return fresh
    report.product_ids = sorted(touched)
    return report


def _apply(plan: Plan, report: ImportReport, *, actor: str) -> set[int]:
    touched: set[int] = set()
    for group in plan.groups:
        product = _apply_product(group, plan, report)
        touched.add(product.pk)
        for row in group.rows:
            _apply_row(row, product, plan, report, actor=actor)
    return touched


def _failed(row: int, exc: DomainError, columns: dict[str, str]) -> _RowFailed:
    column = columns.get(exc.field or "", exc.field or "")
    return _RowFailed(row, column, exc.message)


def _apply_product(group: Group, plan: Plan, report: ImportReport) -> Product:
    values = dict(group.values)
    default_slug = values.pop("_default_slug_en", None)
    texts = {name: values[name] for name in text_columns() if name in values}
    plain: dict[str, Any] = {
        name: values[name]
        for name in ("category", "product_type", "is_published")
        if name in values
    }
    first = group.rows[0].number
    try:
        if group.product is None:
            if default_slug and not texts.get("slug_en"):
                texts["slug_en"] = default_slug
            product = catalog_services.product_create(**plain, **texts)
            report.products_created += 1
            return product
        product = group.product
        changes = {
            name: value
            for name, value in {**plain, **texts}.items()
            if not _same(product, name, value)
        }
        # Columns present but empty clear the text; an empty slug keeps the current address.
        for name in text_columns():
            cleared = plan.has_column(name) and name not in values
            if cleared and not name.startswith("slug_") and getattr(product, name, None):
                changes[name] = ""
        if changes:
            product = catalog_services.product_update(product=product, **changes)
            report.products_updated += 1
        return product
    except DomainError as exc:
        raise _failed(first, exc, {}) from None


def _same(product: Product, name: str, new: Any) -> bool:
    if name in ("category", "product_type"):
        return bool(getattr(product, f"{name}_id") == new.pk)
    current = getattr(product, name)
    return (current or "") == new if isinstance(new, str) else bool(current == new)


def _apply_row(row: Row, product: Product, plan: Plan, report: ImportReport, *, actor: str) -> None:
    columns = {"option_values": "sku", "amount": "", "quantity": ""}
    try:
        variant = _apply_variant(row, product, plan, report)
    except DomainError as exc:
        raise _failed(row.number, exc, columns) from None
    for code, parsed in row.prices.items():
        market = plan.catalog.markets[code]
        existing = plan.prices.get((variant.pk, market.pk))
        final = final_price(parsed, existing)
        if final is None:
            continue
        if existing is not None and _price_tuple(existing) == final:
            continue
        try:
            price_set(
                variant=variant, market=market, amount=final[0], compare_at=final[1], cost=final[2]
            )
        except DomainError as exc:
            names = {
                "amount": f"price:{code}",
                "compare_at": f"compare_at:{code}",
                "cost": f"cost:{code}",
            }
            raise _failed(row.number, exc, names) from None
        report.prices_set += 1
    for code, quantity in row.stock.items():
        warehouse = plan.catalog.warehouses[code]
        existing_stock = plan.stocks.get((variant.pk, warehouse.pk))
        if existing_stock is not None and existing_stock.quantity == quantity:
            continue
        try:
            stock_set(
                variant=variant,
                warehouse=warehouse,
                quantity=quantity,
                reason=StockMovement.Reason.IMPORTED,
                note=_("Product import"),
                actor=actor,
            )
        except DomainError as exc:
            raise _failed(row.number, exc, {"quantity": f"stock:{code}"}) from None
        report.stock_set += 1


def _price_tuple(price: Any) -> tuple[Decimal, Decimal | None, Decimal | None]:
    return (price.amount, price.compare_at_amount, price.cost_amount)


def _apply_variant(row: Row, product: Product, plan: Plan, report: ImportReport) -> Variant:
    variant = plan.variants.get(row.sku.lower())
    if variant is None:
        values = [value for value in row.options.values() if value is not None]
        created = catalog_services.variant_create(
            product=product, sku=row.sku, option_values=values, **row.variant
        )
        report.variants_created += 1
        return created
    changes: dict[str, Any] = {
        name: value for name, value in row.variant.items() if getattr(variant, name) != value
    }
    if variant.sku != row.sku:
        changes["sku"] = row.sku
    if row.options:
        current = {v.option_id: v for v in variant.option_values.all()}
        chosen = dict(current)
        for option_id, value in row.options.items():
            if value is None:
                chosen.pop(option_id, None)
            else:
                chosen[option_id] = value
        if {v.pk for v in chosen.values()} != {v.pk for v in current.values()}:
            changes["option_values"] = list(chosen.values())
    if changes:
        variant = catalog_services.variant_update(variant=variant, **changes)
        report.variants_updated += 1
    return variant


def products_export(*, stream: IO[Any], fmt: str) -> None:
    """Write every product (one row per variant) as ``csv`` text or ``xlsx`` bytes."""
    rows = importexport.export_rows()
    if fmt == "xlsx":
        importexport.write_xlsx(stream, rows)
    elif fmt == "csv":
        importexport.write_csv(stream, rows)
    else:
        raise DomainError(_("Unknown export format %(f)s.") % {"f": fmt}, field="format")
