"""The two gateways that need no card processor: PromptPay QR and cash on delivery.

Neither can be asked "has this been paid?": money arrives in the shop's bank account or in
the courier's hand. So ``create`` only prepares the payment (the QR payload for PromptPay),
``capture`` is staff confirming the money arrived, and ``refund`` records that staff sent the
money back. A PromptPay payment can also be confirmed by a provider's callback (a bank or a
PromptPay aggregator), signed with ``TRIDEX_PROMPTPAY_CALLBACK_SECRET`` the way Stripe signs
its webhooks: ``X-Tridex-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from tridex.core.money import InvalidMoney, Money
from tridex.payments.gateways.base import (
    GatewayError,
    GatewayResult,
    GatewayStatus,
    InvalidWebhook,
    PaymentRequest,
    RefundResult,
    WebhookEvent,
)
from tridex.payments.gateways.promptpay import promptpay_payload

SIGNATURE_HEADER = "X-Tridex-Signature"
TOLERANCE_SECONDS = 300


class _OfflineGateway:
    """Shared behaviour: staff confirm money in, staff record money out."""

    code = ""
    refunds_by_hand = True

    def create(self, request: PaymentRequest) -> GatewayResult:
        return GatewayResult(GatewayStatus.PENDING, request.reference, request.amount)

    def retrieve(self, external_id: str) -> GatewayResult:
        raise GatewayError(_("This payment method cannot be looked up; staff confirm it."))

    def capture(self, external_id: str, *, amount: Money, idempotency_key: str) -> GatewayResult:
        return GatewayResult(GatewayStatus.CAPTURED, external_id, amount, captured=amount)

    def void(self, external_id: str, *, idempotency_key: str) -> GatewayResult:
        return GatewayResult(GatewayStatus.CANCELLED, external_id, Money(0, "THB"))

    def refund(self, external_id: str, *, amount: Money, idempotency_key: str) -> RefundResult:
        # Staff return the money by bank transfer or in cash; Tridex records that they did.
        return RefundResult(external_id=f"manual-{idempotency_key}", amount=amount, succeeded=True)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        raise InvalidWebhook(_("This payment method has no webhooks."))


class CashOnDeliveryGateway(_OfflineGateway):
    code = "cod"


class PromptPayGateway(_OfflineGateway):
    code = "promptpay"

    def __init__(self, *, account: str = "", callback_secret: str | None = None) -> None:
        self.account = account
        self.callback_secret = (
            callback_secret
            if callback_secret is not None
            else getattr(settings, "TRIDEX_PROMPTPAY_CALLBACK_SECRET", "")
        )

    def create(self, request: PaymentRequest) -> GatewayResult:
        if not self.account:
            raise GatewayError(_("PromptPay is not set up: the shop has no PromptPay ID."))
        payload = promptpay_payload(
            target=self.account, amount=request.amount, reference=_bill_number(request.reference)
        )
        return GatewayResult(
            GatewayStatus.PENDING, request.reference, request.amount, raw={"qr_payload": payload}
        )

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """Verify a provider's "paid" callback: ``{"id", "reference", "amount", "currency"}``."""
        if not self.callback_secret:
            raise InvalidWebhook(_("PromptPay callbacks are not enabled."))
        verify_signature(body, _header(headers, SIGNATURE_HEADER), self.callback_secret)
        try:
            data = json.loads(body)
            amount = Money(Decimal(str(data["amount"])), str(data["currency"]))
            event_id, reference = str(data["id"]), str(data["reference"])
        except (ValueError, KeyError, TypeError, InvalidOperation, InvalidMoney) as exc:
            raise InvalidWebhook(_("The callback body is not valid.")) from exc
        return WebhookEvent(
            event_id=event_id,
            type="promptpay.paid",
            external_id=reference,
            status=GatewayStatus.CAPTURED,
            amount=amount,
            captured=amount,
            created=int(time.time()),
            raw=data,
        )


def _bill_number(reference: str) -> str:
    """PromptPay's bill number is at most 25 letters and digits."""
    return "".join(ch for ch in reference if ch.isalnum())[:25]


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return ""


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """The signature header value for ``body`` (what a provider sends; tests use it too)."""
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


def verify_signature(body: bytes, header: str, secret: str) -> None:
    parts = [part.split("=", 1) for part in header.split(",") if "=" in part]
    timestamps = [value for key, value in parts if key.strip() == "t"]
    signatures = [value for key, value in parts if key.strip() == "v1"]
    if not timestamps or not signatures or not timestamps[0].isdigit():
        raise InvalidWebhook(_("The callback is not signed."))
    timestamp = int(timestamps[0])
    if abs(time.time() - timestamp) > TOLERANCE_SECONDS:
        raise InvalidWebhook(_("The callback's signature has expired."))
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise InvalidWebhook(_("The callback's signature does not match."))
