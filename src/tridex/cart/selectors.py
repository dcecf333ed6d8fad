"""Cart and wishlist reads: every price, tax and total recomputed from the catalog now.

A client never tells Tridex what something costs. The summary flags each line whose variant
can no longer be sold, has fewer units left than wanted, or costs something else than when
the shopper last saw it, with a message that says so.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tridex.cart.models import Cart, CartLine, Wishlist, WishlistItem
from tridex.catalog.models import Variant, product_is_visible
from tridex.core.errors import NotFound
from tridex.core.i18n import translated, translated_fields
from tridex.core.money import Money
from tridex.inventory.selectors import variant_availability
from tridex.markets.models import Market
from tridex.pricing.selectors import VariantPrice, variant_prices
from tridex.tax.selectors import TaxBreakdown, tax_compute

# Where a guest's cart and wishlist tokens live in their session.
SESSION_CART_KEY = "tridex_cart"
SESSION_WISHLIST_KEY = "tridex_wishlist"


class LineProblem:
    UNAVAILABLE = "unavailable"  # no longer sold: unpublished, inactive or without a price
    OUT_OF_STOCK = "out_of_stock"  # fewer units left than the line wants
    PRICE_CHANGED = "price_changed"  # sold, but at another price than the shopper last saw


@dataclass(frozen=True)
class CartLineView:
    id: int
    variant_id: int
    product_id: int
    product_name: str
    product_slug: str
    variant_label: str
    sku: str
    quantity: int
    available: int
    weight_grams: int
    unit_price: Money | None
    line_total: Money | None
    previous_price: Money | None = None
    problem: str = ""
    message: str = ""

    @property
    def blocks_checkout(self) -> bool:
        return self.problem in (LineProblem.UNAVAILABLE, LineProblem.OUT_OF_STOCK)


@dataclass(frozen=True)
class CartSummary:
    cart: Cart | None
    market: Market
    lines: list[CartLineView]
    subtotal: Money
    tax: TaxBreakdown
    total: Money  # before shipping: subtotal, plus tax where prices exclude it
    item_count: int
    weight_grams: int
    messages: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def can_check_out(self) -> bool:
        return bool(self.lines) and not any(line.blocks_checkout for line in self.lines)

    @property
    def sellable_lines(self) -> list[CartLineView]:
        return [line for line in self.lines if not line.blocks_checkout]


@dataclass(frozen=True)
class VariantFacts:
    """What a cart or wishlist shows of a variant, in the active language."""

    id: int
    product_id: int
    product_name: str
    product_slug: str
    label: str  # ``Grey / 3-seater``: its option values in option order
    sku: str
    weight_grams: int
    is_sellable: bool  # active, and its product visible now


@dataclass(frozen=True)
class CatalogFacts:
    """What the catalog says now about some variants in one market: three queries."""

    variants: dict[int, VariantFacts]
    prices: dict[int, VariantPrice]
    available: dict[int, int]
    # False when the caller takes the stock under lock itself (placing an order): lines are
    # then not flagged for stock, and ``available`` is empty.
    stock_read: bool = True

    def sellable(self, variant_id: int) -> VariantFacts | None:
        """The variant if it can be bought now (active, visible and priced), else ``None``."""
        variant = self.variants.get(variant_id)
        if variant is None or not variant.is_sellable or variant_id not in self.prices:
            return None
        return variant


def catalog_facts(
    *, variant_ids: Iterable[int], market: Market, with_stock: bool = True
) -> CatalogFacts:
    """Variants, prices and (unless ``with_stock`` is off) units available, in three queries."""
    ids = list(set(variant_ids))
    if not ids:
        return CatalogFacts(variants={}, prices={}, available={}, stock_read=with_stock)
    return CatalogFacts(
        variants=_variant_facts(ids),
        prices=variant_prices(variant_ids=ids, market=market),
        available=variant_availability(variant_ids=ids, market=market) if with_stock else {},
        stock_read=with_stock,
    )


def _variant_facts(ids: list[int]) -> dict[int, VariantFacts]:
    """Variants with their product's name and their option values: one row per option value."""
    rows = Variant.objects.filter(pk__in=ids).values(
        "pk",
        "product_id",
        "sku",
        "weight_grams",
        "is_active",
        "product__is_published",
        "product__available_from",
        "product__available_until",
        "option_values__option__position",
        "option_values__option_id",
        *translated_fields("product__name"),
        *translated_fields("product__slug"),
        *translated_fields("option_values__name"),
    )
    by_variant: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_variant[row["pk"]].append(row)
    return {pk: _facts(group) for pk, group in by_variant.items()}


