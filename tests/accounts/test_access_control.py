"""Attack tests (issue 4 §8): a customer cannot reach another customer's data through any page
or endpoint.

The URLs are not listed by hand: every storefront and account URL pattern (from Django's URL
resolver) and every customer API operation (from the ninja API) that takes a parameter is
tried with customer B's ids, numbers and tokens, one by one, as customer A — by GET and by
POST. A new URL or operation whose parameter this test does not know fails it, so it cannot be
added without saying whose data the parameter reaches.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver

from tests.api.staff_helpers import PASSWORD, member, token_headers
from tests.checkout.conftest import details
from tests.conftest import THAI_ADDRESS, enrol_totp
from tridex.accounts.models import Address, User
from tridex.accounts.services import address_create
from tridex.api.api import api
from tridex.api.staff_access import STAFF_PREFIX, api_operations
from tridex.cart.models import CartLine, WishlistItem
from tridex.cart.services import cart_add, cart_get_or_create, wishlist_add, wishlist_get_or_create
from tridex.checkout.services import checkout_place_order
from tridex.orders.models import Order
from tridex.privacy.models import PrivacyRequest
from tridex.privacy.services import privacy_request_create

pytestmark = pytest.mark.django_db

# What a path parameter reaches, by its name.
# The customer's own rows: B's must answer 403/404 ("pk": a sign-in factor).
OWNED = {"address_id", "line_id", "number", "session_id", "pk", "request_id"}
# Secret links (emailed or shared): holding the token is the permission, so what is tried is
# B's *guessable* values (ids, numbers) in the token's place.
CAPABILITY = {"token", "key", "uidb36"}
PUBLIC = {"slug", "product_id", "gateway"}  # the catalog and payment providers' callbacks
# Acts on the caller's own wishlist only (a variant id names a product, not a customer's row).
OWN_LIST = {"variant_id"}
PLAUSIBLE = {"quantity": "1", "kind": "shipping"}
REFUSED = (403, 404, 405)  # 405: the method is refused before the id is even read


@dataclass
class Customer:
    user: User
    address: Address
    order: Order
    cart_line: CartLine
    wish: WishlistItem
    session: UserSession
    factors: list[int]
    privacy_request: PrivacyRequest

    def values(self, param: str) -> list[str]:
        """B's values to try for a parameter named ``param``."""
        ids = [self.address.pk, self.cart_line.pk, self.order.pk, self.user.pk]
        guesses = [self.order.number, *map(str, ids)]
        return {
            "address_id": [str(self.address.pk)],
            "line_id": [str(self.cart_line.pk)],
            "number": [self.order.number, str(self.order.pk)],
            "variant_id": [str(self.wish.variant_id)],
            "session_id": [str(self.session.pk)],
            "pk": [str(pk) for pk in self.factors],
            "request_id": [str(self.privacy_request.pk)],
        }.get(param, guesses)

    def secrets(self) -> list[str]:
        """What must never show in a page or response A receives."""
        return [
            self.user.email,
            self.address.full_name,
            str(self.order.token),
            str(self.wish.wishlist.share_token),
            self.order.number,
        ]


def make_customer(email: str, name: str, variant, market) -> Customer:
    user = member(None, email, staff=False)
    address = address_create(user=user, **{**THAI_ADDRESS, "full_name": name})
    cart = cart_get_or_create(market=market, user=user)
    cart_add(cart=cart, variant_id=variant.pk, quantity=1)
    shipping = {**THAI_ADDRESS, "full_name": name}
    order = checkout_place_order(
        cart=cart, market=market, details=details(email=email, shipping_address=shipping), user=user
    ).order
    cart = cart_get_or_create(market=market, user=user)
    cart_add(cart=cart, variant_id=variant.pk, quantity=2)
    wishlist = wishlist_get_or_create(user=user)
    wish = wishlist_add(wishlist=wishlist, variant_id=variant.pk, market=market)
    line = CartLine.objects.get(cart=cart)
    session = UserSession.objects.create(
        user=user, ip="203.0.113.7", session_key=f"session-of-{user.pk}", user_agent="Firefox"
    )
    enrol_totp(user)
    factors = list(Authenticator.objects.filter(user=user).values_list("pk", flat=True))
    asked = privacy_request_create(user=user, kind="access", details=f"All about {name}")
    return Customer(user, address, order, line, wish, session, factors, asked)


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


@pytest.fixture
def two_customers(commerce, make_product, market_th):
    def variant():
        return make_product(price="1290", stock=20).variants.get()

    a = make_customer("anan@example.com", "Anan Adirek", variant(), market_th)
    b = make_customer("busaba@example.com", "Busaba Boonmee", variant(), market_th)
    return a, b


