"""Catalog fixtures built through the catalog services, with media written to a temp dir."""

from __future__ import annotations

import pytest

from tridex.catalog import services


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def colour(db):
    option = services.option_create(code="colour", name_th="สี", name_en="Colour")
    for i, (code, th, en, swatch) in enumerate(
        [("navy", "กรมท่า", "Navy", "#25344F"), ("sand", "สีทราย", "Sand", "#D8C3A5")]
    ):
        services.option_value_create(
            option=option, code=code, name_th=th, name_en=en, swatch=swatch, position=i
        )
    return option


@pytest.fixture
def seats(db):
    option = services.option_create(code="seats", name_th="จำนวนที่นั่ง", name_en="Seats")
    for i, n in enumerate((1, 2, 3)):
        services.option_value_create(
            option=option, code=f"seat-{n}", name_th=f"{n} ที่นั่ง", name_en=f"{n}-seat", position=i
        )
    return option


@pytest.fixture
def fabric(db):
    option = services.option_create(code="fabric", name_th="เนื้อผ้า", name_en="Fabric")
    services.option_value_create(option=option, code="velvet", name_th="กำมะหยี่", name_en="Velvet")
    return option


@pytest.fixture
def sofa_type(colour, seats):
    return services.product_type_create(
        name_th="ผ้าคลุมโซฟา", name_en="Sofa cover", options=[colour, seats]
    )


@pytest.fixture
def category(db):
    return services.category_create(name_th="ผ้าคลุมโซฟา", name_en="Sofa covers")


@pytest.fixture
def product(sofa_type, category):
    return services.product_create(
        product_type=sofa_type,
        category=category,
        name_th="ผ้าคลุมโซฟากันน้ำ 3 ที่นั่ง",
        name_en="Waterproof Sofa Cover 3-Seat",
    )
