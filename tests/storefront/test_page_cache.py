"""The shared-response cache: anonymous catalog pages and API reads served whole from the cache,
retired by any catalog change, never shared across languages, markets or signed-in visitors,
and still CSRF-protected."""

from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from tridex.core import response_cache
from tridex.core.response_cache import CACHE_HEADER, clear_local_copies
from tridex.pricing.services import price_set

pytestmark = pytest.mark.django_db

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
NONCE = re.compile(r'nonce="[^"]+"')  # fresh per response (tests/core/test_security_headers.py)


@pytest.fixture(autouse=True)
def _page_cache_on(page_cache_on):
    """Every test here runs with the page cache on (tests/conftest.py)."""


def _product_url(shop) -> str:
    return f"/en/p/{shop['sofa'].slug_en}/"


def test_second_anonymous_visit_is_served_from_the_cache(client, shop):
    first = client.get(_product_url(shop))
    second = client.get(_product_url(shop))
    assert first[CACHE_HEADER] == "miss" and second[CACHE_HEADER] == "hit"
    assert second.status_code == 200 and second["Content-Type"].startswith("text/html")
    without_tokens = [
        NONCE.sub("", CSRF_INPUT.sub("", r.content.decode())) for r in (first, second)
    ]
    assert without_tokens[0] == without_tokens[1]
    assert "THB1,290.00" in second.content.decode()


def test_a_cached_page_carries_the_visitors_own_working_csrf_token(shop):
    url = _product_url(shop)
    Client().get(url)  # someone else's visit fills the cache
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(url)
    assert page[CACHE_HEADER] == "hit"
    tokens = set(CSRF_INPUT.findall(page.content.decode()))
    assert len(tokens) == 1 and "\x00" not in page.content.decode()
    assert "csrftoken" in page.cookies and "Cookie" in page["Vary"]
    switched = visitor.post(
        "/en/market/", {"market": "intl", "next": url, "csrfmiddlewaretoken": tokens.pop()}
    )
    assert switched.status_code == 302
    refused = Client(enforce_csrf_checks=True).post("/en/market/", {"market": "intl"})
    assert refused.status_code == 403


def test_a_price_change_retires_cached_pages(
    client, shop, market_th, django_capture_on_commit_callbacks
):
    url = _product_url(shop)
    client.get(url)
    assert client.get(url)[CACHE_HEADER] == "hit"
    variant = shop["sofa"].variants.order_by("position").first()
    with django_capture_on_commit_callbacks(execute=True):
        price_set(variant=variant, market=market_th, amount=Decimal("990"))
    fresh = client.get(url)
    assert fresh[CACHE_HEADER] == "miss"
    assert "THB990.00" in fresh.content.decode()


def test_languages_and_markets_get_their_own_copies(client, shop):
    thai = client.get("/th/")
    english = client.get("/en/")
    assert thai[CACHE_HEADER] == english[CACHE_HEADER] == "miss"
    client.cookies["tridex_market"] = "intl"
    abroad = client.get("/en/")
    assert abroad[CACHE_HEADER] == "miss" and "USD" in abroad.content.decode()
    assert client.get("/en/")[CACHE_HEADER] == "hit"


def test_signed_in_visitors_and_errors_are_never_cached(client, shop, django_user_model):
    assert CACHE_HEADER not in client.get("/en/p/no-such-product/")
    assert CACHE_HEADER not in client.get("/en/c/sofa-covers/?sort=sideways")
    assert CACHE_HEADER not in client.get("/en/c/sofa-covers/?sort=sideways")
    user = django_user_model.objects.create_user(email="nok@example.com", password="x" * 12)
    client.force_login(user)
    assert CACHE_HEADER not in client.get(_product_url(shop))
    assert CACHE_HEADER not in client.get(_product_url(shop))


def test_a_pending_message_bypasses_the_cache(client, shop):
    client.get("/en/")
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage

    storage = CookieStorage(type("Request", (), {"COOKIES": {}})())
    storage.add(constants.SUCCESS, "Saved.")
    client.cookies["messages"] = storage._encode(list(storage._queued_messages))
    page = client.get("/en/")
    assert CACHE_HEADER not in page and "Saved." in page.content.decode()


def test_api_reads_are_cached_per_language(client, shop):
    url = "/api/v1/products?page_size=5"
    english = client.get(url, headers={"accept-language": "en"})
    thai = client.get(url, headers={"accept-language": "th"})
    assert english[CACHE_HEADER] == thai[CACHE_HEADER] == "miss"
    again = client.get(url, headers={"accept-language": "en"})
    assert again[CACHE_HEADER] == "hit" and again.json() == english.json()
    assert again["Content-Language"] == "en" and thai["Content-Language"] == "th"
    assert again.json() != thai.json()


def test_a_hot_page_is_served_from_this_process_without_a_shared_read(client, shop, monkeypatch):
    url = _product_url(shop)
    assert client.get(url)[CACHE_HEADER] == "miss"
    cache.clear()  # the shared copy is gone; this process still has its own for a moment
    assert client.get(url)[CACHE_HEADER] == "hit"

    monkeypatch.setattr(response_cache, "LOCAL_SECONDS", 0.05)
    clear_local_copies()
    cache.clear()
    assert client.get(url)[CACHE_HEADER] == "miss"
    cache.clear()
    time.sleep(0.1)  # past the local copy's lifetime: the shared cache is asked again
    assert client.get(url)[CACHE_HEADER] == "miss"


def test_local_copies_stay_within_their_memory_budget():
    copies = response_cache._LocalCopies(max_bytes=16 * 100)
    later = time.time() + 60

    def entry(size: int) -> dict:
        return {"content": b"x" * size, "headers": {}, "expires": later}

    for n in range(20):
        copies.put(f"page-{n}", entry(100))
    assert copies.get("page-0") is None and copies.get("page-19") is not None
    assert sum(copies.get(f"page-{n}") is not None for n in range(20)) == 16
    copies.put("huge", entry(101))  # over a sixteenth of the budget: never kept
    assert copies.get("huge") is None
    copies.put("gone", {**entry(10), "expires": time.time() - 1})
    assert copies.get("gone") is None
