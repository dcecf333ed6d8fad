"""Attach the shopper's market to every request (``request.market``).

The market comes from the ``tridex_market`` cookie set by the market switch, else the default.
It is resolved lazily, on first use: /healthz and static files never touch the database, and
a shop with no market yet reads as a falsy ``request.market``.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from tridex.core.errors import NotFound
from tridex.markets.selectors import market_default, market_get

MARKET_COOKIE = "tridex_market"


class MarketMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.market = SimpleLazyObject(lambda: _market_for(request))  # type: ignore[attr-defined]
        return self.get_response(request)


def _market_for(request: HttpRequest):  # type: ignore[no-untyped-def]
    code = request.COOKIES.get(MARKET_COOKIE)
    try:
        return market_get(code=code) if code else market_default()
    except NotFound:
        try:
            return market_default()
        except NotFound:
            return None