def state_of(customer: Customer) -> tuple:
    """B's data as stored, to prove none of the attempts changed it."""
    address = Address.objects.get(pk=customer.address.pk)
    order = Order.objects.get(pk=customer.order.pk)
    return (
        address.full_name,
        address.is_default_shipping,
        CartLine.objects.get(pk=customer.cart_line.pk).quantity,
        order.status,
        WishlistItem.objects.filter(pk=customer.wish.pk).exists(),
        UserSession.objects.filter(pk=customer.session.pk).exists(),
        Authenticator.objects.filter(pk__in=customer.factors).count(),
        PrivacyRequest.objects.get(pk=customer.privacy_request.pk).status,
    )


# --- Every storefront and account page ---------------------------------------------------------

_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def customer_routes(
    patterns=None, prefix: str = "", name: str = ""
) -> Iterator[tuple[str, str, list[str]]]:
    """(route, name, parameter names) of every page under the language prefix."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            space = f"{name}{entry.namespace}:" if entry.namespace else name
            yield from customer_routes(entry.url_patterns, route, space)
        elif isinstance(entry, URLPattern) and route.startswith("th/"):
            params = [a or b for a, b in _PARAM.findall(route)]
            if params:
                yield route, name + (entry.name or ""), params


def build(route: str, values: dict[str, str]) -> str:
    path = _PARAM.sub(lambda m: values[m.group(1) or m.group(2)], route)
    return "/" + path.replace("^", "").replace("$", "")


def test_every_page_with_a_parameter_refuses_another_customers_ids(client, two_customers):
    a, b = two_customers
    before = state_of(b)
    client.force_login(a.user)
    # Just re-entered the password, as allauth asks before a factor is removed: the pages
    # behind that step must refuse B's ids by ownership, not merely by the step.
    assert client.post("/th/account/reauthenticate/", {"password": PASSWORD}).status_code == 302
    routes = list(customer_routes())
    assert {"accounts:address_update", "orders:detail", "storefront:cart_line"} <= {
        n for _, n, _ in routes
    }
    tried = 0
    for route, name, params in routes:
        unknown = set(params) - OWNED - CAPABILITY - PUBLIC - OWN_LIST
        assert not unknown, f"{name}: say whose data {unknown} reaches (see the top of this file)"
        if set(params) <= PUBLIC:
            continue
        for param in params:
            for value in b.values(param):
                values = {p: value if p == param else "0" for p in params}
                url = build(route, values)
                for method in ("get", "post"):
                    # A plausible form, so that the view gets past its input checks.
                    response = getattr(client, method)(url, PLAUSIBLE if method == "post" else {})
                    where = (name, method, url, response.status_code)
                    body = response.content.decode(errors="replace")
                    assert not [s for s in b.secrets() if s in body and s != value], where
                    if set(params) & OWNED or name.startswith(("orders:", "storefront:")):
                        assert response.status_code in REFUSED, where
                    else:
                        assert response.status_code < 500, where
                    tried += 1
    assert tried >= 20
    assert state_of(b) == before
    # A still reaches their own: the refusals above are about ownership, not broken pages.
    assert client.get(f"/th/orders/{a.order.number}/").status_code == 200
    assert client.get(f"/th/account/addresses/{a.address.pk}/edit/").status_code == 200


# --- Every customer API operation ----------------------------------------------------------------


def test_every_api_operation_with_a_parameter_refuses_another_customers_ids(client, two_customers):
    a, b = two_customers
    before = state_of(b)
    headers = token_headers(client, a.user)
    operations = [
        op for op in api_operations(api) if not op.path.startswith(STAFF_PREFIX) and "{" in op.path
    ]
    assert {"orders_get", "cart_line_update", "cart_line_remove", "wishlist_remove"} <= {
        op.operation_id for op in operations
    }
    tried = 0
    for op in operations:
        params = re.findall(r"{(\w+)}", op.path)
        unknown = set(params) - OWNED - CAPABILITY - PUBLIC - OWN_LIST
        assert not unknown, f"{op.operation_id}: say whose data {unknown} reaches"
        if set(params) <= PUBLIC:
            continue
        for param in params:
            for value in b.values(param):
                values = {p: value if p == param else "0" for p in params}
                url = "/api/v1" + op.path.format(**values)
                response = client.generic(
                    op.method,
                    url,
                    '{"quantity": 1}',
                    content_type="application/json",
                    headers=headers,
                )
                where = (op.operation_id, url, response.status_code)
                body = response.content.decode(errors="replace")
                assert response.status_code in REFUSED, where
                assert not [s for s in b.secrets() if s in body and s != value], where
                tried += 1
    assert tried >= 6
    assert state_of(b) == before
    own = client.get(f"/api/v1/orders/{a.order.number}", headers=headers)
    assert own.status_code == 200 and own.json()["email"] == a.user.email
