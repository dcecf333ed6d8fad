"""Load (and wipe) the reference shop through the domain services.

Loading is idempotent: every object is looked up by a stable key (market and warehouse codes,
option codes, English category and product slugs, SKUs, customer emails) and only what is
missing is created. Each product is loaded in its own transaction, so an interrupted seed leaves
whole products behind and the next run completes the rest.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any, cast

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tridex.accounts.models import User
from tridex.accounts.services import address_create
from tridex.catalog import images as catalog_images
from tridex.catalog import services as catalog
from tridex.catalog.models import (
    Category,
    Option,
    OptionValue,
    Product,
    ProductImage,
    ProductType,
    Review,
    Variant,
)
from tridex.demo import content
from tridex.demo.artwork import illustration
from tridex.inventory.models import StockMovement, Warehouse
from tridex.inventory.services import stock_set
from tridex.markets.models import Market
from tridex.payments.services import payments_seed_demo
from tridex.pricing.services import price_ranges_refresh, price_set
from tridex.shipping.services import shipping_seed_demo
from tridex.tax.services import tax_seed_demo

Log = Callable[[str], None]
GS1_COMPANY = "8851234"  # 885 = GS1 Thailand; the rest is the demo brand's company number
SYNTHETIC_PREFIX = "syn-"


@dataclass
class Refs:
    """Objects every product needs, looked up once."""

    markets: dict[str, Market] = field(default_factory=dict)
    warehouses: dict[str, Warehouse] = field(default_factory=dict)
    values: dict[str, dict[str, OptionValue]] = field(default_factory=dict)
    types: dict[str, ProductType] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    customers: list[User] = field(default_factory=list)


@dataclass
class Summary:
    products_created: int = 0
    products_existing: int = 0
    variants: int = 0
    images: int = 0
    reviews: int = 0
    customers_created: int = 0
    search_indexed: int | None = None
    seconds: float = 0.0


# --- foundation ---------------------------------------------------------------------------------


def load_foundation() -> Refs:
    """Markets, warehouses, options, product types and categories (all idempotent)."""
    refs = Refs()
    with transaction.atomic():
        for market_spec in content.MARKETS:
            code = str(market_spec["code"])
            defaults = {k: v for k, v in market_spec.items() if k != "code"}
            refs.markets[code], _ = Market.objects.get_or_create(code=code, defaults=defaults)
        for spec in content.WAREHOUSES:
            warehouse, _ = Warehouse.objects.get_or_create(
                code=str(spec["code"]),
                defaults={
                    "name": str(spec["name"]),
                    "address": str(spec["address"]),
                    "country": "TH",
                },
            )
            warehouse.markets.add(*[refs.markets[c] for c in cast(list[str], spec["markets"])])
            refs.warehouses[warehouse.code] = warehouse
    refs.values = _load_options()
    refs.types = _load_types()
    refs.categories = _load_categories()
    load_selling(refs.markets)
    return refs


def load_selling(markets: dict[str, Market]) -> None:
    """Delivery methods, tax rates and payment options of the reference shop (idempotent)."""
    shipping_seed_demo(markets=markets)
    tax_seed_demo(markets=markets)
    payments_seed_demo(markets=markets)


def _load_options() -> dict[str, dict[str, OptionValue]]:
    result: dict[str, dict[str, OptionValue]] = {}
    swatches = {code: swatch for code, *_names, swatch in content.COLOURS}
    for position, (code, name_th, name_en, values) in enumerate(content.OPTIONS):
        option = Option.objects.filter(code=code).first() or catalog.option_create(
            code=code, name_th=name_th, name_en=name_en, position=position
        )
        existing = {v.code: v for v in option.values.all()}
        for i, (value_code, value_th, value_en) in enumerate(values):
            if value_code not in existing:
                existing[value_code] = catalog.option_value_create(
                    option=option,
                    code=value_code,
                    name_th=value_th,
                    name_en=value_en,
                    swatch=swatches.get(value_code, "") if code == "colour" else "",
                    position=i,
                )
        result[code] = existing
    return result


def _load_types() -> dict[str, ProductType]:
    options = {o.code: o for o in Option.objects.all()}
    types = {}
    for key, (name_th, name_en, option_codes) in content.PRODUCT_TYPES.items():
        found = ProductType.objects.filter(name_en=name_en).first()
        types[key] = found or catalog.product_type_create(
            name_th=name_th, name_en=name_en, options=[options[c] for c in option_codes]
        )
    return types


def _load_categories() -> dict[str, Category]:
    categories: dict[str, Category] = {}
    for position, (key, parent, name_th, name_en, slug_th, desc_th, desc_en) in enumerate(
        content.CATEGORIES
    ):
        found = Category.objects.filter(slug_en=key).first()
        categories[key] = found or catalog.category_create(
            parent=categories[parent] if parent else None,
            position=position,
            name_th=name_th,
            name_en=name_en,
            slug_th=slug_th,
            slug_en=key,
            description_th=desc_th,
            description_en=desc_en,
            seo_title_th=f"{name_th} | {content.BRAND_TH}",
            seo_title_en=f"{name_en} | {content.BRAND_EN}",
            seo_description_th=desc_th,
            seo_description_en=desc_en,
        )
    return categories


# --- customers ----------------------------------------------------------------------------------


def load_customers(summary: Summary) -> list[User]:
    customers = []
    password_hash = ""  # nosec B105  # an empty placeholder, not a password
    for email, first, last, language, phone, address in content.CUSTOMERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            # The demo password is public, so one (slow, Argon2) hash serves every customer.
            password_hash = password_hash or make_password(content.DEMO_PASSWORD)
            user = User.objects.create_user(
                email,
                None,
                first_name=first,
                last_name=last,
                preferred_language=language,
                phone=phone,
            )
            User.objects.filter(pk=user.pk).update(password=password_hash)
            summary.customers_created += 1
        if not user.addresses.exists():
            address_create(user=user, phone=phone, **cast(dict[str, Any], address))
        customers.append(user)
    return customers


# --- products -----------------------------------------------------------------------------------

AXIS_CODE = {
    "seat-1": "1S",
    "seat-2": "2S",
    "seat-3": "3S",
    "seat-4": "4S",
    "ml250": "250",
    "ml500": "500",
    "l1": "1L",
    "pack6": "P6",
    "pack12": "P12",
    "starter": "ST",
    "refill": "RF",
}


def ean13(item: int) -> str:
    """A valid EAN-13 in the demo brand's GS1 Thailand range."""
    digits = f"{GS1_COMPANY}{item % 100_000:05d}"
    return digits + str(catalog.gtin_check_digit(digits))


