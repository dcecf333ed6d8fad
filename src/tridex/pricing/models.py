"""Prices per variant per market, and the per-product price summary listings sort by."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tridex.catalog.models import Product, Variant
from tridex.core.models import TimeStampedModel
from tridex.markets.models import Market


class Price(TimeStampedModel):
    """An explicit price of one variant in one market, in that market's currency."""

    variant = models.ForeignKey(
        Variant, on_delete=models.CASCADE, related_name="prices", verbose_name=_("variant")
    )
    market = models.ForeignKey(
        Market, on_delete=models.CASCADE, related_name="prices", verbose_name=_("market")
    )
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(
        _("price"), validators=[MinValueValidator(0)], max_digits=14, decimal_places=4
    )
    compare_at_amount = models.DecimalField(
        _("compare-at price"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        max_digits=14,
        decimal_places=4,
    )
    cost_amount = models.DecimalField(
        _("cost"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        max_digits=14,
        decimal_places=4,
    )

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        constraints = [
            models.UniqueConstraint(fields=["variant", "market"], name="pricing_price_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="pricing_price_amount_gte_0"),
            models.CheckConstraint(
                condition=Q(compare_at_amount__isnull=True) | Q(compare_at_amount__gt=F("amount")),
                name="pricing_price_compare_at_above_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant} {self.amount} {self.currency}"


class ProductPriceRange(models.Model):
    """Lowest and highest active-variant price of a product in a market, precomputed.

    Explicit and converted prices both land here, so a listing filters and sorts by price with
    one indexed join. ``pricing.services`` keeps it current whenever a price or rate changes.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="price_ranges")
    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(max_length=3)
    min_amount = models.DecimalField(max_digits=14, decimal_places=4)
    max_amount = models.DecimalField(max_digits=14, decimal_places=4)
    min_compare_at_amount = models.DecimalField(
        null=True, blank=True, max_digits=14, decimal_places=4
    )

    class Meta:
        verbose_name = _("product price range")
        verbose_name_plural = _("product price ranges")
        constraints = [
            models.UniqueConstraint(fields=["product", "market"], name="pricing_range_unique")
        ]
        indexes = [models.Index(fields=["market", "min_amount"], name="pricing_range_sort")]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.market_id}: {self.min_amount}-{self.max_amount}"
