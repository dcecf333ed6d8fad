"""The shipping admin renders and saves through the services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from tridex.shipping.models import ShippingMethod
from tridex.shipping.services import shipping_seed_demo


@pytest.fixture
def staff_client(client, db):
    user = get_user_model().objects.create_superuser(
        email="boss@example.com", password="a-long-password-1"
    )
    client.force_login(user)
    with translation.override("en"):
        yield client


@pytest.fixture
def seeded(market_th, market_intl):
    shipping_seed_demo(markets={"th": market_th, "intl": market_intl})


def _form(market, **changes):
    data = {
        "market": market.pk,
        "code": "pickup",
        "name_th": "รับเองที่โกดัง",
        "name_en": "Pick up at the warehouse",
        "description_th": "",
        "description_en": "",
        "countries": "[]",
        "base_price": "0",
        "price_per_kg": "0",
        "included_weight_grams": "0",
        "free_above": "",
        "max_weight_grams": "",
        "min_days": "0",
        "max_days": "0",
        "carrier": "",
        "is_active": "on",
        "position": "5",
    }
    data.update(changes)
    return data


def test_changelist_add_and_change_pages_load(staff_client, seeded):
    response = staff_client.get(reverse("admin:shipping_shippingmethod_changelist") + "?q=ems")
    assert response.status_code == 200
    assert b"ems" in response.content
    assert staff_client.get(reverse("admin:shipping_shippingmethod_add")).status_code == 200
    method = ShippingMethod.objects.get(code="express-bkk")
    page = staff_client.get(reverse("admin:shipping_shippingmethod_change", args=[method.pk]))
    assert page.status_code == 200
    assert b"bkk-metro" in page.content  # the registered carriers are the choices


def test_adding_a_method_goes_through_validation(staff_client, market_th):
    url = reverse("admin:shipping_shippingmethod_add")
    refused = staff_client.post(url, _form(market_th, min_days="3", max_days="1"))
    assert refused.status_code == 200  # the form comes back with the error
    assert not ShippingMethod.objects.exists()
    saved = staff_client.post(url, _form(market_th, countries='["th"]'))
    assert saved.status_code == 302
    method = ShippingMethod.objects.get(code="pickup")
    assert (method.countries, method.base_price, method.name_en) == (
        ["TH"],
        Decimal("0"),
        "Pick up at the warehouse",
    )


def test_changing_a_method_keeps_its_market(staff_client, seeded, market_th, market_intl):
    method = ShippingMethod.objects.get(code="standard")
    url = reverse("admin:shipping_shippingmethod_change", args=[method.pk])
    data = _form(market_intl, code="standard", base_price="45", free_above="1500")
    assert staff_client.post(url, data).status_code == 302
    method.refresh_from_db()
    assert (method.market, method.base_price) == (market_th, Decimal("45"))