def _round_90(amount: Decimal) -> Decimal:
    """Round a baht price up to the next amount ending in 90, as Thai shops price."""
    return (amount / 100).to_integral_value(rounding=ROUND_CEILING) * 100 - 10


def _usd(thb: Decimal) -> Decimal:
    """The international list price: net of Thai VAT, converted, ending in .95."""
    raw = thb / Decimal("1.07") * Decimal("0.030")
    return raw.to_integral_value(rounding=ROUND_CEILING) - Decimal("0.05")


def _seo_description(text: str) -> str:
    return text if len(text) <= 160 else text[:157].rsplit(" ", 1)[0] + "…"


def _description(spec: content.ProductSpec, index: int, lang: str) -> str:
    pos = 0 if lang == "th" else 1
    about = spec.about_th if lang == "th" else spec.about_en
    parts = [about]
    fit_kind = "sofa" if spec.kind == "sofa" else spec.kind
    fits = content.FIT.get(fit_kind)
    if fits:
        parts.append(fits[index % len(fits)][pos])
    if spec.fabric:
        parts.append(content.CARE[spec.fabric][pos])
    return "\n\n".join(parts)


def load_product(
    spec: content.ProductSpec, index: int, refs: Refs, summary: Summary, *, image_size: int
) -> None:
    """Create one product with its variants, prices, stock, images and reviews."""
    with transaction.atomic():
        product = catalog.product_create(
            product_type=refs.types[spec.kind if spec.kind in ("cushion", "care") else "sofa"],
            category=refs.categories[spec.category],
            is_featured=spec.featured,
            name_th=spec.name_th,
            name_en=spec.name_en,
            slug_en=spec.key,
            description_th=_description(spec, index, "th"),
            description_en=_description(spec, index, "en"),
            seo_title_th=f"{spec.name_th} | {content.BRAND_TH}",
            seo_title_en=f"{spec.name_en} | {content.BRAND_EN}",
            seo_description_th=_seo_description(spec.about_th),
            seo_description_en=_seo_description(spec.about_en),
        )
        by_colour = _load_variants(product, spec, index, refs)
        summary.variants += sum(len(v) for v in by_colour.values())
        summary.images += _load_images(product, spec, by_colour, refs, image_size)
        summary.reviews += _load_reviews(product, spec, index, refs)
        age = timedelta(days=(len(content.PRODUCTS) - index) * 2, hours=index)
        Product.objects.filter(pk=product.pk).update(created_at=timezone.now() - age)
    summary.products_created += 1


