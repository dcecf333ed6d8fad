"""The variant picker: fragment endpoint, no-JS form, disabled combinations, bad choices."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def fragment_url(shop) -> str:
    return f"/en/p/{shop['sofa'].slug_en}/variant/"


def field(body: str, name: str) -> str:
    """The text of the element marked ``data-<name>`` (up to its own closing tag)."""
    match = re.search(rf"<(p|span)[^>]*data-{name}[^>]*>(.*?)</\1>", body, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", match.group(2)).strip() if match else ""


def test_fragment_returns_price_stock_sku_of_the_combination(client, shop):
    response = client.get(fragment_url(shop) + "?colour=grey&seats=3")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="variant-region"') and "<html" not in body
    assert "THB1,590.00" in body and "THB1,290.00" not in body
    assert "Only 3 left" in body
    assert "data-sku>SOFA-GREY-3<" in body
    variant = shop["variants"]["grey-3"]
    assert response["HX-Push-Url"] == f"/en/p/{shop['sofa'].slug_en}/?variant={variant.pk}"


def test_fragment_for_an_out_of_stock_variant_shows_its_own_photo(client, shop):
    body = client.get(fragment_url(shop) + "?colour=blue&seats=2").content.decode()
    assert "THB1,390.00" in body and "Out of stock" in body
    assert "SOFA-BLUE-2" in body
    first_img = re.search(r"<img [^>]+>", body).group(0)
    assert "sofa-blue-640.jpg" in first_img and 'fetchpriority="high"' in first_img


def test_combinations_that_do_not_exist_are_disabled(client, shop):
    body = client.get(fragment_url(shop) + "?colour=blue&seats=2").content.decode()
    assert re.search(r'id="opt-seats-3" name="seats" value="3" disabled', body)
    assert re.search(r'id="opt-colour-grey" name="colour" value="grey">', body)
    grey = client.get(fragment_url(shop) + "?colour=grey").content.decode()
    assert re.search(r'id="opt-seats-3" name="seats" value="3">', grey)


def test_choosing_a_missing_combination_keeps_the_first_choice(client, shop):
    """Blue has no 3-seat cover: the shopper who picks blue gets blue (2 seats), not grey."""
    body = client.get(fragment_url(shop) + "?colour=blue&seats=3").content.decode()
    assert "SOFA-BLUE-2" in body


def test_product_page_renders_the_chosen_variant_without_javascript(client, shop):
    url = f"/en/p/{shop['sofa'].slug_en}/"
    by_options = client.get(url + "?colour=grey&seats=3").content.decode()
    assert field(by_options, "sku") == "SOFA-GREY-3" and field(by_options, "stock") == "Only 3 left"
    by_id = client.get(url + f"?variant={shop['variants']['blue-2'].pk}").content.decode()
    assert field(by_id, "sku") == "SOFA-BLUE-2" and field(by_id, "stock") == "Out of stock"
    form = re.search(r'<form class="picker" method="get" action="([^"]+)"', by_id).group(1)
    assert form == url


def test_default_variant_is_the_first_in_stock(client, shop):
    body = client.get(f"/en/p/{shop['sofa'].slug_en}/").content.decode()
    assert field(body, "sku") == "SOFA-GREY-2" and field(body, "stock") == "In stock"


@pytest.mark.parametrize(
    ("query", "name"),
    [("colour=purple", "colour"), ("variant=abc", "variant"), ("variant=999999", "variant")],
)
def test_bad_variant_choice_answers_422(client, shop, query, name):
    for url in (f"/en/p/{shop['sofa'].slug_en}/", fragment_url(shop)):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 422
        assert f"<code>{name}</code>" in response.content.decode()


def test_variant_of_another_product_is_refused(client, shop):
    other = shop["linen"].variants.get()
    response = client.get(f"/en/p/{shop['sofa'].slug_en}/?variant={other.pk}")
    assert response.status_code == 422


def test_fragment_for_unknown_product_is_404(client, shop):
    assert client.get("/en/p/nope/variant/?colour=grey").status_code == 404


def test_variant_prices_follow_the_market(client, shop):
    client.cookies["tridex_market"] = "intl"
    body = client.get(fragment_url(shop) + "?colour=grey&seats=3").content.decode()
    # 1590 THB × 0.028 = 44.52 → rounded up to .99
    assert "$44.99" in body
