"""Shipping: which methods can deliver an order, what each costs, and why one is refused."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from django.utils import translation

from tridex.core.errors import ValidationFailed
from tridex.core.money import Money
from tridex.shipping.carriers import carrier_register, carrier_unregister
from tridex.shipping.models import ShippingMethod
from tridex.shipping.selectors import ShippingQuote, shipping_quote, shipping_quotes
from tridex.shipping.services import (
    DEMO_METHODS,
    shipping_method_create,
    shipping_method_update,
    shipping_seed_demo,
)


def thb(amount: str) -> Money:
    return Money(amount, "THB")


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def method(market, code, **fields):
    defaults = {
        "name_th": f"ส่ง {code}",
        "name_en": f"Ship {code}",
        "base_price": Decimal("50"),
        "min_days": 1,
        "max_days": 3,
    }
    return shipping_method_create(market=market, code=code, **{**defaults, **fields})


def codes(quotes: list[ShippingQuote]) -> list[str]:
    return [quote.code for quote in quotes]


def th_quotes(market, weight=500, subtotal="1000", **kwargs):
    return shipping_quotes(
        market=market, country="TH", weight_grams=weight, subtotal=thb(subtotal), **kwargs
    )


@pytest.fixture
def flat(market_th):
    return method(market_th, "flat", free_above=Decimal("1500"))


@pytest.fixture
def by_weight(market_th):
    return method(
        market_th,
        "ems",
        base_price=Decimal("40"),
        included_weight_grams=1000,
        price_per_kg=Decimal("20"),
        position=1,
    )


@pytest.fixture
def carrier():
    """A provider defined here, registered for one test and removed afterwards."""

    class Provider:
        def __init__(self):
            self.answer = None
            self.calls = []

        def quote(self, *, method, country, postcode, weight_grams, subtotal):
            self.calls.append((method.code, country, postcode, weight_grams, subtotal))
            if isinstance(self.answer, Exception):
                raise self.answer
            return self.answer

    provider = Provider()
    carrier_register("test-carrier", provider)
    yield provider
    carrier_unregister("test-carrier")


def test_flat_price(flat, market_th):
    (quote,) = th_quotes(market_th)
    assert (quote.code, quote.price, quote.is_free) == ("flat", thb("50"), False)
    assert quote.method_id == flat.pk
    assert (quote.min_days, quote.max_days) == (1, 3)


@pytest.mark.parametrize(
    ("subtotal", "price"), [("1499.99", "50"), ("1500", "0"), ("1500.01", "0"), ("0", "50")]
)
def test_free_from_the_threshold_inclusive(flat, market_th, subtotal, price):
    (quote,) = th_quotes(market_th, subtotal=subtotal)
    assert quote.price == thb(price)
    assert quote.is_free is (price == "0")


@pytest.mark.parametrize(
    ("grams", "price"), [(0, "40"), (1000, "40"), (1001, "60"), (2000, "60"), (2001, "80")]
)
def test_weight_based_price_counts_every_started_kg(by_weight, market_th, grams, price):
    assert th_quotes(market_th, weight=grams)[0].price == thb(price)


def test_a_method_is_hidden_above_its_maximum_weight(flat, market_th):
    shipping_method_update(method=flat, max_weight_grams=20_000)
    assert codes(th_quotes(market_th, weight=20_000)) == ["flat"]
    assert th_quotes(market_th, weight=20_001) == []
    with pytest.raises(ValidationFailed) as exc:
        shipping_quote(
            market=market_th,
            method_code="flat",
            country="TH",
            weight_grams=20_001,
            subtotal=thb("100"),
        )
    assert exc.value.field == "shipping_method"


def test_country_eligibility(market_th, market_intl):
    method(market_th, "th-any")
    method(market_th, "th-la", countries=["th", "LA"])
    method(market_intl, "world", base_price=Decimal("10"))
    method(market_intl, "north-america", base_price=Decimal("9"), countries=["US", "CA"])

    def available(market, country, currency):
        money = Money("10", currency)
        quotes = shipping_quotes(market=market, country=country, weight_grams=1, subtotal=money)
        return sorted(codes(quotes))

    assert available(market_th, "TH", "THB") == ["th-any", "th-la"]
    assert available(market_th, "LA", "THB") == ["th-la"]  # outside the market's countries
    assert available(market_th, "GB", "THB") == []
    assert available(market_intl, "US", "USD") == ["north-america", "world"]
    assert available(market_intl, "GB", "USD") == ["world"]  # empty market countries: world


def test_cheapest_first_then_position(market_th):
    method(market_th, "b", base_price=Decimal("80"), position=0)
    method(market_th, "c", base_price=Decimal("40"), position=3)
    method(market_th, "a", base_price=Decimal("40"), position=2)
    method(market_th, "off", base_price=Decimal("1"), is_active=False)
    assert codes(th_quotes(market_th)) == ["a", "c", "b"]


def test_methods_are_read_once_until_one_changes(market_th, django_assert_num_queries):
    for n in range(6):
        method(market_th, f"m{n}", countries=["TH"], position=n)
    with django_assert_num_queries(1):
        quotes = th_quotes(market_th)
        assert [quote.name for quote in quotes]  # names read without another query
    assert len(quotes) == 6
    with django_assert_num_queries(0):
        shipping_quote(
            market=market_th,
            method_code="m3",
            country="TH",
            weight_grams=1,
            subtotal=thb("1"),
        )
    changed = ShippingMethod.objects.get(market=market_th, code="m3")
    changed.is_active = False
    changed.save()
    with django_assert_num_queries(1):  # the change is seen at once
        assert len(th_quotes(market_th)) == 5


def test_a_carrier_prices_the_method(carrier, market_th):
    method(market_th, "live", carrier="test-carrier", free_above=Decimal("5000"))
    carrier.answer = thb("77")
    (quote,) = th_quotes(market_th, weight=1234, postcode=" 10110 ")
    assert quote.price == thb("77")
    assert carrier.calls == [("live", "TH", "10110", 1234, thb("1000"))]
    assert th_quotes(market_th, subtotal="5000")[0].price == thb("0")  # free still applies


@pytest.mark.parametrize(
    "answer", [None, RuntimeError("carrier API down"), Money("3", "USD"), thb("-1"), "77"]
)
def test_a_failing_carrier_hides_its_method(carrier, flat, market_th, caplog, answer):
    method(market_th, "live", carrier="test-carrier")
    carrier.answer = answer
    with caplog.at_level(logging.INFO, logger="tridex.shipping.selectors"):
        assert codes(th_quotes(market_th)) == ["flat"]
    assert "test-carrier" in caplog.text
    with pytest.raises(ValidationFailed) as exc:
        shipping_quote(
            market=market_th, method_code="live", country="TH", weight_grams=1, subtotal=thb("1")
        )
    assert exc.value.field == "shipping_method"


def test_a_carrier_that_is_no_longer_registered_hides_its_method(carrier, flat, market_th):
    method(market_th, "live", carrier="test-carrier")
    carrier_unregister("test-carrier")
    assert codes(th_quotes(market_th)) == ["flat"]


def test_built_in_bangkok_zone_serves_only_its_postcodes(market_th):
    method(market_th, "same-day", base_price=Decimal("150"), carrier="bkk-metro")
    assert codes(th_quotes(market_th, postcode="10110")) == ["same-day"]
    assert th_quotes(market_th, postcode="11000")[0].price == thb("150")
    assert th_quotes(market_th, postcode="50200") == []  # Chiang Mai
    assert th_quotes(market_th) == []  # no postcode yet: not promised


def test_shipping_quote_prices_the_chosen_method(flat, by_weight, market_th):
    quote = shipping_quote(
        market=market_th, method_code="ems", country="th", weight_grams=2500, subtotal=thb("2000")
    )
    assert (quote.code, quote.price) == ("ems", thb("80"))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"method_code": "nope"}, "shipping_method"),
        ({"method_code": "off"}, "shipping_method"),
        ({"method_code": "la-only"}, "shipping_method"),
        ({"method_code": None}, "shipping_method"),
        ({"subtotal": usd("10")}, "currency"),
        ({"subtotal": Decimal("10")}, "currency"),
        ({"subtotal": thb("-1")}, "subtotal"),
        ({"weight_grams": -1}, "weight_grams"),
        ({"weight_grams": 1.5}, "weight_grams"),
        ({"weight_grams": True}, "weight_grams"),
        ({"weight_grams": 10**30}, "weight_grams"),
        ({"country": "THA"}, "country"),
        ({"country": "ZZ"}, "country"),
        ({"country": None}, "country"),
        ({"postcode": "1" * 17}, "postcode"),
    ],
)
def test_bad_input_names_the_field(flat, market_th, kwargs, field):
    method(market_th, "off", is_active=False)
    method(market_th, "la-only", countries=["LA"])
    call = {
        "method_code": "flat",
        "country": "TH",
        "weight_grams": 100,
        "subtotal": thb("100"),
        **kwargs,
    }
    with pytest.raises(ValidationFailed) as exc:
        shipping_quote(market=market_th, **call)
    assert exc.value.field == field
    if field != "shipping_method":
        with pytest.raises(ValidationFailed):
            shipping_quotes(
                market=market_th, **{k: v for k, v in call.items() if k != "method_code"}
            )


def test_refusals_say_why_in_words(flat, market_th):
    shipping_method_update(method=flat, countries=["TH"], max_weight_grams=1000)
    with translation.override("en"):
        for change, words in [
            ({"country": "LA"}, "does not deliver"),
            ({"weight_grams": 1001}, "too heavy"),
        ]:
            call = {"country": "TH", "weight_grams": 1, **change}
            with pytest.raises(ValidationFailed) as exc:
                shipping_quote(market=market_th, method_code="flat", subtotal=thb("1"), **call)
            assert words in exc.value.message
            assert "Ship flat" in exc.value.message


def test_names_follow_the_active_language(flat, market_th):
    shipping_method_update(method=flat, description_th="ส่งทั่วไทย", description_en="Nationwide")
    with translation.override("th"):
        quote = th_quotes(market_th)[0]
        assert (quote.name, quote.description) == ("ส่ง flat", "ส่งทั่วไทย")
    with translation.override("en"):
        quote = th_quotes(market_th)[0]
        assert (quote.name, quote.description) == ("Ship flat", "Nationwide")


@pytest.mark.parametrize(
    ("days", "text"),
    [
        ((2, 4), "2–4 business days"),
        ((1, 1), "1 business day"),
        ((3, 3), "3 business days"),
        ((0, 1), "Within 1 business day"),
        ((0, 2), "Within 2 business days"),
        ((0, 0), "Same-day delivery"),
    ],
)
def test_estimate_in_words(days, text):
    quote = ShippingQuote(
        method_id=1,
        code="x",
        name="X",
        description="",
        price=thb("1"),
        min_days=days[0],
        max_days=days[1],
        is_free=False,
    )
    with translation.override("en"):
        assert quote.estimate() == text


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"min_days": 5, "max_days": 2}, "max_days"),
        ({"base_price": Decimal("-1")}, "base_price"),
        ({"price_per_kg": Decimal("-0.01")}, "price_per_kg"),
        ({"free_above": Decimal("-5")}, "free_above"),
        ({"countries": ["XX"]}, "countries"),
        ({"countries": "TH"}, "countries"),
        ({"carrier": "unknown-carrier"}, "carrier"),
        ({"code": "not a slug"}, "code"),
        ({"code": "flat"}, "code"),
        ({"name_th": "", "name_en": ""}, "name"),
    ],
)
def test_bad_methods_are_refused_and_nothing_is_written(flat, market_th, fields, field):
    before = ShippingMethod.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        method(market_th, fields.pop("code", "new"), **fields)
    assert exc.value.field == field
    assert ShippingMethod.objects.count() == before


def test_update_changes_only_what_is_given_and_validates(flat):
    shipping_method_update(method=flat, countries=["th", "la", "TH"], position=4)
    flat.refresh_from_db()
    assert (flat.countries, flat.position, flat.base_price) == (["TH", "LA"], 4, Decimal("50"))
    with pytest.raises(ValidationFailed):
        shipping_method_update(method=flat, min_days=9)
    flat.refresh_from_db()
    assert flat.min_days == 1
    with pytest.raises(TypeError):
        shipping_method_update(method=flat, market_id=99)


def test_demo_seed_is_idempotent_and_quotes_the_reference_shop(market_th, market_intl):
    markets = {"th": market_th, "intl": market_intl}
    expected = sum(len(specs) for specs in DEMO_METHODS.values())
    assert shipping_seed_demo(markets=markets) == expected
    shipping_method_update(method=ShippingMethod.objects.get(code="ems"), position=9)
    assert shipping_seed_demo(markets=markets) == 0
    assert ShippingMethod.objects.get(code="ems").position == 9
    with translation.override("en"):
        home = th_quotes(market_th, weight=1500, subtotal="1290", postcode="10110")
        assert [(q.name, q.price) for q in home] == [
            ("Standard (Kerry/Flash)", thb("50")),
            ("Thailand Post EMS (by weight)", thb("60")),
            ("Express same-day Bangkok", thb("150")),
        ]
    assert codes(th_quotes(market_th, subtotal="1500", postcode="50200")) == ["standard", "ems"]
    abroad = shipping_quotes(
        market=market_intl, country="US", weight_grams=2500, subtotal=usd("100")
    )
    assert [(q.code, q.price) for q in abroad] == [
        ("intl-standard", usd("24")),
        ("intl-express", usd("55")),
    ]
    free = shipping_quotes(market=market_intl, country="DE", weight_grams=900, subtotal=usd("250"))
    assert free[0].code == "intl-standard" and free[0].is_free
    with translation.override("th"):
        assert free[0].name == "ส่งต่างประเทศแบบมาตรฐาน"