def _load_variants(
    product: Product, spec: content.ProductSpec, index: int, refs: Refs
) -> dict[str, list[Variant]]:
    values = refs.values
    axis = spec.axis or ("",)
    rng = random.Random(spec.key)  # nosec B311  # demo data, seeded for reproducibility
    by_colour: dict[str, list[Variant]] = {}
    position = 0
    for a, axis_code in enumerate(axis):
        thb = Decimal(spec.price + spec.step * a)
        for colour in spec.colours:
            chosen = [values["colour"][colour]]
            if axis_code:
                option = "seats" if axis_code in values["seats"] else "size"
                chosen.append(values[option][axis_code])
            chosen += [values["seats"][c] for c in spec.fixed]
            if spec.fabric:
                chosen.append(values["fabric"][spec.fabric])
            sku = "-".join(
                part
                for part in (
                    f"{content.SKU_PREFIX}{index + 1:03d}",
                    AXIS_CODE.get(axis_code, axis_code.upper()),
                    colour.replace("-", "")[:3].upper(),
                )
                if part
            )
            weight, dims = _shipping(spec, a)
            variant = catalog.variant_create(
                product=product,
                sku=sku,
                option_values=chosen,
                barcode=ean13(index * 20 + position),
                weight_grams=weight,
                length_mm=dims[0],
                width_mm=dims[1],
                height_mm=dims[2],
                position=position,
            )
            position += 1
            _price(variant, spec, thb, refs)
            _stock(variant, rng, refs)
            by_colour.setdefault(colour, []).append(variant)
    return by_colour


def _shipping(spec: content.ProductSpec, axis_index: int) -> tuple[int, tuple[int, int, int]]:
    base = {"sofa": 700, "lshape": 1900, "recliner": 900, "cushion": 180, "care": 320}[spec.kind]
    heavy = {"velvet": 1.3, "canvas": 1.35, "linen": 1.1, "boucle": 1.2}.get(spec.fabric or "", 1.0)
    weight = int((base + axis_index * base * 0.35) * heavy)
    if spec.kind in ("cushion", "care"):
        return weight, (300, 220, 40 + axis_index * 20)
    return weight, (400, 300, 90 + axis_index * 30)


def _price(variant: Variant, spec: content.ProductSpec, thb: Decimal, refs: Refs) -> None:
    compare = _round_90(thb * Decimal("1.3")) if spec.sale else None
    cost = (thb / Decimal("1.07") * Decimal("0.38")).quantize(Decimal("0.01"))
    price_set(variant=variant, market=refs.markets["th"], amount=thb, compare_at=compare, cost=cost)
    if spec.usd:
        price_set(
            variant=variant,
            market=refs.markets["intl"],
            amount=_usd(thb),
            compare_at=_usd(compare) if compare else None,
        )


def _stock(variant: Variant, rng: random.Random, refs: Refs) -> None:
    roll = rng.random()
    bangkok = 0 if roll < 0.1 else rng.randint(1, 6) if roll < 0.25 else rng.randint(8, 60)
    chiang_mai = rng.randint(0, 12) if rng.random() < 0.5 and bangkok else 0
    for code, quantity in (("bkk", bangkok), ("cnx", chiang_mai)):
        stock_set(
            variant=variant,
            warehouse=refs.warehouses[code],
            quantity=quantity,
            reason=StockMovement.Reason.RECEIVED,
            note="Demo opening stock",
            actor="seed",
        )


def _load_images(
    product: Product,
    spec: content.ProductSpec,
    by_colour: dict[str, list[Variant]],
    refs: Refs,
    image_size: int,
) -> int:
    shape = spec.shape or spec.kind
    texture = content.TEXTURE.get(spec.fabric or "", "woven")
    names = {code: (th, en) for code, th, en, _swatch in content.COLOURS}
    for colour, variants in by_colour.items():
        colour_th, colour_en = names[colour]
        catalog.product_image_add(
            product=product,
            file=illustration(shape, content.SWATCH[colour], texture, image_size),
            alt_th=f"{spec.name_th} สี{colour_th}",
            alt_en=f"{spec.name_en} in {colour_en}",
            variant=variants[0],
        )
    return len(by_colour)


