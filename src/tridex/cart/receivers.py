"""Signing in brings the guest's cart and wishlist along into the customer's."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from tridex.cart.selectors import SESSION_CART_KEY, SESSION_WISHLIST_KEY, cart_find, wishlist_find
from tridex.cart.services import (
    cart_get_or_create,
    cart_merge,
    wishlist_get_or_create,
    wishlist_merge,
)


@receiver(user_logged_in, dispatch_uid="tridex.cart.merge_on_login")
def merge_guest_cart(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    guest_cart = cart_find(token=session.pop(SESSION_CART_KEY, None))
    if guest_cart is not None:
        customer_cart = cart_get_or_create(market=guest_cart.market, user=user)
        cart_merge(source=guest_cart, target=customer_cart)
    guest_wishlist = wishlist_find(token=session.pop(SESSION_WISHLIST_KEY, None))
    if guest_wishlist is not None:
        wishlist_merge(source=guest_wishlist, target=wishlist_get_or_create(user=user))
