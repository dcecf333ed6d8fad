"""Fixtures for search: a small bilingual catalog, indexed, and a fresh vocabulary per test."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from tridex.catalog.models import Option, OptionValue, ProductImage, Variant
from tridex.inventory.services import stock_set
from tridex.pricing.services import price_set
from tridex.search import vocabulary
from tridex.search.services import search_index_rebuild


@pytest.fixture(autouse=True)
def _english_and_fresh_vocabulary():
    vocabulary.reset()
    with translation.override("en"):
        yield
    vocabulary.reset()


@pytest.fixture
def add_variant(market_th, warehouse):
    """Add a variant with option values (option code -> value code) to a product."""

    def add(product, sku: str, values: dict[str, str], price: str = "1000", stock: int = 3):
        variant = Variant.objects.create(product=product, sku=sku)
        for option_code, value_code in values.items():
            option, _ = Option.objects.get_or_create(
                code=option_code, defaults={"name_en": option_code.title(), "name_th": option_code}
            )
            value, _ = OptionValue.objects.get_or_create(
                option=option,
                code=value_code,
                defaults={"name_en": value_code.title(), "name_th": value_code},
            )
            variant.option_values.add(value)
        price_set(variant=variant, market=market_th, amount=Decimal(price))
        stock_set(variant=variant, warehouse=warehouse, quantity=stock)
        return variant

    return add


@pytest.fixture
def add_image():
    """Attach an image record (no file needed: URLs are built from storage paths)."""

    def add(product, name: str, *, variant=None, position: int = 0, widths=(320, 640, 1024)):
        renditions = {
            str(w): {"webp": f"r/{name}-{w}.webp", "jpeg": f"r/{name}-{w}.jpg"} for w in widths
        }
        return ProductImage.objects.create(
            product=product,
            variant=variant,
            image=f"products/{name}.jpg",
            width=2000,
            height=1500,
            alt_en=f"{name} photo",
            position=position,
            renditions=renditions,
        )

    return add


@pytest.fixture
def catalog(make_product):
    """Three products: a waterproof sofa cover, a velvet cushion cover, a linen sofa cover."""
    waterproof = make_product(
        name_en="Waterproof sofa cover, 3 seats",
        name_th="ผ้าคลุมโซฟากันน้ำ 3 ที่นั่ง",
        colours=("grey", "blue"),
        price="1290",
        description_en="Keeps spills and pet hair off your sofa.",
        description_th="กันน้ำหก และขนสัตว์เลี้ยง",
    )
    cushion = make_product(
        name_en="Velvet cushion cover",
        name_th="ปลอกหมอนอิงกำมะหยี่",
        colours=("red",),
        price="390",
        stock=0,
    )
    linen = make_product(
        name_en="Linen sofa cover, 2 seats",
        name_th="ผ้าคลุมโซฟาลินิน 2 ที่นั่ง",
        colours=("grey",),
        price="2490",
    )
    search_index_rebuild()
    return {"waterproof": waterproof, "cushion": cushion, "linen": linen}
