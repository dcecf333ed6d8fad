"""The OpenAPI document: snapshot-tested, every operation named and summarized; docs served.

Regenerate the snapshot after an intended change with
``UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/api/test_openapi.py``.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

SNAPSHOT = Path(__file__).with_name("openapi_snapshot.json")


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_openapi_matches_snapshot(schema):
    rendered = json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(rendered, encoding="utf-8")
    assert SNAPSHOT.exists(), "No snapshot yet: run with UPDATE_SNAPSHOTS=1 to create it."
    expected = SNAPSHOT.read_text(encoding="utf-8")
    if rendered != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), rendered.splitlines(), "snapshot", "current", lineterm=""
        )
        pytest.fail(
            "The OpenAPI document changed. If that is intended, regenerate the snapshot with "
            "UPDATE_SNAPSHOTS=1 and review the diff:\n" + "\n".join(list(diff)[:200])
        )


def test_every_operation_has_an_id_a_summary_and_error_responses(schema):
    operations = [
        (path, method, op)
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
    ]
    expected = {
        ("/api/v1/markets", "get"),
        ("/api/v1/categories", "get"),
        ("/api/v1/categories/{slug}", "get"),
        ("/api/v1/products", "get"),
        ("/api/v1/products/{product_id}", "get"),
        ("/api/v1/products/by-slug/{slug}", "get"),
        ("/api/v1/products/{product_id}/reviews", "get"),
        ("/api/v1/products/{product_id}/reviews", "post"),
        ("/api/v1/cart", "get"),
        ("/api/v1/cart/lines", "post"),
        ("/api/v1/cart/lines/{line_id}", "patch"),
        ("/api/v1/cart/lines/{line_id}", "delete"),
        ("/api/v1/wishlist", "get"),
        ("/api/v1/wishlist/items", "post"),
        ("/api/v1/wishlist/items/{variant_id}", "delete"),
        ("/api/v1/wishlist/items/{variant_id}/move-to-cart", "post"),
        ("/api/v1/checkout/quote", "post"),
        ("/api/v1/checkout/orders", "post"),
        ("/api/v1/orders", "get"),
        ("/api/v1/orders/{number}", "get"),
        ("/api/v1/orders/by-token/{token}", "get"),
        ("/api/v1/payments/webhooks/{gateway}", "post"),
        ("/api/v1/staff/orders", "get"),
        ("/api/v1/staff/orders/{number}", "get"),
        ("/api/v1/staff/orders/{number}/confirm-payment", "post"),
        ("/api/v1/staff/orders/{number}/ship", "post"),
        ("/api/v1/staff/orders/{number}/cancel", "post"),
        ("/api/v1/staff/orders/{number}/refund", "post"),
        ("/api/v1/staff/products", "get"),
        ("/api/v1/staff/products/{product_id}", "get"),
        ("/api/v1/staff/variants/{variant_id}", "patch"),
        ("/api/v1/staff/variants/{variant_id}/prices/{market}", "put"),
        ("/api/v1/staff/warehouses", "get"),
        ("/api/v1/staff/stock", "get"),
        ("/api/v1/staff/stock/adjustments", "post"),
        ("/api/v1/staff/audit", "get"),
        ("/api/v1/staff/users/{user_id}/roles", "put"),
        ("/api/v1/staff/users/{user_id}/warehouses", "put"),
        ("/api/v1/me/consents", "get"),
        ("/api/v1/me/consents", "put"),
    }
    assert {(path, method) for path, method, _ in operations} == expected
    ids = [op["operationId"] for _, _, op in operations]
    assert len(ids) == len(set(ids))
    for path, method, op in operations:
        assert op.get("operationId"), (path, method)
        assert op.get("summary"), (path, method)
        assert op.get("tags"), (path, method)
        assert "422" in op["responses"], (path, method)
        if "{" in path:
            assert "404" in op["responses"], (path, method)


def test_money_is_a_string_in_the_schema(schema):
    money = schema["components"]["schemas"]["MoneyOut"]["properties"]
    assert money["amount"]["type"] == "string"


def test_docs_page_is_served(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_staff_operations_say_they_need_a_session_and_may_be_refused(schema):
    staff = [
        op
        for path, methods in schema["paths"].items()
        if path.startswith("/api/v1/staff/")
        for op in methods.values()
    ]
    assert staff
    for op in staff:
        assert op["operationId"].startswith("staff_"), op["operationId"]
        assert op["security"] == [{"StaffPermission": []}], op["operationId"]
        assert {"401", "403"} <= set(op["responses"]), op["operationId"]
    scheme = schema["components"]["securitySchemes"]["StaffPermission"]
    assert scheme == {"type": "apiKey", "in": "header", "name": "X-Session-Token"}
