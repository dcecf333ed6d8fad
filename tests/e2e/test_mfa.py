"""Two-factor authentication in a real Chromium: a staff member sent from the back office sets
up an authenticator app; a customer adds a security key (Chromium's virtual authenticator,
driven by allauth's own WebAuthn script) and signs in with it."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect

from tests.conftest import totp_code
from tests.e2e import test_checkout
from tridex.accounts.models import User

PASSWORD = test_checkout.PASSWORD


@pytest.fixture
def accounts(transactional_db, market_th, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The live server speaks plain HTTP on localhost (a secure context for the browser).
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True


def account(email: str, **fields) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, **fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def sign_in_with_password(page: Page, email: str) -> None:
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=login]) [type=submit]").first.click()


def confirm_password(page: Page) -> None:
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()


@pytest.mark.e2e
def test_staff_are_sent_to_set_up_an_authenticator_app(
    live_server, browser, accounts, staff_without_factor
):
    staff = account("nok@example.com", is_staff=True, is_superuser=True)
    page = browser.new_page()
    page.goto(f"{live_server.url}/admin/")
    sign_in_with_password(page, staff.email)
    expect(page.locator(".messages")).to_contain_text("must set up two-factor authentication")
    page.locator("a[href$='/2fa/totp/activate/']").click()
    confirm_password(page)
    expect(page.locator(".mfa-qr svg")).to_be_visible()
    secret = page.locator("#authenticator_secret").inner_text().strip()
    page.fill("input[name=code]", totp_code(secret))
    page.locator("form:has(input[name=code]) [type=submit]").click()
    expect(page.locator("#recovery_codes li")).to_have_count(10)
    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_url(f"{live_server.url}/admin/")
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()


@pytest.mark.e2e
def test_a_customer_adds_a_security_key_and_signs_in_with_it(live_server, browser, accounts):
    customer = account("somchai@example.com")
    context = browser.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    base = f"{live_server.url}/en/account"
    page.goto(f"{base}/login/")
    sign_in_with_password(page, customer.email)
    page.goto(f"{base}/2fa/webauthn/add/")
    confirm_password(page)
    page.fill("input[name=name]", "Desk key")
    page.locator("#mfa_webauthn_add").click()
    expect(page).to_have_url(re.compile(r"/2fa/recovery-codes/$"))
    assert Authenticator.objects.get(user=customer, type=Authenticator.Type.WEBAUTHN)

    context.clear_cookies()  # a new visit
    page.goto(f"{base}/login/")
    sign_in_with_password(page, customer.email)
    expect(page).to_have_url(re.compile(r"/2fa/authenticate/$"))
    page.locator("#mfa_webauthn_authenticate").click()
    expect(page).to_have_url(f"{base}/profile/")