def _load_reviews(product: Product, spec: content.ProductSpec, index: int, refs: Refs) -> int:
    kind = {"lshape": "cover", "sofa": "cover"}.get(spec.kind, spec.kind)
    special = {"waterproof": "waterproof", "pet-proof": "pet", "velvet": "velvet", "linen": "linen"}
    pools_th = list(content.REVIEWS_TH.get(kind, []))
    pools_en = list(content.REVIEWS_EN.get(kind, []))
    if spec.fabric in special and kind in ("cover", "recliner"):
        pools_th = content.REVIEWS_TH[special[spec.fabric]] + pools_th
        pools_en = content.REVIEWS_EN[special[spec.fabric]] + pools_en
    if kind == "recliner":
        pools_th += content.REVIEWS_TH["cover"][:4]
        pools_en += content.REVIEWS_EN["cover"][:3]
    count = 1 + (index * 7) % 5
    for n in range(count):
        thai = (index + n) % 3 != 2
        pool = pools_th if thai else pools_en
        rating, title, body = pool[(index * 3 + n) % len(pool)]
        user = refs.customers[(index + n) % len(refs.customers)] if n % 2 == 0 else None
        if user is not None and (user.preferred_language == "th") != thai:
            user = None
        guests = content.GUEST_AUTHORS_TH if thai else content.GUEST_AUTHORS_EN
        review = catalog.review_create(
            product=product,
            rating=rating,
            user=user,
            author_name="" if user else guests[(index + n) % len(guests)],
            title=title,
            body=body,
            language="th" if thai else "en",
        )
        age = timedelta(days=3 + (index * 11 + n * 17) % 150, hours=n * 5)
        Review.objects.filter(pk=review.pk).update(created_at=timezone.now() - age)
    return count


# --- entry points -------------------------------------------------------------------------------


def seed_reference_shop(*, image_size: int = 1200, log: Log = print) -> Summary:
    """Load the whole reference shop; skip what is already there."""
    started = time.perf_counter()
    summary = Summary()
    refs = load_foundation()
    log(f"Markets, warehouses, options and {len(refs.categories)} categories ready.")
    refs.customers = load_customers(summary)
    existing = set(
        Product.objects.filter(slug_en__in=[p.key for p in content.PRODUCTS]).values_list(
            "slug_en", flat=True
        )
    )
    for index, spec in enumerate(content.PRODUCTS):
        if spec.key in existing:
            summary.products_existing += 1
            continue
        load_product(spec, index, refs, summary, image_size=image_size)
        if summary.products_created % 10 == 0:
            log(f"  {summary.products_created} products loaded…")
    price_ranges_refresh()
    summary.search_indexed = rebuild_search_index()
    summary.seconds = time.perf_counter() - started
    return summary


def rebuild_search_index() -> int | None:
    """Rebuild the search index when the search app provides a rebuild (None otherwise)."""
    try:
        from tridex.search import services as search_services
    except ImportError:
        return None
    rebuild: Any = getattr(search_services, "search_index_rebuild", None)
    return rebuild() if callable(rebuild) else None


def demo_product_filter() -> Q:
    """Products the seed made: the reference products and the synthetic ones."""
    return Q(slug_en__in=[p.key for p in content.PRODUCTS]) | Q(
        slug_en__startswith=SYNTHETIC_PREFIX
    )


def reset_demo_catalog(*, log: Log = print) -> int:
    """Delete the demo products (and their images' files), then demo categories, types, options.

    Categories, product types and options still used by other products are kept.
    """
    with transaction.atomic():
        products = Product.objects.filter(demo_product_filter())
        files: set[str] = set()
        for name, renditions in ProductImage.objects.filter(product__in=products).values_list(
            "image", "renditions"
        ):
            files.add(name)
            files.update(catalog_images.rendition_files(renditions))
        count, _ = products.delete()
        keys = [c[0] for c in content.CATEGORIES]
        for category in Category.objects.filter(slug_en__in=keys).order_by("-depth"):
            if not category.products.exists() and not category.children.exists():
                category.delete()
        names = [t[1] for t in content.PRODUCT_TYPES.values()]
        ProductType.objects.filter(name_en__in=names, products__isnull=True).delete()
        for option in Option.objects.filter(code__in=[o[0] for o in content.OPTIONS]):
            if not Variant.objects.filter(option_values__option=option).exists():
                option.delete()
        transaction.on_commit(lambda: catalog_images.delete_files(sorted(files)))
    log(f"Removed the demo catalog ({count} rows including variants, prices and stock).")
    return count
