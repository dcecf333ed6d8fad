"""Tax: which rate applies where, the maths of included and added tax, and exact rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tridex.core.errors import ValidationFailed
from tridex.core.money import Money
from tridex.tax.models import TaxRate
from tridex.tax.selectors import tax_compute, tax_rate_for
from tridex.tax.services import DEMO_RATES, tax_seed_demo


def thb(amount: str) -> Money:
    return Money(amount, "THB")


def usd(amount: str) -> Money:
    return Money(amount, "USD")


@pytest.fixture
def us_rates(market_intl):
    TaxRate.objects.create(market=market_intl, country="US", name="Sales tax", rate=Decimal("5"))
    TaxRate.objects.create(
        market=market_intl, country="US", region="CA", name="Sales tax", rate=Decimal("7.25")
    )


def test_thai_prices_include_vat_and_do_not_change(market_th):
    amounts = [thb("1290")]
    tax = tax_compute(market=market_th, country="TH", amounts=amounts)
    assert tax.prices_include_tax
    assert tax.per_amount == (thb("84.39"),)
    assert tax.total == thb("84.39")
    (line,) = tax.lines
    assert (line.name, line.rate, line.taxable, line.tax) == (
        "VAT 7%",
        Decimal("7"),
        thb("1205.61"),
        thb("84.39"),
    )
    assert tax.gross(amounts) == thb("1290")
    assert tax.net(amounts) == thb("1205.61")


def test_a_destination_rate_overrides_the_inclusive_market_rate(market_th):
    TaxRate.objects.create(market=market_th, country="LA", name="VAT", rate=Decimal("10"))
    tax = tax_compute(market=market_th, country="la", amounts=[thb("1100"), thb("55")])
    assert tax.per_amount == (thb("100"), thb("5"))
    assert tax.lines[0].name == "VAT 10%"
    assert tax.gross([thb("1100"), thb("55")]) == thb("1155")


def test_exclusive_market_adds_the_destination_rate(market_intl, us_rates):
    amounts = [usd("100"), usd("19.99")]
    tax = tax_compute(market=market_intl, country="US", region="ca", amounts=amounts)
    assert not tax.prices_include_tax
    assert tax.per_amount == (usd("7.25"), usd("1.45"))  # 1.449275 rounds down
    assert tax.total == usd("8.70")
    assert tax.lines[0].name == "Sales tax 7.25%"
    assert tax.lines[0].taxable == usd("119.99")
    assert tax.gross(amounts) == usd("128.69")
    assert tax.net(amounts) == usd("119.99")


def test_lookup_precedence_region_then_country_then_market(market_intl, us_rates):
    assert tax_rate_for(market=market_intl, country="US", region="CA").rate == Decimal("7.25")
    assert tax_rate_for(market=market_intl, country="US", region="NY").rate == Decimal("5")
    assert tax_rate_for(market=market_intl, country="US").rate == Decimal("5")
    assert tax_rate_for(market=market_intl, country="GB").rate == Decimal("0")
    market_intl.tax_rate, market_intl.tax_name = Decimal("3"), ""
    with translation.override("en"):
        info = tax_rate_for(market=market_intl, country="GB")
    assert (info.name, info.rate, info.label) == ("Tax", Decimal("3"), "Tax 3%")


def test_rates_of_another_market_do_not_apply(market_th, market_intl):
    TaxRate.objects.create(market=market_th, country="GB", name="VAT", rate=Decimal("20"))
    assert tax_rate_for(market=market_intl, country="GB").rate == Decimal("0")


def test_zero_rate_and_no_amounts_give_no_tax(market_intl, market_th):
    zero = tax_compute(market=market_intl, country="GB", amounts=[usd("10"), usd("5")])
    assert (zero.total, zero.per_amount, zero.lines) == (usd("0"), (usd("0"), usd("0")), ())
    assert zero.gross([usd("10"), usd("5")]) == usd("15")
    empty = tax_compute(market=market_th, country="TH", amounts=[])
    assert (empty.total, empty.per_amount, empty.lines) == (thb("0"), (), ())


def test_a_discount_carries_negative_tax(market_th):
    tax = tax_compute(market=market_th, country="TH", amounts=[thb("1070"), thb("-107")])
    assert tax.per_amount == (thb("70"), thb("-7"))
    assert tax.total == thb("63")


def test_lookup_and_compute_take_one_query(market_intl, us_rates, django_assert_num_queries):
    with django_assert_num_queries(1):
        tax_compute(market=market_intl, country="US", region="CA", amounts=[usd("1")] * 50)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cents=st.lists(st.integers(min_value=-(10**6), max_value=10**9), max_size=30),
    rate=st.decimals(min_value=0, max_value=100, places=2),
    inclusive=st.booleans(),
    currency=st.sampled_from(["USD", "JPY", "KWD"]),
)
def test_rounded_parts_always_sum_exactly(market_intl, cents, rate, inclusive, currency):
    market_intl.tax_rate, market_intl.prices_include_tax = rate, inclusive
    market_intl.currency = currency  # in memory only: the lookup finds no row and uses these
    amounts = [Money(Decimal(c).scaleb(-2), currency) for c in cents]
    tax = tax_compute(market=market_intl, country="GB", amounts=amounts)
    zero = Money.zero(currency)
    assert sum(tax.per_amount, zero) == tax.total
    assert sum((line.tax for line in tax.lines), zero) == tax.total
    divisor = 100 + rate if inclusive else 100
    unit = Decimal(1).scaleb(-2 if currency == "USD" else 0 if currency == "JPY" else -3)
    for amount, part in zip(amounts, tax.per_amount, strict=True):
        assert abs(part.amount - amount.amount * rate / divisor) <= unit / 2
    if tax.lines and inclusive:
        assert tax.lines[0].taxable + tax.total == sum(amounts, zero)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amounts": [Money("10", "THB")]}, "currency"),
        ({"amounts": [Money("10", "USD"), Money("1", "EUR")]}, "currency"),
        ({"country": "USA"}, "country"),
        ({"country": ""}, "country"),
        ({"country": "XX"}, "country"),
        ({"country": "1A"}, "country"),
        ({"country": "ÄB"}, "country"),
        ({"region": "X" * 9}, "region"),
    ],
)
def test_bad_input_names_the_field(market_intl, kwargs, field):
    call = {"country": "US", "amounts": [usd("10")], **kwargs}
    with pytest.raises(ValidationFailed) as exc:
        tax_compute(market=market_intl, **call)
    assert exc.value.field == field


def test_a_rate_row_is_validated_and_normalised(market_intl):
    rate = TaxRate(market=market_intl, country="gb", region="", name="VAT", rate=Decimal("20"))
    rate.full_clean()
    assert rate.country == "GB"
    with pytest.raises(ValidationError) as exc:
        TaxRate(market=market_intl, country="XX", name="VAT", rate=Decimal("5")).full_clean()
    assert "country" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        TaxRate(market=market_intl, country="GB", name="VAT", rate=Decimal("101")).full_clean()
    assert "rate" in exc.value.message_dict


def test_the_database_refuses_duplicates_and_rates_above_100(market_intl):
    TaxRate.objects.create(market=market_intl, country="GB", name="VAT", rate=Decimal("20"))
    with pytest.raises(IntegrityError), transaction.atomic():
        TaxRate.objects.create(market=market_intl, country="GB", name="VAT", rate=Decimal("5"))
    with pytest.raises(IntegrityError), transaction.atomic():
        TaxRate.objects.create(market=market_intl, country="DE", name="VAT", rate=Decimal("150"))


def test_demo_seed_is_idempotent_and_keeps_staff_edits(market_th, market_intl):
    markets = {"th": market_th, "intl": market_intl}
    assert tax_seed_demo(markets=markets) == len(DEMO_RATES)
    TaxRate.objects.filter(country="GB").update(rate=Decimal("17.5"))
    assert tax_seed_demo(markets=markets) == 0
    assert TaxRate.objects.count() == len(DEMO_RATES)
    assert not TaxRate.objects.filter(market=market_th).exists()
    assert tax_rate_for(market=market_intl, country="GB").rate == Decimal("17.5")
    assert tax_rate_for(market=market_intl, country="US", region="CA").rate == Decimal("7.25")
    for row in TaxRate.objects.all():
        row.full_clean()  # every demo row is one staff could have entered
    assert tax_seed_demo(markets={"th": market_th}) == 0


def test_admin_pages_load(client, market_intl, us_rates):
    user = get_user_model().objects.create_superuser(
        email="boss@example.com", password="a-long-password-1"
    )
    client.force_login(user)
    changelist = reverse("admin:tax_taxrate_changelist")
    response = client.get(changelist + "?q=CA")
    assert response.status_code == 200
    assert b"7.25" in response.content
    assert client.get(reverse("admin:tax_taxrate_add")).status_code == 200
    row = TaxRate.objects.get(region="CA")
    assert client.get(reverse("admin:tax_taxrate_change", args=[row.pk])).status_code == 200
