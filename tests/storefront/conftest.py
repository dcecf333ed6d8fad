"""A small bilingual shop for the storefront pages: one sofa cover with colour × seats variants
priced and stocked differently, plus two simple products, indexed for search."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tridex.catalog.models import Option, OptionValue, ProductImage, Variant
from tridex.inventory.services import stock_set
from tridex.pricing.services import price_set
from tridex.search import vocabulary
from tridex.search.services import search_index_rebuild

SWATCHES = {"grey": "#8a8a86", "blue": "#34508a", "red": "#8c2f2f"}


@pytest.fixture(autouse=True)
def _fresh_vocabulary():
    vocabulary.reset()
    yield
    vocabulary.reset()


@pytest.fixture
def option_value():
    def get(option_code: str, value_code: str, position: int = 0) -> OptionValue:
        option, _ = Option.objects.get_or_create(
            code=option_code,
            defaults={
                "name_en": {"seats": "Seats", "colour": "Colour"}.get(option_code, option_code),
                "name_th": {"seats": "จำนวนที่นั่ง", "colour": "สี"}.get(option_code, option_code),
                "position": 0 if option_code == "colour" else 1,
            },
        )
        value, _ = OptionValue.objects.get_or_create(
            option=option,
            code=value_code,
            defaults={
                "name_en": value_code.title(),
                "name_th": {"grey": "เทา", "blue": "น้ำเงิน", "red": "แดง"}.get(
                    value_code, value_code
                ),
                "swatch": SWATCHES.get(value_code, ""),
                "position": position,
            },
        )
        return value

    return get


@pytest.fixture
def add_variant(market_th, warehouse, option_value):
    def add(product, sku: str, values: dict[str, str], price: str, stock: int, **price_kw):
        variant = Variant.objects.create(
            product=product, sku=sku, position=product.variants.count()
        )
        for position, (option_code, value_code) in enumerate(values.items()):
            variant.option_values.add(option_value(option_code, value_code, position))
        price_set(variant=variant, market=market_th, amount=Decimal(price), **price_kw)
        stock_set(variant=variant, warehouse=warehouse, quantity=stock)
        return variant

    return add


@pytest.fixture
def add_image():
    def add(product, name: str, *, variant=None, position: int = 0):
        renditions = {
            str(w): {"webp": f"r/{name}-{w}.webp", "jpeg": f"r/{name}-{w}.jpg"}
            for w in (320, 640, 1024)
        }
        return ProductImage.objects.create(
            product=product,
            variant=variant,
            image=f"products/{name}.jpg",
            width=2000,
            height=1500,
            alt_en=f"{name} photo",
            alt_th=f"ภาพ {name}",
            position=position,
            renditions=renditions,
        )

    return add


@pytest.fixture
def shop(make_product, add_variant, add_image, market_intl):
    """The sofa: grey 2 seats ฿1,290 (10), grey 3 seats ฿1,590 (3), blue 2 seats ฿1,390 (0);
    no blue 3 seats. Plus a red velvet cushion cover (฿390) and a grey linen cover (฿2,490)."""
    sofa = make_product(
        name_en="Stretch sofa cover",
        name_th="ผ้าคลุมโซฟายืดหยุ่น",
        colours=(),
        description_en="Hugs the sofa and washes at 30 degrees.",
        description_th="กระชับพอดีโซฟา ซักเครื่องได้",
    )
    variants = {
        "grey-2": add_variant(
            sofa, "SOFA-GREY-2", {"colour": "grey", "seats": "2"}, "1290", 10, compare_at="1490"
        ),
        "grey-3": add_variant(sofa, "SOFA-GREY-3", {"colour": "grey", "seats": "3"}, "1590", 3),
        "blue-2": add_variant(sofa, "SOFA-BLUE-2", {"colour": "blue", "seats": "2"}, "1390", 0),
    }
    add_image(sofa, "sofa-front", position=0)
    add_image(sofa, "sofa-side", position=1)
    add_image(sofa, "sofa-blue", variant=variants["blue-2"], position=2)
    cushion = make_product(
        name_en="Velvet cushion cover", name_th="ปลอกหมอนอิงกำมะหยี่", colours=("red",), price="390"
    )
    linen = make_product(
        name_en="Linen sofa cover", name_th="ผ้าคลุมโซฟาลินิน", colours=("grey",), price="2490"
    )
    search_index_rebuild()
    return {"sofa": sofa, "cushion": cushion, "linen": linen, "variants": variants}
