"""Cart and wishlist writes. Each locks the cart (or wishlist) row first, so two taps on "add"
from two tabs queue instead of losing one another's quantity."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, TypeGuard

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tridex.cart.models import Cart, CartLine, Wishlist, WishlistItem
from tridex.cart.selectors import (
    CartSummary,
    CatalogFacts,
    VariantFacts,
    cart_find,
    cart_summary_of,
    catalog_facts,
    wishlist_find,
)
from tridex.core.errors import Conflict, NotFound, ValidationFailed
from tridex.core.locking import lock_rows
from tridex.inventory.selectors import variant_availability
from tridex.markets.models import Market

MAX_LINE_QUANTITY = 99
MAX_CART_LINES = 100
MAX_WISHLIST_ITEMS = 200


def _check_quantity(quantity: object, *, allow_zero: bool = False) -> int:
    low = 0 if allow_zero else 1
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < low:
        raise ValidationFailed(
            _("Enter a whole number of at least %(low)d.") % {"low": low},
            code="invalid_quantity",
            field="quantity",
        )
    if quantity > MAX_LINE_QUANTITY:
        raise ValidationFailed(
            _("At most %(n)d of one item per order.") % {"n": MAX_LINE_QUANTITY},
            code="quantity_too_large",
            field="quantity",
        )
    return quantity


MAX_ID = 2**63 - 1  # the largest primary key; beyond it the database driver overflows


def _is_id(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def _sellable_variant(variant_id: object, market: Market) -> VariantFacts:
    """The variant if it can be bought in ``market`` now."""
    checked = _variant_id(variant_id)
    return _sellable_in(
        catalog_facts(variant_ids=[checked], market=market, with_stock=False), checked
    )


def _sellable_in(facts: CatalogFacts, variant_id: int) -> VariantFacts:
    variant = facts.sellable(variant_id)
    if variant is None:
        raise NotFound(
            _("This product is not for sale."), code="variant_not_found", field="variant_id"
        )
    return variant


def _check_stock(variant: VariantFacts, facts: CatalogFacts, quantity: int) -> None:
    available = facts.available.get(variant.id, 0)
    if quantity > available:
        name = variant.product_name
        message = (
            _("%(name)s is out of stock.") % {"name": name}
            if available == 0
            else _("Only %(n)d of %(name)s left.") % {"n": available, "name": name}
        )
        raise Conflict(message, code="insufficient_stock", field="quantity", available=available)


def _locked(cart: Cart) -> Cart:
    """Lock the open cart's row for the transaction, marking it changed now.

    One conditional UPDATE both takes the row lock and checks the cart is still open, so a
    change that waited behind a checkout finds the cart ordered and stops.
    """
    now = timezone.now()
    if not Cart.objects.filter(pk=cart.pk, status=Cart.Status.OPEN).update(updated_at=now):
        raise Conflict(_("This cart has already been checked out."), code="cart_closed")
    cart.updated_at = now
    return cart


def cart_get_or_create(*, market: Market, user: Any = None, token: Any = None) -> Cart:
    """The shopper's open cart (the customer's, else the guest's ``token``), new if none.

    A cart follows the shopper into another market: its lines stay and are priced there.
    """
    cart = cart_find(user=user, token=token)
    if cart is None and (user is None or not user.is_authenticated):
        cart = Cart.objects.create(market=market)  # a new token: nothing can collide
    elif cart is None:
        try:
            with transaction.atomic():
                cart = Cart.objects.create(user=user, market=market)
        except IntegrityError:  # a parallel request created the customer's cart first
            cart = cart_find(user=user)
            assert cart is not None
    return cart_in_market(cart=cart, market=market)


def cart_in_market(*, cart: Cart, market: Market) -> Cart:
    """Move the cart into the market the shopper is in now: its lines are priced there."""
    if cart.market_id != market.pk:
        Cart.objects.filter(pk=cart.pk).update(market=market)
        cart.market = market
    return cart


def cart_add_for_shopper(
    *, market: Market, user: Any = None, token: Any = None, variant_id: int, quantity: int = 1
) -> CartSummary:
    """Add to the shopper's cart (the customer's, else the guest's ``token``), in ``market``.

    A guest without an open cart gets a new one together with its line (``cart_start``).
    """
    cart = cart_find(user=user, token=token)
    if cart is None and (user is None or not user.is_authenticated):
        return cart_start(market=market, variant_id=variant_id, quantity=quantity)
    if cart is None:  # a customer's first cart (a parallel request may make it first)
        cart = cart_get_or_create(market=market, user=user)
    else:
        cart = cart_in_market(cart=cart, market=market)
    return cart_add(cart=cart, variant_id=variant_id, quantity=quantity)


def cart_start(*, market: Market, variant_id: int, quantity: int = 1) -> CartSummary:
    """A new guest cart holding ``quantity`` units of a variant, priced.

    Nothing is written unless the variant can be added, so a refused first "add to cart"
    leaves no empty cart behind.
    """
    _check_quantity(quantity)
    facts = catalog_facts(variant_ids=[_variant_id(variant_id)], market=market)
    price = _addable(facts, variant_id, quantity)
    with transaction.atomic():
        cart = Cart.objects.create(market=market)
        line = CartLine.objects.create(
            cart=cart, variant_id=variant_id, quantity=quantity, price_seen=price
        )
    return cart_summary_of(cart=cart, market=market, rows=[line], facts=facts)


def cart_add(*, cart: Cart, variant_id: int, quantity: int = 1) -> CartSummary:
    """Add ``quantity`` units (on top of what the cart has), limited by the stock left.

    Returns the cart as it is now, priced from the same catalog read that checked the stock.
    """
    _check_quantity(quantity)
    _variant_id(variant_id)
    with transaction.atomic():
        cart = _locked(cart)
        lines = list(CartLine.objects.filter(cart=cart))
        ids = [line.variant_id for line in lines]
        facts = catalog_facts(variant_ids=[*ids, variant_id], market=cart.market)
        line = next((row for row in lines if row.variant_id == variant_id), None)
        price = _addable(facts, variant_id, quantity + (line.quantity if line else 0))
        if line is None:
            if len(lines) >= MAX_CART_LINES:
                raise ValidationFailed(
                    _("This cart is full."), code="cart_full", field="variant_id"
                )
            lines.append(
                CartLine.objects.create(
                    cart=cart, variant_id=variant_id, quantity=quantity, price_seen=price
                )
            )
        else:
            line.quantity += quantity
            line.price_seen = price
            line.save(update_fields=["quantity", "price_seen"])
    return cart_summary_of(cart=cart, market=cart.market, rows=lines, facts=facts)


def _variant_id(value: object) -> int:
    if not _is_id(value):
        raise ValidationFailed(_("Choose a product option."), field="variant_id")
    return value


def _addable(facts: CatalogFacts, variant_id: int, wanted: int) -> Decimal:
    """The price to remember for a line of ``wanted`` units, once they may be in the cart."""
    variant = _sellable_in(facts, variant_id)
    _check_quantity(wanted)
    _check_stock(variant, facts, wanted)
    return facts.prices[variant_id].price.amount


def cart_set_quantity(*, cart: Cart, line_id: int, quantity: int) -> CartLine | None:
    """Set a line's quantity; 0 removes it. Returns the line, or None when removed."""
    _check_quantity(quantity, allow_zero=True)
    with transaction.atomic():
        cart = _locked(cart)
        line = _line(cart, line_id)
        if quantity == 0:
            line.delete()
            return None
        facts = catalog_facts(variant_ids=[line.variant_id], market=cart.market)
        if quantity > line.quantity:  # lowering a quantity is always allowed
            _check_stock(_sellable_in(facts, line.variant_id), facts, quantity)
        price = facts.prices.get(line.variant_id)
        line.quantity = quantity
        line.price_seen = price.price.amount if price else line.price_seen
        line.save(update_fields=["quantity", "price_seen"])
    return line


