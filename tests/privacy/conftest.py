"""Fixtures for privacy tests: verified customers, a private export folder per test, English."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from tests.checkout.conftest import details
from tridex.accounts.models import Address, User
from tridex.cart.services import cart_add, cart_get_or_create
from tridex.checkout.services import checkout_place_order
from tridex.orders.models import Order

PASSWORD = "Sofa-cover-2026"


@pytest.fixture(autouse=True)
def _privacy_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TRIDEX_PRIVACY_EXPORT_DIR = tmp_path / "exports"
    settings.TRIDEX_SITE_URL = "https://shop.example"
    settings.LANGUAGE_CODE = "en"
    cache.clear()
    with translation.override("en"):
        yield


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    def make(email: str = "somchai@example.com", **fields) -> User:
        fields.setdefault("preferred_language", "en")
        user = User.objects.create_user(email=email, password=PASSWORD, **fields)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    return make


@pytest.fixture
def customer(make_user) -> User:
    user = make_user(first_name="Somchai", last_name="Jaidee", phone="081 234 5678")
    Address.objects.create(
        user=user, full_name="Somchai Jaidee", line1="99/1 Sukhumvit", province="TH-10"
    )
    return user


@pytest.fixture
def other(make_user) -> User:
    return make_user(email="malee@example.com")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def signed_in(user: User) -> Client:
    """A client that signed in with the password just now."""
    client = Client()
    response = client.post("/en/account/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def reauthenticated(client: Client, response) -> Client:
    """Answer allauth's re-authentication page that ``response`` redirected to."""
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    answer = client.post(response["Location"], {"password": PASSWORD})
    assert answer.status_code == 302, answer.content[:500]
    return answer


@pytest.fixture
def place_order(commerce, make_product, market_th) -> Callable[..., Order]:
    """Place a real order (two covers, PromptPay) through the checkout for ``user``."""

    def make(user: User | None) -> Order:
        variant = make_product(price="1290", stock=5).variants.get()
        cart = cart_get_or_create(market=market_th, user=user)
        cart_add(cart=cart, variant_id=variant.pk, quantity=2)
        data = details(language="en", email=user.email if user else "guest@example.com")
        return checkout_place_order(cart=cart, market=market_th, details=data, user=user).order

    return make
