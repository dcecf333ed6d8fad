"""The interface every payment gateway implements.

A gateway turns Tridex's intent ("take 1,290.00 THB for payment P-…") into the provider's calls
and the provider's answers and webhooks back into a small set of statuses. It never touches
orders or stock: ``payments.services`` applies its results in one transaction.

Every call that changes money at the provider carries an idempotency key derived from Tridex's
own ids, so a retried request (a timeout, a worker killed mid-task) can never charge or refund
twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _

from tridex.core.errors import DomainError
from tridex.core.money import Money


class GatewayStatus(models.TextChoices):
    """Where a payment stands at the provider. Ordered: a later status never goes back."""

    PENDING = "pending", _("Awaiting payment")
    AUTHORIZED = "authorized", _("Authorized")
    CAPTURED = "captured", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class GatewayError(DomainError):
    """The provider refused or could not be reached; safe to show, nothing was changed."""

    code = "payment_gateway_error"
    status = 502


class InvalidWebhook(DomainError):
    """A webhook whose signature, timestamp or body does not check out."""

    code = "invalid_webhook"
    status = 400


@dataclass(frozen=True)
class PaymentRequest:
    reference: str  # Tridex's payment reference, unique; the basis of idempotency keys
    amount: Money
    description: str = ""
    email: str = ""
    capture: bool = True  # False: authorize now, capture later from the back office
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GatewayResult:
    status: GatewayStatus
    external_id: str  # the provider's id of the payment (a PaymentIntent id, for Stripe)
    amount: Money
    captured: Money | None = None
    client_secret: str = ""  # handed to the browser (Stripe's Payment Element); never logged
    failure_message: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    external_id: str
    amount: Money
    succeeded: bool
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WebhookEvent:
    """A verified provider event, reduced to what changes a payment."""

    event_id: str  # unique per delivery subject: duplicates share it
    type: str
    external_id: str  # the payment it is about
    status: GatewayStatus | None  # None: an event Tridex records but that changes no payment
    amount: Money | None = None
    captured: Money | None = None
    created: int = 0  # provider's timestamp (seconds), for ordering
    raw: Mapping[str, Any] = field(default_factory=dict)


class Gateway(Protocol):
    code: str
    # True when money goes back by hand (a bank transfer, cash): ``refund`` only records that
    # staff sent it, so Tridex never calls it on its own.
    refunds_by_hand: bool

    def create(self, request: PaymentRequest) -> GatewayResult:
        """Start a payment at the provider (idempotent on ``request.reference``)."""
        ...

    def retrieve(self, external_id: str) -> GatewayResult:
        """Read the provider's current state of a payment."""
        ...

    def capture(self, external_id: str, *, amount: Money, idempotency_key: str) -> GatewayResult:
        """Capture an authorized payment, fully or partly."""
        ...

    def void(self, external_id: str, *, idempotency_key: str) -> GatewayResult:
        """Cancel a payment that has not been captured."""
        ...

    def refund(self, external_id: str, *, amount: Money, idempotency_key: str) -> RefundResult:
        """Return ``amount`` of a captured payment to the original payment method."""
        ...

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """Verify a webhook delivery and reduce it; raise ``InvalidWebhook`` if it fails."""
        ...