def _facts(rows: list[dict[str, Any]]) -> VariantFacts:
    first = rows[0]
    values = sorted(
        (row for row in rows if row["option_values__option_id"] is not None),
        key=lambda row: (row["option_values__option__position"], row["option_values__option_id"]),
    )
    return VariantFacts(
        id=first["pk"],
        product_id=first["product_id"],
        product_name=translated(first, "product__name"),
        product_slug=translated(first, "product__slug"),
        label=" / ".join(translated(row, "option_values__name") for row in values),
        sku=first["sku"],
        weight_grams=first["weight_grams"],
        is_sellable=first["is_active"]
        and product_is_visible(
            is_published=first["product__is_published"],
            available_from=first["product__available_from"],
            available_until=first["product__available_until"],
        ),
    )


def cart_summary(
    *,
    cart: Cart | None,
    market: Market,
    country: str = "",
    region: str = "",
    with_tax: bool = True,
    with_stock: bool = True,
) -> CartSummary:
    """Lines, prices, tax and totals of ``cart`` in ``market``, in a fixed number of queries.

    Tax is worked out for ``country`` (the market's first country when not given): included in
    the prices of a tax-inclusive market, added on top in a tax-exclusive one. Without
    ``with_stock`` no line is checked against the units left (see ``CatalogFacts``).
    """
    rows = list(cart.lines.all()) if cart is not None else []
    ids = [row.variant_id for row in rows]
    facts = catalog_facts(variant_ids=ids, market=market, with_stock=with_stock)
    return cart_summary_of(
        cart=cart,
        market=market,
        rows=rows,
        facts=facts,
        country=country,
        region=region,
        with_tax=with_tax,
    )


def cart_summary_of(
    *,
    cart: Cart | None,
    market: Market,
    rows: list[CartLine],
    facts: CatalogFacts,
    country: str = "",
    region: str = "",
    with_tax: bool = True,
) -> CartSummary:
    """``cart_summary`` from lines and catalog facts the caller has just read (no query)."""
    # The checkout prices tax itself, with delivery included: it asks for none here.
    country = (country or market.home_country) if with_tax else ""
    lines = [_line(row, facts, market) for row in rows]
    sellable = [line for line in lines if not line.blocks_checkout and line.line_total]
    amounts = [line.line_total for line in sellable if line.line_total is not None]
    subtotal = sum(amounts, Money.zero(market.currency))
    if country:
        tax = tax_compute(market=market, country=country, region=region, amounts=amounts)
    else:
        tax = _no_tax(market, amounts)
    total = subtotal if tax.prices_include_tax else subtotal + tax.total
    return CartSummary(
        cart=cart,
        market=market,
        lines=lines,
        subtotal=subtotal,
        tax=tax,
        total=total,
        item_count=sum(line.quantity for line in sellable),
        weight_grams=sum(line.weight_grams * line.quantity for line in sellable),
        messages=[line.message for line in lines if line.message],
    )


def _no_tax(market: Market, amounts: list[Money]) -> TaxBreakdown:
    """Before a destination is known, tax is not shown yet (it is worked out at checkout)."""
    zero = Money.zero(market.currency)
    return TaxBreakdown(
        prices_include_tax=market.prices_include_tax,
        lines=(),
        per_amount=tuple(zero for _ in amounts),
        total=zero,
    )


def _line(row: CartLine, facts: CatalogFacts, market: Market) -> CartLineView:
    variant = facts.variants.get(row.variant_id)
    price = facts.prices.get(row.variant_id)
    unit = price.price if price is not None else None
    view = CartLineView(
        id=row.pk,
        variant_id=row.variant_id,
        product_id=variant.product_id if variant else 0,
        product_name=variant.product_name if variant else "",
        product_slug=variant.product_slug if variant else "",
        variant_label=variant.label if variant else "",
        sku=variant.sku if variant else "",
        quantity=row.quantity,
        available=facts.available.get(row.variant_id, 0),
        weight_grams=variant.weight_grams if variant else 0,
        unit_price=unit,
        line_total=unit * row.quantity if unit is not None else None,
    )
    return _flagged(view, row, facts, market)


