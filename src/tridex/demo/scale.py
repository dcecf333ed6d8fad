"""A synthetic catalog of N products for benchmarks, written as plain rows in bulk.

Per-row services would take hours for 100,000 products, and even ``bulk_create`` spends more
time building instances and compiling values than the database spends storing them. So this
path writes the same shape of data as tuples (``core.db.insert_rows``: COPY on PostgreSQL) with
primary keys reserved up front: products with 2–3 variants (colour × seats/size × fabric
options, valid EAN-13), THB prices (explicit USD for every fourth product), stock with its
opening movement, precomputed price ranges, and one shared image whose renditions were made
once through ``product_image_add``. Products are keyed ``syn-<n>-…`` so a second run only tops
the catalog up to N.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Field, Model
from django.utils import timezone

from tridex.catalog import services as catalog
from tridex.catalog.models import Product, ProductImage, Variant
from tridex.core.db import analyze_database, foreign_keys_checked_at_end, insert_rows, reserve_ids
from tridex.core.money import Money
from tridex.demo import content
from tridex.demo.artwork import illustration
from tridex.demo.loader import (
    SYNTHETIC_PREFIX,
    Refs,
    _round_90,
    _usd,
    ean13,
    load_foundation,
)
from tridex.inventory.models import Stock, StockMovement
from tridex.markets.services import convert_price
from tridex.pricing.models import Price, ProductPriceRange
from tridex.search.models import ListingOption, SearchPosting
from tridex.search.services import search_index_rebuild

Log = Callable[[str], None]
CHUNK = 5_000
CATALOG_TABLES = (
    Product,
    Variant,
    Variant.option_values.through,
    Price,
    ProductPriceRange,
    Stock,
    StockMovement,
    ProductImage,
)

# (fabric, category, Thai phrase, English phrase)
LINES = [
    ("stretch", "stretch-sofa-covers", "ผ้าคลุมโซฟายืด", "Stretch Sofa Cover"),
    ("waterproof", "waterproof-sofa-covers", "ผ้าคลุมโซฟากันน้ำ", "Waterproof Sofa Cover"),
    ("velvet", "velvet-sofa-covers", "ผ้าคลุมโซฟากำมะหยี่", "Velvet Sofa Cover"),
    ("linen", "linen-sofa-covers", "ผ้าคลุมโซฟาลินิน", "Linen Sofa Cover"),
    ("pet-proof", "pet-proof-sofa-covers", "ผ้าคลุมโซฟากันเล็บแมว", "Pet-Proof Sofa Cover"),
    ("stretch", "l-shape-covers", "ผ้าคลุมโซฟาตัวแอล", "L-Shape Sofa Cover"),
    ("stretch", "recliner-covers", "ผ้าคลุมเก้าอี้ปรับนอน", "Recliner Cover"),
    ("velvet", "cushion-covers", "ปลอกหมอนอิงกำมะหยี่", "Velvet Cushion Cover"),
]
MODELS = ["Aria", "Bamboo", "Cloud", "Dune", "Ember", "Fern", "Haven", "Isla", "Jasmine", "Kora"]


def seed_scale(*, count: int, log: Log = print) -> dict[str, Any]:
    """Top the synthetic catalog up to ``count`` products; return what was written."""
    started = time.perf_counter()
    refs = load_foundation()
    existing = Product.objects.filter(slug_en__startswith=SYNTHETIC_PREFIX).count()
    todo = max(0, count - existing)
    log(f"Synthetic catalog: {existing} present, creating {todo} more.")
    written: dict[str, Any] = {"products": 0, "variants": 0}
    # One transaction: a run that fails leaves the catalog as it was, and the foreign keys are
    # checked once at the end instead of row by row.
    with transaction.atomic(), foreign_keys_checked_at_end(*CATALOG_TABLES):
        shared = _shared_image()
        for start in range(existing, count, CHUNK):
            stop = min(start + CHUNK, count)
            products, variants, shared = _write_chunk(range(start, stop), refs, shared)
            written["products"] += products
            written["variants"] += variants
            elapsed = time.perf_counter() - started
            log(f"  {stop - existing}/{todo} products ({elapsed:.1f}s)")
    if todo:
        search_started = time.perf_counter()
        with transaction.atomic(), foreign_keys_checked_at_end(SearchPosting, ListingOption):
            indexed = search_index_rebuild()
        took = time.perf_counter() - search_started
        log(f"Search index rebuilt: {indexed} products in {took:.1f}s")
        analyze_database()
    written["seconds"] = round(time.perf_counter() - started, 1)
    return written


def _shared_image() -> ProductImage | None:
    """The image every synthetic product points at, if an earlier run made it."""
    return (
        ProductImage.objects.filter(product__slug_en__startswith=SYNTHETIC_PREFIX)
        .order_by("pk")
        .first()
    )


def _first_image(product: Product) -> ProductImage:
    """Render the shared image once, through the service (validation, storage, renditions)."""
    return catalog.product_image_add(
        product=product,
        file=illustration("sofa", content.SWATCH["dove-grey"], "knit", 1200),
        alt_th=getattr(product, "name_th", ""),
        alt_en=getattr(product, "name_en", ""),
    )


def _write_chunk(
    indices: range, refs: Refs, shared: ProductImage | None
) -> tuple[int, int, ProductImage]:
    products = [_product(i, refs) for i in indices]
    for product, pk in zip(products, reserve_ids(Product, len(products)), strict=True):
        product["id"] = pk
    insert_rows(Product, products)
    variants, links, amounts = _variants(products, indices, refs)
    insert_rows(Variant, variants)
    insert_rows(
        Variant.option_values.through,
        ({"variant_id": v["id"], "optionvalue_id": o.pk} for v, opts in links for o in opts),
    )
    _write_prices(variants, amounts, refs)
    _write_stock(variants, refs)
    if shared is None:
        shared = _first_image(Product.objects.get(pk=products[0]["id"]))
        _write_images(products[1:], shared)
    else:
        _write_images(products, shared)
    return len(products), len(variants), shared


Row = dict[str, Any]


def _variants(
    products: list[Row], indices: range, refs: Refs
) -> tuple[list[Row], list[tuple[Row, list[Any]]], list[tuple[Decimal, Decimal | None]]]:
    """2-3 colour variants per product, their option values and (THB, explicit USD) amounts."""
    values = refs.values
    colours = list(values["colour"].values())
    stamps = _timestamps(Variant)
    variants: list[Row] = []
    links: list[tuple[Row, list[Any]]] = []
    amounts: list[tuple[Decimal, Decimal | None]] = []
    for product, i in zip(products, indices, strict=True):
        rng = random.Random(i)  # nosec B311  # demo data, seeded for reproducibility
        line = LINES[i % len(LINES)]
        picks = rng.sample(colours, rng.choice((2, 3)))
        fixed = _axis_values(line[1], i, values)
        base = Decimal(690 + (i % 40) * 100)
        for j, colour in enumerate(picks):
            variant = {
                **stamps,
                "product_id": product["id"],
                "sku": f"SYN-{i:06d}-{j}",
                "barcode": ean13(50_000 + i * 3 + j),
                "weight_grams": 600 + 150 * (i % 4),
                "length_mm": 400,
                "width_mm": 300,
                "height_mm": 90 + 10 * j,
                "position": j,
            }
            variants.append(variant)
            links.append((variant, [colour, *fixed, values["fabric"][line[0]]]))
            thb = min(base + j * 100, Decimal(4990))
            amounts.append((thb, _usd(thb) if i % 4 == 0 else None))
    for variant, pk in zip(variants, reserve_ids(Variant, len(variants)), strict=True):
        variant["id"] = pk
    return variants, links, amounts


def _axis_values(category: str, i: int, values: dict[str, dict[str, Any]]) -> list[Any]:
    """Seats/size values a product of this line has, within its product type's options."""
    if category == "cushion-covers":
        return [values["size"][("c45", "c50", "c60")[i % 3]]]
    if category == "l-shape-covers":
        return [values["seats"]["l-shape"], values["size"][("m", "l", "xl")[i % 3]]]
    if category == "recliner-covers":
        return [values["seats"]["recliner"]]
    return [values["seats"][f"seat-{1 + i % 4}"]]


