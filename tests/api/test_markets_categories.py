"""Markets and categories: rendered in the requested language, errors as JSON."""

from __future__ import annotations

import pytest

from tests.api.conftest import get_json

pytestmark = pytest.mark.django_db


def test_markets_list_in_both_languages(client, market_intl):
    th = get_json(client, "/api/v1/markets?lang=th")
    en = get_json(client, "/api/v1/markets?lang=en")
    assert [m["code"] for m in en] == ["th", "intl"]
    assert [m["name"] for m in th] == ["ประเทศไทย", "ต่างประเทศ"]
    assert [m["name"] for m in en] == ["Thailand", "International"]
    thailand, intl = en
    assert thailand == {
        "code": "th",
        "name": "Thailand",
        "currency": "THB",
        "languages": ["th", "en"],
        "default_language": "th",
        "prices_include_tax": True,
        "tax_rate": "7.00",
        "is_default": True,
    }
    assert intl["currency"] == "USD" and intl["prices_include_tax"] is False


def test_language_comes_from_accept_language_else_thai(client, market_th):
    response = client.get("/api/v1/markets", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert response.json()[0]["name"] == "Thailand"
    assert response["Content-Language"] == "en"
    response = client.get("/api/v1/markets", headers={"Accept-Language": "de-DE"})
    assert response.json()[0]["name"] == "ประเทศไทย"
    assert response["Content-Language"] == "th"
    assert get_json(client, "/api/v1/markets")[0]["name"] == "ประเทศไทย"
    # An explicit lang beats the header.
    response = client.get("/api/v1/markets?lang=th", headers={"Accept-Language": "en"})
    assert response.json()[0]["name"] == "ประเทศไทย"


@pytest.mark.parametrize("lang", ["de", "EN-GB", "", "x" * 17, "ไทย", "th' OR 1=1 --"])
def test_unsupported_language_is_422_naming_lang(client, market_th, lang):
    response = client.get("/api/v1/markets", {"lang": lang})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["field"] == "lang"
    assert body["message"]


def test_category_tree_in_both_languages(client, shop):
    en = get_json(client, "/api/v1/categories?lang=en")
    th = get_json(client, "/api/v1/categories?lang=th")
    sofa, velvet = shop.sofa_covers, shop.velvet_covers
    by_id = {c["id"]: c for c in en}
    assert by_id[sofa.pk] == {
        "id": sofa.pk,
        "parent_id": None,
        "name": "Sofa covers",
        "slug": "sofa-covers",
        "depth": 0,
        "path": f"{sofa.pk}/",
    }
    assert by_id[velvet.pk]["parent_id"] == sofa.pk
    assert by_id[velvet.pk]["depth"] == 1
    assert by_id[velvet.pk]["path"] == f"{sofa.pk}/{velvet.pk}/"
    # Tree order: a parent comes before its children.
    ids = [c["id"] for c in en]
    assert ids.index(sofa.pk) < ids.index(velvet.pk)
    assert {c["name"] for c in th} >= {"ผ้าคลุมโซฟา", "ผ้าคลุมกำมะหยี่", "ปลอกหมอนอิง"}
    assert {c["slug"] for c in th} >= {"ผ้าคลุมโซฟา", "ปลอกหมอนอิง"}


def test_unpublished_categories_are_not_listed(client, shop):
    shop.cushion_covers.is_published = False
    shop.cushion_covers.save()
    ids = {c["id"] for c in get_json(client, "/api/v1/categories")}
    assert shop.cushion_covers.pk not in ids
    get_json(client, "/api/v1/categories/cushion-covers", 404)


@pytest.mark.parametrize(
    ("slug", "lang", "name"),
    [
        ("velvet-covers", "en", "Velvet covers"),
        ("velvet-covers", "th", "ผ้าคลุมกำมะหยี่"),
        ("ผ้าคลุมกำมะหยี่", "en", "Velvet covers"),
        ("ผ้าคลุมกำมะหยี่", "th", "ผ้าคลุมกำมะหยี่"),
    ],
)
def test_category_by_slug_in_any_language(client, shop, slug, lang, name):
    body = get_json(client, f"/api/v1/categories/{slug}?lang={lang}")
    assert body["id"] == shop.velvet_covers.pk
    assert body["name"] == name
    assert body["parent_id"] == shop.sofa_covers.pk
    assert {"description", "seo_title", "seo_description"} <= set(body)


@pytest.mark.parametrize("slug", ["nope", "x" * 500, "ไม่มี", "1;DROP TABLE catalog_category"])
def test_unknown_category_is_404_json(client, shop, slug):
    body = get_json(client, f"/api/v1/categories/{slug}", 404)
    assert body["code"] == "category_not_found"
    assert body["message"]
