"""Product detail by id and by slug: variants priced in the market, 404 JSON when unknown."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import get_json
from tridex.catalog.models import Review
from tridex.markets.selectors import market_clear_cache

pytestmark = pytest.mark.django_db


def test_detail_by_id_in_english(client, shop):
    waterproof = shop.waterproof
    body = get_json(client, f"/api/v1/products/{waterproof.pk}?lang=en")
    assert (body["id"], body["name"], body["slug"]) == (
        waterproof.pk,
        "Waterproof sofa cover",
        waterproof.slug_en,
    )
    assert (body["market"], body["language"]) == ("th", "en")
    assert body["slugs"] == {"th": waterproof.slug_th, "en": waterproof.slug_en}
    assert body["url"].startswith("http://testserver/en/")
    variants = {v["sku"]: v for v in body["variants"]}
    assert set(variants) == {f"SKU-{n}-{c}" for n, c in [(2, "grey"), (2, "navy")]}
    grey = next(v for v in body["variants"] if v["options"]["colour"] == "grey")
    assert grey["options"] == {"colour": "grey", "fabric": "polyester"}
    assert grey["price"] == {"amount": "1290.00", "currency": "THB", "formatted": "THB1,290.00"}
    assert grey["compare_at"] is None
    assert (grey["available"], grey["in_stock"]) == (5, True)
    options = {o["code"]: o for o in body["options"]}
    assert options["colour"]["name"] == "Colour"
    assert {v["code"] for v in options["colour"]["values"]} == {"grey", "navy"}
    assert body["price_min"]["amount"] == "1290.00"
    assert (body["available"], body["in_stock"]) == (10, True)
    assert body["breadcrumbs"][-1]["name"] == "Sofa covers"


def test_detail_in_thai_and_in_the_international_market(client, shop):
    body = get_json(client, f"/api/v1/products/{shop.velvet.pk}?lang=th&market=intl")
    assert body["name"] == "ผ้าคลุมโซฟากำมะหยี่"
    assert body["slug"] == shop.velvet.slug_th
    assert [b["name"] for b in body["breadcrumbs"]][-2:] == ["ผ้าคลุมโซฟา", "ผ้าคลุมกำมะหยี่"]
    (variant,) = body["variants"]
    assert variant["price"]["amount"] == "69.99"
    assert variant["price"]["currency"] == "USD"
    assert variant["price"]["formatted"] == "US$69.99"
    assert body["options"][0]["name"] == "สี"


@pytest.mark.parametrize("lang", ["th", "en"])
@pytest.mark.parametrize("which", ["slug_th", "slug_en"])
def test_detail_by_slug_in_any_language(client, shop, lang, which):
    slug = getattr(shop.waterproof, which)
    body = get_json(client, f"/api/v1/products/by-slug/{slug}?lang={lang}")
    assert body["id"] == shop.waterproof.pk
    assert body["slug"] == getattr(shop.waterproof, f"slug_{lang}")


def test_detail_shows_rating_and_reviews(client, shop):
    product = shop.velvet
    Review.objects.create(
        product=product, author_name="Ploy", rating=5, title="Soft", body="Love it"
    )
    Review.objects.create(product=product, author_name="Hidden", rating=1, is_approved=False)
    product.rating_average = Decimal("5.00")
    product.rating_count = 1
    product.save()
    body = get_json(client, f"/api/v1/products/{product.pk}")
    assert body["rating"] == {"average": "5.00", "count": 1}
    assert [r["author_name"] for r in body["reviews"]] == ["Ploy"]
    assert body["reviews"][0]["rating"] == 5
    listing = get_json(client, "/api/v1/products?sort=rating")
    assert listing["items"][0]["rating"] == {"average": "5.00", "count": 1}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/products/999999",
        "/api/v1/products/0",
        "/api/v1/products/-1",
        "/api/v1/products/99999999999999999999999999",
        "/api/v1/products/by-slug/no-such-product",
        "/api/v1/products/by-slug/ไม่มีสินค้านี้",
        "/api/v1/products/by-slug/" + "x" * 1000,
        "/api/v1/products/by-slug/1' OR '1'='1",
    ],
)
def test_unknown_product_is_404_json(client, shop, path):
    body = get_json(client, path, 404)
    assert body["code"] == "product_not_found"
    assert body["message"]


def test_unpublished_product_is_404(client, shop):
    shop.velvet.is_published = False
    shop.velvet.save()
    get_json(client, f"/api/v1/products/{shop.velvet.pk}", 404)
    get_json(client, f"/api/v1/products/by-slug/{shop.velvet.slug_en}", 404)


@pytest.mark.parametrize(("query", "field"), [("lang=fr", "lang"), ("market=nowhere", "market")])
def test_detail_bad_locale_is_422(client, shop, query, field):
    body = get_json(client, f"/api/v1/products/{shop.velvet.pk}?{query}", 422)
    assert body["field"] == field


def test_non_numeric_id_is_422_naming_it(client, shop):
    body = get_json(client, "/api/v1/products/abc", 422)
    assert body["field"] == "product_id"


def test_unknown_api_path_is_404_json(client, db):
    body = get_json(client, "/api/v1/no-such-endpoint", 404)
    assert body["code"] == "not_found"


def test_detail_query_count_does_not_grow_with_variants(client, make_product, market_intl):
    one = make_product(name_en="One colour", colours=("grey",))
    many = make_product(
        name_en="Many colours", colours=("grey", "navy", "beige", "red", "green", "black")
    )
    Review.objects.create(product=many, author_name="A", rating=4)
    Review.objects.create(product=one, author_name="B", rating=4)
    counts = []
    for product in (one, many):
        for market in ("th", "intl"):
            market_clear_cache()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(f"/api/v1/products/{product.pk}?market={market}")
            assert response.status_code == 200
            counts.append(len(queries))
    assert len(response.json()["variants"]) == 6
    assert counts[0] == counts[2] and counts[1] == counts[3], counts
