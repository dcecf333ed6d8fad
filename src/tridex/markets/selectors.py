"""Reads of markets. Markets change rarely: each process keeps a copy (``core.refcache``)."""

from __future__ import annotations

from django.conf import settings

from tridex.core.errors import NotFound
from tridex.core.refcache import TableCache
from tridex.markets.models import Market

_markets = TableCache("markets", lambda: list(Market.objects.filter(is_active=True)), Market)


def market_list() -> list[Market]:
    """Active markets in display order."""
    return list(_markets.get())


def market_clear_cache() -> None:
    _markets.clear()


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
