"""The cart, wishlist, checkout and order pages, driven through Django's test client."""

from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import THAI_ADDRESS
from tridex.accounts.models import User
from tridex.cart.models import Cart, CartLine, Wishlist
from tridex.inventory.models import Stock
from tridex.orders.models import Order, OrderStatus

PASSWORD = "Sofa-cover-2026"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_customer(email="somchai@example.com"):
    user = User.objects.create_user(email=email, password=PASSWORD, preferred_language="th")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def checkout_form(**overrides):
    data = {f"ship-{k}": v for k, v in THAI_ADDRESS.items()}
    data.update(
        {
            "email": "guest@example.com",
            "billing_same": "1",
            "shipping_method": "standard",
            "payment_method": "promptpay",
            "action": "place",
        }
    )
    data.update(overrides)
    return data


@pytest.fixture
def variant(commerce, make_product):
    return make_product(price="1290", stock=5).variants.get()


def test_guest_adds_to_cart_and_sees_the_server_price(client, variant):
    response = client.post("/en/cart/add/", {"variant": variant.pk, "quantity": "2", "price": "1"})
    assert response.status_code == 302
    assert response.cookies["tridex_cart_count"].value == "2"
    page = client.get("/en/cart/").content.decode()
    assert variant.sku in page
    assert "2,580.00" in page  # the client's "price" is ignored


@pytest.mark.parametrize("quantity", ["-1", "0", "abc", "100", "6"])
def test_bad_quantities_are_refused_with_a_message(client, variant, quantity):
    response = client.post(
        "/en/cart/add/", {"variant": variant.pk, "quantity": quantity}, follow=True
    )
    assert response.status_code == 200
    assert not CartLine.objects.exists()
    assert any(m.level_tag == "error" for m in response.context["messages"])


@pytest.mark.parametrize("variant_id", ["999999", "abc", ""])
def test_a_refused_first_add_leaves_no_empty_cart(client, variant, variant_id):
    response = client.post("/en/cart/add/", {"variant": variant_id, "quantity": "1"}, follow=True)
    assert response.status_code == 200
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert not Cart.objects.exists()


def test_a_sold_out_first_add_leaves_no_empty_cart(client, variant):
    Stock.objects.filter(variant=variant).update(quantity=0)
    client.post("/en/cart/add/", {"variant": variant.pk, "quantity": "1"})
    assert not Cart.objects.exists()
    client.post("/en/cart/add/", {"variant": variant.pk, "quantity": "1"})  # still none
    assert not Cart.objects.exists()


def test_changing_and_removing_lines(client, variant):
    client.post("/en/cart/add/", {"variant": variant.pk, "quantity": "1"})
    line = CartLine.objects.get()
    client.post(f"/en/cart/lines/{line.pk}/", {"quantity": "3"})
    assert CartLine.objects.get().quantity == 3
    client.post(f"/en/cart/lines/{line.pk}/", {"quantity": "9"})  # only 5 in stock
    assert CartLine.objects.get().quantity == 3
    client.post(f"/en/cart/lines/{line.pk}/", {"remove": "1"})
    assert not CartLine.objects.exists()


def test_someone_elses_cart_line_is_not_found(client, variant):
    other = Client()
    other.post("/en/cart/add/", {"variant": variant.pk, "quantity": "1"})
    line = CartLine.objects.get()
    client.post("/en/cart/add/", {"variant": variant.pk, "quantity": "1"})
    response = client.post(f"/en/cart/lines/{line.pk}/", {"quantity": "4"})
    assert response.status_code == 404
    assert CartLine.objects.get(pk=line.pk).quantity == 1


def test_a_changed_price_is_flagged(client, variant, market_th):
    from tridex.pricing.services import price_set

    client.post("/en/cart/add/", {"variant": variant.pk, "quantity": "1"})
    price_set(variant=variant, market=market_th, amount=Decimal("1190"))
    page = client.get("/en/cart/").content.decode()
    assert "changed from" in page and "1,190.00" in page


def test_guest_cart_joins_the_customer_cart_at_login(client, variant, make_product):
    customer = make_customer()
    other = make_product(price="990", stock=5).variants.get()
    client.force_login(customer)
    client.post("/en/cart/add/", {"variant": other.pk, "quantity": "1"})
    client.logout()
    client.post("/en/cart/add/", {"variant": variant.pk, "quantity": "2"})
    client.post("/en/account/login/", {"login": customer.email, "password": PASSWORD})
    cart = Cart.objects.get(user=customer, status="open")
    assert sorted(cart.lines.values_list("variant_id", "quantity")) == sorted(
        [(other.pk, 1), (variant.pk, 2)]
    )


