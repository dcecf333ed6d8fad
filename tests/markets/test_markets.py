from decimal import Decimal

import pytest
from django.db import IntegrityError

from tridex.core.errors import NotFound, ValidationFailed
from tridex.core.money import Money
from tridex.markets.models import Market, PriceRounding
from tridex.markets.selectors import market_base, market_default, market_get, market_list
from tridex.markets.services import convert_price, market_set_exchange_rate


def _market(rate: str, rounding: str, currency: str = "USD") -> Market:
    return Market(code="x", currency=currency, exchange_rate=Decimal(rate), price_rounding=rounding)


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [
        (PriceRounding.MINOR_UNIT, "36.12"),
        (PriceRounding.WHOLE, "37"),
        (PriceRounding.NINETY_NINE, "36.99"),
        (PriceRounding.TENS, "40"),
        (PriceRounding.CHARM_NINE, "39"),
    ],
)
def test_conversion_applies_rate_then_rounding_rule(rounding, expected):
    converted = convert_price(amount=Money("1290", "THB"), market=_market("0.028", rounding))
    assert converted == Money(expected, "USD")


def test_ninety_nine_rounding_never_lowers_a_price_below_the_rate():
    # 0.028 * 1250 = 35.00 exactly -> 35.99, never 34.99
    assert convert_price(
        amount=Money("1250", "THB"), market=_market("0.028", PriceRounding.NINETY_NINE)
    ) == Money("35.99", "USD")


def test_conversion_respects_zero_decimal_currencies():
    assert convert_price(
        amount=Money("1290", "THB"), market=_market("4.3", PriceRounding.MINOR_UNIT, "JPY")
    ) == Money("5547", "JPY")


def test_selectors_find_default_base_and_by_code(market_th, market_intl):
    assert market_default() == market_th
    assert market_base() == market_th
    assert market_get(code="intl") == market_intl
    assert [m.code for m in market_list()] == ["th", "intl"]
    with pytest.raises(NotFound) as exc:
        market_get(code="mars")
    assert exc.value.field == "market"


def test_only_one_base_market(market_th):
    with pytest.raises(IntegrityError):
        Market.objects.create(code="dup", name="Dup", currency="THB", is_default=True)


def test_setting_an_exchange_rate_validates_and_refuses_the_base_market(market_th, market_intl):
    with pytest.raises(ValidationFailed):
        market_set_exchange_rate(market=market_intl, rate=Decimal("-1"))
    with pytest.raises(ValidationFailed):
        market_set_exchange_rate(market=market_th, rate=Decimal("2"))
    market_set_exchange_rate(market=market_intl, rate=Decimal("0.03"))
    market_intl.refresh_from_db()
    assert market_intl.exchange_rate == Decimal("0.03")


@pytest.mark.parametrize(
    ("countries", "home"), [(["TH"], "TH"), (["US", "GB"], ""), ([], ""), (None, "")]
)
def test_a_market_selling_to_one_country_has_it_as_home(countries, home):
    """Carts are priced and addresses prefilled for the home country until the shopper says."""
    assert Market(code="x", countries=countries).home_country == home
