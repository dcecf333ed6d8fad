"""Warehouses and stock per variant per warehouse; every change leaves a movement."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tridex.accounts.models import User
from tridex.catalog.models import Variant
from tridex.core.models import TimeStampedModel
from tridex.markets.models import Market


class Warehouse(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    markets = models.ManyToManyField(
        Market, related_name="warehouses", blank=True, verbose_name=_("markets served")
    )
    country = models.CharField(_("country"), max_length=2, default="TH")
    address = models.TextField(_("address"), blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Stock(models.Model):
    """Units of a variant in a warehouse. ``reserved`` units are held for checkouts."""

    variant = models.ForeignKey(
        Variant, on_delete=models.CASCADE, related_name="stocks", verbose_name=_("variant")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.CASCADE, related_name="stocks", verbose_name=_("warehouse")
    )
    quantity = models.PositiveIntegerField(_("on hand"), default=0)
    reserved = models.PositiveIntegerField(_("reserved"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        constraints = [
            models.UniqueConstraint(fields=["variant", "warehouse"], name="inventory_stock_unique"),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("quantity")),
                name="inventory_stock_reserved_lte_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant} @ {self.warehouse}: {self.available}"

    @property
    def available(self) -> int:
        return self.quantity - self.reserved


class StockMovement(models.Model):
    """An append-only ledger line: why a stock quantity changed, by how much, and who did it."""

    class Reason(models.TextChoices):
        RECEIVED = "received", _("Received")
        ADJUSTED = "adjusted", _("Adjusted")
        COUNTED = "counted", _("Counted")
        DAMAGED = "damaged", _("Damaged")
        IMPORTED = "imported", _("Imported")
        SOLD = "sold", _("Sold")
        RETURNED = "returned", _("Returned")

    stock = models.ForeignKey(Stock, on_delete=models.CASCADE, related_name="movements")
    delta = models.IntegerField(_("change"))
    quantity_after = models.PositiveIntegerField(_("on hand after"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=255, blank=True, default="")
    # The checkout or order the change belongs to (``order:42``): returns go back where sold.
    reference = models.CharField(
        _("reference"), max_length=64, blank=True, default="", db_index=True
    )
    actor = models.CharField(_("by"), max_length=255, blank=True, default="")
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.delta:+d} → {self.quantity_after} ({self.reason})"


class Reservation(models.Model):
    """Units held for one checkout (``reference``, such as ``order:42``) until ``expires_at``.

    The units are counted in ``Stock.reserved`` while the row exists; releasing or committing
    the reservation deletes the row and moves the count, in one transaction.
    """

    stock = models.ForeignKey(Stock, on_delete=models.CASCADE, related_name="reservations")
    reference = models.CharField(_("reference"), max_length=64)
    quantity = models.PositiveIntegerField(_("quantity"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [
            models.UniqueConstraint(
                fields=["reference", "stock"], name="inventory_reservation_once"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_reservation_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.quantity} × {self.stock_id}"


class WarehouseAssignment(models.Model):
    """A staff member's scope: the warehouses they work in.

    A staff member with no assignment is not scoped (their roles apply to every warehouse);
    one with assignments sees and changes the stock of those warehouses only
    (``selectors.warehouses_for``). A superuser is never scoped.
    """

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="warehouse_assignments",
        verbose_name=_("staff member"),
    )
    warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("warehouse"),
    )
    created_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("warehouse assignment")
        verbose_name_plural = _("warehouse assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "warehouse"], name="inventory_warehouse_assignment_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.warehouse}"
