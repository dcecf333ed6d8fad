import pytest

from tests.conftest import THAI_ADDRESS
from tridex.cart.services import cart_add, cart_get_or_create
from tridex.checkout.services import CheckoutDetails


@pytest.fixture
def cart_with(commerce, market_th):
    """A guest cart in Thailand holding ``quantity`` of the given variant."""

    def make(variant, quantity=1, user=None, market=None):
        cart = cart_get_or_create(market=market or market_th, user=user)
        cart_add(cart=cart, variant_id=variant.pk, quantity=quantity)
        return cart

    return make


def details(**overrides):
    data = {
        "email": "somchai@example.com",
        "shipping_address": dict(THAI_ADDRESS),
        "shipping_method": "standard",
        "payment_method": "promptpay",
        "language": "th",
    }
    data.update(overrides)
    return CheckoutDetails(**data)