def cart_remove(*, cart: Cart, line_id: int) -> None:
    with transaction.atomic():
        cart = _locked(cart)
        _line(cart, line_id).delete()


def _line(cart: Cart, line_id: object) -> CartLine:
    line = CartLine.objects.filter(cart=cart, pk=line_id).first() if _is_id(line_id) else None
    if line is None:
        raise NotFound(_("This item is not in your cart."), code="line_not_found", field="line_id")
    return line


def cart_merge(*, source: Cart | None, target: Cart) -> Cart:
    """Move a guest cart's lines into the customer's cart (at login).

    Quantities add up, capped by the stock left and the per-line limit, so a merge never makes
    a cart that cannot be checked out. The guest cart is closed as merged.
    """
    if source is None or source.pk == target.pk:
        return target
    with transaction.atomic():
        source = lock_rows(Cart.objects.filter(pk=source.pk)).get()
        if source.status != Cart.Status.OPEN:
            return target
        target = _locked(target)
        existing = {line.variant_id: line for line in target.lines.all()}
        incoming = list(source.lines.all())
        available = variant_availability(
            variant_ids=[line.variant_id for line in incoming], market=target.market
        )
        for line in incoming:
            current = existing.get(line.variant_id)
            wanted = line.quantity + (current.quantity if current else 0)
            quantity = min(wanted, MAX_LINE_QUANTITY, max(available.get(line.variant_id, 0), 1))
            if current is not None:
                CartLine.objects.filter(pk=current.pk).update(
                    quantity=max(quantity, current.quantity)
                )
            else:
                CartLine.objects.create(
                    cart=target,
                    variant_id=line.variant_id,
                    quantity=quantity,
                    price_seen=line.price_seen,
                )
        Cart.objects.filter(pk=source.pk).update(status=Cart.Status.MERGED)
    return target


