from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tridex.core.money import CurrencyMismatch, InvalidMoney, Money

amounts = st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=4)
currencies = st.sampled_from(["THB", "USD", "JPY", "KWD", "EUR"])


def test_rounds_half_up_to_the_minor_unit():
    assert Money("1.005", "THB").amount == Decimal("1.01")
    assert Money("1.004", "THB").amount == Decimal("1.00")
    assert Money("99.5", "JPY").amount == Decimal("100")
    assert Money("1.0005", "KWD").amount == Decimal("1.001")


def test_refuses_floats_bad_codes_and_non_numbers():
    with pytest.raises(InvalidMoney):
        Money(0.1, "THB")  # type: ignore[arg-type]
    with pytest.raises(InvalidMoney):
        Money("1", "BAHT")
    with pytest.raises(InvalidMoney):
        Money("abc", "THB")
    with pytest.raises(InvalidMoney):
        Money("NaN", "THB")


def test_refuses_arithmetic_across_currencies():
    with pytest.raises(CurrencyMismatch) as exc:
        Money("1", "THB") + Money("1", "USD")
    assert exc.value.code == "currency_mismatch"
    with pytest.raises(CurrencyMismatch):
        assert Money("1", "THB") < Money("2", "USD")


def test_formats_per_locale():
    assert Money("1290", "THB").format("th") == "฿1,290.00"
    assert Money("45.99", "USD").format("en") == "$45.99"
    assert Money("1234.5", "EUR").format("de") == "1.234,50\xa0€"


@given(a=amounts, b=amounts, currency=currencies)
def test_addition_is_commutative_and_subtraction_inverts_it(a, b, currency):
    x, y = Money(a, currency), Money(b, currency)
    assert x + y == y + x
    assert (x + y) - y == x


@given(a=amounts, currency=currencies)
def test_amount_always_has_the_currency_exponent(a, currency):
    from tridex.core.money import minor_unit

    assert -Money(a, currency).amount.as_tuple().exponent == minor_unit(currency)


@given(
    a=st.decimals(min_value=0, max_value=10**7, allow_nan=False, places=2),
    ratios=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=6).filter(any),
)
def test_allocate_never_loses_or_makes_a_satang(a, ratios):
    total = Money(a, "THB")
    parts = total.allocate(ratios)
    assert sum((p.amount for p in parts), Decimal(0)) == total.amount
    assert len(parts) == len(ratios)
