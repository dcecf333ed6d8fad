"""Stripe: cards and wallets through PaymentIntents and the Payment Element.

The browser collects the card with Stripe's Payment Element, using the PaymentIntent's
``client_secret``; this module only talks to Stripe from the server: it creates, reads,
captures, cancels and refunds PaymentIntents, and verifies the webhooks Stripe sends back.
Every call goes through the official SDK (``stripe.StripeClient``) and every ``StripeError``
becomes a ``GatewayError`` with a translated message, so no provider exception reaches a view.

Settings, read when a gateway is built (never at import):

``STRIPE_SECRET_KEY``
    The secret API key (``sk_live_…``/``sk_test_…`` or a restricted ``rk_…``). Required.
``STRIPE_WEBHOOK_SECRET``
    The signing secret of the webhook endpoint (``whsec_…``). Required.
``STRIPE_PUBLISHABLE_KEY``
    The publishable key (``pk_…``) handed to the browser; see ``stripe_publishable_key()``.
``STRIPE_API_BASE``
    Where the API lives; ``https://api.stripe.com`` unless tests point it at a local fake.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import stripe
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tridex.core.money import Money, minor_unit
from tridex.payments.gateways.base import (
    GatewayError,
    GatewayResult,
    GatewayStatus,
    InvalidWebhook,
    PaymentRequest,
    RefundResult,
    WebhookEvent,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_API_BASE = "https://api.stripe.com"
# Stripe's own default: a signature older than five minutes is a replay, not a delivery.
WEBHOOK_TOLERANCE_SECONDS = 300

_PENDING_STATUSES = frozenset(
    {"requires_payment_method", "requires_confirmation", "requires_action", "processing"}
)

_EVENT_STATUS: Mapping[str, GatewayStatus] = {
    "payment_intent.succeeded": GatewayStatus.CAPTURED,
    "payment_intent.amount_capturable_updated": GatewayStatus.AUTHORIZED,
    "payment_intent.payment_failed": GatewayStatus.FAILED,
    "payment_intent.canceled": GatewayStatus.CANCELLED,
    "payment_intent.processing": GatewayStatus.PENDING,
    "payment_intent.created": GatewayStatus.PENDING,
}

# Stripe's card error codes worth telling apart; its own messages are English only, and the
# decline_code (fraudulent, stolen_card…) is deliberately never shown, as Stripe advises.
_CARD_MESSAGES = {
    "card_declined": gettext_lazy("The card was declined. Please use another card."),
    "expired_card": gettext_lazy("The card has expired. Please use another card."),
    "incorrect_cvc": gettext_lazy("The card's security code is incorrect."),
    "incorrect_number": gettext_lazy("The card number is incorrect."),
    "insufficient_funds": gettext_lazy("The card has insufficient funds."),
    "authentication_required": gettext_lazy(
        "Your bank needs you to confirm this payment. Please try again."
    ),
}

# Keys, webhook secrets and client secrets must never reach a log line.
_SECRET_PATTERN = re.compile(r"(?:sk|rk|pk)_(?:live|test)_\w+|whsec_\w+|\w+_secret_\w+")


def stripe_publishable_key() -> str:
    """Return the publishable key for the browser, or "" when Stripe is not configured."""
    return str(getattr(settings, "STRIPE_PUBLISHABLE_KEY", "") or "")


class StripeGateway:
    """The ``Gateway`` for Stripe PaymentIntents (see ``base.Gateway`` for the contract)."""

    code = "stripe"
    refunds_by_hand = False

    def __init__(
        self,
        *,
        secret_key: str,
        webhook_secret: str,
        api_base: str = DEFAULT_API_BASE,
        timeout: float = 30.0,
        max_network_retries: int = 2,
    ) -> None:
        # Retrying is safe because every call that changes money carries an idempotency key:
        # Stripe replays the first answer instead of charging twice.
        self._webhook_secret = webhook_secret
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base},
            http_client=stripe.RequestsClient(timeout=timeout),
            max_network_retries=max_network_retries,
        )

    @classmethod
    def from_settings(cls) -> StripeGateway:
        """Build the gateway from Django settings; ``GatewayError`` if Stripe is not set up."""
        secret_key = getattr(settings, "STRIPE_SECRET_KEY", "")
        webhook_secret = getattr(settings, "STRIPE_WEBHOOK_SECRET", "")
        if not secret_key or not webhook_secret:
            raise GatewayError(
                _("Card payments are not configured."), code="gateway_not_configured"
            )
        api_base = getattr(settings, "STRIPE_API_BASE", "") or DEFAULT_API_BASE
        return cls(secret_key=secret_key, webhook_secret=webhook_secret, api_base=api_base)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"  # never the key

    def create(self, request: PaymentRequest) -> GatewayResult:
        """Create a PaymentIntent; the same reference always yields the same intent."""
        params: dict[str, Any] = {
            "amount": to_minor_units(request.amount),
            "currency": request.amount.currency.lower(),
            "automatic_payment_methods": {"enabled": True},
            "capture_method": "automatic" if request.capture else "manual",
            "metadata": {**request.metadata, "tridex_reference": request.reference},
        }
        if request.description:
            params["description"] = request.description
        if request.email:
            params["receipt_email"] = request.email
        options: Any = {"idempotency_key": f"tridex-create-{request.reference}"}
        intent = self._call("create", self._client.v1.payment_intents.create, params, options)
        return intent_result(intent.to_dict())

    def retrieve(self, external_id: str) -> GatewayResult:
        """Read a PaymentIntent as it stands at Stripe."""
        intent = self._call("retrieve", self._client.v1.payment_intents.retrieve, external_id)
        return intent_result(intent.to_dict())

    def capture(self, external_id: str, *, amount: Money, idempotency_key: str) -> GatewayResult:
        """Capture ``amount`` of an authorized intent; Stripe releases the rest."""
        params: Any = {"amount_to_capture": to_minor_units(amount)}
        options: Any = {"idempotency_key": idempotency_key}
        capture = self._client.v1.payment_intents.capture
        intent = self._call("capture", capture, external_id, params, options)
        return intent_result(intent.to_dict())

    def void(self, external_id: str, *, idempotency_key: str) -> GatewayResult:
        """Cancel an intent that has not been captured (an authorization is released)."""
        options: Any = {"idempotency_key": idempotency_key}
        cancel = self._client.v1.payment_intents.cancel
        intent = self._call("void", cancel, external_id, None, options)
        return intent_result(intent.to_dict())

    def refund(self, external_id: str, *, amount: Money, idempotency_key: str) -> RefundResult:
        """Refund ``amount`` of a captured intent to the card it came from."""
        params: Any = {"payment_intent": external_id, "amount": to_minor_units(amount)}
        options: Any = {"idempotency_key": idempotency_key}
        refund = self._call("refund", self._client.v1.refunds.create, params, options)
        return refund_result(refund.to_dict())

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """Verify ``Stripe-Signature`` as Stripe specifies, then reduce the event."""
        signature = _header(headers, "Stripe-Signature")
        try:
            stripe.WebhookSignature.verify_header(
                body, signature, self._webhook_secret, WEBHOOK_TOLERANCE_SECONDS
            )
        except (stripe.SignatureVerificationError, UnicodeDecodeError) as exc:
            logger.warning("Rejected a Stripe webhook: %s", _redact(str(exc).splitlines()[0]))
            raise InvalidWebhook(_("The webhook signature is missing, wrong or too old.")) from exc
        return reduce_event(_load_event(body))

    def _call(self, action: str, method: Callable[..., T], *args: Any) -> T:
        """Call the SDK; turn any ``StripeError`` into a ``GatewayError`` and log the original."""
        try:
            return method(*args)
        except stripe.StripeError as exc:
            code = exc.code or (exc.error.code if exc.error else None)
            logger.warning(
                "Stripe %s failed: %s (http %s, code %s, request %s): %s",
                action,
                type(exc).__name__,
                exc.http_status,
                code,
                exc.request_id,
                _redact(exc.user_message or ""),
            )
            extra = {"provider_code": code} if code else {}
            raise GatewayError(error_message(exc), **extra) from exc


def to_minor_units(money: Money) -> int:
    """Return the amount in the currency's smallest unit, as Stripe expects (THB 12.90 → 1290)."""
    return int(money.amount.scaleb(minor_unit(money.currency)))


