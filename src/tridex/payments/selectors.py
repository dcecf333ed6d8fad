"""Payment reads: which methods a shopper may choose, and an order's payments."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings

from tridex.core.money import Money
from tridex.core.refcache import TableCache
from tridex.markets.models import Market
from tridex.orders.models import Order
from tridex.payments.gateways.base import GatewayStatus
from tridex.payments.models import Method, Payment, PaymentOption


@dataclass(frozen=True)
class PaymentOptionView:
    method: str
    label: str
    account: str


def _configured(option: PaymentOption) -> bool:
    """A method the shop switched on but cannot take yet is not offered."""
    if option.method == Method.STRIPE:
        return bool(getattr(settings, "STRIPE_SECRET_KEY", ""))
    if option.method == Method.PROMPTPAY:
        return bool(option.account) and option.market.currency == "THB"
    return True


def payment_options(*, market: Market, total: Money) -> list[PaymentOptionView]:
    """The methods offered in ``market`` for an order of ``total``, in the shop's order."""
    return [
        PaymentOptionView(option.method, str(option.get_method_display()), option.account)
        for option in _options.get().get(market.pk, ())
        if option.is_active
        and _configured(option)
        and (option.min_total is None or total.amount >= option.min_total)
        and (option.max_total is None or total.amount <= option.max_total)
    ]


def payment_account(*, market_id: int, method: str) -> str:
    """The account a market's option of ``method`` pays into (a PromptPay ID), or ``""``."""
    for option in _options.get().get(market_id, ()):
        if option.method == method:
            return option.account
    return ""


def _load_options() -> dict[int, list[PaymentOption]]:
    by_market: dict[int, list[PaymentOption]] = defaultdict(list)
    for option in PaymentOption.objects.select_related("market").order_by("position", "id"):
        by_market[option.market_id].append(option)
    return dict(by_market)


# Markets are in it (a PromptPay option needs its market's currency): a market change reloads it.
_options = TableCache("payment-options", _load_options, PaymentOption, Market)


def payment_current(*, order: Order) -> Payment | None:
    """The order's latest payment attempt."""
    return order.payments.order_by("-created_at", "-id").first()


def payment_awaiting_confirmation(*, order: Order) -> Payment | None:
    """The latest payment staff can confirm: PromptPay or cash not yet received, or a card
    payment authorized and waiting to be captured (the order's payments are used as loaded)."""
    for payment in reversed(list(order.payments.all())):
        if payment.status == GatewayStatus.AUTHORIZED or (
            payment.status == GatewayStatus.PENDING and payment.method != Method.STRIPE
        ):
            return payment
    return None
