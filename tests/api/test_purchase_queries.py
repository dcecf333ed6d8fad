"""A purchase through the API costs a fixed, small number of queries: cart add, quote and
place order are the hot path of a shop (benchmarks/checkout.py measures their speed; this
keeps their round trips from creeping back up)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import THAI_ADDRESS
from tridex.cart.models import Cart

# The same on both databases (a transaction's BEGIN/COMMIT show as a savepoint pair here).
BUDGET = {"first cart add": 8, "cart add": 10, "quote": 6, "place order": 17}


def _post(client, step, url, body, token=None, *, counted=True):
    headers = {"HTTP_X_CART_TOKEN": token} if token else {}
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, body, content_type="application/json", **headers)
    assert response.status_code in (200, 201), response.content[:300]
    executed = [q["sql"] for q in ctx.captured_queries]
    if counted:
        assert len(executed) <= BUDGET[step], f"{step}: {len(executed)}\n" + "\n".join(executed)
    return response.json()


def _purchase(client, variants, method, *, counted):
    first = {"variant_id": variants[0].pk}
    token = _post(client, "first cart add", "/api/v1/cart/lines", first, counted=counted)["token"]
    for variant in variants[1:]:  # more lines cost no more queries
        body = {"variant_id": variant.pk}
        _post(client, "cart add", "/api/v1/cart/lines", body, token, counted=counted)
    quote = _post(
        client, "quote", "/api/v1/checkout/quote", {"country": "TH"}, token, counted=counted
    )
    assert len(quote["cart"]["lines"]) == len(variants)
    body = {
        "email": "buyer@example.com",
        "shipping_address": THAI_ADDRESS,
        "shipping_method": "standard",
        "payment_method": method,
    }
    order = _post(client, "place order", "/api/v1/checkout/orders", body, token, counted=counted)
    assert len(order["lines"]) == len(variants)


@pytest.mark.parametrize("method", ["cod", "promptpay"])
def test_a_purchase_stays_within_its_query_budget(client, commerce, make_product, method):
    variants = [make_product(price="1290", stock=5).variants.get() for _ in range(3)]
    # The first purchase reads the reference tables that each process keeps (markets, tax
    # rates, delivery and payment options); the second shows what every purchase costs.
    _purchase(client, variants, method, counted=False)
    _purchase(client, variants, method, counted=True)


def test_a_refused_first_add_leaves_no_empty_cart(client, commerce, make_product):
    sold_out = make_product(price="990", stock=0).variants.get()
    response = client.post(
        "/api/v1/cart/lines", {"variant_id": sold_out.pk}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    assert not Cart.objects.exists()
