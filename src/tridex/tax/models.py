"""Tax rates by destination within a market.

A market carries its standard rate (Thailand: VAT 7 %, included in prices). A ``TaxRate`` row
overrides it for one destination country, or one region (a US state) of that country, which
is how a market that sells abroad with prices before tax charges each destination's own rate.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from tridex.core.models import TimeStampedModel
from tridex.markets.models import Market

REGION_MAX_LENGTH = 8


def is_country_code(code: str) -> bool:
    """Whether ``code`` is an upper-case ISO 3166-1 alpha-2 code of a country."""
    return len(code) == 2 and code.isascii() and code.isalpha() and bool(countries.alpha2(code))


class TaxRate(TimeStampedModel):
    """The rate charged on sales from ``market`` delivered to ``country`` (and ``region``)."""

    market = models.ForeignKey(
        Market, on_delete=models.CASCADE, related_name="tax_rates", verbose_name=_("market")
    )
    country = models.CharField(
        _("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code, e.g. GB.")
    )
    region = models.CharField(
        _("region"),
        max_length=REGION_MAX_LENGTH,
        blank=True,
        default="",
        help_text=_("State or province code, e.g. CA; leave blank for the whole country."),
    )
    name = models.CharField(_("tax name"), max_length=32, help_text=_("For example VAT or GST."))
    rate = models.DecimalField(
        _("rate (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        verbose_name = _("tax rate")
        verbose_name_plural = _("tax rates")
        ordering = ["market", "country", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["market", "country", "region"], name="tax_taxrate_unique_destination"
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lte=100), name="tax_taxrate_rate_0_100"
            ),
        ]

    def __str__(self) -> str:
        where = f"{self.country}-{self.region}" if self.region else self.country
        return f"{where}: {self.name} {self.rate}%"

    def clean(self) -> None:
        """Store codes upper-case, the way lookups normalise them, and refuse unknown countries."""
        self.country = (self.country or "").strip().upper()
        self.region = (self.region or "").strip().upper()
        if not is_country_code(self.country):
            raise ValidationError({"country": _("Enter a valid ISO 3166-1 country code.")})