def test_wishlist_add_share_move_and_renew(client, variant):
    client.post("/en/wishlist/change/", {"variant": variant.pk, "action": "add"})
    wishlist = Wishlist.objects.get()
    shared = Client().get(f"/en/wishlist/shared/{wishlist.share_token}/")
    assert shared.status_code == 200 and variant.sku not in shared.content.decode()
    assert variant.product.name_en in shared.content.decode()
    old = wishlist.share_token
    client.post("/en/wishlist/change/", {"action": "share"})
    assert Client().get(f"/en/wishlist/shared/{old}/").status_code == 404
    client.post("/en/wishlist/change/", {"variant": variant.pk, "action": "move"})
    assert not wishlist.items.exists()
    assert CartLine.objects.get().variant_id == variant.pk


def test_guest_checkout_with_promptpay_shows_the_qr(client, variant):
    client.post("/en/cart/add/", {"variant": variant.pk, "quantity": "1"})
    page = client.get("/en/checkout/")
    assert page.status_code == 200
    assert "1,330.00" in page.content.decode()  # 1,290 + 40 by EMS, the cheapest first

    response = client.post("/en/checkout/", checkout_form(expected_total="1340.00"))

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/orders/t/{order.token}/"
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and order.number in page and "data-promptpay" in page
    assert Stock.objects.get(variant=variant).reserved == 1


@pytest.mark.parametrize(
    ("overrides", "field_text"),
    [
        ({"ship-postcode": "12"}, "5 digits"),
        ({"email": "nope"}, "valid email"),
        ({"payment_method": "stripe"}, "not available"),
        ({"expected_total": "1.00"}, "total changed"),
        ({"currency": "USD"}, "THB"),
    ],
)
def test_checkout_errors_answer_4xx_next_to_the_field_and_place_nothing(
    client, variant, overrides, field_text
):
    client.post("/en/cart/add/", {"variant": variant.pk, "quantity": "1"})
    response = client.post("/en/checkout/", checkout_form(**overrides))
    assert 400 <= response.status_code < 500
    assert field_text in response.content.decode()
    assert not Order.objects.exists()
    assert Stock.objects.get(variant=variant).reserved == 0


def test_reprice_without_the_place_button_places_nothing(client, variant):
    client.post("/en/cart/add/", {"variant": variant.pk, "quantity": "1"})
    form = checkout_form(action="update")
    response = client.post("/en/checkout/", form, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert not Order.objects.exists()


def test_signed_in_cash_on_delivery_order_shows_in_the_account(client, variant):
    customer = make_customer()
    client.force_login(customer)
    client.post("/th/cart/add/", {"variant": variant.pk, "quantity": "1"})
    response = client.post("/th/checkout/", checkout_form(email="", payment_method="cod"))
    order = Order.objects.get()
    assert order.user == customer and order.email == customer.email
    assert order.status == OrderStatus.PROCESSING
    assert response["Location"] == f"/th/orders/{order.number}/"
    assert order.number in client.get("/th/orders/").content.decode()
    assert client.get(f"/th/orders/{order.number}/").status_code == 200

    intruder = make_customer("other@example.com")
    other = Client()
    other.force_login(intruder)
    assert other.get(f"/th/orders/{order.number}/").status_code == 404
    assert other.get(f"/th/orders/{order.number}/invoice/").status_code == 404
    assert Client().get(f"/th/orders/{order.number}/").status_code == 302  # to the login page


def test_reorder_puts_the_items_back_in_the_cart(client, variant):
    customer = make_customer()
    client.force_login(customer)
    client.post("/en/cart/add/", {"variant": variant.pk, "quantity": "2"})
    client.post("/en/checkout/", checkout_form(email="", payment_method="cod"))
    order = Order.objects.get()
    client.post(f"/en/orders/{order.number}/reorder/")
    cart = Cart.objects.get(user=customer, status="open")
    assert list(cart.lines.values_list("variant_id", "quantity")) == [(variant.pk, 2)]


def _queries(client, url, headers):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **headers).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/en/cart/", "/en/checkout/", "/api/v1/cart"])
def test_cart_and_checkout_queries_do_not_grow_with_lines(client, commerce, make_product, url):
    first = make_product(price="990", stock=9).variants.get()
    client.post("/en/cart/add/", {"variant": first.pk, "quantity": "1"})
    token = Cart.objects.get().token
    headers = {"HTTP_X_CART_TOKEN": str(token)} if url.startswith("/api") else {}
    _queries(client, url, headers)  # warm the market and session caches
    with_one = _queries(client, url, headers)
    for n in range(5):
        variant = make_product(price=str(1000 + n), stock=9).variants.get()
        client.post("/en/cart/add/", {"variant": variant.pk, "quantity": "1"})
    assert _queries(client, url, headers) <= with_one
