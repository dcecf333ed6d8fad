"""The product list runs a fixed number of SQL queries, whatever the page size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tridex.markets.selectors import market_clear_cache
from tridex.search.services import search_index_products

pytestmark = pytest.mark.django_db

# Upper bound for one list request: market, category, the page, its count, facets, prices,
# stock, images. Generous on purpose; what matters is that it does not grow with the page.
MAX_QUERIES = 15


@pytest.fixture
def sixty_products(make_product, market_intl):
    colours = ("grey", "navy")
    products = [
        make_product(
            name_en=f"Sofa cover {i}",
            name_th=f"ผ้าคลุมโซฟา {i}",
            colours=colours[: 1 + i % 2],
            price=str(500 + 10 * i),
        )
        for i in range(60)
    ]
    search_index_products(product_ids=[p.pk for p in products])
    return products


def _count(client, query: str) -> int:
    market_clear_cache()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/products?{query}")
    assert response.status_code == 200, response.content[:300]
    return len(queries)


FILTERS = [
    "",
    "&market=intl&lang=en",
    "&category=sofa-covers&colour=grey&colour=navy&sort=price_asc",
    "&q=sofa&in_stock=true&price_min=100",
]


def test_list_query_count_is_fixed(client, django_assert_num_queries, sixty_products):
    for filters in FILTERS:
        # Warm up: the search vocabulary loads once per process after the index changes.
        assert client.get(f"/api/v1/products?page_size=1{filters}").status_code == 200
        small = _count(client, f"page_size=5{filters}")
        assert small <= MAX_QUERIES, filters
        market_clear_cache()
        with django_assert_num_queries(small):
            response = client.get(f"/api/v1/products?page_size=50{filters}")
        body = response.json()
        assert len(body["items"]) == min(50, body["total"]), filters
        assert body["total"] > 5, filters
        # A later page costs the same as the first.
        assert _count(client, f"page_size=5&page=2{filters}") == small, filters
