"""The user admin works without a username: list, search, add, change with addresses."""

from __future__ import annotations

import pytest

from tridex.accounts import services
from tridex.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = User.objects.create_superuser(email="admin@example.com", password="x")
    client.force_login(admin)
    return client


def test_user_changelist_search_and_filters(admin_client, make_user):
    make_user(email="somchai@example.com", first_name="Somchai")
    make_user(email="jane@example.com", first_name="Jane", language="th")
    response = admin_client.get("/admin/accounts/user/", {"q": "somchai"})
    assert response.status_code == 200
    assert "somchai@example.com" in response.text
    assert "jane@example.com" not in response.text
    filtered = admin_client.get("/admin/accounts/user/", {"preferred_language": "th"})
    assert "jane@example.com" in filtered.text
    assert "somchai@example.com" not in filtered.text


def test_add_user_by_email(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "new@example.com",
            "usable_password": "true",
            "password1": "Sofa-cover-2026",
            "password2": "Sofa-cover-2026",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.get(email="new@example.com").check_password("Sofa-cover-2026")


def test_change_page_shows_the_address_inline(admin_client, customer):
    services.address_create(
        user=customer,
        full_name="Somchai",
        line1="1 Silom Road",
        subdistrict="Silom",
        district="Bang Rak",
        province="TH-10",
        postcode="10500",
    )
    response = admin_client.get(f"/admin/accounts/user/{customer.pk}/change/")
    assert response.status_code == 200
    assert "1 Silom Road" in response.text
    assert admin_client.get("/admin/accounts/address/", {"q": "10500"}).status_code == 200
