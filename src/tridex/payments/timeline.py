"""The order timeline in words, in the language of whoever reads it.

Events store codes and numbers, never text, so one entry reads in Thai for a customer and in
English for a member of staff, with amounts in the reader's number format. It lives in
``payments`` because its sentences name payment methods, and ``payments`` is the lowest layer
that knows both orders and payment methods; the storefront, the API and the back office all use
this one function.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy, ngettext

from tridex.core.errors import DomainError
from tridex.core.money import Money
from tridex.orders.models import OrderEvent, OrderStatus, RefundStatus
from tridex.payments.models import Method

_ = gettext_lazy


def _choice_label(choices: type[Method] | type[OrderStatus], value: str) -> str:
    """The label of a stored code, or the code itself if it is no longer a choice."""
    return str(choices(value).label) if value in choices.values else value


_REASONS = {
    "payment_cancelled": _("the payment was cancelled"),
    "out_of_stock_after_payment": _("the payment arrived after the units sold out"),
    "out_of_stock": _("the units sold out before the payment arrived"),
    "order_cancelled": _("the order had already been cancelled"),
    "paid_twice": _("the customer paid twice"),
}
_PAYMENT_SENTENCES = {
    "payment_authorized": _("%(method)s payment of %(amount)s authorized"),
    "payment_captured": _("%(method)s payment of %(amount)s received"),
    "payment_failed": _("%(method)s payment of %(amount)s failed"),
    "payment_cancelled": _("%(method)s payment of %(amount)s cancelled"),
}


def event_sentence(event: OrderEvent) -> str:
    """The timeline entry as a sentence in the active language.

    Events store codes and numbers, never text, so one entry reads in Thai for one member of
    staff and in English for another, with amounts in the reader's number format. A code this
    function does not know yet still reads as "Kind: code" rather than disappearing.
    """
    if event.kind == OrderEvent.Kind.STATUS:
        return _status_sentence(event)
    if event.code in _PAYMENT_SENTENCES:
        return _payment_sentence(event)
    build = _SENTENCES.get(event.code)
    return build(event) if build else _other_sentence(event)


def _value(event: OrderEvent, key: str) -> str:
    return str(event.data.get(key) or "")


def _amount(event: OrderEvent, key: str = "amount") -> str:
    try:
        return Money(_value(event, key), event.order.currency).format()
    except DomainError:  # an amount written by hand or by an older version: show it as is
        return _value(event, key)


def _reason(event: OrderEvent) -> str:
    return reason_text(_value(event, "reason"))


def reason_text(code: str) -> str:
    """Why Tridex cancelled or refunded, in words; a reason staff typed is shown as typed."""
    return str(_REASONS.get(code, code))


def _status_label(value: str) -> str:
    # "partially_refunded" was a status until a partial refund became the order's refund
    # status; timelines written before still name it.
    if value == "partially_refunded":
        return str(RefundStatus.PARTIAL.label)
    return _choice_label(OrderStatus, value)


def _status_sentence(event: OrderEvent) -> str:
    values = {
        "previous": _status_label(_value(event, "previous")),
        "status": _status_label(event.code),
        "reason": _reason(event),
    }
    if values["reason"]:
        return gettext("Status changed from %(previous)s to %(status)s (%(reason)s)") % values
    return gettext("Status changed from %(previous)s to %(status)s") % values


def _payment_sentence(event: OrderEvent) -> str:
    sentence = str(_PAYMENT_SENTENCES[event.code]) % {
        "method": _choice_label(Method, _value(event, "method")),
        "amount": _amount(event),
    }
    message = _value(event, "message")
    return f"{sentence}: {message}" if message else sentence


def _placed(event: OrderEvent) -> str:
    return gettext("Order placed, total %(total)s") % {"total": _amount(event, "total")}


def _paid(event: OrderEvent) -> str:
    gateway = _value(event, "gateway")
    if not gateway:
        return gettext("Paid %(amount)s") % {"amount": _amount(event)}
    values = {"amount": _amount(event), "method": _choice_label(Method, gateway)}
    return gettext("Paid %(amount)s by %(method)s") % values


def _paid_unfulfillable(event: OrderEvent) -> str:
    return gettext("Received %(amount)s for an order that can no longer be fulfilled") % {
        "amount": _amount(event)
    }


def _paid_extra(event: OrderEvent) -> str:
    values = {"amount": _amount(event), "reason": _reason(event)}
    return (
        gettext("Received %(amount)s more than the order costs (%(reason)s); it will be refunded")
        % values
    )


def _confirmed_by_provider(event: OrderEvent) -> str:
    return gettext("The payment provider confirmed the transfer of %(amount)s") % {
        "amount": _amount(event)
    }


def _refunded(event: OrderEvent) -> str:
    values = {"amount": _amount(event), "reason": _reason(event)}
    if values["reason"]:
        sentence = gettext("Refunded %(amount)s (%(reason)s)") % values
    else:
        sentence = gettext("Refunded %(amount)s") % values
    cancelled = int(event.data.get("cancelled") or 0)
    returned = int(event.data.get("returned") or 0)
    parts = [sentence]
    if cancelled:
        parts.append(
            ngettext(
                "%(count)d unit taken off before shipping",
                "%(count)d units taken off before shipping",
                cancelled,
            )
            % {"count": cancelled}
        )
    if returned:
        parts.append(
            ngettext("%(count)d unit returned", "%(count)d units returned", returned)
            % {"count": returned}
        )
    return "; ".join(parts)


def _shipped(event: OrderEvent) -> str:
    values = {"carrier": _value(event, "carrier"), "tracking": _value(event, "tracking_number")}
    if values["tracking"]:
        return gettext("Shipped with %(carrier)s, tracking %(tracking)s") % values
    return gettext("Shipped with %(carrier)s") % values


def _hold_expired(event: OrderEvent) -> str:
    units = int(event.data.get("units") or 0)
    return ngettext(
        "The hold on %(count)d unit expired; it went back to stock",
        "The hold on %(count)d units expired; they went back to stock",
        units,
    ) % {"count": units}


def _held_again(event: OrderEvent) -> str:
    return gettext("The units were held again for a late payment")


def _other_sentence(event: OrderEvent) -> str:
    what = _value(event, "text") or event.code.replace("_", " ")
    return gettext("%(kind)s: %(what)s") % {"kind": event.get_kind_display(), "what": what}


_SENTENCES = {
    "placed": _placed,
    "paid": _paid,
    "paid_unfulfillable": _paid_unfulfillable,
    "paid_extra": _paid_extra,
    "payment_confirmed_by_provider": _confirmed_by_provider,
    "refunded": _refunded,
    "shipped": _shipped,
    "reservation_expired": _hold_expired,
    "re_reserved": _held_again,
}
