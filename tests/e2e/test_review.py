"""A customer signs in, writes a review on the product page in Chromium and sees it there."""

from __future__ import annotations

from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect, sync_playwright

from tridex.accounts.models import User

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "a sofa cover passphrase"


@pytest.mark.e2e
def test_customer_writes_a_review_from_the_product_page(
    live_server, transactional_db, make_product, monkeypatch, settings
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see test_variant_picker.py
    assert Path(CHROMIUM).is_file(), "install Debian's Chromium: apt-get install -y chromium"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    product = make_product(name_en="Linen cover")
    user = User.objects.create_user(email="nok@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
            page.goto(f"{live_server.url}/en/p/{product.slug_en}/")
            page.get_by_role("link", name="Sign in to write a review.").click()
            page.locator("input[name=login]").fill(user.email)
            page.locator("input[name=password]").fill(PASSWORD)
            page.locator("form button[type=submit]").last.click()
            expect(page).to_have_url(f"{live_server.url}/en/p/{product.slug_en}/#reviews")

            page.get_by_label("4 stars").check()
            page.get_by_label("Title").fill("Soft and snug")
            page.get_by_label("Your review").fill("Fits our two-seater like it was made for it.")
            page.get_by_role("button", name="Post review").click()

            expect(page.locator(".review__title")).to_have_text("Soft and snug")
            expect(page.get_by_text("You have reviewed this product. Thank you!")).to_be_visible()
        finally:
            browser.close()
