"""Money: a ``Decimal`` amount with an ISO 4217 currency.

Amounts are rounded half-up to the currency's minor unit (2 for THB and USD, 0 for JPY, 3 for
KWD). Arithmetic across currencies is refused rather than silently converted.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache, total_ordering

from babel.numbers import format_currency, get_currency_precision
from django.utils import translation

from tridex.core.errors import DomainError


class CurrencyMismatch(DomainError):
    code = "currency_mismatch"


class InvalidMoney(DomainError):
    code = "invalid_money"


def minor_unit(currency: str) -> int:
    """Return the number of decimal places the currency uses (ISO 4217 minor unit)."""
    return int(get_currency_precision(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    exponent = Decimal(1).scaleb(-minor_unit(currency))
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, float):
        # Floats carry binary noise (0.1 + 0.2); refusing them keeps every amount exact.
        raise InvalidMoney("Money amounts must be Decimal, int or str, never float.")
    try:
        amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as exc:
        raise InvalidMoney(f"{value!r} is not a valid amount.") from exc
    if not amount.is_finite():
        raise InvalidMoney(f"{value!r} is not a finite amount.")
    return amount


@total_ordering
@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __init__(self, amount: Decimal | int | str, currency: str) -> None:
        code = (currency or "").upper()
        if len(code) != 3 or not code.isalpha():
            raise InvalidMoney(f"{currency!r} is not an ISO 4217 currency code.")
        object.__setattr__(self, "currency", code)
        object.__setattr__(self, "amount", quantize(_to_decimal(amount), code))

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    def _check(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(
                f"Cannot combine {self.currency} with {other.currency}.",
            )
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._check(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._check(other).amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, Money | float):
            raise TypeError("Money can only be multiplied by a Decimal or int")
        return Money(self.amount * Decimal(factor), self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._check(other).amount

    def __bool__(self) -> bool:
        return bool(self.amount)

    def allocate(self, ratios: list[int]) -> list[Money]:
        """Split into parts proportional to ``ratios`` whose sum is exactly this amount."""
        if not ratios or any(r < 0 for r in ratios) or sum(ratios) == 0:
            raise InvalidMoney("Ratios must be non-negative and not all zero.")
        unit = Decimal(1).scaleb(-minor_unit(self.currency))
        units = int(self.amount / unit)
        total = sum(ratios)
        parts = [units * r // total for r in ratios]
        for i in range(units - sum(parts)):
            parts[i % len(parts)] += 1
        return [Money(unit * p, self.currency) for p in parts]

    def format(self, locale: str | None = None) -> str:
        """Format for display in ``locale`` (``th``, ``en``, ``en_US``…) with Babel; by default
        in the active language (English when none is active)."""
        chosen = locale or translation.get_language() or "en"
        return _formatted(self.amount, self.currency, chosen.replace("-", "_"))

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


@lru_cache(maxsize=4096)
def _formatted(amount: Decimal, currency: str, locale: str) -> str:
    """Babel's formatting, remembered: a cart shows the same few amounts over and over, and
    each costs Babel a walk through its locale data."""
    return format_currency(amount, currency, locale=locale)
