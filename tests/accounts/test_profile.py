"""Profile: name, phone and preferred language."""

from __future__ import annotations

import pytest
from django.conf import settings

from tridex.accounts import services
from tridex.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_profile_update_service(customer):
    user = services.profile_update(
        user=customer,
        first_name="  Somchai ",
        last_name="Jaidee",
        phone="+66 81 234 5678",
        preferred_language="th",
    )
    customer.refresh_from_db()
    assert (customer.first_name, customer.phone, customer.preferred_language) == (
        "Somchai",
        "+66 81 234 5678",
        "th",
    )
    assert user.pk == customer.pk


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"preferred_language": "fr"}, "preferred_language"),
        ({"phone": "abc"}, "phone"),
        ({"first_name": "x" * 151}, "first_name"),
    ],
)
def test_profile_update_names_the_bad_field(customer, changes, field):
    values = {"first_name": "A", "last_name": "B", "phone": "", "preferred_language": "en"}
    with pytest.raises(ValidationFailed) as excinfo:
        services.profile_update(user=customer, **{**values, **changes})
    assert excinfo.value.field == field


def test_profile_page_saves(customer_client, customer):
    response = customer_client.post(
        "/en/account/profile/",
        {
            "first_name": "Som",
            "last_name": "Chai",
            "phone": "0812345678",
            "preferred_language": "en",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/account/profile/"
    customer.refresh_from_db()
    assert customer.first_name == "Som"
    page = customer_client.get("/en/account/profile/")
    assert "Your profile has been saved." in page.text


def test_changing_language_moves_to_that_language_and_sets_the_cookie(customer_client, customer):
    response = customer_client.post(
        "/en/account/profile/",
        {"first_name": "", "last_name": "", "phone": "", "preferred_language": "th"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/th/account/profile/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "th"
    customer.refresh_from_db()
    assert customer.preferred_language == "th"
    page = customer_client.get(response["Location"])
    assert '<html lang="th">' in page.text


def test_profile_page_shows_errors_next_to_fields(customer_client):
    response = customer_client.post(
        "/en/account/profile/",
        {"first_name": "", "last_name": "", "phone": "call me", "preferred_language": "en"},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["phone"]


def test_profile_needs_login(client):
    response = client.get("/th/account/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/th/account/login/")
