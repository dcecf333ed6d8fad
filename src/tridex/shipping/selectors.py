"""Shipping reads: which methods can deliver an order, and at what price.

The cart and checkout ask ``shipping_quotes`` for the options to show and ``shipping_quote``
for the one the customer chose, so a price is worked out the same way in both places and a
method that cannot deliver is refused with a message the customer can act on.
"""

from __future__ import annotations

import copy
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tridex.core.errors import ValidationFailed
from tridex.core.money import Money
from tridex.core.refcache import TableCache
from tridex.markets.models import Market
from tridex.shipping.carriers import carrier_get
from tridex.shipping.models import ShippingMethod, is_country_code

logger = logging.getLogger(__name__)

MAX_POSTCODE_LENGTH = 16
MAX_WEIGHT_GRAMS = 1_000_000_000  # a thousand tonnes: beyond any parcel, within Decimal's precision


@dataclass(frozen=True)
class ShippingQuote:
    """One delivery option for an order, priced in the market's currency.

    In a market whose prices include tax, ``price`` includes it too, like product prices.
    """

    method_id: int
    code: str
    name: str
    description: str
    price: Money
    min_days: int
    max_days: int
    is_free: bool

    def estimate(self) -> str:
        """The delivery time in words, in the active language: ``2–4 business days``."""
        low, high = self.min_days, self.max_days
        if high == 0:
            return _("Same-day delivery")
        if low == 0:
            return ngettext("Within %(max)d business day", "Within %(max)d business days", high) % {
                "max": high
            }
        if low == high:
            return ngettext("%(max)d business day", "%(max)d business days", high) % {"max": high}
        return ngettext("%(min)d–%(max)d business day", "%(min)d–%(max)d business days", high) % {
            "min": low,
            "max": high,
        }


@dataclass(frozen=True)
class _Order:
    """The validated facts of the order being shipped."""

    country: str
    postcode: str
    weight_grams: int
    subtotal: Money


def shipping_quotes(
    *, market: Market, country: str, weight_grams: int, subtotal: Money, postcode: str = ""
) -> list[ShippingQuote]:
    """Every active method of ``market`` that can deliver the order: cheapest first, then by
    position. One query; a carrier-priced method costs its provider's call."""
    order = _order(
        market=market,
        country=country,
        weight_grams=weight_grams,
        subtotal=subtotal,
        postcode=postcode,
    )
    quotes = []
    for method in _active_methods(market):
        if _refusal(method, order) is None and (price := _price(method, order)) is not None:
            quotes.append(_quote(method, price))
    return sorted(quotes, key=lambda quote: quote.price.amount)  # stable: keeps position order


def shipping_quote(
    *,
    market: Market,
    method_code: str,
    country: str,
    weight_grams: int,
    subtotal: Money,
    postcode: str = "",
) -> ShippingQuote:
    """The price of delivering the order with the method ``method_code`` of ``market``.

    Raises ``ValidationFailed`` (field ``shipping_method``) saying why when that method is
    unknown, inactive, or cannot deliver this order.
    """
    order = _order(
        market=market,
        country=country,
        weight_grams=weight_grams,
        subtotal=subtotal,
        postcode=postcode,
    )
    found = _active_methods(market, code=str(method_code or ""))
    if not found:
        raise _unavailable(_("This delivery option is not available. Choose another one."))
    method = found[0]
    refusal = _refusal(method, order)
    if refusal is not None:
        raise _unavailable(refusal)
    price = _price(method, order)
    if price is None:
        raise _unavailable(
            _("%(name)s cannot deliver this order at the moment. Choose another option.")
            % {"name": method.name}
        )
    return _quote(method, price)


