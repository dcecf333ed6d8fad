"""Payments of a person's orders, for the privacy registry. They hold no personal field (card
data never reaches Tridex), but they are part of what the person can export, and they are
accounting records kept with the order."""

from tridex.privacy.registry import Erasure, registry

KEPT = "Accounting record of a kept order (Thai Revenue Code s.87/3); holds no personal field."

registry.register(
    "payments.Payment",
    owner="order__user",
    fields=(),
    erasure=Erasure.KEEP,
    not_exported=("client_secret", "qr_payload"),
    reason=KEPT,
)
registry.register(
    "payments.Refund",
    owner="payment__order__user",
    fields=(),
    erasure=Erasure.KEEP,
    not_exported=("idempotency_key", "actor"),  # the actor is a staff member
    reason=KEPT,
)
