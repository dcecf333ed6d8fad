"""Orders: what was bought, at what price and tax, by whom, shipped where, and what happened.

Lines keep a snapshot (name, SKU, price, tax) taken when the order was placed, so an order
reads the same years later whatever happens to the catalog. Amounts are stored as decimals in
the order's ``currency``; ``Order.money()`` turns them into ``Money``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tridex.catalog.models import Variant
from tridex.core.models import TimeStampedModel
from tridex.core.money import Money
from tridex.markets.models import Market

AMOUNT: dict[str, Any] = {"max_digits": 14, "decimal_places": 4, "default": Decimal("0")}


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Pending payment")
    PAID = "paid", _("Paid")
    PROCESSING = "processing", _("Processing")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


class RefundStatus(models.TextChoices):
    """How much of what was paid went back. It sits beside the status: a partly refunded order
    is still paid, processing or shipped; a fully refunded one also becomes ``REFUNDED``."""

    NONE = "none", _("Not refunded")
    PARTIAL = "partial", _("Partially refunded")
    FULL = "full", _("Refunded in full")


class Order(TimeStampedModel):
    number = models.CharField(_("order number"), max_length=20, unique=True)
    # Lets a guest open their order page from the confirmation email without an account.
    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("customer"),
    )
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=32, blank=True, default="")
    language = models.CharField(_("language"), max_length=8, default="th")
    market = models.ForeignKey(Market, on_delete=models.PROTECT, verbose_name=_("market"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=OrderStatus.choices,
        default=OrderStatus.PENDING_PAYMENT,
        db_index=True,
    )
    refund_status = models.CharField(
        _("refund"), max_length=8, choices=RefundStatus.choices, default=RefundStatus.NONE
    )
    shipping_address = models.JSONField(_("shipping address"), default=dict)
    billing_address = models.JSONField(_("billing address"), default=dict)
    shipping_method_code = models.CharField(_("shipping method"), max_length=64)
    shipping_method_name = models.CharField(_("shipping method name"), max_length=200)
    shipping_min_days = models.PositiveSmallIntegerField(default=0)
    shipping_max_days = models.PositiveSmallIntegerField(default=0)
    payment_method = models.CharField(_("payment method"), max_length=32)
    prices_include_tax = models.BooleanField(_("prices include tax"))
    subtotal = models.DecimalField(_("subtotal"), **AMOUNT)
    shipping_price = models.DecimalField(_("shipping"), **AMOUNT)
    tax_total = models.DecimalField(_("tax"), **AMOUNT)
    total = models.DecimalField(_("total"), **AMOUNT)
    # [{"name": "VAT 7%", "rate": "7", "taxable": "…", "tax": "…"}, …]
    tax_breakdown = models.JSONField(_("tax breakdown"), default=list)
    paid_amount = models.DecimalField(_("paid"), **AMOUNT)
    refunded_amount = models.DecimalField(_("refunded"), **AMOUNT)
    customer_note = models.TextField(_("note from the customer"), blank=True, default="")
    placed_at = models.DateTimeField(_("placed at"), db_index=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-placed_at"], name="orders_order_user_placed"),
            models.Index(fields=["status", "-placed_at"], name="orders_order_status_placed"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="orders_order_total_gte_0"),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=models.F("paid_amount")),
                name="orders_order_refund_lte_paid",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def money(self, amount: Decimal) -> Money:
        return Money(amount, self.currency)

    @property
    def reservation_reference(self) -> str:
        """The name under which this order holds and sells stock."""
        return f"order:{self.pk}"

    @property
    def refundable(self) -> Money:
        return self.money(self.paid_amount - self.refunded_amount)

    @property
    def status_text(self) -> str:
        """The status as people read it, with a partial refund beside it."""
        if self.refund_status == RefundStatus.PARTIAL:
            return gettext("%(status)s · partially refunded") % {
                "status": self.get_status_display()
            }
        return str(self.get_status_display())


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        Variant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    product_id_snapshot = models.PositiveBigIntegerField(_("product id"), null=True, blank=True)
    product_name = models.CharField(_("product"), max_length=200)
    variant_name = models.CharField(_("option"), max_length=200, blank=True, default="")
    sku = models.CharField(_("SKU"), max_length=64)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4)
    total = models.DecimalField(_("line total"), max_digits=14, decimal_places=4)
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=5, decimal_places=2)
    tax_amount = models.DecimalField(_("tax"), max_digits=14, decimal_places=4)
    quantity_shipped = models.PositiveIntegerField(_("shipped"), default=0)
    # Taken off before shipping (they went back to stock and will not be sent).
    quantity_cancelled = models.PositiveIntegerField(_("cancelled"), default=0)
    # Shipped, then sent back by the customer.
    quantity_returned = models.PositiveIntegerField(_("returned"), default=0)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_line_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(quantity_shipped__lte=models.F("quantity")),
                name="orders_line_shipped_lte_quantity",
            ),
            models.CheckConstraint(
                condition=Q(
                    quantity_cancelled__lte=models.F("quantity") - models.F("quantity_shipped")
                ),
                name="orders_line_cancelled_lte_unshipped",
            ),
            models.CheckConstraint(
                condition=Q(quantity_returned__lte=models.F("quantity_shipped")),
                name="orders_line_returned_lte_shipped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"

    @property
    def quantity_to_ship(self) -> int:
        """Units still waiting for a parcel."""
        return self.quantity - self.quantity_shipped - self.quantity_cancelled

    @property
    def quantity_returnable(self) -> int:
        """Shipped units that could still come back."""
        return self.quantity_shipped - self.quantity_returned


class OrderEvent(models.Model):
    """One entry of the order's timeline. ``data`` holds what the message is built from, so
    the timeline reads in the language of whoever looks at it."""

    class Kind(models.TextChoices):
        PLACED = "placed", _("Placed")
        STATUS = "status", _("Status changed")
        PAYMENT = "payment", _("Payment")
        REFUND = "refund", _("Refund")
        SHIPMENT = "shipment", _("Shipment")
        STOCK = "stock", _("Stock")
        EMAIL = "email", _("Email")
        NOTE = "note", _("Note")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    code = models.CharField(_("what"), max_length=48)
    data = models.JSONField(default=dict, blank=True)
    actor = models.CharField(_("by"), max_length=255, blank=True, default="")
    is_public = models.BooleanField(_("shown to the customer"), default=False)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.code}"


class Shipment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    carrier = models.CharField(_("carrier"), max_length=100)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True, default="")
    tracking_url = models.URLField(_("tracking link"), blank=True, default="")
    shipped_at = models.DateTimeField(_("shipped at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    actor = models.CharField(_("by"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["shipped_at", "id"]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}".strip()


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_shipline_qty_gt_0")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.order_line_id}"


class OrderEmail(models.Model):
    """An email sent about an order: recorded once, so a retried task never sends it twice."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(_("kind"), max_length=32)
    key = models.CharField(max_length=64, default="", blank=True)  # tells repeat kinds apart
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "kind", "key"], name="orders_email_once")
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.kind}"