def _product(i: int, refs: Refs) -> Row:
    _fabric, category, phrase_th, phrase_en = LINES[i % len(LINES)]
    model = MODELS[(i // len(LINES)) % len(MODELS)]
    name_th = f"{phrase_th} รุ่น{model} {i}"
    name_en = f"{phrase_en} {model} {i}"
    kind = "cushion" if category == "cushion-covers" else "sofa"
    description_en = (
        f"{phrase_en} from the {model} line: a close, tidy fit, easy to put on and machine "
        "washable."
    )
    description_th = f"{phrase_th} รุ่น{model} ใส่ง่าย พอดีตัว ซักเครื่องได้"
    slug_en = f"{SYNTHETIC_PREFIX}{i}-{catalog.slugify_text(name_en)}"
    seo_title_th = f"{name_th} | {content.BRAND_TH}"
    seo_title_en = f"{name_en} | {content.BRAND_EN}"
    # modeltranslation keeps the untranslated column equal to the default language's (Thai).
    return {
        **_timestamps(Product),
        "product_type_id": refs.types[kind].pk,
        "category_id": refs.categories[category].pk,
        "name": name_th,
        "name_th": name_th,
        "name_en": name_en,
        "slug": catalog.slugify_text(name_th),
        "slug_th": catalog.slugify_text(name_th),
        "slug_en": slug_en,
        "description": description_th,
        "description_th": description_th,
        "description_en": description_en,
        "seo_title": seo_title_th,
        "seo_title_th": seo_title_th,
        "seo_title_en": seo_title_en,
        "seo_description": description_th,
        "seo_description_th": description_th,
        "seo_description_en": description_en,
        "is_published": i % 97 != 0,
        "is_featured": i % 500 == 0,
    }


def _write_prices(
    variants: list[Row], amounts: list[tuple[Decimal, Decimal | None]], refs: Refs
) -> None:
    """Explicit prices, and each product's price range computed here rather than re-read."""
    th, intl = refs.markets["th"], refs.markets["intl"]
    prices: list[dict[str, Any]] = []
    ranges: list[dict[str, Any]] = []
    stamps = _timestamps(Price)
    per_product: dict[tuple[int, int], list[tuple[Money, Money | None]]] = {}
    for variant, (amount, usd) in zip(variants, amounts, strict=True):
        product_id = variant["product_id"]
        on_sale = product_id % 5 == 0
        compare = _round_90(amount * Decimal("1.3")) if on_sale else None
        cost = (amount / Decimal("1.07") * Decimal("0.38")).quantize(Decimal("0.01"))
        prices.append(
            {
                **stamps,
                "variant_id": variant["id"],
                "market_id": th.pk,
                "currency": "THB",
                "amount": amount,
                "compare_at_amount": compare,
                "cost_amount": cost,
            }
        )
        if usd is not None:
            usd_compare = _usd(compare) if compare is not None else None
            prices.append(
                {
                    **stamps,
                    "variant_id": variant["id"],
                    "market_id": intl.pk,
                    "currency": "USD",
                    "amount": usd,
                    "compare_at_amount": usd_compare,
                    "cost_amount": None,
                }
            )
            intl_price = Money(usd, "USD")
            intl_compare = Money(usd_compare, "USD") if usd_compare is not None else None
        else:
            intl_price = convert_price(amount=Money(amount, "THB"), market=intl)
            intl_compare = (
                convert_price(amount=Money(compare, "THB"), market=intl) if compare else None
            )
        thb_compare = Money(compare, "THB") if compare else None
        per_product.setdefault((product_id, th.pk), []).append((Money(amount, "THB"), thb_compare))
        per_product.setdefault((product_id, intl.pk), []).append((intl_price, intl_compare))
    insert_rows(Price, prices)
    for (product_id, market_id), rows in per_product.items():
        cheapest, compare_of_cheapest = min(rows, key=lambda r: r[0])
        ranges.append(
            {
                "product_id": product_id,
                "market_id": market_id,
                "currency": cheapest.currency,
                "min_amount": cheapest.amount,
                "max_amount": max(price for price, _compare in rows).amount,
                "min_compare_at_amount": (
                    compare_of_cheapest.amount if compare_of_cheapest else None
                ),
            }
        )
    insert_rows(ProductPriceRange, ranges)


def _write_stock(variants: list[Row], refs: Refs) -> None:
    bangkok, chiang_mai = refs.warehouses["bkk"], refs.warehouses["cnx"]
    updated_at = _timestamps(Stock)["updated_at"]
    stocks: list[Row] = []
    for variant in variants:
        n = variant["id"]
        stocks.append(
            {
                "variant_id": n,
                "warehouse_id": bangkok.pk,
                "quantity": 0 if n % 11 == 0 else 5 + n % 40,
            }
        )
        if n % 3 == 0:
            stocks.append({"variant_id": n, "warehouse_id": chiang_mai.pk, "quantity": n % 9})
    for stock, pk in zip(stocks, reserve_ids(Stock, len(stocks)), strict=True):
        stock.update(id=pk, updated_at=updated_at)
    insert_rows(Stock, stocks)
    created_at = _timestamps(StockMovement)["created_at"]
    insert_rows(
        StockMovement,
        (
            {
                "stock_id": stock["id"],
                "delta": stock["quantity"],
                "quantity_after": stock["quantity"],
                "reason": StockMovement.Reason.RECEIVED.value,
                "note": "Synthetic opening stock",
                "actor": "seed --scale",
                "created_at": created_at,
            }
            for stock in stocks
        ),
    )


def _write_images(products: list[Row], image: ProductImage) -> None:
    renditions_field = cast(Field, ProductImage._meta.get_field("renditions"))
    renditions = renditions_field.get_db_prep_save(image.renditions, connection)
    insert_rows(
        ProductImage,
        (
            {
                "product_id": product["id"],
                "variant_id": None,
                "image": image.image.name,
                "width": image.width,
                "height": image.height,
                "alt": product["name_th"],
                "alt_th": product["name_th"],
                "alt_en": product["name_en"],
                "position": 0,
                "renditions": renditions,
            }
            for product in products
        ),
    )


def _timestamps(model: type[Model]) -> dict[str, Any]:
    """``created_at``/``updated_at`` as the database driver expects them, computed once."""
    now = timezone.now()
    return {
        name: cast(Field, model._meta.get_field(name)).get_db_prep_save(now, connection)
        for name in ("created_at", "updated_at")
        if any(f.name == name for f in model._meta.concrete_fields)
    }
