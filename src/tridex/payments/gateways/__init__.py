"""Payment gateways behind one interface (``base.Gateway``): Stripe, PromptPay and cash on
delivery. ``gateway_for`` is the one place that builds them."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tridex.payments.gateways.base import Gateway, GatewayError
from tridex.payments.gateways.local import CashOnDeliveryGateway, PromptPayGateway
from tridex.payments.gateways.stripe import StripeGateway


def gateway_for(method: str, *, account: str = "") -> Gateway:
    """The gateway of a payment method (``account``: the PromptPay ID that receives money)."""
    if method == "stripe":
        return StripeGateway.from_settings()
    if method == "promptpay":
        return PromptPayGateway(account=account)
    if method == "cod":
        return CashOnDeliveryGateway()
    raise GatewayError(_("Unknown payment method."), code="unknown_payment_method")


def refunds_by_hand(method: str) -> bool:
    """Whether money paid with ``method`` goes back by hand (see ``Gateway.refunds_by_hand``)."""
    gateways: dict[str, type[Gateway]] = {
        "stripe": StripeGateway,
        "promptpay": PromptPayGateway,
        "cod": CashOnDeliveryGateway,
    }
    return gateways[method].refunds_by_hand
