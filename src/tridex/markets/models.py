"""Markets: where and how the shop sells — countries, currency, languages, tax mode.

Adding a market is data, not code. Thailand/THB is the default (base) market; another market
either has explicit prices or converts from the base market's with ``exchange_rate`` and
``price_rounding``.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tridex.core.models import TimeStampedModel


class PriceRounding(models.TextChoices):
    MINOR_UNIT = "minor", _("To the currency's minor unit")
    WHOLE = "whole", _("Up to a whole unit")
    NINETY_NINE = "99", _("Up to .99 (19.99)")
    TENS = "tens", _("Up to the next ten")
    CHARM_NINE = "9", _("Up to a price ending in 9 (199)")


class Market(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    countries = models.JSONField(
        _("countries"), default=list, help_text=_("ISO 3166 codes; empty means the world.")
    )
    currency = models.CharField(_("currency"), max_length=3)
    languages = models.JSONField(_("languages"), default=list)
    default_language = models.CharField(_("default language"), max_length=8, default="en")
    prices_include_tax = models.BooleanField(_("prices include tax"), default=False)
    tax_rate = models.DecimalField(
        _("standard tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    tax_name = models.CharField(_("tax name"), max_length=32, blank=True, default="")
    is_default = models.BooleanField(_("base market"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    exchange_rate = models.DecimalField(
        _("exchange rate from the base market"),
        max_digits=18,
        decimal_places=8,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.00000001"))],
        help_text=_("Units of this market's currency for one unit of the base currency."),
    )
    price_rounding = models.CharField(
        _("rounding of converted prices"),
        max_length=8,
        choices=PriceRounding.choices,
        default=PriceRounding.MINOR_UNIT,
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("market")
        verbose_name_plural = _("markets")
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="markets_one_default_market",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"

    @property
    def home_country(self) -> str:
        """The market's country when it sells to exactly one (Thailand), else "": carts are
        priced and addresses prefilled for it until the shopper says where they are."""
        countries = self.countries or []
        return countries[0] if len(countries) == 1 else ""
