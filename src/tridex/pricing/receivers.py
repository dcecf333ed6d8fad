"""Pricing reacts to market changes: converted prices follow a new exchange rate."""

from tridex.core.events import Event, subscribe
from tridex.pricing.tasks import refresh_market_price_ranges


@subscribe("markets.rates_changed")
def _rates_changed(event: Event) -> None:
    refresh_market_price_ranges.delay(event.payload["market_id"])
