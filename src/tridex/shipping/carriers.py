"""Carrier rate providers: the plug-in point for prices a table cannot express.

A shipping method with a ``carrier`` code asks the provider registered under that code for its
price (a live API, a zone table). Providers are registered by plain imports, typically in an
``AppConfig.ready``::

    from tridex.shipping.carriers import carrier_register
    carrier_register("dhl-express", DhlExpressRates(api_key=...))

A provider answers ``None`` when it cannot deliver there; the method is then not offered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from tridex.core.money import Money

if TYPE_CHECKING:
    from tridex.shipping.models import ShippingMethod


class CarrierRates(Protocol):
    def quote(
        self,
        *,
        method: ShippingMethod,
        country: str,
        postcode: str,
        weight_grams: int,
        subtotal: Money,
    ) -> Money | None:
        """The price of delivering ``weight_grams`` to ``country``/``postcode``, or ``None``."""
        ...


_providers: dict[str, CarrierRates] = {}


def carrier_register(code: str, provider: CarrierRates) -> None:
    """Make ``provider`` answer for methods whose ``carrier`` is ``code`` (replaces any other)."""
    if not code or len(code) > 32:
        raise ValueError("A carrier code is 1 to 32 characters long.")
    _providers[code] = provider


def carrier_unregister(code: str) -> None:
    _providers.pop(code, None)


def carrier_get(code: str) -> CarrierRates | None:
    return _providers.get(code)


def carrier_codes() -> list[str]:
    """Registered codes, sorted: the choices offered for a method's ``carrier``."""
    return sorted(_providers)


@dataclass(frozen=True)
class PostcodeZoneRates:
    """Offer a method's own table price only inside a zone of postcode prefixes.

    Built in because a zone is the commonest rule a flat table cannot hold: the demo's
    same-day Bangkok courier serves postcodes 10xxx–12xxx (Bangkok, Samut Prakan, Nonthaburi,
    Pathum Thani) and nowhere else in Thailand. An empty postcode is outside every zone.
    """

    country: str
    prefixes: tuple[str, ...]

    def quote(
        self,
        *,
        method: ShippingMethod,
        country: str,
        postcode: str,
        weight_grams: int,
        subtotal: Money,
    ) -> Money | None:
        code = postcode.replace(" ", "").upper()
        if country != self.country or not code or not code.startswith(self.prefixes):
            return None
        return method.table_price(weight_grams=weight_grams)


BANGKOK_METRO = "bkk-metro"


def carrier_register_builtin() -> None:
    """Register the built-in zone providers (called by ``ShippingConfig.ready``)."""
    carrier_register(BANGKOK_METRO, PostcodeZoneRates(country="TH", prefixes=("10", "11", "12")))
