"""Markets: where the shop sells, in which currency and languages."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from tridex.api.context import language_for, rendered_in
from tridex.api.schemas import LanguageParams, MarketOut, ValidationErrorOut
from tridex.markets.selectors import market_list

router = Router(tags=["markets"])


@router.get(
    "/markets",
    response={200: list[MarketOut], 422: ValidationErrorOut},
    operation_id="markets_list",
    summary="List the active markets",
    description="Markets in display order, each with its currency, languages and tax mode; "
    "pass a market's code as `market` to other endpoints to get its prices.",
)
def markets_list(
    request: HttpRequest, params: Query[LanguageParams], response: HttpResponse
) -> list[MarketOut]:
    language = language_for(request, params.lang)
    with rendered_in(language, response):
        return [
            MarketOut(
                code=market.code,
                name=market.name,
                currency=market.currency,
                languages=list(market.languages),
                default_language=market.default_language,
                prices_include_tax=market.prices_include_tax,
                tax_rate=format(market.tax_rate, "f"),
                is_default=market.is_default,
            )
            for market in market_list()
        ]
