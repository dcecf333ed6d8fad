"""The product list: rendering, filters, sort, pagination and search in both languages/markets."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.api.conftest import get_json

pytestmark = pytest.mark.django_db


def products(client, expect: int = 200, headers: dict | None = None, **params):
    query = urlencode(params, doseq=True)
    return get_json(client, f"/api/v1/products?{query}", expect, **(headers or {}))


def names(body) -> list[str]:
    return [item["name"] for item in body["items"]]


def test_list_renders_cards_with_money_as_strings(client, shop):
    body = products(client, lang="en")
    assert body["total"] == 3
    assert (body["page"], body["page_size"], body["num_pages"]) == (1, 24, 1)
    assert (body["market"], body["language"], body["sort"]) == ("th", "en", "newest")
    assert names(body) == ["Velvet sofa cover", "Waterproof sofa cover", "Linen cushion cover"]
    card = body["items"][1]
    waterproof = shop.waterproof
    assert card["id"] == waterproof.pk
    assert card["slug"] == waterproof.slug_en
    assert card["url"].startswith("http://testserver/en/")
    assert card["url"].endswith(f"{waterproof.slug_en}/") or waterproof.slug_en in card["url"]
    assert card["category_id"] == shop.sofa_covers.pk
    # Formatted like the storefront formats it: Babel's rules for the response's language.
    assert card["price_min"] == {"amount": "1290.00", "currency": "THB", "formatted": "THB1,290.00"}
    assert card["price_max"] == card["price_min"]
    assert card["compare_at"] is None and card["is_on_sale"] is False
    assert card["rating"] == {"average": None, "count": 0}
    assert (card["available"], card["in_stock"]) == (10, True)
    assert body["items"][2]["in_stock"] is False


def test_list_in_thai(client, shop):
    body = products(client, lang="th")
    assert body["language"] == "th"
    assert names(body) == ["ผ้าคลุมโซฟากำมะหยี่", "ผ้าคลุมโซฟากันน้ำ", "ปลอกหมอนผ้าลินิน"]
    assert body["items"][1]["slug"] == shop.waterproof.slug_th
    assert body["items"][1]["price_min"] == {
        "amount": "1290.00",
        "currency": "THB",
        "formatted": "฿1,290.00",
    }
    assert "/th/" in body["items"][1]["url"]


def test_language_defaults_to_accept_language(client, shop):
    assert products(client, headers={"Accept-Language": "en"})["language"] == "en"
    assert products(client)["language"] == "th"


def test_international_market_converts_prices_to_usd(client, shop):
    body = products(client, market="intl", lang="en", sort="price_asc")
    assert body["market"] == "intl"
    prices = [item["price_min"] for item in body["items"]]
    # 390, 1290 and 2490 THB at 0.028, rounded up to .99.
    assert [p["amount"] for p in prices] == ["10.99", "36.99", "69.99"]
    assert {p["currency"] for p in prices} == {"USD"}
    assert prices[1]["formatted"] == "$36.99"


def test_filter_by_option_parameters(client, shop):
    assert names(products(client, lang="en", colour="grey")) == ["Waterproof sofa cover"]
    both = products(client, lang="en", colour=["grey", "navy"])
    assert names(both) == ["Velvet sofa cover", "Waterproof sofa cover"]
    navy_velvet = products(client, lang="en", colour="navy", fabric="velvet")
    assert names(navy_velvet) == ["Velvet sofa cover"]


def test_filter_by_options_parameter(client, shop):
    body = products(client, lang="en", options=["colour:navy", "fabric:polyester"])
    assert names(body) == ["Waterproof sofa cover"]
    assert names(products(client, lang="en", options="colour:beige")) == ["Linen cushion cover"]


def test_facets_count_and_mark_selected_values(client, shop):
    body = products(client, lang="en", colour="navy")
    facets = {facet["code"]: facet for facet in body["facets"]}
    assert {"colour", "fabric"} <= set(facets)
    colours = {value["code"]: value for value in facets["colour"]["values"]}
    assert colours["navy"]["selected"] is True
    assert colours["navy"]["count"] == 2
    assert colours["grey"]["selected"] is False
    assert facets["colour"]["name"] == "Colour"
    thai = {f["code"]: f for f in products(client, lang="th")["facets"]}
    assert thai["colour"]["name"] == "สี"


@pytest.mark.parametrize("slug", ["sofa-covers", "ผ้าคลุมโซฟา"])
def test_filter_by_category_includes_subcategories(client, shop, slug):
    body = products(client, lang="en", category=slug)
    assert sorted(names(body)) == ["Velvet sofa cover", "Waterproof sofa cover"]
    velvet_only = products(client, lang="en", category="velvet-covers")
    assert names(velvet_only) == ["Velvet sofa cover"]


def test_filter_by_price_in_the_market_currency(client, shop):
    assert names(products(client, lang="en", price_min="1000", price_max="2000")) == [
        "Waterproof sofa cover"
    ]
    assert names(products(client, lang="en", price_max="390")) == ["Linen cushion cover"]
    usd = products(client, lang="en", market="intl", price_min="30", price_max="40")
    assert names(usd) == ["Waterproof sofa cover"]


def test_filter_in_stock(client, shop):
    body = products(client, lang="en", in_stock="true")
    assert "Linen cushion cover" not in names(body)
    assert body["total"] == 2


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["Velvet sofa cover", "Waterproof sofa cover", "Linen cushion cover"]),
        ("price_asc", ["Linen cushion cover", "Waterproof sofa cover", "Velvet sofa cover"]),
        ("price_desc", ["Velvet sofa cover", "Waterproof sofa cover", "Linen cushion cover"]),
        ("name", ["Linen cushion cover", "Velvet sofa cover", "Waterproof sofa cover"]),
    ],
)
def test_sort(client, shop, sort, expected):
    body = products(client, lang="en", sort=sort)
    assert body["sort"] == sort
    assert names(body) == expected


def test_pagination(client, shop):
    first = products(client, lang="en", page_size=2)
    second = products(client, lang="en", page_size=2, page=2)
    assert (first["total"], first["num_pages"], first["page_size"]) == (3, 2, 2)
    assert names(first) == ["Velvet sofa cover", "Waterproof sofa cover"]
    assert (second["page"], names(second)) == (2, ["Linen cushion cover"])


@pytest.mark.parametrize(
    ("lang", "q"),
    [("en", "waterproof"), ("en", "Waterproof sofa"), ("th", "กันน้ำ"), ("th", "ผ้าคลุมโซฟา กันน้ำ")],
)
def test_search_in_both_languages(client, shop, lang, q):
    body = products(client, lang=lang, q=q)
    assert body["sort"] == "relevance"
    assert body["items"], body
    assert body["items"][0]["id"] == shop.waterproof.pk


def test_search_without_match_is_an_empty_page(client, shop):
    body = products(client, lang="en", q="zzqx")
    assert (body["items"], body["total"]) == ([], 0)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "-3"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"page": "9" * 30}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"sort": "cheapest"}, "sort"),
        ({"sort": "price_asc'--"}, "sort"),
        ({"price_min": "-1"}, "price_min"),
        ({"price_min": "abc"}, "price_min"),
        ({"price_min": "NaN"}, "price_min"),
        ({"price_max": "Infinity"}, "price_max"),
        ({"price_max": "1e999999"}, "price_max"),
        ({"price_min": "500", "price_max": "100"}, "price_max"),
        ({"in_stock": "maybe"}, "in_stock"),
        ({"market": "mars"}, "market"),
        ({"market": "x" * 40}, "market"),
        ({"lang": "de"}, "lang"),
        ({"category": "no-such-category"}, "category"),
        ({"options": "colour"}, "options"),
        ({"options": "colour:"}, "options"),
        ({"options": ":grey"}, "options"),
        ({"colour": "x" * 51}, "colour"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_invalid_parameters_are_422_naming_the_field(client, shop, params, field):
    body = products(client, 422, **params)
    assert body["code"] == "validation_failed"
    assert body["field"] == field, body
    assert body["message"]


@pytest.mark.parametrize(
    "value",
    [
        "x" * 5000,
        "ผ้าคลุม🛋️\u200b\u202e",
        "-1",
        "-99999999999999999999999",
        "1' OR '1'='1",
        "'; DROP TABLE catalog_product; --",
        "%00",
        "\x00",
        "[]",
        "{}",
        "0x10",
        "1e10",
        "   ",
        "<script>alert(1)</script>",
    ],
)
def test_garbage_never_500s(client, shop, value):
    params = [
        "q",
        "page",
        "page_size",
        "sort",
        "price_min",
        "price_max",
        "in_stock",
        "market",
        "lang",
        "category",
        "options",
        "colour",
        "no_such_option",
    ]
    for name in params:
        response = client.get("/api/v1/products", {name: value})
        assert response.status_code in {200, 422}, (name, value, response.content[:300])
        assert response["Content-Type"].startswith("application/json")
        if response.status_code == 422:
            assert response.json()["field"], (name, value)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("colour=purple", "colour"),
        ("colour=grey&colour=purple", "colour"),
        ("size=xl", "size"),
        ("options=colour:purple", "options"),
        ("options=size:xl", "options"),
        ("sort=relevance", "sort"),
    ],
)
def test_unknown_option_or_value_is_422_naming_the_parameter_sent(client, shop, query, field):
    body = get_json(client, f"/api/v1/products?{query}", 422)
    assert (body["code"], body["field"]) == ("validation_failed", field)


def test_tracking_parameters_are_not_option_filters(client, shop):
    body = get_json(client, "/api/v1/products?utm_source=line&fbclid=abc&_=1700000000")
    assert body["total"] == 3


def test_ninja_validation_errors_list_every_invalid_parameter(client, shop):
    body = get_json(client, "/api/v1/products?page=0&page_size=500", 422)
    assert body["field"] == "page"
    assert {e["field"] for e in body["errors"]} == {"page", "page_size"}
    assert "page" in body["message"]


def test_response_names_its_language(client, shop):
    response = client.get("/api/v1/products?lang=en")
    assert response["Content-Language"] == "en"
    assert "Accept-Language" in response["Vary"]