def cart_mark_ordered(*, cart: Cart) -> None:
    """Close the cart once an order has been placed from it (inside the order's transaction)."""
    updated = Cart.objects.filter(pk=cart.pk, status=Cart.Status.OPEN).update(
        status=Cart.Status.ORDERED
    )
    if not updated:
        raise Conflict(_("This cart has already been checked out."), code="cart_closed")


def cart_add_lines(*, cart: Cart, items: list[tuple[int, int]]) -> list[str]:
    """Add several variants (re-order); return a message for each that could not be added."""
    problems = []
    for variant_id, quantity in items:
        try:
            cart_add(cart=cart, variant_id=variant_id, quantity=quantity)
        except (NotFound, Conflict, ValidationFailed) as error:
            problems.append(error.message)
    return problems


# --- Wishlists -----------------------------------------------------------------------------


def wishlist_get_or_create(*, user: Any = None, token: Any = None) -> Wishlist:
    wishlist = wishlist_find(user=user, token=token)
    if wishlist is not None:
        return wishlist
    if user is not None and user.is_authenticated:
        wishlist, _created = Wishlist.objects.get_or_create(user=user)
        return wishlist
    return Wishlist.objects.create()


def wishlist_add(*, wishlist: Wishlist, variant_id: int, market: Market) -> WishlistItem:
    """Save a variant for later (saving it twice keeps one entry)."""
    variant = _sellable_variant(variant_id, market)
    with transaction.atomic():
        lock_rows(Wishlist.objects.filter(pk=wishlist.pk)).get()
        item = WishlistItem.objects.filter(wishlist=wishlist, variant_id=variant.id).first()
        if item is not None:
            return item
        if wishlist.items.count() >= MAX_WISHLIST_ITEMS:
            raise ValidationFailed(
                _("Your wishlist is full."), code="wishlist_full", field="variant_id"
            )
        return WishlistItem.objects.create(wishlist=wishlist, variant_id=variant.id)


def wishlist_remove(*, wishlist: Wishlist, variant_id: int) -> None:
    if not _is_id(variant_id):
        raise NotFound(_("This item is not in your wishlist."), code="wishlist_item_not_found")
    deleted, _rows = WishlistItem.objects.filter(wishlist=wishlist, variant_id=variant_id).delete()
    if not deleted:
        raise NotFound(_("This item is not in your wishlist."), code="wishlist_item_not_found")


def wishlist_move_to_cart(*, wishlist: Wishlist, variant_id: int, cart: Cart) -> CartSummary:
    """Put one unit in the cart and take the variant off the wishlist, together or not at all."""
    with transaction.atomic():
        if (
            not _is_id(variant_id)
            or not WishlistItem.objects.filter(wishlist=wishlist, variant_id=variant_id).exists()
        ):
            raise NotFound(_("This item is not in your wishlist."), code="wishlist_item_not_found")
        summary = cart_add(cart=cart, variant_id=variant_id, quantity=1)
        WishlistItem.objects.filter(wishlist=wishlist, variant_id=variant_id).delete()
    return summary


def wishlist_merge(*, source: Wishlist | None, target: Wishlist) -> Wishlist:
    if source is None or source.pk == target.pk:
        return target
    with transaction.atomic():
        have = set(target.items.values_list("variant_id", flat=True))
        for variant_id in source.items.values_list("variant_id", flat=True):
            if variant_id not in have:
                WishlistItem.objects.create(wishlist=target, variant_id=variant_id)
        source.delete()
    return target


def wishlist_renew_share_link(*, wishlist: Wishlist) -> Wishlist:
    """Give the wishlist a new share link; the old link stops working."""
    wishlist.share_token = uuid.uuid4()
    wishlist.save(update_fields=["share_token", "updated_at"])
    return wishlist
