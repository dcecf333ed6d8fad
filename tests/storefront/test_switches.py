"""Language and market switches in the header: visible everywhere, persistent, validated."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.django_db


def test_market_switch_sets_a_cookie_and_changes_the_currency(client, shop):
    url = f"/en/p/{shop['sofa'].slug_en}/"
    assert "THB1,290.00" in client.get(url).content.decode()
    response = client.post("/en/market/", {"market": "intl", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    cookie = response.cookies["tridex_market"]
    assert cookie.value == "intl"
    assert cookie["max-age"] == 365 * 24 * 60 * 60 and cookie["samesite"] == "Lax"
    page = client.get(url).content.decode()
    assert "$36.99" in page and "THB" not in re.sub(r"<option[^>]*>[^<]*</option>", "", page)
    thai = client.get(f"/th/p/{quote(shop['sofa'].slug_th)}/").content.decode()
    assert "US$36.99" in thai and "฿" not in thai.split("<main")[1]
    client.post("/en/market/", {"market": "th", "next": "/th/"})
    assert "฿1,290.00" in client.get(f"/th/p/{quote(shop['sofa'].slug_th)}/").content.decode()


def test_market_switch_refuses_an_unknown_market(client, shop):
    response = client.post("/en/market/", {"market": "mars", "next": "/en/"})
    assert response.status_code == 400
    assert "“mars” is not a market this shop sells in." in response.content.decode()
    assert "tridex_market" not in response.cookies


def test_market_switch_refuses_an_inactive_market(client, shop, market_intl):
    from tridex.markets.selectors import market_clear_cache

    market_intl.is_active = False
    market_intl.save()
    market_clear_cache()
    assert client.post("/en/market/", {"market": "intl"}).status_code == 400


def test_market_switch_never_redirects_off_site(client, shop):
    response = client.post("/en/market/", {"market": "intl", "next": "https://evil.example/"})
    assert response["Location"] == "/en/"


def test_market_switch_is_post_only(client, shop):
    assert client.get("/en/market/?market=intl").status_code == 405


def test_header_offers_both_switches_on_every_page(client, shop):
    sofa_th = f"/th/p/{quote(shop['sofa'].slug_th)}/"
    for url in ("/en/", "/en/c/sofa-covers/", sofa_th, "/en/search/?q=sofa", "/en/nowhere/"):
        body = client.get(url).content.decode()
        assert 'action="/i18n/setlang/"' in body, url
        assert 'action="/en/market/"' in body or 'action="/th/market/"' in body, url
        assert '<option value="intl"' in body, url


def test_language_switch_points_to_the_same_product_in_the_other_language(client, shop):
    sofa = shop["sofa"]
    body = client.get(f"/th/p/{quote(sofa.slug_th)}/?colour=grey").content.decode()
    form = re.search(
        r'<input type="hidden" name="next" value="([^"]+)">\s*'
        r'<button class="lang-switch__button"[^>]*value="en"',
        body,
    )
    next_url = form.group(1).replace("&amp;", "&")
    assert next_url == f"/en/p/{sofa.slug_en}/?colour=grey"
    response = client.post("/i18n/setlang/", {"language": "en", "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url
    assert response.cookies["tridex_language"].value == "en"
    assert "Stretch sofa cover" in client.get(response["Location"]).content.decode()


def test_language_switch_on_a_category_uses_its_translated_slug(client, shop):
    body = client.get("/en/c/sofa-covers/?colour=grey").content.decode()
    assert f'value="/th/c/{quote("ผ้าคลุมโซฟา")}/?colour=grey"' in body.replace("&amp;", "&")
