"""The staff API: who may call it (401/403 by the same permissions as the admin), that each
order action goes through the admin's services and is audited with its diff, stock and prices,
the audit log, roles and scopes, and fixed query counts for the lists."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.api.staff_helpers import member, signed_in
from tests.checkout.conftest import details
from tests.conftest import stock_of
from tridex.audit.models import AuditEntry
from tridex.cart.services import cart_add, cart_get_or_create
from tridex.checkout.services import checkout_place_order
from tridex.inventory.models import StockMovement, Warehouse
from tridex.inventory.services import warehouse_scope_set
from tridex.orders.models import OrderStatus, Shipment
from tridex.payments.models import Refund
from tridex.pricing.models import Price

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "en"
    cache.clear()
    # Each request activates English; the override puts the language back for later tests.
    with translation.override("en"):
        yield


@pytest.fixture
def variant(commerce, make_product):
    return make_product(price="1290", stock=5).variants.get()


@pytest.fixture
def place(commerce, market_th):
    def make(variant, quantity=1, **overrides):
        cart = cart_get_or_create(market=market_th)
        cart_add(cart=cart, variant_id=variant.pk, quantity=quantity)
        return checkout_place_order(cart=cart, market=market_th, details=details(**overrides))

    return make


def post(client, path, body=None, **headers):
    return client.post(path, body or {}, content_type="application/json", headers=headers)


# --- Who may call it -------------------------------------------------------------------------


def test_anonymous_is_401_customers_and_roles_without_the_permission_are_403(client, variant):
    assert client.get("/api/v1/staff/orders").status_code == 401
    bad = client.get("/api/v1/staff/orders", headers={"X-Session-Token": "nope"})
    assert bad.status_code == 401

    _customer, headers = signed_in(client, None, staff=False)
    response = client.get("/api/v1/staff/orders", headers=headers)
    assert response.status_code == 403 and response.json()["code"] == "staff_only"

    _marketing, headers = signed_in(client, "marketing")
    response = client.get("/api/v1/staff/orders", headers=headers)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    # Refused before anything in the request is read: a bad body is still a 403, not a 422.
    response = post(client, "/api/v1/staff/orders/1/refund", {"amount": "x"}, **headers)
    assert response.status_code == 403

    _orders, headers = signed_in(client, "order_manager")
    assert client.get("/api/v1/staff/orders", headers=headers).status_code == 200


def test_a_role_edited_by_an_owner_changes_the_api_at_once(client, variant):
    from django.contrib.auth.models import Group, Permission

    _support, headers = signed_in(client, "support_agent")
    assert client.get("/api/v1/staff/stock", headers=headers).status_code == 403
    Group.objects.get(name="Support agent").permissions.add(
        Permission.objects.get(codename="view_stock")
    )
    assert client.get("/api/v1/staff/stock", headers=headers).status_code == 200


def test_the_back_office_session_works_with_its_csrf_token(variant):
    client = Client(enforce_csrf_checks=True)
    user = member("warehouse_staff")
    client.force_login(user)
    assert client.get("/api/v1/staff/stock").status_code == 200
    body = {"variant_id": variant.pk, "warehouse": "bkk", "delta": 1}
    refused = post(client, "/api/v1/staff/stock/adjustments", body)
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    assert stock_of(variant) == (5, 0)

    assert client.get("/admin/").status_code == 200  # its pages set the CSRF cookie
    token = client.cookies["csrftoken"].value
    done = post(client, "/api/v1/staff/stock/adjustments", body, **{"X-CSRFToken": token})
    assert done.status_code == 200, done.content
    assert stock_of(variant) == (6, 0)


# --- Orders ---------------------------------------------------------------------------------


def test_order_list_filters_and_detail(client, place, variant):
    first = place(variant).order
    second = place(variant, email="nok@example.com").order
    _user, headers = signed_in(client, "support_agent")

    listed = client.get("/api/v1/staff/orders", headers=headers).json()
    assert listed["count"] == 2
    assert [o["number"] for o in listed["results"]] == [second.number, first.number]
    by_email = client.get("/api/v1/staff/orders?q=nok@", headers=headers).json()
    assert [o["number"] for o in by_email["results"]] == [second.number]
    assert client.get("/api/v1/staff/orders?status=paid", headers=headers).json()["count"] == 0
    bad = client.get("/api/v1/staff/orders?status=lost", headers=headers)
    assert bad.status_code == 422 and bad.json()["field"] == "status"

    detail = client.get(f"/api/v1/staff/orders/{first.number}", headers=headers).json()
    assert detail["status"] == "pending_payment"
    assert detail["total"]["amount"] == "1340.00"
    assert detail["lines"][0]["sku"] == variant.sku
    assert set(detail["actions"]) == {"confirm_payment", "cancel"}
    assert client.get("/api/v1/staff/orders/999999", headers=headers).status_code == 404
    # A support agent sees orders but may not act on them.
    confirm = post(client, f"/api/v1/staff/orders/{first.number}/confirm-payment", **headers)
    assert confirm.status_code == 403


def test_confirm_ship_refund_go_through_the_services_and_are_audited(client, place, variant):
    order = place(variant, quantity=2).order
    _user, headers = signed_in(client, "order_manager")
    base = f"/api/v1/staff/orders/{order.number}"

    confirmed = post(client, f"{base}/confirm-payment", **headers, **{"User-Agent": "ShopApp/2"})
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "paid"
    again = post(client, f"{base}/confirm-payment", **headers)
    assert again.status_code == 409 and again.json()["code"] == "no_payment"

    line = confirmed.json()["lines"][0]["id"]
    shipped = post(client, f"{base}/ship", {"carrier": "Kerry", "lines": {str(line): 1}}, **headers)
    assert shipped.status_code == 200, shipped.content
    assert Shipment.objects.get(order=order).carrier == "Kerry"
    assert shipped.json()["lines"][0]["quantity_shipped"] == 1

    refunded = post(
        client,
        f"{base}/refund",
        {"amount": "1290", "cancelled": {str(line): 1}, "reason": "one too many"},
        **headers,
    )
    assert refunded.status_code == 200, refunded.content
    assert Refund.objects.filter(payment__order=order).count() == 1
    assert stock_of(variant) == (4, 0)  # the unshipped unit is back on the shelf

    entries = AuditEntry.objects.filter(object_type="orders.order", object_id=str(order.pk))
    actions = [e.data["action"] for e in entries.order_by("id")]
    assert actions == ["confirm_payment", "ship", "refund"]
    confirm_entry = entries.get(data__action="confirm_payment")
    assert confirm_entry.changes["status"] == ["pending_payment", "paid"]
    assert confirm_entry.actor_label == "order_manager@example.com"
    assert confirm_entry.data["via"] == "staff_api"
    assert (confirm_entry.ip, confirm_entry.user_agent) == ("127.0.0.1", "ShopApp/2")
    assert entries.get(data__action="refund").action == AuditEntry.Action.REFUND


def test_a_refused_action_changes_nothing_and_records_nothing(client, place, variant):
    order = place(variant).order
    _user, headers = signed_in(client, "order_manager")
    before = AuditEntry.objects.count()
    response = post(
        client, f"/api/v1/staff/orders/{order.number}/ship", {"carrier": "Kerry"}, **headers
    )
    assert response.status_code == 409 and response.json()["code"] == "not_shippable"
    response = post(client, f"/api/v1/staff/orders/{order.number}/cancel", {}, **headers)
    assert response.status_code == 422 and response.json()["field"] == "reason"
    assert AuditEntry.objects.count() == before
    cancelled = post(
        client, f"/api/v1/staff/orders/{order.number}/cancel", {"reason": "asked"}, **headers
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == OrderStatus.CANCELLED
    assert stock_of(variant) == (5, 0)
    entry = AuditEntry.objects.get(object_type="orders.order", data__action="cancel")
    assert entry.changes["status"] == ["pending_payment", "cancelled"]
    assert entry.data["reason"] == "asked"


# --- Products, prices, stock ------------------------------------------------------------------


def test_products_and_prices(client, variant, market_th):
    _editor, headers = signed_in(client, "catalog_editor")
    listed = client.get(f"/api/v1/staff/products?q={variant.sku}", headers=headers).json()
    assert [p["id"] for p in listed["results"]] == [variant.product_id]
    detail = client.get(f"/api/v1/staff/products/{variant.product_id}", headers=headers).json()
    assert detail["variants"][0]["prices"][0]["amount"]["amount"] == "1290.00"
    assert detail["variants"][0]["stock"][0]["quantity"] == 5

    path = f"/api/v1/staff/variants/{variant.pk}/prices/th"
    response = client.put(path, {"amount": "990"}, content_type="application/json", headers=headers)
    assert response.status_code == 200, response.content
    assert Price.objects.get(variant=variant, market=market_th).amount == Decimal("990")
    entry = AuditEntry.objects.get(object_type="pricing.price")
    assert entry.changes["amount"] == ["1290.0000", "990.0000"]
    bad = client.put(path, {"amount": "-1"}, content_type="application/json", headers=headers)
    assert bad.status_code == 422

    patch = client.patch(
        f"/api/v1/staff/variants/{variant.pk}",
        {"is_active": False},
        content_type="application/json",
        headers=headers,
    )
    assert patch.status_code == 200 and patch.json()["is_active"] is False
    assert AuditEntry.objects.get(object_type="catalog.variant").changes == {
        "is_active": [True, False]
    }

    _analyst, headers = signed_in(client, "analyst")
    assert (
        client.put(
            path, {"amount": "1"}, content_type="application/json", headers=headers
        ).status_code
        == 403
    )


def test_stock_adjustments_are_audited_and_refused_when_wrong(client, variant):
    _user, headers = signed_in(client, "warehouse_staff")
    body = {"variant_id": variant.pk, "warehouse": "bkk", "delta": -2, "note": "broken"}
    response = post(client, "/api/v1/staff/stock/adjustments", body, **headers)
    assert response.status_code == 200, response.content
    assert response.json()["quantity"] == 3
    movement = StockMovement.objects.filter(stock__variant=variant).first()
    assert (movement.delta, movement.actor) == (-2, "warehouse_staff@example.com")
    assert AuditEntry.objects.get(object_type="inventory.stock").changes["quantity"] == [5, 3]

    too_many = post(client, "/api/v1/staff/stock/adjustments", {**body, "delta": -9}, **headers)
    assert too_many.status_code == 409 and too_many.json()["code"] == "insufficient_stock"
    both = post(client, "/api/v1/staff/stock/adjustments", {**body, "quantity": 1}, **headers)
    assert both.status_code == 422
    counted = {"variant_id": variant.pk, "warehouse": "bkk", "quantity": 7, "reason": "counted"}
    assert (
        post(client, "/api/v1/staff/stock/adjustments", counted, **headers).json()["quantity"] == 7
    )
    assert stock_of(variant) == (7, 0)


def test_scoped_staff_see_and_change_only_their_warehouses(client, variant, warehouse):
    other = Warehouse.objects.create(code="cnx", name="Chiang Mai")
    from tridex.inventory.services import stock_set

    stock_set(variant=variant, warehouse=other, quantity=9)
    user, headers = signed_in(client, "warehouse_staff")
    owner = member("owner", "owner@example.com")
    warehouse_scope_set(granter=owner, user=user, warehouse_ids=[other.pk])

    listed = client.get("/api/v1/staff/stock", headers=headers).json()
    assert [s["warehouse"] for s in listed["results"]] == ["cnx"]
    assert [w["code"] for w in client.get("/api/v1/staff/warehouses", headers=headers).json()] == [
        "cnx"
    ]
    body = {"variant_id": variant.pk, "warehouse": "bkk", "delta": 1}
    refused = post(client, "/api/v1/staff/stock/adjustments", body, **headers)
    assert refused.status_code == 404
    assert stock_of_in(variant, warehouse) == 5
    allowed = post(
        client, "/api/v1/staff/stock/adjustments", {**body, "warehouse": "cnx"}, **headers
    )
    assert allowed.status_code == 200 and allowed.json()["quantity"] == 10


def stock_of_in(variant, warehouse):
    return variant.stocks.get(warehouse=warehouse).quantity


# --- The audit log, roles and scopes through the API -----------------------------------------


def test_the_audit_log_is_for_the_roles_allowed_to_view_it(client, variant):
    _admin, headers = signed_in(client, "administrator")
    response = client.get("/api/v1/staff/audit?action=login", headers=headers)
    assert response.status_code == 200
    assert response.json()["results"][0]["actor"] == "administrator@example.com"
    _manager, headers = signed_in(client, "store_manager")
    assert client.get("/api/v1/staff/audit", headers=headers).status_code == 403


def test_nobody_raises_their_own_role_or_grants_beyond_their_own(client):
    admin_user, headers = signed_in(client, "administrator")
    other = member(None, "new@example.com")

    own = client.put(
        f"/api/v1/staff/users/{admin_user.pk}/roles",
        {"roles": ["owner"]},
        content_type="application/json",
        headers=headers,
    )
    assert own.status_code == 403 and own.json()["code"] == "own_role"
    beyond = client.put(
        f"/api/v1/staff/users/{other.pk}/roles",
        {"roles": ["owner"]},
        content_type="application/json",
        headers=headers,
    )
    assert beyond.status_code == 403 and beyond.json()["code"] == "role_beyond_own"
    assert not other.groups.exists()
    assert list(admin_user.groups.values_list("name", flat=True)) == ["Administrator"]

    given = client.put(
        f"/api/v1/staff/users/{other.pk}/roles",
        {"roles": ["order_manager"]},
        content_type="application/json",
        headers=headers,
    )
    assert given.status_code == 200 and given.json()["roles"] == ["order_manager"]
    entry = AuditEntry.objects.get(object_type="accounts.user", object_id=str(other.pk))
    assert list(entry.changes) == ["groups"]


def test_a_scoped_granter_cannot_grant_a_warehouse_beyond_their_own(client, warehouse):
    Warehouse.objects.create(code="cnx", name="Chiang Mai")
    granter, headers = signed_in(client, "administrator")
    owner = member("owner", "owner@example.com")
    warehouse_scope_set(granter=owner, user=granter, warehouse_ids=[warehouse.pk])
    target = member("warehouse_staff", "packer@example.com")

    def put(user, codes):
        return client.put(
            f"/api/v1/staff/users/{user.pk}/warehouses",
            {"warehouses": codes},
            content_type="application/json",
            headers=headers,
        )

    beyond = put(target, ["cnx"])
    assert beyond.status_code == 403 and beyond.json()["code"] == "scope_beyond_own"
    unscoped = put(target, [])  # no warehouse at all means every warehouse
    assert unscoped.status_code == 403
    own = put(granter, ["bkk", "cnx"])
    assert own.status_code == 403 and own.json()["code"] == "own_scope"
    assert put(target, ["nowhere"]).status_code == 422
    done = put(target, ["bkk"])
    assert done.status_code == 200 and done.json()["warehouses"] == ["bkk"]
    entry = AuditEntry.objects.get(object_type="accounts.user", object_id=str(target.pk))
    assert entry.changes == {"warehouses": [[], ["bkk"]]}


# --- Query counts ----------------------------------------------------------------------------


def _queries(client, path, headers):
    """The queries one request runs, the fewer of two tries: a session read that another test
    process's cache clearing sent to the database is not the endpoint's doing."""
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, headers=headers)
        assert response.status_code == 200, response.content[:300]
        counts.append(len(queries))
    return min(counts)


def test_staff_lists_do_not_grow_with_the_page(client, place, make_product, warehouse):
    variants = [make_product(price="500", stock=20).variants.get() for _ in range(3)]
    for variant in variants:
        place(variant)
    _owner, headers = signed_in(client, "owner")
    paths = [
        "/api/v1/staff/orders",
        "/api/v1/staff/stock",
        "/api/v1/staff/products",
        "/api/v1/staff/audit",
    ]
    small = {p: _queries(client, f"{p}?page_size=1", headers) for p in paths}
    for variant in variants:
        make_product(price="600", stock=3)
        place(variant)
    for path in paths:
        assert _queries(client, f"{path}?page_size=50", headers) == small[path], path
        # The token's session (2), the user, the second-factor check, permissions (2), the
        # warehouse scope, then the page's own count and rows.
        assert small[path] <= 9, (path, small[path])
    one = make_product(price="700", colours=("grey",))
    three = make_product(price="700", colours=("grey", "navy", "beige"))
    detail = "/api/v1/staff/products/{}"
    assert _queries(client, detail.format(one.pk), headers) == _queries(
        client, detail.format(three.pk), headers
    )


def test_scoped_staff_ship_only_orders_from_their_warehouses(
    client, place, make_product, warehouse, market_th
):
    from django.urls import reverse

    from tridex.inventory.services import stock_set
    from tridex.payments.services import payment_confirm

    chiang_mai = Warehouse.objects.create(code="cnx", name="Chiang Mai")
    chiang_mai.markets.set([market_th])
    from_bangkok = make_product(stock=5).variants.get()
    from_chiang_mai = make_product(stock=0).variants.get()
    stock_set(variant=from_chiang_mai, warehouse=chiang_mai, quantity=5)
    orders = {}
    for name, variant in (("bkk", from_bangkok), ("cnx", from_chiang_mai)):
        placed = place(variant)
        payment_confirm(payment=placed.payment, actor="test")
        orders[name] = placed.order
    packer, headers = signed_in(client, "warehouse_staff")
    owner = member("owner", "owner@example.com")
    warehouse_scope_set(granter=owner, user=packer, warehouse_ids=[chiang_mai.pk])

    def ship(order):
        return post(
            client, f"/api/v1/staff/orders/{order.number}/ship", {"carrier": "Kerry"}, **headers
        )

    refused = ship(orders["bkk"])
    assert refused.status_code == 403 and refused.json()["code"] == "out_of_scope"
    assert not Shipment.objects.filter(order=orders["bkk"]).exists()
    assert ship(orders["cnx"]).status_code == 200

    # The order page of the admin applies the same rule.
    client.force_login(packer)
    page = client.get(reverse("admin:orders_order_change", args=[orders["bkk"].pk]))
    assert "ship" not in {form.name for form in page.context["order_actions"]}
    url = reverse("admin:orders_order_action", args=[orders["bkk"].pk, "ship"])
    assert client.post(url, {"carrier": "Kerry"}).status_code == 403
    assert not Shipment.objects.filter(order=orders["bkk"]).exists()
