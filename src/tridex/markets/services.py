"""Writes to markets, and the conversion rule every converted price follows."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.db import transaction

from tridex.core import events
from tridex.core.errors import ValidationFailed
from tridex.core.money import Money, minor_unit
from tridex.markets.models import Market, PriceRounding


def convert_price(*, amount: Money, market: Market) -> Money:
    """Convert a base-market amount into ``market``'s currency with its rate and rounding rule."""
    raw = amount.amount * market.exchange_rate
    rule = market.price_rounding
    if rule == PriceRounding.WHOLE:
        value = raw.to_integral_value(rounding=ROUND_CEILING)
    elif rule == PriceRounding.NINETY_NINE:
        value = raw.to_integral_value(rounding=ROUND_CEILING) - Decimal("0.01")
        if value < raw:
            value += 1
    elif rule == PriceRounding.TENS:
        value = (raw / 10).to_integral_value(rounding=ROUND_CEILING) * 10
    elif rule == PriceRounding.CHARM_NINE:
        value = (raw / 10).to_integral_value(rounding=ROUND_CEILING) * 10 - 1
        if value < raw:
            value += 10
    else:
        exponent = Decimal(1).scaleb(-minor_unit(market.currency))
        value = raw.quantize(exponent, rounding=ROUND_HALF_UP)
    return Money(max(value, Decimal(0)), market.currency)


def market_set_exchange_rate(*, market: Market, rate: Decimal) -> Market:
    """Change the rate a market converts base prices with; converted price ranges follow."""
    if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0:
        raise ValidationFailed("The exchange rate must be a positive number.", field="rate")
    if market.is_default:
        raise ValidationFailed(
            "The base market converts from nothing; its rate is always 1.", field="rate"
        )
    with transaction.atomic():
        market.exchange_rate = rate
        market.save(update_fields=["exchange_rate", "updated_at"])
        events.emit("markets.rates_changed", market_id=market.pk)
    return market