def _order(
    *, market: Market, country: str, weight_grams: int, subtotal: Money, postcode: str
) -> _Order:
    code = str(country or "").strip().upper()
    if not is_country_code(code):
        raise ValidationFailed(
            _("Choose a valid destination country."), code="invalid_country", field="country"
        )
    if not _is_weight(weight_grams):
        raise ValidationFailed(
            _("The weight must be a whole number of grams, 0 or more."), field="weight_grams"
        )
    if not isinstance(subtotal, Money) or subtotal.currency != market.currency:
        raise ValidationFailed(
            _("Amounts must be in %(currency)s.") % {"currency": market.currency},
            code="currency_mismatch",
            field="currency",
        )
    if subtotal.amount < 0:
        raise ValidationFailed(_("The subtotal cannot be negative."), field="subtotal")
    postcode = str(postcode or "").strip()
    if len(postcode) > MAX_POSTCODE_LENGTH:
        raise ValidationFailed(_("Enter a valid postcode."), field="postcode")
    return _Order(country=code, postcode=postcode, weight_grams=weight_grams, subtotal=subtotal)


def _is_weight(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_WEIGHT_GRAMS


def _active_methods(market: Market, *, code: str | None = None) -> list[ShippingMethod]:
    """Active methods of ``market`` in position order (from the per-process copy)."""
    found = []
    for method in _methods.get().get(market.pk, ()):
        if code is None or method.code == code:
            method = copy.copy(method)  # the shared copy stays untouched by callers
            method.market = market  # the caller's market object: no query or join per method
            found.append(method)
    return found


def _load_methods() -> dict[int, list[ShippingMethod]]:
    by_market: dict[int, list[ShippingMethod]] = defaultdict(list)
    for method in ShippingMethod.objects.filter(is_active=True).order_by("position", "id"):
        by_market[method.market_id].append(method)
    return dict(by_market)


_methods = TableCache("shipping-methods", _load_methods, ShippingMethod)


def _refusal(method: ShippingMethod, order: _Order) -> str | None:
    """Why ``method`` cannot deliver ``order``, in words for the customer; ``None`` if it can."""
    if not method.ships_to(order.country):
        return _("%(name)s does not deliver to this country.") % {"name": method.name}
    if not method.carries(order.weight_grams):
        return _("This order is too heavy for %(name)s.") % {"name": method.name}
    return None


def _price(method: ShippingMethod, order: _Order) -> Money | None:
    """The price to charge, or ``None`` when the method's carrier offers no rate."""
    if method.carrier:
        price = _carrier_price(method, order)
    else:
        price = method.table_price(weight_grams=order.weight_grams)
    if price is None:
        return None
    return Money.zero(price.currency) if method.is_free_for(order.subtotal) else price


def _carrier_price(method: ShippingMethod, order: _Order) -> Money | None:
    """Ask the method's carrier. Whatever goes wrong there hides the method, never the page."""
    provider = carrier_get(method.carrier)
    if provider is None:
        logger.warning(
            "Shipping method %s: no carrier %r is registered", method.code, method.carrier
        )
        return None
    try:
        price = provider.quote(
            method=method,
            country=order.country,
            postcode=order.postcode,
            weight_grams=order.weight_grams,
            subtotal=order.subtotal,
        )
    except Exception:
        logger.warning("Carrier %r failed to quote %s", method.carrier, method.code, exc_info=True)
        return None
    if price is None:
        logger.info("Carrier %r offers no rate for %s", method.carrier, method.code)
        return None
    if (
        not isinstance(price, Money)
        or price.currency != order.subtotal.currency
        or price.amount < 0
    ):
        logger.warning("Carrier %r quoted an unusable price %r", method.carrier, price)
        return None
    return price


def _quote(method: ShippingMethod, price: Money) -> ShippingQuote:
    return ShippingQuote(
        method_id=method.pk,
        code=method.code,
        name=method.name,
        description=method.description or "",
        price=price,
        min_days=method.min_days,
        max_days=method.max_days,
        is_free=not price,
    )


def _unavailable(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="shipping_method_unavailable", field="shipping_method")