def from_minor_units(value: int, currency: str) -> Money:
    """Return Money from Stripe's integer amount in the smallest unit of ``currency``."""
    code = currency.upper()
    return Money(Decimal(int(value)).scaleb(-minor_unit(code)), code)


def intent_status(intent: Mapping[str, Any]) -> GatewayStatus:
    """Map a PaymentIntent's status onto Tridex's; unknown future statuses stay pending."""
    status = intent.get("status")
    if status == "requires_payment_method" and intent.get("last_payment_error"):
        return GatewayStatus.FAILED
    if status == "requires_capture":
        return GatewayStatus.AUTHORIZED
    if status == "succeeded":
        return GatewayStatus.CAPTURED
    if status == "canceled":
        return GatewayStatus.CANCELLED
    if status not in _PENDING_STATUSES:
        logger.warning("Unknown PaymentIntent status %r treated as pending", status)
    return GatewayStatus.PENDING


def intent_result(intent: Mapping[str, Any]) -> GatewayResult:
    """Reduce a PaymentIntent (as a dict) to a ``GatewayResult``."""
    status = intent_status(intent)
    currency = intent["currency"]
    received = from_minor_units(intent.get("amount_received") or 0, currency)
    return GatewayResult(
        status=status,
        external_id=intent["id"],
        amount=from_minor_units(intent["amount"], currency),
        captured=received if status == GatewayStatus.CAPTURED else None,
        client_secret=intent.get("client_secret") or "",
        failure_message=_failure_message(intent) if status == GatewayStatus.FAILED else "",
        # The client secret lets anyone holding it confirm the payment: it stays out of
        # whatever is stored or logged from ``raw``.
        raw={k: v for k, v in intent.items() if k != "client_secret"},
    )


