"""The shopping API: guests with cart tokens, customers with allauth's headless session tokens,
and nobody ever reaching anyone else's cart or order."""

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache

from tests.conftest import THAI_ADDRESS
from tridex.accounts.models import User
from tridex.cart.models import CartLine
from tridex.inventory.models import Stock
from tridex.orders.models import Order

PASSWORD = "Sofa-cover-2026"


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


@pytest.fixture
def variant(commerce, make_product):
    return make_product(price="1290", stock=5).variants.get()


def sign_in(client, email):
    user = User.objects.create_user(email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    response = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": email, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return user, {"X-Session-Token": response.json()["meta"]["session_token"]}


def order_body(**overrides):
    body = {
        "email": "guest@example.com",
        "shipping_address": THAI_ADDRESS,
        "shipping_method": "standard",
        "payment_method": "promptpay",
    }
    body.update(overrides)
    return body


def test_guest_cart_lives_behind_its_token(client, variant):
    response = client.post(
        "/api/v1/cart/lines",
        {"variant_id": variant.pk, "quantity": 2},
        content_type="application/json",
    )
    assert response.status_code == 200
    data = response.json()
    token = data["token"]
    assert response["X-Cart-Token"] == token
    assert data["subtotal"]["amount"] == "2580.00"
    assert data["tax"][0]["tax"]["amount"] == "168.79"

    mine = client.get("/api/v1/cart", headers={"X-Cart-Token": token}).json()
    assert [line["sku"] for line in mine["lines"]] == [variant.sku]
    assert client.get("/api/v1/cart").json()["lines"] == []  # no token: an empty cart

    line_id = mine["lines"][0]["id"]
    stranger = client.patch(
        f"/api/v1/cart/lines/{line_id}", {"quantity": 1}, content_type="application/json"
    )
    assert stranger.status_code == 404
    assert CartLine.objects.get().quantity == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"variant_id": 1, "quantity": -1}, "quantity"),
        ({"variant_id": 1, "quantity": 100}, "quantity"),
        ({"variant_id": "x", "quantity": 1}, "variant_id"),
        ({"quantity": 1}, "variant_id"),
    ],
)
def test_bad_cart_input_is_a_422_naming_the_field(client, variant, body, field):
    response = client.post("/api/v1/cart/lines", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert not CartLine.objects.exists()


def test_more_than_is_in_stock_is_a_409(client, variant):
    response = client.post(
        "/api/v1/cart/lines",
        {"variant_id": variant.pk, "quantity": 6},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"


def test_a_bad_session_token_is_refused(client, variant):
    response = client.get("/api/v1/cart", headers={"X-Session-Token": "nonsense"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_customer_checks_out_and_only_ever_sees_their_own_orders(client, variant):
    _user, headers = sign_in(client, "somchai@example.com")
    client.post(
        "/api/v1/cart/lines",
        {"variant_id": variant.pk, "quantity": 1},
        content_type="application/json",
        headers=headers,
    )
    quote = client.post(
        "/api/v1/checkout/quote",
        {"country": "TH"},
        content_type="application/json",
        headers=headers,
    ).json()
    assert {o["code"] for o in quote["shipping_options"]} >= {"standard", "ems"}
    assert {o["method"] for o in quote["payment_options"]} == {"promptpay", "cod"}

    placed = client.post(
        "/api/v1/checkout/orders",
        order_body(email="", payment_method="cod", expected_total="1340.00"),
        content_type="application/json",
        headers=headers,
    )
    assert placed.status_code == 201, placed.content
    order = placed.json()
    assert order["status"] == "processing" and order["email"] == "somchai@example.com"
    assert order["total"]["amount"] == "1340.00"

    listed = client.get("/api/v1/orders", headers=headers).json()
    assert [o["number"] for o in listed["results"]] == [order["number"]]
    assert client.get(f"/api/v1/orders/{order['number']}", headers=headers).status_code == 200

    _other, other_headers = sign_in(client, "other@example.com")
    assert client.get(f"/api/v1/orders/{order['number']}", headers=other_headers).status_code == 404
    assert client.get("/api/v1/orders", headers=other_headers).json()["results"] == []
    assert client.get("/api/v1/orders").status_code == 401
    assert client.get(f"/api/v1/orders/{order['number']}").status_code == 404
    assert client.get(f"/api/v1/orders/by-token/{order['token']}").status_code == 200
    assert client.get("/api/v1/orders/by-token/not-a-token").status_code == 404


def test_guest_promptpay_order_returns_the_qr(client, variant):
    token = client.post(
        "/api/v1/cart/lines", {"variant_id": variant.pk}, content_type="application/json"
    ).json()["token"]
    response = client.post(
        "/api/v1/checkout/orders?lang=th",
        order_body(),
        content_type="application/json",
        headers={"X-Cart-Token": token},
    )
    assert response.status_code == 201
    payment = response.json()["payment"]
    assert payment["method"] == "promptpay" and payment["promptpay_payload"].startswith("000201")
    assert payment["promptpay_qr_svg"].startswith("<svg")


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"email": "nope"}, 422, "email"),
        ({"shipping_address": {**THAI_ADDRESS, "postcode": ""}}, 422, "shipping_address.postcode"),
        ({"shipping_method": "teleport"}, 422, "shipping_method"),
        ({"payment_method": "bitcoin"}, 422, "payment_method"),
        ({"currency": "USD"}, 422, "currency"),
        ({"expected_total": "1.00"}, 409, "expected_total"),
        ({"shipping_address": "Bangkok"}, 422, "shipping_address"),
    ],
)
def test_bad_checkout_input_changes_nothing(client, variant, overrides, status, field):
    token = client.post(
        "/api/v1/cart/lines", {"variant_id": variant.pk}, content_type="application/json"
    ).json()["token"]
    response = client.post(
        "/api/v1/checkout/orders",
        order_body(**overrides),
        content_type="application/json",
        headers={"X-Cart-Token": token},
    )
    assert response.status_code == status, response.content
    assert response.json()["field"].startswith(field)
    assert not Order.objects.exists()
    assert Stock.objects.get(variant=variant).reserved == 0


def test_wishlist_by_token_and_move_to_cart(client, variant):
    data = client.post(
        "/api/v1/wishlist/items", {"variant_id": variant.pk}, content_type="application/json"
    ).json()
    token = data["token"]
    assert [i["sku"] for i in data["items"]] == [variant.sku]
    cart = client.post(
        f"/api/v1/wishlist/items/{variant.pk}/move-to-cart",
        headers={"X-Wishlist-Token": token},
    )
    assert cart.status_code == 200 and cart.json()["lines"][0]["sku"] == variant.sku
    assert client.get("/api/v1/wishlist", headers={"X-Wishlist-Token": token}).json()["items"] == []
