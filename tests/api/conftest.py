"""A small bilingual shop for the API tests: three categories, three products, two options."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tridex.catalog.models import Category, Option, OptionValue, Product, ProductType
from tridex.search import vocabulary
from tridex.search.services import search_index_products


@pytest.fixture(autouse=True)
def _fresh_vocabulary():
    """The search vocabulary is cached per process by version; versions repeat across tests."""
    vocabulary.reset()
    yield
    vocabulary.reset()


@dataclass
class Shop:
    sofa_covers: Category
    velvet_covers: Category
    cushion_covers: Category
    waterproof: Product
    velvet: Product
    cushion: Product


def _fabric(product: Product, code: str, name_en: str, name_th: str) -> None:
    """Give every variant of ``product`` the fabric ``code`` (a second filterable option)."""
    fabric, _ = Option.objects.get_or_create(
        code="fabric", defaults={"name_en": "Fabric", "name_th": "เนื้อผ้า", "position": 1}
    )
    for ptype in ProductType.objects.all():
        ptype.options.add(fabric)
    value, _ = OptionValue.objects.get_or_create(
        option=fabric, code=code, defaults={"name_en": name_en, "name_th": name_th}
    )
    for variant in product.variants.all():
        variant.option_values.add(value)


@pytest.fixture
def shop(make_product, market_intl) -> Shop:
    sofa = Category.objects.create(
        name_en="Sofa covers", name_th="ผ้าคลุมโซฟา", slug_en="sofa-covers", slug_th="ผ้าคลุมโซฟา"
    )
    velvet_cat = Category.objects.create(
        parent=sofa,
        name_en="Velvet covers",
        name_th="ผ้าคลุมกำมะหยี่",
        slug_en="velvet-covers",
        slug_th="ผ้าคลุมกำมะหยี่",
    )
    cushion_cat = Category.objects.create(
        name_en="Cushion covers",
        name_th="ปลอกหมอนอิง",
        slug_en="cushion-covers",
        slug_th="ปลอกหมอนอิง",
    )
    cushion = make_product(
        name_en="Linen cushion cover",
        name_th="ปลอกหมอนผ้าลินิน",
        colours=("beige",),
        price="390",
        stock=0,
        category=cushion_cat,
    )
    _fabric(cushion, "linen", "Linen", "ลินิน")
    waterproof = make_product(
        name_en="Waterproof sofa cover",
        name_th="ผ้าคลุมโซฟากันน้ำ",
        colours=("grey", "navy"),
        price="1290",
        stock=5,
        category=sofa,
    )
    _fabric(waterproof, "polyester", "Polyester", "โพลีเอสเตอร์")
    velvet = make_product(
        name_en="Velvet sofa cover",
        name_th="ผ้าคลุมโซฟากำมะหยี่",
        colours=("navy",),
        price="2490",
        stock=3,
        category=velvet_cat,
    )
    _fabric(velvet, "velvet", "Velvet", "กำมะหยี่")
    search_index_products(product_ids=[cushion.pk, waterproof.pk, velvet.pk])
    return Shop(sofa, velvet_cat, cushion_cat, waterproof, velvet, cushion)


def get_json(client: Client, path: str, expect: int = 200, **headers: str) -> Any:
    """GET an API path, check the status, and return the decoded JSON body."""
    response = client.get(path, headers=headers)
    assert response.status_code == expect, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    return response.json()