def refund_result(refund: Mapping[str, Any]) -> RefundResult:
    """Reduce a Refund; "pending" counts as done, so a slow refund is never issued twice."""
    return RefundResult(
        external_id=refund["id"],
        amount=from_minor_units(refund["amount"], refund["currency"]),
        succeeded=refund.get("status") in ("succeeded", "pending"),
        raw=dict(refund),
    )


def reduce_event(event: Mapping[str, Any]) -> WebhookEvent:
    """Reduce a verified Stripe event to the payment it is about and the status it implies."""
    obj = event["data"]["object"]
    kind = obj.get("object")
    external_id = obj.get("id") if kind == "payment_intent" else obj.get("payment_intent")
    if isinstance(external_id, Mapping):  # an expanded PaymentIntent
        external_id = external_id.get("id")
    try:
        amount, captured = _event_amounts(obj)
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise InvalidWebhook(_("The webhook body is not a Stripe event.")) from exc
    return WebhookEvent(
        event_id=event["id"],
        type=event["type"],
        external_id=external_id if isinstance(external_id, str) else "",
        status=_EVENT_STATUS.get(event["type"]),
        amount=amount,
        captured=captured,
        created=event["created"],
        raw=event,
    )


def error_message(exc: stripe.StripeError) -> str:
    """Return a translated message for a Stripe failure, safe to show to a customer."""
    if isinstance(exc, stripe.CardError):
        return str(_CARD_MESSAGES.get(exc.code or "", _CARD_MESSAGES["card_declined"]))
    if isinstance(exc, stripe.APIConnectionError):
        return _("The payment provider could not be reached. Please try again.")
    if isinstance(exc, stripe.RateLimitError):
        return _("The payment provider is busy. Please try again in a moment.")
    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
        return _("Card payments are unavailable at the moment. Please choose another method.")
    if isinstance(exc, stripe.InvalidRequestError):
        return _("The payment provider refused this request.")
    return _("The payment provider had a problem. Please try again.")


def _event_amounts(obj: Mapping[str, Any]) -> tuple[Money | None, Money | None]:
    """Return (amount, captured) of a PaymentIntent or Charge; (None, None) for other objects."""
    kind = obj.get("object")
    if kind == "payment_intent":
        amount = from_minor_units(obj["amount"], obj["currency"])
        if obj.get("status") != "succeeded":
            return amount, None
        return amount, from_minor_units(obj.get("amount_received") or 0, obj["currency"])
    if kind == "charge":
        amount = from_minor_units(obj["amount"], obj["currency"])
        if not obj.get("captured"):
            return amount, None
        return amount, from_minor_units(obj.get("amount_captured") or 0, obj["currency"])
    return None, None


def _load_event(body: bytes) -> Mapping[str, Any]:
    """Parse the (already verified) body and check it has the shape of a Stripe event."""
    try:
        event = json.loads(body)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
        raise InvalidWebhook(_("The webhook body is not a Stripe event.")) from exc
    if not (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and isinstance(event.get("type"), str)
        and isinstance(event.get("created"), int)
        and isinstance(event.get("data"), dict)
        and isinstance(event["data"].get("object"), dict)
    ):
        raise InvalidWebhook(_("The webhook body is not a Stripe event."))
    return event


def _failure_message(intent: Mapping[str, Any]) -> str:
    error = intent.get("last_payment_error") or {}
    code = error.get("code") or ""
    if code in _CARD_MESSAGES:
        return str(_CARD_MESSAGES[code])
    return _("The payment did not go through. Please try another payment method.")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Find a header whatever its case, in request.headers or in a META-style mapping."""
    wanted = {name.lower(), "http_" + name.lower().replace("-", "_")}
    for key, value in headers.items():
        if key.lower() in wanted:
            return value
    return None


def _redact(text: str) -> str:
    return _SECRET_PATTERN.sub("[redacted]", text)