def _flagged(
    view: CartLineView, row: CartLine, facts: CatalogFacts, market: Market
) -> CartLineView:
    """The line with its problem, if it has one: no longer sold, short of stock, repriced."""
    name = view.product_name
    if view.unit_price is None or facts.sellable(row.variant_id) is None:
        message = _("%(name)s is no longer available.") % {"name": name}
        return replace(view, problem=LineProblem.UNAVAILABLE, message=message)
    if facts.stock_read and view.available < row.quantity:
        if view.available == 0:
            message = _("%(name)s is out of stock.") % {"name": name}
        else:
            message = _("Only %(n)d of %(name)s left: lower the quantity to continue.") % {
                "n": view.available,
                "name": name,
            }
        return replace(view, problem=LineProblem.OUT_OF_STOCK, message=message)
    if row.price_seen is not None and Decimal(row.price_seen) != view.unit_price.amount:
        previous = Money(row.price_seen, market.currency)
        message = _("The price of %(name)s changed from %(old)s to %(new)s.") % {
            "name": name,
            "old": previous.format(),
            "new": view.unit_price.format(),
        }
        return replace(
            view, previous_price=previous, problem=LineProblem.PRICE_CHANGED, message=message
        )
    return view


def cart_find(*, token: str | uuid.UUID | None = None, user=None) -> Cart | None:  # type: ignore[no-untyped-def]
    """The open cart of ``user``, else the open guest cart with ``token``; None if neither."""
    carts: QuerySet[Cart] = Cart.objects.select_related("market").filter(status=Cart.Status.OPEN)
    if user is not None and user.is_authenticated:
        return carts.filter(user=user).first()
    parsed = _uuid(token)
    if parsed is None:
        return None
    return carts.filter(token=parsed, user__isnull=True).first()


def _uuid(token: str | uuid.UUID | None) -> uuid.UUID | None:
    if isinstance(token, uuid.UUID):
        return token
    try:
        return uuid.UUID(str(token)) if token else None
    except ValueError:
        return None


def cart_item_count(*, cart: Cart | None) -> int:
    if cart is None:
        return 0
    return sum(cart.lines.values_list("quantity", flat=True))


# --- Wishlists -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WishlistItemView:
    variant_id: int
    product_id: int
    product_name: str
    product_slug: str
    variant_label: str
    sku: str
    price: Money | None
    available: int
    is_sellable: bool


def wishlist_find(*, token: str | uuid.UUID | None = None, user=None) -> Wishlist | None:  # type: ignore[no-untyped-def]
    if user is not None and user.is_authenticated:
        return Wishlist.objects.filter(user=user).first()
    parsed = _uuid(token)
    if parsed is None:
        return None
    return Wishlist.objects.filter(token=parsed, user__isnull=True).first()


def wishlist_by_share_token(*, share_token: str) -> Wishlist:
    parsed = _uuid(share_token)
    wishlist = Wishlist.objects.filter(share_token=parsed).first() if parsed else None
    if wishlist is None:
        raise NotFound(_("This wishlist link is no longer valid."), code="wishlist_not_found")
    return wishlist


def wishlist_items(*, wishlist: Wishlist | None, market: Market) -> list[WishlistItemView]:
    """The wishlist's variants with today's price and stock in ``market``."""
    if wishlist is None:
        return []
    rows: list[WishlistItem] = list(wishlist.items.all())
    facts = catalog_facts(variant_ids=[row.variant_id for row in rows], market=market)
    views = []
    for row in rows:
        variant = facts.variants.get(row.variant_id)
        if variant is None:
            continue
        price = facts.prices.get(variant.id)
        views.append(
            WishlistItemView(
                variant_id=variant.id,
                product_id=variant.product_id,
                product_name=variant.product_name,
                product_slug=variant.product_slug,
                variant_label=variant.label,
                sku=variant.sku,
                price=price.price if price else None,
                available=facts.available.get(variant.id, 0),
                is_sellable=facts.sellable(variant.id) is not None,
            )
        )
    return views
