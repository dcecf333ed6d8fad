"""Reads of markets. Markets change rarely; they are cached per process for a short time."""

from __future__ import annotations

import time

from django.conf import settings

from tridex.core.errors import NotFound
from tridex.markets.models import Market

_CACHE_SECONDS = 30
_cache: dict[str, object] = {"at": 0.0, "markets": []}


def market_list(*, refresh: bool = False) -> list[Market]:
    """Active markets in display order."""
    now = time.monotonic()
    if refresh or now - float(_cache["at"]) > _CACHE_SECONDS:  # type: ignore[arg-type]
        _cache["markets"] = list(Market.objects.filter(is_active=True))
        _cache["at"] = now
    return list(_cache["markets"])  # type: ignore[call-overload]


def market_clear_cache() -> None:
    _cache["at"] = 0.0


def market_default() -> Market:
    markets = market_list()
    for market in markets:
        if market.code == settings.TRIDEX_DEFAULT_MARKET:
            return market
    for market in markets:
        if market.is_default:
            return market
    if markets:
        return markets[0]
    raise NotFound("No active market is configured.", code="no_market")


def market_base() -> Market:
    """The market whose prices others convert from."""
    for market in market_list():
        if market.is_default:
            return market
    return market_default()


def market_get(*, code: str) -> Market:
    for market in market_list():
        if market.code == code:
            return market
    raise NotFound(f"Unknown market {code!r}.", code="unknown_market", field="market")
