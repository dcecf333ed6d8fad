from decimal import Decimal

import pytest

from tridex.core.errors import ValidationFailed
from tridex.core.money import Money
from tridex.pricing.models import Price, ProductPriceRange
from tridex.pricing.selectors import variant_prices
from tridex.pricing.services import price_ranges_refresh, price_set


def test_explicit_price_wins_and_missing_price_converts(make_product, market_th, market_intl):
    product = make_product(colours=("grey", "navy"), price="1290")
    grey, navy = product.variants.order_by("position")
    price_set(variant=navy, market=market_intl, amount="39.00", compare_at="49.00")
    prices = variant_prices(variant_ids=[grey.pk, navy.pk], market=market_intl)
    assert prices[grey.pk].price == Money("36.99", "USD")
    assert prices[grey.pk].is_converted
    assert prices[navy.pk].price == Money("39.00", "USD")
    assert prices[navy.pk].compare_at == Money("49.00", "USD")
    assert prices[navy.pk].is_on_sale
    assert not prices[navy.pk].is_converted


def test_price_ranges_follow_every_price_change(make_product, market_th, market_intl):
    product = make_product(colours=("grey", "navy"), price="1290")
    grey, _ = product.variants.order_by("position")
    price_set(variant=grey, market=market_th, amount="990", compare_at="1290")
    th = ProductPriceRange.objects.get(product=product, market=market_th)
    assert (th.min_amount, th.max_amount, th.min_compare_at_amount) == (
        Decimal("990"),
        Decimal("1290"),
        Decimal("1290"),
    )
    intl = ProductPriceRange.objects.get(product=product, market=market_intl)
    assert intl.currency == "USD"
    assert intl.min_amount == Decimal("27.99")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": None}, "amount"),
        ({"amount": "1e12"}, "amount"),
        ({"amount": "100", "compare_at": "90"}, "compare_at"),
        ({"amount": "100", "cost": "-5"}, "cost"),
    ],
)
def test_bad_prices_are_refused_and_change_nothing(make_product, market_th, kwargs, field):
    variant = make_product(price="1290").variants.get()
    with pytest.raises(ValidationFailed) as exc:
        price_set(variant=variant, market=market_th, **kwargs)
    assert exc.value.field == field
    assert Price.objects.get(variant=variant).amount == Decimal("1290")


def test_full_refresh_rebuilds_ranges(make_product, market_th, market_intl):
    make_product(price="590")
    make_product(price="4990")
    ProductPriceRange.objects.all().delete()
    assert price_ranges_refresh() == 4  # two products x two markets
