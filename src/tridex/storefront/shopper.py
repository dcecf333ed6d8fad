"""Who is shopping: their cart and wishlist, found from the session (guests) or the account.

A guest's cart token lives in their session; a customer's cart is found by their account. The
number of items goes into a small readable cookie so the header badge can show it on pages that
are served from the shared page cache (which cannot know who is looking).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from tridex.cart.models import Cart, Wishlist
from tridex.cart.selectors import (
    SESSION_CART_KEY,
    SESSION_WISHLIST_KEY,
    cart_find,
    cart_item_count,
    wishlist_find,
)
from tridex.cart.services import (
    cart_add_for_shopper,
    cart_get_or_create,
    wishlist_get_or_create,
)

CART_COUNT_COOKIE = "tridex_cart_count"


def _user(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def current_cart(request: HttpRequest) -> Cart | None:
    return cart_find(user=_user(request), token=request.session.get(SESSION_CART_KEY))


def cart_for_update(request: HttpRequest) -> Cart:
    """The shopper's open cart in the current market, created on first use."""
    cart = cart_get_or_create(
        market=request.market,  # type: ignore[attr-defined]
        user=_user(request),
        token=request.session.get(SESSION_CART_KEY),
    )
    if cart.user_id is None:
        request.session[SESSION_CART_KEY] = str(cart.token)
    return cart


def cart_add_for_request(request: HttpRequest, *, variant_id: Any, quantity: Any) -> Cart | None:
    """Add to the shopper's cart; a guest's first add makes the cart only if the variant can be
    added (a refused first add leaves no empty cart behind). Return the cart."""
    summary = cart_add_for_shopper(
        market=request.market,  # type: ignore[attr-defined]
        user=_user(request),
        token=request.session.get(SESSION_CART_KEY),
        variant_id=variant_id,
        quantity=quantity,
    )
    cart = summary.cart
    if cart is not None and cart.user_id is None:
        request.session[SESSION_CART_KEY] = str(cart.token)
    return cart


def current_wishlist(request: HttpRequest) -> Wishlist | None:
    return wishlist_find(user=_user(request), token=request.session.get(SESSION_WISHLIST_KEY))


def wishlist_for_update(request: HttpRequest) -> Wishlist:
    wishlist = wishlist_get_or_create(
        user=_user(request), token=request.session.get(SESSION_WISHLIST_KEY)
    )
    if wishlist.user_id is None:
        request.session[SESSION_WISHLIST_KEY] = str(wishlist.token)
    return wishlist


def remember_count(response: HttpResponse, cart: Cart | None) -> HttpResponse:
    """Keep the header badge's cookie in step with the cart (not secret: just a number)."""
    response.set_cookie(
        CART_COUNT_COOKIE, str(cart_item_count(cart=cart)), samesite="Lax", httponly=False
    )
    return response
