"""Pages run a fixed number of SQL queries however many products, variants or photos they show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tridex.catalog.models import Review
from tridex.search.services import search_index_rebuild

pytestmark = pytest.mark.django_db


def count_queries(client, url: str, *, shown: int | None = None) -> int:
    client.get(url)  # warm per-process caches (markets, search vocabulary)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    if shown is not None:  # the page really shows the products being counted
        assert response.content.decode().count('class="card__title"') >= shown
    return len(queries)


@pytest.fixture
def catalog(make_product, add_image):
    def grow(total: int) -> None:
        from tridex.catalog.models import Product

        for n in range(Product.objects.count(), total):
            product = make_product(
                name_en=f"Cover {n}", name_th=f"ผ้าคลุม {n}", colours=("grey", "red")
            )
            add_image(product, f"cover-{n}")
            Review.objects.create(product=product, author_name="A", rating=5)
        search_index_rebuild()

    return grow


@pytest.mark.parametrize("url", ["/en/", "/th/", "/en/c/sofa-covers/", "/en/search/?q=cover"])
def test_listing_pages_query_count_does_not_grow_with_products(client, catalog, url):
    catalog(2)
    few = count_queries(client, url, shown=2)
    catalog(20)
    many = count_queries(client, url, shown=8)
    assert many == few
    assert few <= 25


def test_product_page_query_count_does_not_grow_with_variants_or_photos(
    client, make_product, add_variant, add_image
):
    product = make_product(name_en="Big cover", colours=())
    add_variant(product, "BIG-1", {"colour": "grey", "seats": "1"}, "990", 5)
    add_image(product, "big-1")
    url = f"/en/p/{product.slug_en}/"
    few = count_queries(client, url)
    for n in range(2, 14):
        variant = add_variant(
            product,
            f"BIG-{n}",
            {"colour": ("grey", "blue", "red")[n % 3], "seats": str(n)},
            "990",
            n,
        )
        add_image(product, f"big-{n}", variant=variant, position=n)
        Review.objects.create(product=product, author_name=f"R{n}", rating=4)
    many = count_queries(client, url)
    fragment = count_queries(client, f"/en/p/{product.slug_en}/variant/?colour=blue")
    assert many == few
    assert fragment <= few
    assert few <= 25
