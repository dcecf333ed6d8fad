"""Tax reads: the rate for a destination, and the tax inside (or on top of) a set of amounts.

The checkout calls ``tax_compute`` with the amounts of an order (lines, shipping, discounts as
negative amounts) and shows the breakdown. Tax is rounded per amount, half-up to the currency's
minor unit, and every total is the sum of those rounded parts, so an invoice always adds up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from tridex.core.errors import ValidationFailed
from tridex.core.money import Money
from tridex.core.refcache import TableCache
from tridex.markets.models import Market
from tridex.tax.models import REGION_MAX_LENGTH, TaxRate, is_country_code

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class TaxRateInfo:
    """A rate (percent) and the name it is shown under, e.g. ``VAT`` and ``7``."""

    name: str
    rate: Decimal

    @property
    def label(self) -> str:
        """``VAT 7%``, ``Sales tax 7.25%``: the rate without trailing zeros."""
        return f"{self.name} {_percent(self.rate)}%"


@dataclass(frozen=True)
class TaxLine:
    """One rate applied: the net amount it applied to and the tax it gave."""

    name: str
    rate: Decimal
    taxable: Money
    tax: Money


@dataclass(frozen=True)
class TaxBreakdown:
    """The tax of a set of amounts. ``per_amount`` and ``lines`` both sum exactly to ``total``."""

    prices_include_tax: bool
    lines: tuple[TaxLine, ...]
    per_amount: tuple[Money, ...]
    total: Money

    def net(self, amounts: Sequence[Money]) -> Money:
        """The amounts (the same ones this breakdown was computed for) without tax."""
        subtotal = _sum(amounts, self.total.currency)
        return subtotal - self.total if self.prices_include_tax else subtotal

    def gross(self, amounts: Sequence[Money]) -> Money:
        """What the customer pays for those amounts: tax is added only if prices exclude it."""
        subtotal = _sum(amounts, self.total.currency)
        return subtotal if self.prices_include_tax else subtotal + self.total


def tax_rate_for(*, market: Market, country: str, region: str = "") -> TaxRateInfo:
    """The rate for a delivery to ``country``/``region`` from ``market``.

    Precedence: a ``TaxRate`` for the exact region, then one for the whole country, then the
    market's standard rate (0 unless set). Inclusive and exclusive markets share the rule; what
    differs is only how ``tax_compute`` applies the rate.
    """
    code = _country(country)
    area = _region(region)
    rates = _rates.get()
    found = rates.get((market.pk, code, area)) or rates.get((market.pk, code, ""))
    if found is not None:
        return found
    return TaxRateInfo(name=market.tax_name or _("Tax"), rate=market.tax_rate)


def _load_rates() -> dict[tuple[int, str, str], TaxRateInfo]:
    return {
        (row.market_id, row.country, row.region): TaxRateInfo(name=row.name, rate=row.rate)
        for row in TaxRate.objects.all()
    }


_rates = TableCache("tax-rates", _load_rates, TaxRate)


def tax_compute(
    *, market: Market, country: str, region: str = "", amounts: Sequence[Money]
) -> TaxBreakdown:
    """Tax of ``amounts`` (each in the market's currency) delivered to ``country``/``region``.

    In a market whose prices include tax the tax is the part of each amount that is tax,
    ``amount × rate / (100 + rate)``, and prices do not change. Otherwise it is added on top,
    ``amount × rate / 100``. A negative amount (a discount) carries negative tax.
    """
    for amount in amounts:
        if not isinstance(amount, Money) or amount.currency != market.currency:
            raise ValidationFailed(
                _("Amounts must be in %(currency)s.") % {"currency": market.currency},
                code="currency_mismatch",
                field="currency",
            )
    info = tax_rate_for(market=market, country=country, region=region)
    inclusive = market.prices_include_tax
    per_amount = tuple(_tax_of(amount, info.rate, inclusive=inclusive) for amount in amounts)
    total = _sum(per_amount, market.currency)
    lines: tuple[TaxLine, ...] = ()
    if amounts and info.rate:
        subtotal = _sum(amounts, market.currency)
        taxable = subtotal - total if inclusive else subtotal
        lines = (TaxLine(name=info.label, rate=info.rate, taxable=taxable, tax=total),)
    return TaxBreakdown(
        prices_include_tax=inclusive, lines=lines, per_amount=per_amount, total=total
    )


def _tax_of(amount: Money, rate: Decimal, *, inclusive: bool) -> Money:
    if not rate:
        return Money.zero(amount.currency)
    divisor = HUNDRED + rate if inclusive else HUNDRED
    return Money(amount.amount * rate / divisor, amount.currency)  # Money rounds half-up


def _sum(amounts: Sequence[Money], currency: str) -> Money:
    return sum(amounts, Money.zero(currency))


def _percent(rate: Decimal) -> str:
    text = format(rate, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _country(value: str) -> str:
    code = str(value or "").strip().upper()
    if not is_country_code(code):
        raise ValidationFailed(
            _("Choose a valid destination country."), code="invalid_country", field="country"
        )
    return code


def _region(value: str) -> str:
    area = str(value or "").strip().upper()
    if len(area) > REGION_MAX_LENGTH:
        raise ValidationFailed(
            _("Enter a valid region code."), code="invalid_region", field="region"
        )
    return area
