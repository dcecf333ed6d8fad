"""Price reads: the price of a variant in a market, explicit or converted from the base market."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tridex.core.money import Money
from tridex.markets.models import Market
from tridex.markets.selectors import market_base
from tridex.markets.services import convert_price
from tridex.pricing.models import Price


@dataclass(frozen=True)
class VariantPrice:
    price: Money
    compare_at: Money | None
    is_converted: bool

    @property
    def is_on_sale(self) -> bool:
        return self.compare_at is not None and self.compare_at > self.price


def variant_prices(*, variant_ids: Iterable[int], market: Market) -> dict[int, VariantPrice]:
    """Prices of the given variants in ``market``, in one query.

    A variant without an explicit price in ``market`` converts its base-market price; a variant
    with neither has no price and is absent from the result (it cannot be sold there).
    """
    ids = list(set(variant_ids))
    if not ids:
        return {}
    base = market_base()
    rows = Price.objects.filter(variant_id__in=ids, market_id__in={market.pk, base.pk}).values_list(
        "variant_id", "market_id", "amount", "compare_at_amount", "currency"
    )
    explicit: dict[int, VariantPrice] = {}
    fallback: dict[int, VariantPrice] = {}
    for variant_id, market_id, amount, compare_at, currency in rows:
        if market_id == market.pk:
            explicit[variant_id] = VariantPrice(
                Money(amount, currency),
                Money(compare_at, currency) if compare_at is not None else None,
                is_converted=False,
            )
        else:
            fallback[variant_id] = VariantPrice(
                convert_price(amount=Money(amount, currency), market=market),
                convert_price(amount=Money(compare_at, currency), market=market)
                if compare_at is not None
                else None,
                is_converted=True,
            )
    return {**fallback, **explicit}


def variant_price(*, variant_id: int, market: Market) -> VariantPrice | None:
    return variant_prices(variant_ids=[variant_id], market=market).get(variant_id)
