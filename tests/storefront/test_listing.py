"""Category and search listings: filters, sorting, pagination, htmx fragments, bad input."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

CATEGORY = "/en/c/sofa-covers/"


def names(response) -> list[str]:
    return re.findall(r'<h3 class="card__title">([^<]+)</h3>', response.content.decode())


def test_category_lists_every_product_with_a_count(client, shop):
    response = client.get(CATEGORY)
    assert sorted(names(response)) == [
        "Linen sofa cover",
        "Stretch sofa cover",
        "Velvet cushion cover",
    ]
    assert "3 products" in response.content.decode()


def test_colour_filter_narrows_results_and_marks_the_swatch(client, shop):
    response = client.get(CATEGORY + "?colour=red")
    assert names(response) == ["Velvet cushion cover"]
    assert re.search(
        r'id="f-colour-red" name="colour" value="red" checked', response.content.decode()
    )
    both = client.get(CATEGORY + "?colour=red&colour=blue")
    assert sorted(names(both)) == ["Stretch sofa cover", "Velvet cushion cover"]


def test_seats_filter_and_price_range(client, shop):
    assert names(client.get(CATEGORY + "?seats=3")) == ["Stretch sofa cover"]
    assert sorted(names(client.get(CATEGORY + "?price_max=1300"))) == [
        "Stretch sofa cover",
        "Velvet cushion cover",
    ]
    assert names(client.get(CATEGORY + "?price_min=2000")) == ["Linen sofa cover"]


def test_in_stock_filter(client, shop, warehouse):
    from tridex.inventory.services import stock_set

    stock_set(variant=shop["cushion"].variants.get(), warehouse=warehouse, quantity=0)
    assert "Velvet cushion cover" in names(client.get(CATEGORY))
    assert "Velvet cushion cover" not in names(client.get(CATEGORY + "?in_stock=1"))


def test_sorting_changes_the_order(client, shop):
    assert names(client.get(CATEGORY + "?sort=price_asc")) == [
        "Velvet cushion cover",
        "Stretch sofa cover",
        "Linen sofa cover",
    ]
    assert names(client.get(CATEGORY + "?sort=price_desc"))[0] == "Linen sofa cover"


def test_pagination_keeps_the_query_string(client, shop, settings):
    settings.TRIDEX_PAGE_SIZE = 2
    first = client.get(CATEGORY + "?sort=price_asc&colour=grey&colour=red")
    assert names(first) == ["Velvet cushion cover", "Stretch sofa cover"]
    body = first.content.decode()
    assert 'href="?sort=price_asc&amp;colour=grey&amp;colour=red&amp;page=2"' in body
    second = client.get(CATEGORY + "?sort=price_asc&colour=grey&colour=red&page=2")
    assert names(second) == ["Linen sofa cover"]
    assert 'aria-current="page"><span class="visually-hidden">Page </span>2' in (
        second.content.decode()
    )


def test_htmx_request_gets_only_the_listing_region(client, shop):
    response = client.get(CATEGORY + "?colour=red", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="listing"')
    assert "<html" not in body and names(response) == ["Velvet cushion cover"]
    assert "HX-Request" in response["Vary"]
    restore = client.get(
        CATEGORY, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.content.decode()


def test_listing_works_without_javascript(client, shop):
    body = client.get(CATEGORY).content.decode()
    assert '<form id="listing" class="listing" method="get" action="/en/c/sofa-covers/"' in body
    assert 'hx-get="/en/c/sofa-covers/"' in body and 'hx-push-url="true"' in body


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=abc", "page"),
        ("page=0", "page"),
        ("page=99", "page"),
        ("sort=bogus", "sort"),
        ("sort=relevance", "sort"),
        ("price_min=-5", "price_min"),
        ("price_max=abc", "price_max"),
        ("price_min=500&price_max=100", "price_max"),
        ("in_stock=maybe", "in_stock"),
        ("colour=purple", "colour"),
        ("flavour=mint", "flavour"),
        ("page=1&page=2", "page"),
    ],
)
def test_bad_listing_parameters_answer_422_naming_the_field(client, shop, query, field):
    response = client.get(f"{CATEGORY}?{query}")
    assert response.status_code == 422
    assert f"<code>{field}</code>" in response.content.decode()


def test_tracking_parameters_are_ignored(client, shop):
    response = client.get(CATEGORY + "?utm_source=line&fbclid=abc")
    assert response.status_code == 200 and len(names(response)) == 3


@pytest.mark.parametrize(
    ("query", "field"), [("q=sofa&sort=nope", "sort"), ("q=" + "x" * 201, "q")]
)
def test_bad_search_parameters_answer_422(client, shop, query, field):
    response = client.get(f"/en/search/?{query}")
    assert response.status_code == 422
    assert f"<code>{field}</code>" in response.content.decode()


def test_search_uses_the_same_filters_and_sorting(client, shop):
    assert sorted(names(client.get("/en/search/?q=cover"))) == [
        "Linen sofa cover",
        "Stretch sofa cover",
        "Velvet cushion cover",
    ]
    assert names(client.get("/en/search/?q=cover&colour=red")) == ["Velvet cushion cover"]
    assert names(client.get("/en/search/?q=cover&sort=price_desc"))[0] == "Linen sofa cover"
    fragment = client.get("/en/search/?q=cover&colour=red", headers={"HX-Request": "true"})
    assert '<input type="hidden" name="q" value="cover">' in fragment.content.decode()
