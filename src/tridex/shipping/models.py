"""Shipping methods of a market: flat, by weight, free above a threshold, or priced by a carrier.

Prices are in the market's currency and, like product prices, include tax in a market whose
prices include tax. Names and descriptions are translated (see ``translation.py``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries as iso_countries

from tridex.core.models import TimeStampedModel
from tridex.core.money import Money
from tridex.markets.models import Market
from tridex.shipping.carriers import carrier_get

GRAMS_PER_KG = 1000


def _amount_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=14,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0))],
        **kwargs,
    )


class ShippingMethod(TimeStampedModel):
    market = models.ForeignKey(
        Market, on_delete=models.CASCADE, related_name="shipping_methods", verbose_name=_("market")
    )
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=255, blank=True, default="")
    countries = models.JSONField(
        _("countries"),
        default=list,
        blank=True,
        help_text=_("ISO 3166 codes; empty means every country the market serves."),
    )
    base_price = _amount_field(_("base price"))
    price_per_kg = _amount_field(
        _("price per extra kg"),
        default=Decimal(0),
        help_text=_("Added for each started kilogram above the included weight."),
    )
    included_weight_grams = models.PositiveIntegerField(_("included weight (g)"), default=0)
    free_above = _amount_field(
        _("free from subtotal"),
        null=True,
        blank=True,
        help_text=_("Orders with at least this subtotal ship free; leave blank for never."),
    )
    max_weight_grams = models.PositiveIntegerField(
        _("maximum weight (g)"),
        null=True,
        blank=True,
        help_text=_("Heavier orders cannot use this method; leave blank for no limit."),
    )
    min_days = models.PositiveSmallIntegerField(_("minimum business days"))
    max_days = models.PositiveSmallIntegerField(_("maximum business days"))
    carrier = models.CharField(
        _("carrier rates"),
        max_length=32,
        blank=True,
        default="",
        help_text=_("Blank for the table price above; otherwise the carrier that prices it."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("shipping method")
        verbose_name_plural = _("shipping methods")
        ordering = ["market", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["market", "code"], name="shipping_method_code_unique"),
            models.CheckConstraint(
                condition=Q(min_days__lte=F("max_days")), name="shipping_method_days_ordered"
            ),
            models.CheckConstraint(
                condition=Q(base_price__gte=0) & Q(price_per_kg__gte=0),
                name="shipping_method_prices_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(free_above__isnull=True) | Q(free_above__gte=0),
                name="shipping_method_free_above_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        """Normalise country codes and refuse what would make the method unusable."""
        errors: dict[str, Any] = {}
        codes = self.countries if isinstance(self.countries, list) else None
        if codes is None or not all(isinstance(code, str) for code in codes):
            errors["countries"] = _("Enter a list of ISO 3166 country codes.")
        else:
            self.countries = list(dict.fromkeys(code.strip().upper() for code in codes))
            unknown = [code for code in self.countries if not is_country_code(code)]
            if unknown:
                errors["countries"] = _("Unknown country codes: %(codes)s.") % {
                    "codes": ", ".join(unknown)
                }
        days = (self.min_days, self.max_days)
        if None not in days and self.min_days > self.max_days:
            errors["max_days"] = _("The maximum cannot be less than the minimum.")
        if self.carrier and carrier_get(self.carrier) is None:
            errors["carrier"] = _("No carrier rate provider is registered as %(code)s.") % {
                "code": self.carrier
            }
        if errors:
            raise ValidationError(errors)

    def ships_to(self, country: str) -> bool:
        """Whether ``country`` is served: the method's list, else the market's (empty: world)."""
        allowed = self.countries or self.market.countries
        return not allowed or country in allowed

    def carries(self, weight_grams: int) -> bool:
        return self.max_weight_grams is None or weight_grams <= self.max_weight_grams

    def table_price(self, *, weight_grams: int) -> Money:
        """Base price plus ``price_per_kg`` for each started kg above the included weight."""
        extra = max(0, weight_grams - self.included_weight_grams)
        started_kg = -(-extra // GRAMS_PER_KG)
        return Money(self.base_price + started_kg * self.price_per_kg, self.market.currency)

    def is_free_for(self, subtotal: Money) -> bool:
        return self.free_above is not None and subtotal.amount >= self.free_above


def is_country_code(code: str) -> bool:
    """Whether ``code`` is an upper-case ISO 3166-1 alpha-2 code of a country."""
    return len(code) == 2 and code.isascii() and code.isalpha() and bool(iso_countries.alpha2(code))
