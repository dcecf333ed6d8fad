"""Every account page renders in Thai and in English, with its title translated."""

from __future__ import annotations

import pytest
from django.test import Client

from tridex.accounts import services
from tridex.accounts.models import User

pytestmark = pytest.mark.django_db

ANONYMOUS_PAGES = [
    "account/login/",
    "account/signup/",
    "account/password/reset/",
    "account/password/reset/done/",
    "account/password/reset/key/done/",
    "account/confirm-email/",
    "account/confirm-email/not-a-key/",
    "account/inactive/",
]
CUSTOMER_PAGES = [
    "account/profile/",
    "account/addresses/",
    "account/addresses/add/",
    "account/addresses/{address}/edit/",
    "account/addresses/{address}/delete/",
    "account/email/",
    "account/password/change/",
    "account/logout/",
]
TITLES = {
    ("th", "account/login/"): "เข้าสู่ระบบ",
    ("en", "account/login/"): "Sign in",
    ("th", "account/profile/"): "ข้อมูลส่วนตัวของฉัน",
    ("en", "account/profile/"): "Your profile",
    ("th", "account/addresses/add/"): "เพิ่มที่อยู่",
    ("en", "account/addresses/add/"): "Add an address",
}


@pytest.fixture
def address(customer: User):
    return services.address_create(
        user=customer,
        full_name="Somchai",
        line1="1 Silom Road",
        subdistrict="Silom",
        district="Bang Rak",
        province="TH-10",
        postcode="10500",
    )


def check_page(client: Client, language: str, page: str) -> None:
    response = client.get(f"/{language}/{page}")
    assert response.status_code == 200, page
    assert f'<html lang="{language}">' in response.text
    assert "<h1>" in response.text
    title = TITLES.get((language, page.split("{")[0]))
    if title:
        assert f"<title>{title} · " in response.text


@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize("page", ANONYMOUS_PAGES)
def test_anonymous_pages(client, language, page):
    check_page(client, language, page)


@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize("page", CUSTOMER_PAGES)
def test_customer_pages(customer_client, address, language, page):
    check_page(customer_client, language, page.format(address=address.pk))


@pytest.mark.parametrize("language", ["th", "en"])
def test_password_set_page_for_a_user_without_password(client, make_user, language):
    user = make_user(email="social@example.com")
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    check_page(client, language, "account/password/set/")


def test_thai_address_form_lists_all_provinces_in_thai(customer_client):
    response = customer_client.get("/th/account/addresses/add/")
    options = response.context["form"].fields["province"].choices
    assert len(options) == 78  # the empty choice and 77 provinces
    assert options[1] == ("TH-10", "กรุงเทพมหานคร")
    assert "เชียงใหม่" in response.text
    english = customer_client.get("/en/account/addresses/add/")
    assert ">Chiang Mai</option>" in english.text


@pytest.mark.parametrize("language", ["th", "en"])
def test_allauth_pages_without_an_override_use_the_site_layout(client, monkeypatch, language):
    from tridex.accounts.adapter import AccountAdapter

    monkeypatch.setattr(AccountAdapter, "is_open_for_signup", lambda self, request: False)
    response = client.get(f"/{language}/account/signup/")
    assert response.status_code == 200
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert f'<html lang="{language}">' in response.text
    assert '<main id="main"' in response.text
    assert response.text.count("<title>") == 1
    title = response.text.split("<title>")[1].split("</title>")[0]
    assert " · " in title  # allauth's head_title fills the site's title block
