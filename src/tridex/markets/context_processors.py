from django.http import HttpRequest

from tridex.markets.selectors import market_list


def market(request: HttpRequest) -> dict[str, object]:
    return {
        "market": getattr(request, "market", None),
        "markets": market_list(),
    }
