"""Payments of orders, their refunds, the payment options a shop offers per market, and the
webhook deliveries already applied (so a repeated delivery changes nothing)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tridex.core.models import TimeStampedModel
from tridex.core.money import Money
from tridex.markets.models import Market
from tridex.orders.models import Order
from tridex.payments.gateways.base import GatewayStatus

AMOUNT: dict[str, Any] = {"max_digits": 14, "decimal_places": 4}


class Method(models.TextChoices):
    STRIPE = "stripe", _("Card (Stripe)")
    PROMPTPAY = "promptpay", _("PromptPay QR")
    COD = "cod", _("Cash on delivery")


class PaymentOption(models.Model):
    """A payment method offered in a market, optionally only for order totals in a range."""

    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="payment_options")
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    is_active = models.BooleanField(_("offered"), default=True)
    min_total = models.DecimalField(
        _("minimum order total"), null=True, blank=True, validators=[MinValueValidator(0)], **AMOUNT
    )
    max_total = models.DecimalField(
        _("maximum order total"), null=True, blank=True, validators=[MinValueValidator(0)], **AMOUNT
    )
    account = models.CharField(
        _("PromptPay ID"),
        max_length=20,
        blank=True,
        default="",
        help_text=_("The phone number, tax ID or e-wallet ID that receives PromptPay payments."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("payment option")
        verbose_name_plural = _("payment options")
        ordering = ["market", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["market", "method"], name="payments_option_unique"),
            models.CheckConstraint(
                condition=Q(min_total__isnull=True)
                | Q(max_total__isnull=True)
                | Q(min_total__lte=F("max_total")),
                name="payments_option_min_lte_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.market.code}: {self.get_method_display()}"


class Payment(TimeStampedModel):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=GatewayStatus.choices, default=GatewayStatus.PENDING
    )
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    captured_amount = models.DecimalField(_("captured"), default=Decimal(0), **AMOUNT)
    refunded_amount = models.DecimalField(_("refunded"), default=Decimal(0), **AMOUNT)
    external_id = models.CharField(_("provider id"), max_length=255, blank=True, default="")
    # The provider's id of the transfer that paid it; empty while unpaid or when staff
    # confirmed it. A second PromptPay transfer is told apart from the first by this id.
    capture_event_id = models.CharField(max_length=255, blank=True, default="")
    client_secret = models.CharField(max_length=255, blank=True, default="")
    qr_payload = models.TextField(_("QR payload"), blank=True, default="")
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    failure_message = models.CharField(_("failure"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["method", "external_id"], name="payments_external_id")]
        constraints = [
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=F("captured_amount")),
                name="payments_refund_lte_captured",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    def money(self, amount: Decimal) -> Money:
        return Money(amount, self.currency)


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        # PromptPay and cash go back by hand: Tridex waits for staff to say they sent it.
        TO_SEND = "to_send", _("To be sent by staff")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="refunds")
    amount = models.DecimalField(_("amount"), **AMOUNT)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    # Sent with the provider call; the same refund retried can never pay out twice.
    idempotency_key = models.CharField(max_length=100, unique=True)
    external_id = models.CharField(_("provider id"), max_length=255, blank=True, default="")
    reason = models.CharField(_("reason"), max_length=255, blank=True, default="")
    # The units the refund takes off the order: orders.services.UnitsBack.as_json().
    units = models.JSONField(default=dict, blank=True)
    # Part of cancelling the order: the order becomes cancelled, not refunded.
    cancels_order = models.BooleanField(default=False)
    actor = models.CharField(_("by"), max_length=255, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_refund_gt_0")
        ]

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.amount}"


class WebhookReceipt(models.Model):
    """A provider event already applied. Its unique key turns a repeat into a no-op."""

    gateway = models.CharField(max_length=16)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    created = models.BigIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["gateway", "event_id"], name="payments_webhook_once")
        ]

    def __str__(self) -> str:
        return f"{self.gateway}:{self.event_id}"
