"""Cart and wishlist pages. Every change is a POST that redirects (or, for htmx, re-renders
the cart); every domain error becomes a message on the page, never a 500."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tridex.cart.selectors import cart_summary, wishlist_by_share_token, wishlist_items
from tridex.cart.services import (
    cart_remove,
    cart_set_quantity,
    wishlist_add,
    wishlist_move_to_cart,
    wishlist_remove,
    wishlist_renew_share_link,
)
from tridex.core.errors import DomainError, NotFound
from tridex.search.selectors import product_thumbnails
from tridex.storefront.shopper import (
    cart_add_for_request,
    cart_for_update,
    current_cart,
    current_wishlist,
    remember_count,
    wishlist_for_update,
)
from tridex.storefront.views import _safe_next, shop_view


def _int(request: HttpRequest, name: str) -> int | None:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        return None


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    target = _safe_next(request) if request.POST.get("next") else reverse(default)
    return HttpResponseRedirect(target)


@require_GET
@shop_view
def cart_page(request: HttpRequest) -> HttpResponse:
    return _render_cart(request)


def _render_cart(request: HttpRequest) -> HttpResponse:
    """The cart page, or just the cart for an htmx swap (after a quantity change)."""
    cart = current_cart(request)
    summary = cart_summary(cart=cart, market=request.market)  # type: ignore[attr-defined]
    context = {
        "summary": summary,
        "thumbnails": product_thumbnails(product_ids=[line.product_id for line in summary.lines]),
        "noindex": True,
    }
    template = (
        "storefront/_cart.html" if request.headers.get("HX-Request") else "storefront/cart.html"
    )
    return remember_count(render(request, template, context), cart)


@require_POST
@shop_view
def cart_add_view(request: HttpRequest) -> HttpResponse:
    try:
        cart = cart_add_for_request(
            request, variant_id=_int(request, "variant"), quantity=_int(request, "quantity")
        )
    except DomainError as error:
        messages.error(request, error.message)
        return remember_count(_back(request, "storefront:cart"), current_cart(request))
    messages.success(request, _("Added to your cart."))
    if request.POST.get("then") == "checkout":
        return remember_count(HttpResponseRedirect(reverse("storefront:checkout")), cart)
    return remember_count(HttpResponseRedirect(reverse("storefront:cart")), cart)


@require_POST
@shop_view
def cart_line_update(request: HttpRequest, line_id: int) -> HttpResponse:
    cart = current_cart(request)
    if cart is None:
        raise NotFound(_("This item is not in your cart."))
    try:
        if request.POST.get("remove"):
            cart_remove(cart=cart, line_id=line_id)
        else:
            cart_set_quantity(cart=cart, line_id=line_id, quantity=_int(request, "quantity"))  # type: ignore[arg-type]
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, error.message)
    if request.headers.get("HX-Request"):
        return _render_cart(request)
    return remember_count(HttpResponseRedirect(reverse("storefront:cart")), cart)


# --- Wishlist -------------------------------------------------------------------------------


def _wishlist_context(request: HttpRequest, wishlist: Any) -> dict[str, Any]:
    items = wishlist_items(wishlist=wishlist, market=request.market)  # type: ignore[attr-defined]
    return {
        "wishlist": wishlist,
        "items": items,
        "thumbnails": product_thumbnails(product_ids=[item.product_id for item in items]),
        "noindex": True,
    }


@require_GET
@shop_view
def wishlist_page(request: HttpRequest) -> HttpResponse:
    wishlist = current_wishlist(request)
    context = _wishlist_context(request, wishlist)
    if wishlist is not None:
        context["share_url"] = request.build_absolute_uri(
            reverse("storefront:wishlist_shared", kwargs={"token": wishlist.share_token})
        )
    return render(request, "storefront/wishlist.html", context)


@require_GET
@shop_view
def wishlist_shared(request: HttpRequest, token: str) -> HttpResponse:
    try:
        wishlist = wishlist_by_share_token(share_token=token)
    except NotFound as error:
        raise Http404(error.message) from error
    context = _wishlist_context(request, wishlist)
    context["shared"] = True
    return render(request, "storefront/wishlist.html", context)


@require_POST
@shop_view
def wishlist_change(request: HttpRequest) -> HttpResponse:
    """Add, remove, move to cart, or renew the share link (the ``action`` field says which)."""
    wishlist = wishlist_for_update(request)
    variant_id = _int(request, "variant")
    action = request.POST.get("action", "add")
    cart = None
    try:
        if action == "add":
            wishlist_add(wishlist=wishlist, variant_id=variant_id, market=request.market)  # type: ignore[arg-type, attr-defined]
            messages.success(request, _("Saved to your wishlist."))
        elif action == "remove":
            wishlist_remove(wishlist=wishlist, variant_id=variant_id)  # type: ignore[arg-type]
        elif action == "move":
            cart = cart_for_update(request)
            wishlist_move_to_cart(wishlist=wishlist, variant_id=variant_id, cart=cart)  # type: ignore[arg-type]
            messages.success(request, _("Moved to your cart."))
        elif action == "share":
            wishlist_renew_share_link(wishlist=wishlist)
            messages.success(
                request, _("Your wishlist has a new link; the old one no longer works.")
            )
        else:
            messages.error(request, _("Unknown wishlist action."))
    except DomainError as error:
        messages.error(request, error.message)
    response = _back(request, "storefront:wishlist")
    return remember_count(response, cart) if cart is not None else response
