"""Checkout in a phone-sized Chromium, in Thai and in English: a guest pays with PromptPay, a
signed-in customer chooses cash on delivery, and each order then shows in the customer's account
and in the back office."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import Page, expect

from tests.conftest import THAI_ADDRESS, totp_code, totp_secret_of
from tridex.accounts.models import User
from tridex.orders.models import Order, OrderStatus

PASSWORD = "Sofa-cover-2026"


def phone(browser) -> Page:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    return context.new_page()


@pytest.fixture
def product(transactional_db, commerce, make_product, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_product(name_en="Stretch sofa cover", price="1290", stock=5)


def user(email: str, *, staff: bool = False) -> User:
    account = User.objects.create_user(
        email=email, password=PASSWORD, is_staff=staff, is_superuser=staff
    )
    EmailAddress.objects.create(user=account, email=email, verified=True, primary=True)
    return account


def sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url)
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=login]) [type=submit]").first.click()
    page.wait_for_load_state("networkidle")


def add_to_cart_and_check_out(page: Page, base: str, slug: str) -> None:
    page.goto(f"{base}/p/{slug}/")
    page.locator("button[data-add-to-cart]").click()
    expect(page).to_have_url(f"{base}/cart/")
    expect(page.locator("[data-cart-count]")).to_have_text("1")
    page.locator(".cart__summary a[href$='/checkout/']").click()
    expect(page).to_have_url(f"{base}/checkout/")


def fill_address(page: Page) -> None:
    for name in ("full_name", "phone", "line1", "subdistrict", "district"):
        page.fill(f"[name='ship-{name}']", THAI_ADDRESS[name])
    page.select_option("[name='ship-province']", THAI_ADDRESS["province"])
    page.fill("[name='ship-postcode']", THAI_ADDRESS["postcode"])
    page.locator("[name='ship-postcode']").press("Tab")  # re-prices delivery for the postcode
    page.wait_for_load_state("networkidle")


def in_back_office(browser, live_url: str, order: Order) -> None:
    """Staff sign in on the shop's sign-in page with their password and authenticator app."""
    page = phone(browser)
    staff = user(f"staff-{order.number}@example.com", staff=True)
    page.goto(f"{live_url}/admin/")
    page.fill("input[name=login]", staff.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=login]) [type=submit]").first.click()
    page.fill("input[name=code]", totp_code(totp_secret_of(staff)))
    page.locator("form:has(input[name=code]) [type=submit]").click()
    expect(page).to_have_url(f"{live_url}/admin/")
    page.goto(f"{live_url}/admin/orders/order/")
    expect(page.locator("#result_list")).to_contain_text(order.number)


@pytest.mark.e2e
@pytest.mark.parametrize("language", ["th", "en"])
def test_guest_pays_with_promptpay(live_server, browser, product, language):
    page = phone(browser)
    base = f"{live_server.url}/{language}"
    slug = product.slug_th if language == "th" else product.slug_en
    add_to_cart_and_check_out(page, base, slug)
    page.fill("[name=email]", "guest@example.com")
    fill_address(page)
    page.locator("input[name=payment_method][value=promptpay]").check()
    page.locator("button[name=action][value=place]").click()

    expect(page.locator("[data-promptpay] svg")).to_be_visible()
    order = Order.objects.get()
    expect(page).to_have_url(f"{base}/orders/t/{order.token}/")
    expect(page.locator("h1")).to_contain_text(order.number)
    assert order.status == OrderStatus.PENDING_PAYMENT and order.language == language
    assert order.payment_method == "promptpay"
    in_back_office(browser, live_server.url, order)


@pytest.mark.e2e
@pytest.mark.parametrize("language", ["th", "en"])
def test_signed_in_customer_pays_cash_on_delivery(live_server, browser, product, language):
    customer = user("somchai@example.com")
    page = phone(browser)
    base = f"{live_server.url}/{language}"
    sign_in(page, f"{base}/account/login/", customer.email)
    slug = product.slug_th if language == "th" else product.slug_en
    add_to_cart_and_check_out(page, base, slug)
    expect(page.locator("[name=email]")).to_have_value(customer.email)
    fill_address(page)
    page.locator("input[name=payment_method][value=cod]").check()
    page.locator("button[name=action][value=place]").click()

    order = Order.objects.get()
    expect(page).to_have_url(f"{base}/orders/{order.number}/")
    expect(page.locator("[data-order-status]")).to_have_attribute("data-order-status", "processing")
    assert order.user == customer and order.status == OrderStatus.PROCESSING
    page.goto(f"{base}/orders/")
    expect(page.locator("main")).to_contain_text(order.number)
    in_back_office(browser, live_server.url, order)
