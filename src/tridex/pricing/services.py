"""Price writes. Every write keeps ``ProductPriceRange`` current for every market."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import transaction

from tridex.catalog.models import Variant
from tridex.core import events
from tridex.core.errors import ValidationFailed
from tridex.core.money import Money, quantize
from tridex.markets.models import Market
from tridex.markets.selectors import market_list
from tridex.pricing.models import Price, ProductPriceRange
from tridex.pricing.selectors import VariantPrice, variant_prices


def _amount(value: object, *, field: str, currency: str, required: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise ValidationFailed("This price is required.", field=field)
        return None
    try:
        amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{value!r} is not a number.", field=field) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed("A price must be zero or more.", field=field)
    if amount >= Decimal("10") ** 10:
        raise ValidationFailed("This price is too large.", field=field)
    return quantize(amount, currency)


def price_set(
    *,
    variant: Variant,
    market: Market,
    amount: object,
    compare_at: object = None,
    cost: object = None,
) -> Price:
    """Create or replace the explicit price of ``variant`` in ``market``."""
    currency = market.currency
    value = _amount(amount, field="amount", currency=currency)
    assert value is not None  # required=True guarantees it
    compare_value = _amount(compare_at, field="compare_at", currency=currency, required=False)
    cost_value = _amount(cost, field="cost", currency=currency, required=False)
    if compare_value is not None and value is not None and compare_value <= value:
        raise ValidationFailed(
            "The compare-at price must be higher than the price.", field="compare_at"
        )
    with transaction.atomic():
        price, _ = Price.objects.update_or_create(
            variant=variant,
            market=market,
            defaults={
                "currency": currency,
                "amount": value,
                "compare_at_amount": compare_value,
                "cost_amount": cost_value,
            },
        )
        price_ranges_refresh(product_ids=[variant.product_id])
        events.emit("pricing.price_changed", variant_id=variant.pk, market_id=market.pk)
    return price


def price_delete(*, variant: Variant, market: Market) -> None:
    with transaction.atomic():
        Price.objects.filter(variant=variant, market=market).delete()
        price_ranges_refresh(product_ids=[variant.product_id])
        events.emit("pricing.price_changed", variant_id=variant.pk, market_id=market.pk)


def price_ranges_refresh(
    *, product_ids: Iterable[int] | None = None, markets: list[Market] | None = None
) -> int:
    """Recompute the min/max price of products (all when ``product_ids`` is None) per market.

    Works in chunks so a 100,000-product catalog refreshes in bounded memory. Returns the
    number of ranges written.
    """
    targets = markets or market_list()
    variants = Variant.objects.filter(is_active=True)
    if product_ids is not None:
        ids = list(product_ids)
        variants = variants.filter(product_id__in=ids)
    else:
        ids = None
    pairs = list(variants.order_by("product_id").values_list("id", "product_id"))
    written = 0
    chunk = 2000
    with transaction.atomic():
        for start in range(0, len(pairs), chunk):
            part = pairs[start : start + chunk]
            product_of = dict(part)
            for market in targets:
                prices = variant_prices(variant_ids=product_of.keys(), market=market)
                ranges = _ranges(prices, product_of, market)
                written += _write_ranges(ranges, market, set(product_of.values()))
        if ids is not None:
            # Products whose last active variant went away keep no stale range.
            with_variants = {p for _, p in pairs}
            ProductPriceRange.objects.filter(
                product_id__in=set(ids) - with_variants, market__in=targets
            ).delete()
    return written


def _ranges(
    prices: dict[int, VariantPrice], product_of: dict[int, int], market: Market
) -> dict[int, tuple[Money, Money, Money | None]]:
    grouped: dict[int, list[VariantPrice]] = defaultdict(list)
    for variant_id, price in prices.items():
        grouped[product_of[variant_id]].append(price)
    result = {}
    for product_id, items in grouped.items():
        amounts = [p.price for p in items]
        cheapest = min(items, key=lambda p: p.price)
        result[product_id] = (min(amounts), max(amounts), cheapest.compare_at)
    return result


def _write_ranges(
    ranges: dict[int, tuple[Money, Money, Money | None]], market: Market, product_ids: set[int]
) -> int:
    ProductPriceRange.objects.filter(market=market, product_id__in=product_ids).delete()
    ProductPriceRange.objects.bulk_create(
        ProductPriceRange(
            product_id=product_id,
            market=market,
            currency=market.currency,
            min_amount=low.amount,
            max_amount=high.amount,
            min_compare_at_amount=compare.amount if compare else None,
        )
        for product_id, (low, high, compare) in ranges.items()
    )
    return len(ranges)
