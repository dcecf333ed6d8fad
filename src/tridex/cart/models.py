"""Carts and wishlists. A guest's is found by its token (kept in the session or sent by an
app); a customer's by its user. Prices are never stored as truth: the summary recomputes them,
and ``price_seen`` only remembers what the shopper last saw, to tell them when it changed."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tridex.catalog.models import Variant
from tridex.core.models import TimeStampedModel
from tridex.markets.models import Market


class Cart(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ORDERED = "ordered", _("Ordered")
        MERGED = "merged", _("Merged into another cart")

    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="carts",
        verbose_name=_("customer"),
    )
    market = models.ForeignKey(Market, on_delete=models.PROTECT, verbose_name=_("market"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="open"), name="cart_one_open_cart_per_user"
            )
        ]

    def __str__(self) -> str:
        return str(self.token)


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    price_seen = models.DecimalField(
        _("price when added"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cart_line_unique_variant"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cart_line_quantity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.variant_id}"


class Wishlist(TimeStampedModel):
    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    # Anyone with this link sees the list (read-only); a new link revokes the old one.
    share_token = models.UUIDField(_("share link"), default=uuid.uuid4, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="wishlist",
        verbose_name=_("customer"),
    )

    class Meta:
        verbose_name = _("wishlist")
        verbose_name_plural = _("wishlists")

    def __str__(self) -> str:
        return str(self.token)


class WishlistItem(models.Model):
    wishlist = models.ForeignKey(Wishlist, on_delete=models.CASCADE, related_name="items")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("wishlist item")
        verbose_name_plural = _("wishlist items")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["wishlist", "variant"], name="wishlist_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.wishlist_id}: {self.variant_id}"
