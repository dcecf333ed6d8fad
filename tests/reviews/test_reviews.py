"""Customers review products: once each, marked when they bought it, shown with the average on
the product page and through the API, hidden by staff, and rate limited."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.checkout.conftest import details
from tridex.accounts.models import User
from tridex.audit.models import AuditEntry
from tridex.cart.services import cart_add, cart_get_or_create
from tridex.catalog.models import Product, Review
from tridex.checkout.services import checkout_place_order
from tridex.core.errors import Conflict, NotFound, ValidationFailed
from tridex.orders.services import order_mark_paid
from tridex.reviews.services import SignInRequired, review_post

pytestmark = pytest.mark.django_db
PASSWORD = "Sofa-cover-2026"


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def product(commerce, make_product) -> Product:
    return make_product(name_en="Velvet cover")


def customer(email: str = "nok@example.com") -> User:
    user = User.objects.create_user(email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def buy(user: User, product: Product, market, *, pay: bool = True) -> None:
    cart = cart_get_or_create(market=market, user=user)
    cart_add(cart=cart, variant_id=product.variants.get().pk, quantity=1)
    with translation.override("en"):
        placed = checkout_place_order(
            cart=cart, market=market, details=details(email=user.email), user=user
        )
    if pay:
        order = placed.order
        order_mark_paid(order=order, amount=order.money(order.total), gateway="promptpay")


def post(user, product, **fields):
    data = {"rating": 4, "title": "Fits well", "body": "Snug on our three-seater."} | fields
    return review_post(customer=user, product_id=product.pk, **data)


# --- The service -------------------------------------------------------------------------------


def test_a_review_updates_the_average_and_is_marked_when_bought(product, market_th):
    buyer, browser = customer("buyer@example.com"), customer("browser@example.com")
    buy(buyer, product, market_th)

    bought = post(buyer, product, rating=5)
    not_bought = post(browser, product, rating=2)

    assert bought.verified_purchase is True
    assert not_bought.verified_purchase is False
    product.refresh_from_db()
    assert (product.rating_average, product.rating_count) == (3.5, 2)


def test_an_unpaid_order_is_not_a_purchase(product, market_th):
    user = customer()
    buy(user, product, market_th, pay=False)
    assert post(user, product).verified_purchase is False


def test_one_review_per_customer_per_product(product):
    user = customer()
    post(user, product)
    with pytest.raises(Conflict) as refused:
        post(user, product, rating=1)
    assert refused.value.code == "already_reviewed"
    assert Review.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"rating": 6}, "rating"),
        ({"rating": 0}, "rating"),
        ({"rating": "five"}, "rating"),
        ({"title": "  "}, "title"),
        ({"body": ""}, "body"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(product, fields, field):
    with pytest.raises(ValidationFailed) as refused:
        post(customer(), product, **fields)
    assert refused.value.field == field
    assert not Review.objects.exists()


def test_visitors_and_hidden_products_cannot_be_reviewed(product):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(SignInRequired):
        post(AnonymousUser(), product)
    Product.objects.filter(pk=product.pk).update(is_published=False)
    with pytest.raises(NotFound):
        post(customer(), product)


# --- The product page -----------------------------------------------------------------------------


def test_customer_posts_from_the_product_page_and_sees_it_with_the_badge(product, market_th):
    user = customer()
    buy(user, product, market_th)
    client = Client()
    client.force_login(user)
    page_url = f"/en/p/{product.slug_en}/"
    assert 'name="rating"' in client.get(page_url).text

    response = client.post(
        f"/en/p/{product.slug_en}/review/",
        {"rating": "5", "title": "Like new", "body": "The sofa looks new again."},
    )

    assert response.status_code == 302
    assert response["Location"] == page_url + "#reviews"
    page = client.get(page_url).text
    assert "Like new" in page
    assert "Verified purchase" in page
    assert "You have reviewed this product" in page
    assert 'name="rating"' not in page


def test_a_mistake_shows_the_page_again_with_what_was_typed(product):
    client = Client()
    client.force_login(customer())
    response = client.post(
        f"/en/p/{product.slug_en}/review/", {"rating": "5", "title": "", "body": "Lovely fabric"}
    )
    assert response.status_code == 422
    assert "Give your review a title." in response.text
    assert "Lovely fabric" in response.text
    assert not Review.objects.exists()


def test_visitors_are_sent_to_sign_in(client, product):
    page = client.get(f"/en/p/{product.slug_en}/").text
    assert "Sign in to write a review." in page
    response = client.post(f"/en/p/{product.slug_en}/review/", {"rating": "5"})
    assert response.status_code == 302
    assert "/account/login/" in response["Location"]


def test_posting_too_often_is_refused_with_429(product, make_product, settings):
    settings.TRIDEX_RATE_LIMITS = {**settings.TRIDEX_RATE_LIMITS, "review": {"user": "2/h"}}
    client = Client()
    client.force_login(customer())
    others = [make_product(name_en=f"Cover {n}") for n in range(3)]
    for other in others[:2]:
        body = {"rating": "4", "title": "Good", "body": "Good cover."}
        assert client.post(f"/en/p/{other.slug_en}/review/", body).status_code == 302

    body = {"rating": "4", "title": "Good", "body": "Good cover."}
    response = client.post(f"/en/p/{others[2].slug_en}/review/", body)

    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert not Review.objects.filter(product=others[2]).exists()


def test_product_page_queries_do_not_grow_with_reviews(client, product):
    url = f"/en/p/{product.slug_en}/"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    post(customer("a@example.com"), product)
    few = count()
    for n in range(5):
        post(customer(f"r{n}@example.com"), product)
    assert count() == few


# --- Staff moderation ----------------------------------------------------------------------


def test_staff_hide_a_review_from_the_admin_audited(product):
    review = post(customer(), product, title="Rude words")
    owner = User.objects.create_superuser(email="owner@example.com", password="x")
    staff = Client()
    staff.force_login(owner)

    response = staff.post(
        "/admin/catalog/review/", {"action": "unapprove", "_selected_action": [review.pk]}
    )

    assert response.status_code == 302
    product.refresh_from_db()
    assert product.rating_count == 0
    assert "Rude words" not in Client().get(f"/en/p/{product.slug_en}/").text
    assert AuditEntry.objects.filter(object_type="catalog.review", actor=owner).exists()


# --- The API -------------------------------------------------------------------------------


def api_sign_in(client: Client, user: User) -> dict[str, str]:
    response = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": user.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return {"HTTP_X_SESSION_TOKEN": response.json()["meta"]["session_token"]}


def test_api_customer_posts_and_anyone_lists(client, product, market_th):
    user = customer()
    buy(user, product, market_th)
    headers = api_sign_in(client, user)
    url = f"/api/v1/products/{product.pk}/reviews"

    created = client.post(
        url,
        {"rating": 5, "title": "Great", "body": "Great cover."},
        content_type="application/json",
        **headers,
    )
    again = client.post(
        url,
        {"rating": 1, "title": "Again", "body": "x"},
        content_type="application/json",
        **headers,
    )
    listed = Client().get(url)

    assert created.status_code == 201
    assert created.json()["verified_purchase"] is True
    assert again.status_code == 409
    assert again.json()["code"] == "already_reviewed"
    body = listed.json()
    assert body["total"] == 1
    assert body["rating"] == {"average": "5.00", "count": 1}
    assert body["items"][0]["title"] == "Great"


def test_api_refuses_visitors_bad_input_and_unknown_products(client, product):
    url = f"/api/v1/products/{product.pk}/reviews"
    anonymous = client.post(
        url, {"rating": 5, "title": "t", "body": "b"}, content_type="application/json"
    )
    headers = api_sign_in(client, customer())
    bad = client.post(
        url, {"rating": 9, "title": "t", "body": "b"}, content_type="application/json", **headers
    )
    unknown = client.get("/api/v1/products/999999/reviews")

    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "sign_in_required"
    assert bad.status_code == 422
    assert bad.json()["field"] == "rating"
    assert unknown.status_code == 404
    assert not Review.objects.exists()


def test_api_posting_too_often_is_429_json(client, product, make_product, settings):
    settings.TRIDEX_RATE_LIMITS = {**settings.TRIDEX_RATE_LIMITS, "review": {"user": "1/h"}}
    headers = api_sign_in(client, customer())
    other = make_product(name_en="Other cover")
    body = {"rating": 4, "title": "Good", "body": "Good."}
    first = client.post(
        f"/api/v1/products/{product.pk}/reviews", body, content_type="application/json", **headers
    )
    second = client.post(
        f"/api/v1/products/{other.pk}/reviews", body, content_type="application/json", **headers
    )
    assert first.status_code == 201
    assert second.status_code == 429
    assert second["Retry-After"].isdigit()
    assert second.json() == {
        "code": "rate_limited",
        "message": second.json()["message"],
        "field": None,
    }


def test_the_migration_keeps_duplicates_as_reviews_without_a_customer(product, transactional_db):
    """Reviews entered twice for one customer before the rule existed survive the migration."""
    call_command("migrate", "catalog", "0002", verbosity=0)
    try:
        user = customer()
        with connection.cursor() as cursor:
            for title, day in (("old", "2026-01-01"), ("new", "2026-01-02")):
                cursor.execute(
                    "INSERT INTO catalog_review (product_id, user_id, author_name, rating, title,"
                    " body, language, is_approved, created_at, updated_at)"
                    " VALUES (%s, %s, 'Nok', 4, %s, '', 'en', true, %s, %s)",
                    [product.pk, user.pk, title, f"{day}T00:00Z", f"{day}T00:00Z"],
                )
    finally:
        call_command("migrate", "catalog", verbosity=0)

    assert Review.objects.get(user=user).title == "new"
    assert Review.objects.get(title="old").user is None
